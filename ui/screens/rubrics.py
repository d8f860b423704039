"""评分细则 Rubrics: every rubric rendered readably, the workbench to edit and try a draft, and a custom rubric upload."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from scoring.coverage import left_unscored, rows_of
from scoring.describe import rubric_tables
from scoring.errors import RubricError
from scoring.loader import decode_rubric
from scoring.rubricset import RubricSet
from ui import common, state, workbench_view
from ui.data import builtin_rubrics, custom_rubrics, rescore, rubric_source
from ui.i18n import t
from ui.model import select
from ui.safe import md

SECTIONS = (("standards", "rubrics.standards"), ("indicators", "rubrics.standards"), ("adjustments", "rubrics.standards"),
            ("bands", "rubrics.grading"), ("rules", "rubrics.grading"), ("alerts", "rubrics.grading"))


def _pick(rubrics: RubricSet) -> str:
    ids = [r.id for r in rubrics.rubrics]
    names = {r.id: t("rubrics.option", name=r.name, id=r.id) for r in rubrics.rubrics}
    if state.widget("rb_pick") not in ids:
        state.force("rb_pick", select.first_rubric(rubrics, state.dataset().results.branches))
    return str(st.selectbox(t("rubrics.pick"), ids, key="rb_pick", format_func=names.__getitem__))


def _show(rubrics: RubricSet, rid: str) -> None:
    rubric = rubrics.get(rid)
    st.subheader(md(rubric.name))
    st.caption(t("rubrics.summary", fields=md(t("common.sep").join(rubric.fields) or "—"), version=md(rubric.version), total=f"{rubric.total:g}"))
    if rubric.description:
        st.markdown(md(rubric.description, 2000))
    tables = rubric_tables(rubric, lang=state.lang())
    tabs = st.tabs([t("rubrics.standards"), t("rubrics.grading")])
    for name, section in SECTIONS:
        frame = tables.get(name)
        if frame is not None and not frame.empty:
            with tabs[0 if section == "rubrics.standards" else 1]:
                common.table(frame, f"rb_{name}")
    with st.expander(t("rubrics.yaml")):
        st.code(rubric_source(rubrics, rid), language="yaml")


def _custom() -> None:
    st.subheader(t("rubrics.custom"))
    upload = st.file_uploader(t("rubrics.upload"), type=["yaml", "yml"], key="rb_file", max_upload_size=1)
    data = state.dataset()
    if data.custom_rubric:
        lost = len(data.results.unscored) + len(data.rejected)
        if lost:
            st.warning(t("rubrics.applied_partly", scored=f"{len(data.results.branches):,}", lost=f"{lost:,}"), icon=":material/warning:")
        else:
            st.success(t("rubrics.applied"), icon=":material/check_circle:")
        if st.button(t("rubrics.reset"), key="rb_reset", icon=":material/undo:"):
            state.set_dataset(rescore(data, builtin_rubrics()))
            st.rerun()
    if upload is None:
        return
    try:
        text = decode_rubric(upload.getvalue(), upload.name)
        rubrics = custom_rubrics(upload.name, text, builtin_rubrics())
    except RubricError as error:
        st.error(t("rubrics.errors", n=len(error.problems)), icon=":material/error:")
        common.rubric_problem_table(error.problems, "rb_errors", state.lang())
        return
    own = [r.name for r in rubrics.concrete if rubric_source(rubrics, r.id) == text]
    st.success(t("rubrics.valid", names=md("、".join(own) or upload.name)), icon=":material/check_circle:")
    if _confirmed(rows_of(data.results), rubrics, len(data.results.unscored)) and st.button(
            t("rubrics.apply"), key="rb_apply", type="primary", icon=":material/calculate:"):
        state.set_custom_rubric(upload.name, text)
        with st.spinner(t("upload.scoring", rows=f"{len(data.results):,}")):
            state.set_dataset(rescore(data, rubrics, upload.name))
        st.rerun()


def _confirmed(rows: pd.DataFrame, rubrics: RubricSet, now: int) -> bool:
    """Say how many rows the rubric would leave unscored and why; true when none would, or the user accepts it."""
    lost = left_unscored(rows, rubrics)
    count = int(lost["rows"].sum())
    if not count:
        st.info(t("rubrics.covers_all", n=f"{len(rows):,}"), icon=":material/check_circle:")
        return True
    st.warning(t("rubrics.would_leave", n=f"{count:,}", total=f"{len(rows):,}", now=f"{now:,}"), icon=":material/warning:")
    common.table(lost, "rb_lost", {k: t(f"rubrics.{k}") for k in ("field", "reason", "rows")})
    st.caption(t("rubrics.cancel_hint"))
    return bool(st.checkbox(t("rubrics.confirm_loss", n=f"{count:,}"), key="rb_confirm"))


def render() -> None:
    """Draw the rubrics page."""
    st.title(t("rubrics.title"))
    data = state.dataset()
    rid = _pick(data.rubrics)
    _show(data.rubrics, rid)
    st.divider()
    workbench_view.render(data, rid)
    st.divider()
    if state.snapshot() is not None:
        st.info(t("snap.read_only_rubrics"), icon=":material/lock:")
    else:
        _custom()


if __name__ == "__main__":
    render()
