"""Names that try HTML, Markdown, formulas or sheer length are shown as plain text everywhere."""

from __future__ import annotations

import re

import pytest

from tests.app import files
from tests.app.conftest import PAGES, go, no_errors, open_app
from ui.safe import LONG, md

pytestmark = pytest.mark.xdist_group("app")
DANGEROUS = ("<script", "<img", "<b>", ":red[", "$x^2$", "](javascript", "**粗体**")


def markdown_texts(at) -> list[str]:
    """Every string the app handed to an element that renders Markdown."""
    texts = []
    for kind in ("markdown", "caption", "subheader", "title", "header", "info", "warning", "success", "error", "toast"):
        texts += [e.value for e in at.get(kind)]
    texts += [m.label for m in at.metric] + [m.value for m in at.metric]
    return texts


def _loose(token: str) -> re.Pattern[str]:
    """The token with each ASCII punctuation character optionally escaped."""
    return re.compile("".join(rf"\\?{re.escape(c)}" if re.match(r"[!-/:-@\[-`{-~]", c) else re.escape(c) for c in token))


def assert_plain(at) -> None:
    for text in markdown_texts(at):
        for bad in DANGEROUS:
            for found in _loose(bad).findall(text):
                assert found == md(bad), f"unescaped {bad!r} in {text[:200]!r}"


@pytest.fixture(scope="module")
def hostile():
    at = open_app("upload")
    at.file_uploader(key="up_file").set_value(("hostile.csv", files.hostile_csv(), "text/csv")).run()
    at.button(key="up_use").click().run()
    no_errors(at)
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_hostile_names_as_text(hostile, page):
    go(hostile, page)
    no_errors(hostile)
    assert_plain(hostile)


def test_tables_keep_the_exact_text(hostile):
    go(hostile, "ranking")
    names = set(hostile.dataframe(key="rank_table").value["name"])
    assert set(files.HOSTILE_NAMES) <= names


@pytest.mark.parametrize("name", files.HOSTILE_NAMES)
def test_branch_page_heading_is_escaped_and_cut(hostile, name):
    go(hostile, "ranking")
    table = hostile.dataframe(key="rank_table").value.reset_index(drop=True)
    position = int(table.index[table["name"] == name][0])
    hostile.session_state["rank_table"] = {"selection": {"rows": [position], "columns": []}}
    hostile.run()
    no_errors(hostile)
    assert hostile.subheader[0].value == md(name)
    assert len(hostile.subheader[0].value.replace("\\", "")) <= LONG
    assert_plain(hostile)


def test_markdown_escaping_round_trips_to_the_same_characters():
    for name in files.HOSTILE_NAMES:
        shown = md(name, limit=10_000).replace("\\", "")
        assert shown == " ".join(name.split())
