"""Small building blocks the pages share: title and scope line, labelled tables, download buttons, progress."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import pandas as pd
import streamlit as st

from scoring.errors import RubricProblem
from scoring.ingest.report import ValidationReport
from ui import state
from ui.i18n import TEXT, t, translate
from ui.model import select
from ui.safe import md, plain

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def access_code_form(locked: str, label: str, button: str, keys: tuple[str, str, str]) -> tuple[bool, str | None]:
    """The code form of a locked snapshot or workspace link: (submitted, the code typed, None when left blank).

    `keys` are the form's, the field's and the button's widget keys."""
    st.info(locked, icon=":material/lock:")
    with st.form(keys[0], border=False):
        code = st.text_input(label, key=keys[1], type="password", max_chars=64)
        submitted = st.form_submit_button(button, key=keys[2], type="primary", icon=":material/lock_open:")
    return submitted, (code or "").strip() or None


def upload_help(limit: int) -> str:
    """The uploaders' help: the one upload limit in MB (10^6 bytes) and in bytes."""
    return t("upload.help", limit=f"{limit / 1e6:,g}", limit_bytes=f"{limit:,}")


def too_big(size: int, limit: int) -> str:
    """Why a file over the upload limit is refused, with both sizes in MB and in bytes."""
    return t("upload.too_big", size=f"{size / 1e6:,.1f}", size_bytes=f"{size:,}", limit=f"{limit / 1e6:,g}", limit_bytes=f"{limit:,}")


def heading(key: str, period: str | None = None, rows: int | None = None) -> None:
    """The page title and, when given, the period and number of branches it covers."""
    st.title(t(key))
    if rows is not None:
        st.caption(t("common.scope", period=md(period or "—"), rows=f"{rows:,}"))


def column_config(columns: Iterable[str], extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Translated headers for the known columns, plus any specific column settings."""
    config: dict[str, Any] = {}
    for c in columns:
        for key in (f"col.{c}", f"hdr.{c}"):
            if key in TEXT:
                config[c] = t(key)
                break
    config.update(extra or {})
    return config


# Rows taller than 4rem let the grid wrap text (Streamlit's rule): three lines of a long message or reason show at once.
WRAPPED_ROW = 72
LONG_CELL = 150  # half-width characters: about what three wrapped lines of a large column hold
PROBLEM_ORDER = ("行", "列名", "说明", "级别", "值", "列", "代码")  # where and what first


def table(frame: Any, key: str, extra: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
    """A read-only table with translated headers; user text stays plain text in the grid."""
    kwargs.setdefault("hide_index", True)
    return st.dataframe(frame, key=key, width="stretch", placeholder="—",
                        column_config=column_config(list(frame.columns), extra), **kwargs)


def rubric_problem_table(problems: Sequence[RubricProblem], key: str, lang: str) -> Any:
    """A rubric's problems in the UI language: file, line, column, code, message."""
    labels = {k: t(f"rubrics.{k}") for k in ("file", "line", "column", "code", "message")}
    return table(select.rubric_problems(problems, lang), key, labels)


def problem_table(report: ValidationReport, key: str, lang: str) -> Any:
    """A file's problems in the UI language: where and what first; long messages wrap, and can be read whole below."""
    frame = report.to_frame(lang)
    shown = table(frame, key, {"说明": st.column_config.TextColumn(t("hdr.说明"), width="large")}, column_order=PROBLEM_ORDER,
                  row_height=WRAPPED_ROW)
    read_in_full(frame, f"{key}_full", lambda i: report.problems[i].location(lang), {"说明": t("hdr.说明")}, longer_than=LONG_CELL)
    return shown


def read_in_full(frame: pd.DataFrame, key: str, label: Callable[[int], str], columns: Mapping[str, str], longer_than: int = 0,
                 most: int = 1000) -> None:
    """Below a table whose texts can outgrow their column: pick a row (named by `label` of its position) and read the
    texts of `columns` (column → header) whole, wrapped to the page. Rows whose texts all fit (`longer_than` half-width
    characters at most) are not offered, and no more than `most` rows are."""
    texts = {c: [_text(v) for v in frame[c]] for c in columns if c in frame}
    rows = [i for i in range(len(frame)) if any(_width(found[i]) > longer_than for found in texts.values())][:most]
    if not rows:
        return
    names = {i: label(i) for i in rows}  # taken now, in the run's language
    with st.container(key=f"{key}_panel", border=True):
        picked = st.selectbox(t("common.read_full"), rows, key=key, format_func=names.__getitem__)
        row = rows[0] if picked is None else int(picked)
        for column, found in texts.items():
            if found[row]:
                st.markdown(f"**{md(columns[column])}**  \n{plain(found[row])}")


def _width(text: str) -> int:
    """How wide a text is on screen, in half-width characters (a Chinese character counts two)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()


def downloads(stem: str, key: str, csv: Callable[[], bytes], xlsx: Callable[[], bytes] | None = None) -> None:
    """Excel and CSV download buttons; the files are built only when clicked."""
    left, right = st.columns(2)
    if xlsx is not None:
        left.download_button(t("common.download_xlsx"), xlsx, file_name=f"{stem}.xlsx", mime=XLSX, key=f"{key}_xlsx",
                             on_click="ignore", icon=":material/table_view:", width="stretch")
    right.download_button(t("common.download_csv"), csv, file_name=f"{stem}.csv", mime="text/csv", key=f"{key}_csv",
                          on_click="ignore", icon=":material/download:", width="stretch")


def percent(value: float | None) -> str:
    """A share as a percentage with one decimal."""
    return "—" if value is None else f"{value:.1%}"


def headers(columns: Iterable[str], lang: str | None = None) -> dict[str, str]:
    """Translated header for each known column (for downloads), in `lang` (the current language unless given)."""
    chosen = lang or state.lang()
    return {c: translate(f"col.{c}", chosen) for c in columns if f"col.{c}" in TEXT}


@contextmanager
def progress(stages: Sequence[str]) -> Iterator[Callable[[str], None]]:
    """A progress bar naming each stage of a build as it starts (texts `progress.<stage>`); nothing is drawn unless a
    stage is reported (e.g. the result was cached), and the bar is removed when the block ends."""
    slot = st.empty()
    current: list[str] = []

    def report(stage: str) -> None:
        if current[-1:] != [stage]:  # a stage reported again (e.g. once per chart) keeps its bar as it is
            current.append(stage)
            slot.progress(stages.index(stage) / len(stages), text=t(f"progress.{stage}"))

    try:
        yield report
    finally:
        slot.empty()
