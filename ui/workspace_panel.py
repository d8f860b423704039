"""工作区 on the upload page: create one from several files in one click; inside one, the accounting, conflicts, new files, history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import streamlit as st

from scoring.combine import diff_files
from scoring.errors import InputError
from scoring.ingest.fixes import PROBLEM_CELLS
from scoring.rubricset import RubricSet
from snapshots import SnapshotError
from snapshots.manifest import RowFix
from snapshots.tokens import check_access_code
from snapshots.workspaces import DECISIONS, Access
from ui import common, data, state, workspace_view
from ui.fix_editor import fix_editor
from ui.i18n import t
from ui.model import workspace as model
from ui.safe import md
from ui.share import error_text, link

TYPES = ["csv", "xlsx", "xls", "ods", "xlsb", "txt", "tsv"]
NEW_FILES = "ws_files"
NAME_KEY = "ws_name"
NEW_CODE_KEY = "ws_new_code"
CREATE_KEY = "ws_create"
ADD_FILES = "ws_more"
ADD_KEY = "ws_add"
PICK_KEY = "ws_pick"
DECISION_KEY = "ws_decision"
DECIDE_KEY = "ws_decide"
VERSION_KEY = "ws_version"
RESTORE_KEY = "ws_restore"
LEAVE_KEY = "ws_leave"
FIX_FILE_KEY = "ws_fix_file"
FIX_KEY = "ws_fix"


@dataclass(frozen=True)
class Upload:
    """A file chosen in a workspace uploader, with the sheets ticked (empty: a CSV, or the workbook's first sheet)."""

    name: str
    raw: bytes
    sheets: tuple[str, ...]


def render() -> bool:
    """The workspace section: the open workspace's panel (True), else the form that creates one (False)."""
    if workspace_view.access() is None:
        _create()
        return False
    _panel()
    return True


def _uploads(key: str, kept: Mapping[str, tuple[str, ...]] | None = None) -> list[Upload]:
    """The files chosen, each workbook with more than one sheet offering its sheets to tick: a re-sent workbook the sheets
    ticked when it was kept (`kept`, by file name), any other the first."""
    files = st.file_uploader(t("ws.files"), type=TYPES, key=key, accept_multiple_files=True,
                             help=common.upload_help(data.upload_limit()))
    chosen = []
    for f in files or []:
        raw = f.getvalue()
        chosen.append(Upload(f.name, raw, _sheets(key, f.name, f.file_id, raw, (kept or {}).get(f.name, ()))))
    return chosen


def _sheets(key: str, name: str, file_id: str, raw: bytes, before: tuple[str, ...]) -> tuple[str, ...]:
    """The sheets ticked for one workbook; () for the first sheet alone (or a CSV, or a file the add button will explain)."""
    if len(raw) > data.upload_limit():
        return ()
    try:
        names = data.sheet_names(data.upload_digest(file_id, raw), name, raw)
    except InputError:
        return ()
    if len(names) < 2:
        return ()
    default = [sheet for sheet in before if sheet in names] or names[:1]
    ticked = st.multiselect(t("ws.sheets", name=md(name, 80)), names, default=default, key=f"{key}_sheets_{name}",
                            help=t("ws.sheets_help"))
    return () if ticked in ([], names[:1]) else tuple(ticked)


def _create() -> None:
    with st.expander(t("ws.create_title"), icon=":material/folder_open:"):
        st.caption(t("ws.create_help"))
        files = _uploads(NEW_FILES)
        name = st.text_input(t("ws.name"), key=NAME_KEY, max_chars=100)
        code = st.text_input(t("ws.new_code"), key=NEW_CODE_KEY, type="password", max_chars=64, help=t("ws.new_code_help"))
        if st.button(t("ws.create"), key=CREATE_KEY, type="primary", icon=":material/create_new_folder:", disabled=not files):
            _do_create(name.strip() or files[0].name, code.strip() or None, files)


def _unreadable(files: Sequence[Upload], rubrics: RubricSet) -> bool:
    """Show why a file (or a ticked sheet) cannot be read (nothing is kept then); True when one cannot."""
    limit = data.upload_limit()
    for upload in files:
        if len(upload.raw) > limit:
            st.error(common.too_big(len(upload.raw), limit), icon=":material/error:")
            return True
        try:
            for sheet in upload.sheets or (None,):
                data.ingest(upload.raw, upload.name, rubrics, sheet)
        except InputError as error:
            st.error(t("ws.unreadable", name=md(upload.name, 80), message=md(error.text(state.lang()), 600)), icon=":material/error:")
            return True
    return False


def _do_create(name: str, code: str | None, files: Sequence[Upload]) -> None:
    if _unreadable(files, data.builtin_rubrics()):
        return
    ws = workspace_view.service()
    try:
        if code is not None:
            check_access_code(code)
        made = ws.create(name, access_code=code)
        for upload in files:
            ws.add_file(made, upload.name, upload.raw, sheets=upload.sheets)
    except SnapshotError as error:
        st.error(error_text(error), icon=":material/error:")
        return
    workspace_view.enter(made.id)
    st.rerun()


def _panel() -> None:
    loaded = workspace_view.load_or_explain()
    if loaded is None:
        return
    opened = workspace_view.access()
    assert opened is not None  # load() returned a workspace
    st.subheader(t("ws.heading", name=md(loaded.name, 80), version=loaded.version.number))
    st.caption(t("ws.link"))
    st.code(link_to(opened.id), language=None, wrap_lines=True)
    if st.button(t("ws.leave"), key=LEAVE_KEY, icon=":material/logout:"):
        state.clear_url()
        workspace_view.leave()
        st.rerun()
    _accounting(loaded)
    _conflicts(opened, loaded)
    _fixes(opened, loaded)
    _add(opened, loaded)
    _history(opened, loaded)


def link_to(workspace_id: str) -> str:
    """The workspace's own link, next to the app's snapshot links."""
    return link(workspace_id).replace(f"{state.SNAPSHOT_PARAM}=", f"{state.WORKSPACE_PARAM}=", 1)


def _accounting(loaded: workspace_view.Loaded) -> None:
    st.markdown(f"**{t('ws.accounting')}**")
    frame = model.accounting(loaded.combined)
    common.table(frame, "ws_accounts", {c: t(f"ws.col.{c}") for c in frame.columns})
    for report, account in zip(loaded.combined.reports, loaded.combined.accounts, strict=True):
        with st.expander(t("ws.report", file=md(account.file, 80), problems=len(report.problems))):
            st.caption(md(report.summary(state.lang()), 400))
            if report.problems:
                common.problem_table(report, f"ws_report_{account.file}", state.lang())


def _conflicts(opened: Access, loaded: workspace_view.Loaded) -> None:
    found = loaded.combined.conflicts
    if not found:
        return
    pending = loaded.combined.pending
    st.markdown(f"**{t('ws.conflicts', total=len(found), pending=len(pending))}**")
    frame = model.conflicts(found)
    common.table(frame, "ws_conflicts", {c: t(f"ws.col.{c}") for c in frame.columns})
    common.read_in_full(frame, "ws_conflicts_full", lambda i: str(frame["conflict"].iloc[i]), {"differences": t("ws.col.differences")},
                        longer_than=common.LONG_CELL)
    if not pending:
        return
    st.warning(t("ws.pending", count=len(pending)), icon=":material/warning:")
    ids = [c.id for c in pending]
    picked = st.multiselect(t("ws.pick"), ids, default=ids, key=PICK_KEY)
    choice = st.radio(t("ws.decision"), list(DECISIONS), key=DECISION_KEY, format_func=lambda d: t(f"ws.decide.{d}"))
    if st.button(t("ws.decide"), key=DECIDE_KEY, disabled=not picked, icon=":material/gavel:"):
        _apply(lambda ws: ws.decide_many(opened, picked, choice))


def _fixes(opened: Access, loaded: workspace_view.Loaded) -> None:
    """The fix editor over one file's rejected rows; the cells changed are recorded as a version (a row enters only if it validates)."""
    fixable = [piece for piece in loaded.pieces if not piece.part.ingested.rejected.empty]
    if not fixable:
        return
    st.markdown(f"**{t('ws.fix_title', rows=sum(len(p.part.ingested.rejected) for p in fixable))}**")
    names = [piece.part.name for piece in fixable]
    name = st.selectbox(t("ws.fix_file"), names, key=FIX_FILE_KEY) if len(names) > 1 else names[0]
    piece = fixable[names.index(name) if name in names else 0]
    view, edited = fix_editor(piece.part.ingested, f"ws_editor_{loaded.version.number}_{names.index(piece.part.name)}")
    if st.button(t("ws.fix_apply"), key=FIX_KEY, icon=":material/fact_check:"):
        cells = model.edited_cells(view.frame, edited, (data.REASON, PROBLEM_CELLS))
        if not cells:
            st.info(t("ws.fix_none"), icon=":material/info:")
            return
        fixes = [RowFix(piece.entry.sha256, row, column, value, piece.sheet or "") for row, column, value in cells]
        _apply(lambda ws: ws.record_fixes(opened, fixes))


def _add(opened: Access, loaded: workspace_view.Loaded) -> None:
    st.markdown(f"**{t('ws.add_title')}**")
    # One uploader per version: once its files are kept it starts empty, instead of offering them again as re-sent files.
    known = {entry.name: entry.sheets for entry in loaded.manifest.files}
    files = _uploads(f"{ADD_FILES}_{loaded.version.number}", known)
    if files:
        st.caption(t("ws.add_help"))
    for upload in files:
        if upload.name in known:
            _resend_preview(opened, loaded, upload.name, upload.raw)
    if st.button(t("ws.add"), key=ADD_KEY, disabled=not files, icon=":material/note_add:") and not _unreadable(
            files, loaded.dataset.rubrics):
        def change(ws: Any) -> None:
            for upload in files:
                if upload.name in known:
                    ws.replace_file(opened, upload.name, upload.name, upload.raw, sheets=upload.sheets)
                else:
                    ws.add_file(opened, upload.name, upload.raw, sheets=upload.sheets)
        _apply(change)


def _resend_preview(opened: Access, loaded: workspace_view.Loaded, name: str, raw: bytes) -> None:
    """Before a re-sent file replaces the kept one: how many rows it adds, removes and changes."""
    entry = loaded.manifest.file(name)
    if entry is None:
        return
    rubrics = loaded.dataset.rubrics
    try:
        kept = data.ingest_kept(partial(workspace_view.service().file_bytes, opened, entry), entry.sha256, name, rubrics)
        diff = diff_files(kept, data.ingest(raw, name, rubrics))
    except (InputError, SnapshotError):
        return  # the add button explains an unreadable file; a damaged kept file is replaced as a whole
    st.info(t("ws.resend", name=md(name, 80), added=len(diff.added), removed=len(diff.removed), changed=len(diff.changed)),
            icon=":material/difference:")


def _history(opened: Access, loaded: workspace_view.Loaded) -> None:
    ws = workspace_view.service()
    versions = ws.versions(opened)
    with st.expander(t("ws.history", count=len(versions)), icon=":material/history:"):
        frame = model.history(versions)
        common.table(frame, "ws_history", {c: t(f"ws.col.{c}") for c in frame.columns})
        common.read_in_full(frame, "ws_history_full", lambda i: t("ws.version_label", number=frame["number"].iloc[i]),
                            {"description": t("ws.col.description")}, longer_than=common.LONG_CELL)
        numbers = [v.number for v in reversed(versions) if v.number != loaded.version.number]
        if not numbers:
            return
        number = st.selectbox(t("ws.version"), numbers, key=VERSION_KEY)
        earlier = workspace_view.combination(number)
        if earlier is not None:
            manifest, made = earlier
            st.caption(t("ws.version_files", files="、".join(md(e.name, 60) for e in manifest.files) or "—"))
            frame = model.accounting(made.combined)
            common.table(frame, "ws_version_accounts", {c: t(f"ws.col.{c}") for c in frame.columns})
        if st.button(t("ws.restore", number=number), key=RESTORE_KEY, icon=":material/restore:"):
            _apply(lambda w: w.restore(opened, number))


def _apply(change: Any) -> None:
    """Make one change through the service (each a new version), then redraw from the store."""
    try:
        change(workspace_view.service())
    except SnapshotError as error:
        st.error(error_text(error), icon=":material/error:")
        return
    st.rerun()
