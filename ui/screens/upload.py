"""数据上传 Upload: read a CSV or workbook, show the validation report, set aside or fix rejected rows, explore the results."""

from __future__ import annotations

import streamlit as st

from scoring.errors import InputError, RubricError
from scoring.ingest import Ingested, ValidationReport
from scoring.ingest.fixes import apply_edits, rejected_in
from scoring.rubricset import RubricSet
from scoring.template import template_bytes
from ui import cached, common, data, memory, state, workspace_panel
from ui.fix_editor import fix_editor
from ui.i18n import t
from ui.model import select
from ui.safe import filename, md

TYPES = ["csv", "txt", "tsv", "xlsx", "xlsm", "xlsb", "xls", "ods", "et"]  # .et is refused with advice, not by the widget




def _rubrics() -> tuple[RubricSet, str]:
    """The rubric set to score with: built-in, or the custom rubric from the rubrics page."""
    custom = state.custom_rubric()
    if custom is None:
        return data.builtin_rubrics(), ""
    sets = {"builtin": t("upload.builtin"), "custom": t("upload.custom", name=md(custom[0], 40))}
    choice = st.radio(t("upload.rubric_set"), list(sets), key="up_rubrics", horizontal=True, index=1, format_func=sets.__getitem__)
    if choice == "builtin":
        return data.builtin_rubrics(), ""
    try:
        return data.custom_rubrics(custom[0], custom[1], data.builtin_rubrics()), custom[0]
    except RubricError:
        return data.builtin_rubrics(), ""


def _report(report: ValidationReport, stem: str) -> None:
    cols = st.columns(4)
    helps = {"rows_with_warnings": t("upload.rows_with_warnings_help", warnings=f"{report.count('warning'):,}")}
    for col, key in zip(cols, ("rows_total", "rows_scored", "rows_with_warnings", "rows_rejected"), strict=True):
        col.metric(t(f"upload.{key}"), f"{getattr(report, key):,}", help=helps.get(key))
    lang = state.lang()
    st.caption(md(report.summary(lang), 400))
    for line in (report.normalization_text(lang), report.counts_text(lang)):
        if line:
            st.caption(md(line, 400))
    st.subheader(t("upload.problems"))
    if not report.problems:
        st.caption(t("upload.no_problems"))
        return
    with st.container(key="up_kinds"):  # each kind once, its first message in full: plain text that wraps
        st.markdown("\n".join(f"- {md(line, 600)}" for line in report.kinds(lang)))
    common.problem_table(report, "up_problems", lang)
    st.download_button(t("upload.download_problems"), lambda: data.problems_csv(report, lang), key="up_problems_dl",
                       file_name=f"problems-{filename(stem)}.csv", mime="text/csv", on_click="ignore",
                       icon=":material/download:")


def _rejected(found: data.Dataset, ingested: Ingested, upload_key: str) -> data.Dataset:
    """Let the user set rejected rows aside or fix them; returns the data set to explore."""
    if ingested.rejected.empty:
        return found
    st.subheader(t("upload.rejected"))
    modes = {"aside": t("upload.set_aside"), "fix": t("upload.fix")}
    mode = st.radio(t("upload.rejected_mode"), list(modes), key="up_mode", horizontal=True, index=1, format_func=modes.__getitem__)
    order = [data.REASON, *(c for c in ingested.rejected.columns if c != data.REASON)]
    if mode == "aside":
        common.table(rejected_in(ingested, state.lang()), "up_rejected", {"_index": t("hdr.行")}, column_order=order, hide_index=False)
        return found
    _, edited = fix_editor(ingested, "up_editor")
    if st.button(t("upload.fix_apply"), key="up_fix", icon=":material/fact_check:"):
        fixed, again = data.fix_rejected(found, apply_edits(ingested.rejected, edited))
        state.set_fixed(upload_key, fixed)
        st.info(t("upload.fixed", ok=len(again.frame), bad=len(again.rejected)), icon=":material/info:")
    return state.fixed(upload_key) or found


