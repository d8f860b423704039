"""AppTest helpers: the dashboard as users open it, one page at a time."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "dashboard.py")
TIMEOUT = 120
PAGES = ("overview", "ranking", "branch", "yoy", "rectify", "ledger", "rubrics", "upload")

# All AppTest runs share one worker so the sample city is parsed and scored once (st.cache_resource is per process).
pytestmark = pytest.mark.xdist_group("app")


def open_app(page: str = "overview", **params: str | list[str]) -> AppTest:
    """Run the dashboard on a page (via the URL, as a shared link would), with extra query parameters."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(params)
    if page != "overview":
        at.query_params["page"] = page
    at.run()
    if page != "overview":  # the router switched pages with st.switch_page; AppTest needs one more run to follow it
        at.run()
    return at


def go(at: AppTest, page: str) -> AppTest:
    """Switch to another page in the same session."""
    return at.switch_page(f"ui/screens/{page}.py").run()


def no_errors(at: AppTest) -> None:
    """The run raised nothing and showed no exception box."""
    assert not at.exception, [e.value for e in at.exception]


def metric(at: AppTest, label_start: str) -> str:
    """The value of the first metric whose label starts with `label_start`."""
    return next(m.value for m in at.metric if m.label.startswith(label_start))


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty SQLite store (snapshots and workspaces) for this test, configured by environment as an operator would."""
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    monkeypatch.setenv("SNAPSHOT_STORE_URL", url)
    monkeypatch.delenv("SNAPSHOT_BASE_URL", raising=False)
    return url


@pytest.fixture
def app() -> AppTest:
    """The dashboard on its overview page."""
    return open_app()


def table_with(at: AppTest, *columns: str):
    """The first table showing all of these columns (read-only tables carry no key in AppTest)."""
    for frame in at.dataframe:
        value = frame.value
        if set(columns) <= set(map(str, value.columns)):
            return value
    raise AssertionError(f"no table with columns {columns}")
