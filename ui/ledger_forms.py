"""The 整顿台账's editing widgets: designate, edit an entry (stale saves shown side by side), remove, and import."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from ledger.model import DATES, EDITABLE, STATUSES, Entry, parse_date
from ledger.sheet import plan, summary
from snapshots import SnapshotError
from snapshots.ledger_service import Candidate, EntryChanged
from snapshots.workspaces import Access
from ui import common, data, ledger_data, state
from ui.i18n import t, translate
from ui.ledger_labels import headers, status
from ui.model import ledger as ledger_model
from ui.share import error_text

NOTICE = "lg_notice"
OPENED = "lg_opened"  # (period, branch_id, revision) the edit form was filled from
CONFLICT = "lg_conflict"  # (branch_id, kept revision, my values, who saved first) after a stale save
BY = "lg_by"
TEXT_AREAS = ("problems", "measures", "notes")


def notice() -> None:
    """Show (once) what the last change did."""
    said = st.session_state.pop(NOTICE, None)
    if said:
        st.success(said, icon=":material/check_circle:")


def _done(text: str) -> None:
    st.session_state[NOTICE] = text
    st.rerun()


def who() -> str:
    """The name of whoever decides or edits in this session (kept in every history record)."""
    return str(st.text_input(t("ledger.by"), key=BY, max_chars=60))


def designate(access: Access, period: str, found: Sequence[ledger_model.CandidateRow], branches: pd.DataFrame,
              entries: Sequence[Entry], by: str) -> None:
    """Confirm candidates (and branches added by hand) as this period's 整顿对象, with a reason and who decided."""
    listed = {e.branch_id for e in entries if e.listed}
    offered = {c.branch_id: c for c in found if c.branch_id not in listed}
    others = branches[~branches["branch_id"].isin(listed | set(offered))]
    names = dict(zip(others["branch_id"], others["name"], strict=True))
    lang = state.lang()  # bound now: format functions are also called outside the run
    with st.form("lg_designate"):
        picked = st.multiselect(t("ledger.candidates"), list(offered), key="lg_candidates",
                                format_func=lambda code: translate("ledger.candidate", lang, name=offered[code].name, code=code,
                                                                   source=offered[code].label))
        extra = st.multiselect(t("ledger.others"), list(names), key="lg_others",
                               format_func=lambda code: translate("ledger.branch", lang, name=names[code], code=code))
        reason = st.text_input(t("ledger.reason"), key="lg_reason", max_chars=500)
        if not st.form_submit_button(t("ledger.designate_button"), key="lg_designate_go", icon=":material/playlist_add:"):
            return
    if not picked and not extra:
        st.warning(t("ledger.pick_some"))
        return
    rows = others.set_index("branch_id")
    chosen = [Candidate(c.branch_id, c.name, c.parent, c.township, c.source, c.problems) for c in map(offered.__getitem__, picked)]
    chosen += [Candidate(code, str(rows.at[code, "name"]), str(rows.at[code, "parent"]), str(rows.at[code, "township"]))
               for code in extra]
    try:
        count = ledger_data.service().designate(access, period, chosen, reason=reason, by=by)
    except SnapshotError as error:
        st.error(error_text(error), icon=":material/error:")
        return
    _done(t("ledger.designated", count=count))


def edit(access: Access, period: str, entries: Sequence[Entry], by: str) -> None:
    """Pick an entry, edit it, see its history; a save over a newer revision is refused and both versions are shown."""
    listed = {e.branch_id: e for e in entries if e.listed}
    if not listed:
        return
    lang = state.lang()  # bound now: format functions are also called outside the run
    code = st.selectbox(t("ledger.pick"), list(listed), key="lg_pick",
                        format_func=lambda c: translate("ledger.branch", lang, name=listed[c].name, code=c))
    ledger = ledger_data.service()
    try:
        entry = ledger.entry(access, period, str(code))
    except SnapshotError as error:
        st.error(error_text(error), icon=":material/error:")
        return
    opened = st.session_state.get(OPENED)
    if opened is None or opened[:2] != (period, entry.branch_id):
        _fill(entry)
        opened = st.session_state[OPENED]
    revision = int(opened[2])
    at = entry.updated_at.strftime("%Y-%m-%d %H:%M UTC") if entry.updated_at else "—"
    st.caption(t("ledger.revision", revision=revision, at=at))
    with st.form("lg_edit"):
        values = _fields()
        submitted = st.form_submit_button(t("ledger.save"), key="lg_save", icon=":material/save:")
    if submitted:
        _attempt(lambda: ledger.save(access, period, entry.branch_id, revision, values, by=by), entry)
    _conflict(access, entry, by)
    history = ledger.history(access, period, entry.branch_id)
    with st.expander(t("ledger.history", count=len(history))):
        frame = ledger_model.history_frame(history, state.lang())
        common.table(frame, "lg_history", headers(frame))
        common.read_in_full(frame, "lg_history_full", lambda i: f"{frame['at'].iloc[i]} · {frame['field'].iloc[i]}",
                            {c: t(f"ledger.col.{c}") for c in ("old", "new")}, longer_than=common.LONG_CELL)
    reason = st.text_input(t("ledger.remove_reason"), key="lg_remove_reason", max_chars=500)
    if st.button(t("ledger.remove"), key="lg_remove", icon=":material/playlist_remove:"):
        _attempt(lambda: ledger.remove(access, period, entry.branch_id, revision, reason=reason, by=by),
                 entry, t("ledger.removed"))


