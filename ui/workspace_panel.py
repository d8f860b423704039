"""工作区 on the upload page: create one from several files in one click; inside one, the accounting, conflicts, new files, history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from scoring.combine import diff_files
from scoring.errors import InputError
from scoring.rubricset import RubricSet
from snapshots import SnapshotError
from snapshots.tokens import check_access_code
from snapshots.workspaces import DECISIONS, Access
from ui import common, data, state, workspace_view
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


def render() -> bool:
    """The workspace section: the open workspace's panel (True), else the form that creates one (False)."""
    if workspace_view.access() is None:
        _create()
        return False
    _panel()
    return True


def _uploads(key: str) -> list[tuple[str, bytes]]:
    files = st.file_uploader(t("ws.files"), type=TYPES, key=key, accept_multiple_files=True,
                             help=common.upload_help(data.upload_limit()))
    return [(f.name, f.getvalue()) for f in files or []]


def _create() -> None:
    with st.expander(t("ws.create_title"), icon=":material/folder_open:"):
        st.caption(t("ws.create_help"))
        files = _uploads(NEW_FILES)
        name = st.text_input(t("ws.name"), key=NAME_KEY, max_chars=100)
        code = st.text_input(t("ws.new_code"), key=NEW_CODE_KEY, type="password", max_chars=64, help=t("ws.new_code_help"))
        if st.button(t("ws.create"), key=CREATE_KEY, type="primary", icon=":material/create_new_folder:", disabled=not files):
            _do_create(name.strip() or files[0][0], code.strip() or None, files)


def _unreadable(files: Sequence[tuple[str, bytes]], rubrics: RubricSet) -> bool:
    """Show why a file cannot be read (nothing is kept then); True when one cannot."""
    limit = data.upload_limit()
    for name, raw in files:
        if len(raw) > limit:
            st.error(common.too_big(len(raw), limit), icon=":material/error:")
            return True
        try:
            data.ingest(raw, name, rubrics)
        except InputError as error:
            st.error(t("ws.unreadable", name=md(name, 80), message=md(error, 600)), icon=":material/error:")
            return True
    return False


def _do_create(name: str, code: str | None, files: Sequence[tuple[str, bytes]]) -> None:
    if _unreadable(files, data.builtin_rubrics()):
        return
    ws = workspace_view.service()
    try:
        if code is not None:
            check_access_code(code)
        made = ws.create(name, access_code=code)
        for filename, raw in files:
            ws.add_file(made, filename, raw)
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
            st.caption(md(report.summary(), 400))
            if report.problems:
                common.table(report.to_frame(), f"ws_report_{account.file}")


def _conflicts(opened: Access, loaded: workspace_view.Loaded) -> None:
    found = loaded.combined.conflicts
    if not found:
        return
    pending = loaded.combined.pending
    st.markdown(f"**{t('ws.conflicts', total=len(found), pending=len(pending))}**")
    frame = model.conflicts(found)
    common.table(frame, "ws_conflicts", {c: t(f"ws.col.{c}") for c in frame.columns})
    if not pending:
        return
    st.warning(t("ws.pending", count=len(pending)), icon=":material/warning:")
    ids = [c.id for c in pending]
    picked = st.multiselect(t("ws.pick"), ids, default=ids, key=PICK_KEY)
    choice = st.radio(t("ws.decision"), list(DECISIONS), key=DECISION_KEY, format_func=lambda d: t(f"ws.decide.{d}"))
    if st.button(t("ws.decide"), key=DECIDE_KEY, disabled=not picked, icon=":material/gavel:"):
        _apply(lambda ws: [ws.decide(opened, conflict, choice) for conflict in picked])


def _add(opened: Access, loaded: workspace_view.Loaded) -> None:
    st.markdown(f"**{t('ws.add_title')}**")
    files = _uploads(ADD_FILES)
    known = {entry.name for entry in loaded.manifest.files}
    if files:
        st.caption(t("ws.add_help"))
    for name, raw in files:
        if name in known:
            _resend_preview(opened, loaded, name, raw)
    if st.button(t("ws.add"), key=ADD_KEY, disabled=not files, icon=":material/note_add:") and not _unreadable(
            files, loaded.dataset.rubrics):
        def change(ws: Any) -> None:
            for name, raw in files:
                if name in known:
                    ws.replace_file(opened, name, name, raw)
                else:
                    ws.add_file(opened, name, raw)
        _apply(change)


def _resend_preview(opened: Access, loaded: workspace_view.Loaded, name: str, raw: bytes) -> None:
    """Before a re-sent file replaces the kept one: how many rows it adds, removes and changes."""
    entry = loaded.manifest.file(name)
    if entry is None:
        return
    rubrics = loaded.dataset.rubrics
    try:
        diff = diff_files(data.ingest(workspace_view.service().file_bytes(opened, entry), name, rubrics), data.ingest(raw, name, rubrics))
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
        numbers = [v.number for v in reversed(versions) if v.number != loaded.version.number]
        if not numbers:
            return
        number = st.selectbox(t("ws.version"), numbers, key=VERSION_KEY)
        earlier = workspace_view.load_or_explain(number)
        if earlier is not None:
            st.caption(t("ws.version_files", files="、".join(md(e.name, 60) for e in earlier.manifest.files) or "—"))
            frame = model.accounting(earlier.combined)
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
