"""The page-level error boundary: a page that raises shows a message with an error id, never a traceback or a server path."""

from __future__ import annotations

import logging
import re

import pytest

from tests.app.conftest import open_app
from ui import charts

pytestmark = pytest.mark.xdist_group("app")

SECRET_PATH = "/srv/kanban/secret/module.py"


def explode(*args: object, **kwargs: object) -> object:
    raise RuntimeError(f"boom in {SECRET_PATH}")


@pytest.mark.parametrize(("lang", "words", "id_pattern"), [
    ("zh", "此页面出错了", r"错误编号 ([0-9a-f]{8})"),
    ("en", "Something went wrong on this page", r"error id ([0-9a-f]{8})"),
])
def test_a_page_that_raises_shows_a_message_with_an_error_id(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
                                                            lang: str, words: str, id_pattern: str) -> None:
    monkeypatch.setattr(charts, "grade_bars", explode)
    with caplog.at_level(logging.ERROR, logger="dashboard.errors"):
        at = open_app("overview", lang=lang)
    assert not at.exception  # Streamlit's own exception box (with the traceback) never appears
    (message,) = [e.value for e in at.error]
    assert words in message
    found = re.search(id_pattern, message)
    assert found is not None
    shown = " ".join(str(getattr(element, "value", "")) for element in at.main) + message
    for leak in ("Traceback", "RuntimeError", SECRET_PATH, "/work/", ".py"):
        assert leak not in shown
    logged = [r for r in caplog.records if found.group(1) in r.getMessage()]
    assert logged and logged[0].exc_info is not None and SECRET_PATH in str(logged[0].exc_info[1])
    assert at.sidebar.selectbox or at.sidebar.multiselect  # the rest of the app still works around the failed page


def test_error_ids_differ_between_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "grade_bars", explode)
    first, second = (open_app("overview").error[0].value for _ in range(2))
    assert re.findall(r"[0-9a-f]{8}", first) != re.findall(r"[0-9a-f]{8}", second)


def test_the_config_hides_error_details_from_browsers() -> None:
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
