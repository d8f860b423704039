"""The rubric workbench on the 评分细则 page: edit a draft, validate it live, see its what-if, download or adopt it."""

from __future__ import annotations

import streamlit as st

from scoring.draft import Draft, Edit
from scoring.errors import RubricError, RubricProblem
from scoring.rubricset import RubricSet
from snapshots import SnapshotError
from ui import common, state, workspace_view
from ui.data import Dataset, rescore, rubric_key
from ui.i18n import t
from ui.model import workbench as wb
from ui.safe import md
from ui.share import error_text
from ui.workbench_editor import FORM, draft_edits
from ui.workbench_whatif import memo, show

ADOPT_KEY = "wb_adopt"


def base_tables(data: Dataset, rubric_id: str) -> tuple[Draft, dict[str, wb.Table]]:
    """The adopted rubrics as a draft and the picked rubric's tables (built once per rubric set and rubric)."""
    def build() -> tuple[Draft, dict[str, wb.Table]]:
        base = Draft.of(data.rubrics)
        rubric = data.rubrics.get(rubric_id)
        return base, {s: wb.table(base, rubric, s) for s in wb.SECTIONS}
    return memo("tables", (rubric_key(data.rubrics), rubric_id), build)


def checked(base: Draft, edits: tuple[Edit, ...], base_key: str) -> tuple[Draft, str | None, list[RubricProblem], RubricSet | None]:
    """The draft the edits make, why an edit failed, its problems and (when it has none) its rubrics; once per set of edits."""
    def build() -> tuple[Draft, str | None, list[RubricProblem], RubricSet | None]:
        draft, failed = wb.apply(base, edits)
        if not draft.changed():
            return draft, failed, [], None
        try:
            return draft, failed, [], draft.load()
        except RubricError as error:
            return draft, failed, error.problems, None
    return memo("draft", (base_key, repr(edits)), build)


def render(data: Dataset, rubric_id: str) -> None:
    """Draw the workbench for one rubric of the data being viewed."""
    st.subheader(t("wb.title"))
    st.caption(t("wb.intro"))
    if state.snapshot() is not None:
        st.info(t("wb.read_only"), icon=":material/lock:")
        return
    base, tables = base_tables(data, rubric_id)
    key = f"{rubric_id}_{rubric_key(data.rubrics)[:8]}"
    restored = _restore(tables, rubric_id, key)
    found = draft_edits(base, data.rubrics.get(rubric_id), tables, key)
    edits = restored + found.edits
    state.set_draft(key, restored, edits)
    draft, failed, problems, rubrics = checked(base, edits, rubric_key(data.rubrics))
    if failed:
        st.error(t("wb.edit_failed", reason=md(failed, 400)), icon=":material/error:")
    if not draft.changed():
        st.info(t("wb.unchanged"), icon=":material/edit_note:")
        _downloads(draft, [draft.file_of(rubric_id)])
        return
    st.markdown(f"**{t('wb.changes')}**")
    if st.button(t("wb.discard"), key=f"wbx_discard_{key}", icon=":material/delete:"):
        state.discard_draft(key)
        st.rerun()
    _downloads(draft, draft.changed())
    with st.expander(t("wb.diff")):
        st.code(draft.diff(), language="diff")
    if rubrics is None:
        st.error(t("wb.invalid", n=len(problems)), icon=":material/error:")
        common.rubric_problem_table(problems, "wb_problems", state.lang())
        return
    st.success(t("wb.valid"), icon=":material/check_circle:")
    show(data, rubrics, rubric_id)
    if found.bad:  # a cell that could not be read is not in the draft: adopting now would drop it silently
        st.warning(t("wb.fix_cells", n=len(found.bad)), icon=":material/warning:")
        return
    _adopt(data, draft, rubrics)


def _restore(tables: dict[str, wb.Table], rubric_id: str, key: str) -> tuple[Edit, ...]:
    """Bring back a draft kept while the user was on another page: grade lines into their inputs, the rest as edits."""
    restored, kept = state.draft(key)
    if state.widget(f"wb_band_{key}_0") is not None or not kept:
        return restored
    seeds, rest = wb.band_seeds(tables[FORM], rubric_id, kept)
    for row, value in seeds.items():
        state.seed(f"wb_band_{key}_{row}", float(value))
    st.info(t("wb.restored"), icon=":material/history:")
    return rest


def _downloads(draft: Draft, names: list[str]) -> None:
    """One download button per YAML file (the draft's text: only the changed lines differ from the adopted file)."""
    columns = st.columns(max(len(names), 1))
    for column, name in zip(columns, names):
        file = name.rsplit("/", 1)[-1]
        column.download_button(t("wb.download", file=file), draft.texts[name].encode("utf-8"), file_name=file,
                               mime="application/x-yaml", key=f"wb_download_{file}", on_click="ignore",
                               icon=":material/download:")


def _adopt(data: Dataset, draft: Draft, rubrics: RubricSet) -> None:
    """Adopt the draft for the data being viewed; inside a workspace it becomes the workspace's next version."""
    opened = workspace_view.access()
    st.caption(t("wb.adopt_ws_help") if opened is not None else t("wb.adopt_help"))
    if not st.button(t("wb.adopt_ws") if opened is not None else t("wb.adopt"), key=ADOPT_KEY, type="primary",
                     icon=":material/task_alt:"):
        return
    if opened is not None:
        try:
            workspace_view.service().set_rubric(opened, wb.texts_to_keep(draft))
        except SnapshotError as error:
            st.error(error_text(error), icon=":material/error:")
            return
    else:
        with st.spinner(t("upload.scoring", rows=f"{len(data.results):,}")):
            _keep_for_uploads(draft)
            state.set_dataset(rescore(data, rubrics, t("wb.draft_name")))
    state.set_notice("wb.adopted")
    st.rerun()


def _keep_for_uploads(draft: Draft) -> None:
    """Make a draft that changes one rubric file the session's custom rubric, so later uploads are scored with it too."""
    changed = [name for name in draft.changed() if name in draft.documents]
    if len(changed) == 1 and len(draft.changed()) == 1:
        state.set_custom_rubric(changed[0].rsplit("/", 1)[-1], draft.texts[changed[0]])
