"""Opening a shared snapshot: the ?snapshot=<id> gate (access code, delete link), the banner and the way back to live data."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from scoring.loader import parse_rubrics
from scoring.rubricset import RubricSet
from snapshots import OpenedSnapshot, SnapshotCorrupt, SnapshotError, SnapshotMeta, SnapshotRateLimited, SnapshotUnavailable
from snapshots.tokens import is_valid_id
from ui import common, state
from ui.data import Dataset, digest
from ui.i18n import t
from ui.model.share import local_time, shortened
from ui.model.view import ViewState
from ui.safe import md
from ui.share import error_text, service
from ui.snapshot_codec import payload_ledger, payload_to_dataset

CODE_FORM = "snap_code_form"
CODE_KEY = "snap_code"
OPEN_KEY = "snap_open"
LIVE_KEY = "snap_live"
LEAVE_KEY = "snap_leave"
DELETE_POPOVER = "snap_delete"
DELETE_TOKEN_KEY = "snap_delete_token"  # noqa: S105 (a widget key, not a secret)
DELETE_KEY = "snap_delete_go"
CONFIRM_KEY = "snap_delete_confirm"


def gate() -> bool:
    """Handle ?snapshot= and &delete=; True when the page should be drawn, False when this run showed a snapshot screen."""
    snapshot_id = state.snapshot_request()
    if snapshot_id is None:
        return True
    token = state.delete_request()
    if token is not None:
        _delete_screen(snapshot_id, token)
        return False
    opened = state.snapshot()
    if opened is not None and opened.id == snapshot_id:
        return True
    st.title(t("snap.title"))
    if not is_valid_id(snapshot_id):  # ids have one public shape, so refusing others early reveals nothing
        _refused(SnapshotUnavailable())
    else:
        try:
            locked = service().needs_code(snapshot_id)
        except SnapshotError as error:
            _refused(error)
        else:
            if locked:
                _code_form(snapshot_id)
            else:
                _open(snapshot_id, None)
    _back_to_live()
    return False


def _code_form(snapshot_id: str) -> None:
    submitted, code = common.access_code_form(t("snap.locked"), t("snap.code"), t("snap.open"), (CODE_FORM, CODE_KEY, OPEN_KEY))
    if submitted:
        _open(snapshot_id, code)


def _open(snapshot_id: str, code: str | None) -> None:
    """Open, verify and restore the snapshot, then rerun inside it; on failure show the one uniform message."""
    try:
        with st.spinner(t("snap.opening")):
            opened = service().open(snapshot_id, code)
            data, view = _restore(opened)
            ledger = payload_ledger(opened.payload)
    except SnapshotError as error:
        _refused(error)
        return
    state.enter_snapshot(opened.meta, data, view, ledger)
    st.rerun()


def _restore(opened: OpenedSnapshot) -> tuple[Dataset, ViewState]:
    return payload_to_dataset(opened.payload, digest("snapshot", opened.meta.sha256), _rubrics)


@st.cache_resource(show_spinner=False, max_entries=8)
def _parsed(key: str, _documents: Mapping[str, str], _library: Mapping[str, str]) -> RubricSet:
    return parse_rubrics(_documents, _library)


def _rubrics(documents: Mapping[str, str], library: Mapping[str, str]) -> RubricSet:
    """Rubric texts parsed once per content (several viewers of one snapshot share the result)."""
    key = digest(*(f"{n}\n{x}" for n, x in sorted(documents.items())), "\0library", *(f"{n}\n{x}" for n, x in sorted(library.items())))
    return _parsed(key, documents, library)


def _refused(error: SnapshotError) -> None:
    """The message for a snapshot that cannot be shown; never says which of the reasons applies."""
    if isinstance(error, SnapshotRateLimited):
        minutes = int(service().failure_window.total_seconds() // 60)
        st.error(t("snap.rate_limited", minutes=minutes), icon=":material/timer:")
    elif isinstance(error, SnapshotUnavailable):
        st.error(t("snap.unavailable"), icon=":material/link_off:")
    elif isinstance(error, SnapshotCorrupt):
        st.error(t("snap.corrupt"), icon=":material/error:")
    else:
        st.error(error_text(error), icon=":material/error:")


def _back_to_live() -> None:
    if st.button(t("snap.live"), key=LIVE_KEY, icon=":material/dashboard:"):
        state.clear_url()
        st.rerun()


def _delete_screen(snapshot_id: str, token: str) -> None:
    """The creator's delete link: confirm first (link previews and prefetching must not delete anything)."""
    st.title(t("snap.delete_title"))
    if st.button(t("snap.delete_go"), key=CONFIRM_KEY, type="primary", icon=":material/delete:"):
        _delete(snapshot_id, token)
    else:
        st.warning(t("snap.delete_confirm"), icon=":material/warning:")
    _back_to_live()


def _delete(snapshot_id: str, token: str) -> bool:
    try:
        done = service().delete(snapshot_id, token)
    except SnapshotError as error:
        st.error(error_text(error), icon=":material/error:")
        return False
    if done:
        st.success(t("snap.deleted"), icon=":material/check_circle:")
    else:
        st.error(t("snap.delete_failed"), icon=":material/error:")
    return done


def _describe(meta: SnapshotMeta) -> str:
    about = meta.metadata
    entries = [r for r in about.get("rubrics", []) if isinstance(r, dict)]
    versions = {str(r.get("version", "")) for r in entries}
    short, ending = shortened([str(r.get("name", "")) for r in entries])
    if len(versions) == 1:  # the usual case: one version for the whole set, said once
        rubrics = "、".join(short) + t("snap.rubric_version", version=versions.pop())
    else:
        rubrics = "、".join(n + t("snap.rubric_version", version=r.get("version", "")) for n, r in zip(short, entries, strict=True))
    if ending:
        rubrics += t("snap.rubric_ending", ending=ending)
    expires = t("snap.expires", date=local_time(meta.expires_at)) if meta.expires_at else t("snap.never")
    return t("snap.banner", title=md(meta.title, 80), taken=local_time(meta.created_at), rubrics=md(rubrics or "—", 300),
             fingerprint=md(str(about.get("fingerprint", ""))[:12] or "—"), rows=f"{int(about.get('rows', 0)):,}", expires=expires)


def banner() -> None:
    """Above every page inside a snapshot: what it is, that it is frozen, how to leave it and how its creator deletes it."""
    if (notice := state.pop_notice()) is not None:
        st.success(t(notice), icon=":material/check_circle:")
    opened = state.snapshot()
    if opened is None:
        return
    st.info(_describe(opened), icon=":material/photo_camera:", title=t("snap.banner_title"))
    left, right = st.columns([3, 2])
    if left.button(t("snap.leave"), key=LEAVE_KEY, icon=":material/logout:"):
        state.leave_snapshot()
        st.rerun()
    with right.popover(t("snap.delete"), key=DELETE_POPOVER, icon=":material/delete:"):
        st.caption(t("snap.delete_help"))
        token = st.text_input(t("snap.delete_token"), key=DELETE_TOKEN_KEY, type="password", max_chars=100)
        if st.button(t("snap.delete_go"), key=DELETE_KEY, type="primary") and _delete(opened.id, (token or "").strip()):
            state.leave_snapshot()
            state.set_notice("snap.deleted")
            st.rerun()
