"""Opening a workspace: the ?workspace=<id> gate (validated id, access code, uniform refusal) and its data set from the store."""

from __future__ import annotations

from dataclasses import dataclass, replace

import streamlit as st

from scoring.combine import Combined
from scoring.engine import score
from scoring.errors import InputError, RubricError
from scoring.rubricset import RubricSet
from snapshots import SnapshotError, SnapshotRateLimited, SnapshotUnavailable
from snapshots.manifest import Manifest
from snapshots.tokens import is_valid_id
from snapshots.workspace_data import Piece, combined, pieces, rubrics_for
from snapshots.workspaces import Access, Version, WorkspaceService
from ui import common, data, memory, state
from ui.i18n import t
from ui.safe import md
from ui.share import error_text
from ui.share import service as snapshot_service

CODE_FORM = "ws_code_form"
CODE_KEY = "ws_code"
OPEN_KEY = "ws_open"
LIVE_KEY = "ws_live"


@dataclass(frozen=True, eq=False)
class Loaded:
    """A workspace version as the pages use it: the data set every page shows, the combination behind it and its parts."""

    name: str
    version: Version
    manifest: Manifest
    dataset: data.Dataset
    combined: Combined
    pieces: tuple[Piece, ...]


@st.cache_resource(show_spinner=False)
def _service(store_key: int) -> WorkspaceService:
    return WorkspaceService(snapshot_service().store.db)


def service() -> WorkspaceService:
    """The workspace service over the same database (and pool) as snapshots."""
    snapshots = snapshot_service()
    return _service(id(snapshots))


def access() -> Access | None:
    """The workspace this session opened (with its code, if it has one), or None."""
    opened = state.workspace_id()
    return None if opened is None else Access(opened)


@dataclass(frozen=True, eq=False)
class Combination:
    """A version's files read (each unchanged file once, through the upload cache) and combined, not yet scored."""

    rubrics: RubricSet
    combined: Combined
    pieces: tuple[Piece, ...]


@st.cache_resource(show_spinner=False, max_entries=8)
def _combination(workspace_id: str, manifest_sha: str, _manifest: Manifest) -> Combination:
    rubrics = rubrics_for(_manifest, data.RUBRIC_DIR)
    found = pieces(service(), Access(workspace_id), _manifest, rubrics, data.ingest_kept)
    return Combination(rubrics, combined(found, _manifest), tuple(found))


@st.cache_resource(show_spinner=False, max_entries=4)
def _load(workspace_id: str, manifest_sha: str, _name: str, _version: Version, _manifest: Manifest) -> Loaded:
    made = _combination(workspace_id, manifest_sha, _manifest)
    merged = made.combined
    results = score(merged.frame, made.rubrics, merged.not_applicable)
    memory.release()  # reading and scoring many files frees their intermediate columns: give them back
    key = data.digest("workspace", workspace_id, manifest_sha)
    dataset = data.Dataset(key, _name, made.rubrics, results, merged.reports[0] if len(merged.reports) == 1 else None,
                           filename=_name)
    return Loaded(_name, _version, _manifest, dataset, merged, made.pieces)


def combination(number: int) -> tuple[Manifest, Combination] | None:
    """An earlier version's files combined (not scored: its history entry shows what it held), or None after saying why not."""
    opened = access()
    if opened is None:
        return None
    try:
        _, manifest = service().manifest(opened, number)
        return manifest, _combination(opened.id, data.digest(manifest.to_json()), manifest)
    except SnapshotError as error:
        st.error(error_text(error), icon=":material/error:")
    except InputError as error:
        st.error(t("ws.broken", message=md(error.text(state.lang()), 600)), icon=":material/error:")
    except RubricError as error:
        st.error(t("ws.broken", message=md(error.report(state.lang()), 600)), icon=":material/error:")
    return None


def load(number: int | None = None) -> Loaded | None:
    """The open workspace at its newest version (or at `number`), read from the store and combined once per version."""
    opened = access()
    if opened is None:
        return None
    ws = service()
    version, manifest = ws.manifest(opened, number)
    name = ws.store.get(opened.id)
    label = name.name if name is not None else opened.id[:8]
    loaded = _load(opened.id, data.digest(manifest.to_json()), label, version, manifest)
    # A restored version has the same content (and cache entry) as the one it restores, but its own number.
    return loaded if loaded.version == version else replace(loaded, version=version)


def load_or_explain(number: int | None = None) -> Loaded | None:
    """`load`, or None after showing why the workspace cannot be read (a damaged record, a file no longer readable)."""
    try:
        return load(number)
    except SnapshotError as error:
        st.error(error_text(error), icon=":material/error:")
    except InputError as error:
        st.error(t("ws.broken", message=md(error.text(state.lang()), 600)), icon=":material/error:")
    except RubricError as error:
        st.error(t("ws.rubric_broken", message=md(error.report(state.lang()), 600)), icon=":material/error:")
    return None


def gate() -> bool:
    """Handle ?workspace=<id>; True when the page should be drawn (with the workspace's data), False when this run showed its gate."""
    if state.snapshot() is not None:  # a snapshot opened from a workspace shows its own frozen data
        return True
    requested = state.workspace_request() or state.workspace_id()  # page switches may drop the URL; the session keeps it
    if requested is None:
        return True
    if state.workspace_id() == requested:
        if _show_head():
            return True
    else:
        _ask(requested)
    if st.button(t("ws.live"), key=LIVE_KEY, icon=":material/dashboard:"):
        state.clear_url()
        st.rerun()
    return False


def _ask(requested: str) -> None:
    """Open the requested workspace: refuse a malformed id unqueried, ask for a code when it needs one."""
    st.title(t("ws.title"))
    if not is_valid_id(requested):  # ids have one public shape, so refusing others early reveals nothing
        _refused(SnapshotUnavailable())
    else:
        try:
            locked = service().needs_code(requested)
        except SnapshotError as error:
            _refused(error)
        else:
            if locked:
                _code_form(requested)
            else:
                _open(requested, None)


def enter(workspace_id: str) -> None:
    """Show this workspace in the session (after creating or opening it); call st.rerun after."""
    state.set_workspace(workspace_id)
    st.query_params.from_dict({state.WORKSPACE_PARAM: workspace_id})


def leave() -> None:
    """Back to the sample city; the link is dropped from the URL."""
    state.set_workspace(None)
    state.set_dataset(None)


def _show_head() -> bool:
    loaded = load_or_explain()
    if loaded is None:
        return False
    if not state.has_upload() or state.dataset().key != loaded.dataset.key:  # a new session need not read the sample city
        state.set_dataset(loaded.dataset)
    return True


def _code_form(workspace_id: str) -> None:
    submitted, code = common.access_code_form(t("ws.locked"), t("ws.code"), t("ws.open"), (CODE_FORM, CODE_KEY, OPEN_KEY))
    if submitted:
        _open(workspace_id, code)


def _open(workspace_id: str, code: str | None) -> None:
    try:
        opened = service().open(workspace_id, code)
    except SnapshotError as error:
        _refused(error)
        return
    state.set_workspace(opened.access.id)
    st.rerun()


def _refused(error: SnapshotError) -> None:
    """One message for every reason a workspace cannot be opened (never says which)."""
    if isinstance(error, SnapshotRateLimited):
        minutes = int(service().attempts.window.total_seconds() // 60)
        st.error(t("snap.rate_limited", minutes=minutes), icon=":material/timer:")
    elif isinstance(error, SnapshotUnavailable):
        st.error(t("ws.unavailable"), icon=":material/link_off:")
    else:
        st.error(error_text(error), icon=":material/error:")