def _templates() -> None:
    st.subheader(t("upload.template"))
    rubrics = data.builtin_rubrics()
    ids = [r.id for r in rubrics.concrete]
    names = {r.id: "、".join(r.fields[:1]) or r.name for r in rubrics.concrete}
    state.seed("up_tpl_field", select.first_rubric(rubrics, state.dataset().results.branches))
    rid = st.selectbox(t("upload.template_field"), ids, key="up_tpl_field", format_func=names.__getitem__)
    rubric = rubrics.get(rid)
    left, right = st.columns(2)
    left.download_button(t("upload.template_csv"), lambda: template_bytes(rubric), file_name=f"template-{rid}.csv",
                         mime="text/csv", key="up_tpl_csv", on_click="ignore", width="stretch")
    right.download_button(t("upload.template_xlsx"), lambda: template_bytes(rubric, xlsx=True), file_name=f"template-{rid}.xlsx",
                          mime=common.XLSX, key="up_tpl_xlsx", on_click="ignore", width="stretch")


def _frozen() -> None:
    """Inside a snapshot: nothing to upload, only the validation report of the data as it was taken."""
    st.info(t("snap.read_only_upload"), icon=":material/lock:")
    current = state.dataset()
    if current.report is None:
        st.caption(t("snap.no_report"))
    else:
        _report(current.report, current.filename)
    if not current.rejected.empty:
        st.subheader(t("upload.rejected"))
        common.table(current.rejected, "up_rejected", {"_index": t("hdr.行")}, hide_index=False)


def render() -> None:
    """Draw the upload page."""
    st.title(t("upload.title"))
    if state.snapshot() is not None:
        _frozen()
        return
    if workspace_panel.render():  # inside a workspace its panel replaces the single-file upload
        return
    current = state.dataset()
    if state.has_upload():
        st.success(t("upload.in_use", name=md(current.filename, 80), rows=f"{len(current.results):,}"), icon=":material/check:")
        if st.button(t("upload.back_to_sample"), key="up_back", icon=":material/undo:"):
            state.set_dataset(None)
            st.rerun()
    rubrics, custom = _rubrics()
    limit = data.upload_limit()
    upload = st.file_uploader(t("upload.file"), type=TYPES, key="up_file",
                              help=common.upload_help(limit))
    if upload is not None:
        raw = upload.getvalue()
        if len(raw) > limit:
            st.error(common.too_big(len(raw), limit), icon=":material/error:")
        else:
            content = data.upload_digest(upload.file_id, raw)
            try:
                sheets = data.sheet_names(content, upload.name, raw)
            except InputError as error:
                st.error(t("upload.unreadable", message=md(error.text(state.lang()), 600)), icon=":material/error:")
                sheets = None
            if sheets is not None:
                _read_and_report(raw, upload.name, content, sheets, rubrics, custom)
    st.divider()
    _templates()


def _read_and_report(raw: bytes, name: str, content: str, sheets: list[str], rubrics: RubricSet, custom: str) -> None:
    """Read the chosen sheet, show the report and the rejected rows, and offer to explore the results."""
    sheet = st.selectbox(t("upload.sheet"), sheets, key="up_sheet") if len(sheets) > 1 else None
    progress = st.progress(0, text=t("upload.reading", name=md(name, 80)))
    key = (content, name, sheet, data.rubric_key(rubrics), custom)
    held = state.reading(key)
    if held is None:
        try:
            ingested = data.ingest(raw, name, rubrics, sheet, content)
        except InputError as error:
            progress.empty()
            st.error(t("upload.unreadable", message=md(error.text(state.lang()), 600)), icon=":material/error:")
            return
        progress.progress(60, text=t("upload.scoring", rows=f"{len(ingested.frame):,}"))
        held = ingested, data.scored(raw, name, rubrics, ingested, sheet, custom, content)
        state.set_reading(key, held)
        progress.progress(85, text=t("upload.summing", rows=f"{len(held[1].results):,}"))
        cached.cube(held[1])  # summed while the user waits here, so 查看结果 opens the overview at once
        memory.release()  # reading a large file frees gigabytes of intermediate columns: give them back
    ingested, found = held
    progress.progress(100, text=t("upload.done"))
    _report(ingested.report, found.filename)
    chosen = _rejected(found, ingested, found.key)
    st.button(t("upload.use"), key="up_use", type="primary", icon=":material/insights:", on_click=_use, args=(chosen,))


def _use(chosen: data.Dataset) -> None:
    """Show the chosen data set everywhere and open the overview: the router switches before this page runs again, so a
    file too large for the upload cache (1,000,000 rows) is not read and scored a second time."""
    state.set_dataset(chosen)
    state.go_to("overview")


if __name__ == "__main__":
    render()