def _fill(entry: Entry) -> None:
    """Put the entry's values into the form's widgets and remember the revision they came from."""
    for key in EDITABLE:
        text = entry.get(key)
        st.session_state[f"lg_{key}"] = parse_date(text) if key in DATES else (text or STATUSES[0] if key == "status" else text)
    st.session_state[OPENED] = (entry.period, entry.branch_id, entry.revision)


def _fields() -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in EDITABLE:
        label, widget = t(f"ledger.field.{key}"), f"lg_{key}"
        if key in DATES:
            values[key] = st.date_input(label, key=widget, value=None, min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
        elif key == "status":
            values[key] = st.selectbox(label, STATUSES, key=widget, format_func=partial(status, lang=state.lang()))  # bound now
        elif key in TEXT_AREAS:
            values[key] = st.text_area(label, key=widget, max_chars=2000)
        else:
            values[key] = st.text_input(label, key=widget, max_chars=500)
    return values


def _attempt(change: Callable[[], Entry], entry: Entry, said: str | None = None) -> None:
    """Run a change; on success refill the form from the new revision, on a stale revision keep both versions to show."""
    try:
        saved = change()
    except EntryChanged as changed:
        st.session_state[CONFLICT] = (entry.branch_id, changed.current.revision, changed.mine, changed.values["by"])
        return
    except SnapshotError as error:
        st.error(error_text(error), icon=":material/error:")
        return
    st.session_state.pop(CONFLICT, None)
    st.session_state.pop(OPENED, None)
    if said is None:
        said = t("ledger.unchanged") if saved.revision == entry.revision else t("ledger.saved", revision=saved.revision)
    _done(said)


def _conflict(access: Access, entry: Entry, by: str) -> None:
    """After a stale save: say so, show the kept and my values side by side, and let the user choose."""
    found = st.session_state.get(CONFLICT)
    if found is None or found[0] != entry.branch_id:
        return
    _, revision, mine, writer = found
    st.warning(t("ledger.changed", by=f"“{writer}”" if writer else "—", revision=revision), icon=":material/sync_problem:")
    frame = ledger_model.versions(entry, mine, state.lang())
    common.table(frame, "lg_versions", headers(frame))
    common.read_in_full(frame, "lg_versions_full", lambda i: str(frame["field"].iloc[i]), {c: t(f"ledger.col.{c}") for c in ("theirs", "mine")},
                        longer_than=common.LONG_CELL)
    left, right = st.columns(2)
    if left.button(t("ledger.reload"), key="lg_reload", icon=":material/refresh:"):
        st.session_state.pop(CONFLICT, None)
        st.session_state.pop(OPENED, None)
        st.rerun()
    if right.button(t("ledger.overwrite"), key="lg_overwrite", icon=":material/save_as:"):
        edited = {k: v for k, v in mine.items() if k in EDITABLE}
        edited.update({k: "" for k in EDITABLE if k not in mine})
        _attempt(lambda: ledger_data.service().save(access, entry.period, entry.branch_id, revision, edited, by=by), entry)


def import_ledger(access: Access, period: str, dataset: data.Dataset, entries: Sequence[Entry], by: str) -> None:
    """Read an uploaded 台账, list its problems by row and column, show what it would change and import on request."""
    upload = st.file_uploader(t("ledger.import_file"), type=["xlsx", "xls", "csv"], key="lg_import")
    if upload is None:
        return
    raw = upload.getvalue()
    imported = ledger_data.read_upload(data.digest(raw), upload.name, dataset.key, period, raw, dataset)
    st.caption(t("ledger.import_counts", rows=imported.rows_in, ok=len(imported.rows), bad=imported.rejected))
    if imported.problems:
        lang = state.lang()
        frame = pd.DataFrame([{"row": p.row, "column": p.column, "header": p.header_in(lang), "message": p.message_in(lang),
                               "fix": p.fix_in(lang)} for p in imported.problems], columns=["row", "column", "header", "message", "fix"])
        common.table(frame, "lg_problems", {**headers(frame), **{c: st.column_config.TextColumn(t(f"ledger.col.{c}"), width="large")
                                                                 for c in ("message", "fix")}}, row_height=common.WRAPPED_ROW)
        common.read_in_full(frame, "lg_problems_full", lambda i: imported.problems[i].where_in(lang),
                            {c: t(f"ledger.col.{c}") for c in ("message", "fix")})
    planned = plan(imported, {e.branch_id: e for e in entries})
    if not planned:
        if imported.rows:
            st.success(t("ledger.no_changes"), icon=":material/check_circle:")
        return
    added, changed = summary(planned)
    st.info(t("ledger.plan", added=added, changed=changed))
    if st.button(t("ledger.apply"), key="lg_apply", icon=":material/upload:"):
        try:
            done = ledger_data.service().apply(access, period, planned, by=by)
        except SnapshotError as error:
            st.error(error_text(error), icon=":material/error:")
            return
        if done.conflicts:
            st.warning(t("ledger.apply_conflicts", rows="、".join(map(str, done.conflicts))))
        else:
            _done(t("ledger.applied", added=done.added, changed=done.changed))

