"""The one owner of session state: the shareable view (URL round trip) and the loaded data set."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

import streamlit as st

from ui.model.share import Shown
from ui.model.view import LANGS, Filters, Lang, ViewState, from_query_params, url_params

if TYPE_CHECKING:
    from ledger.model import Entry
    from scoring.draft import Edit
    from scoring.ingest import Ingested
    from snapshots import SnapshotMeta
    from ui.data import Dataset

SNAPSHOT_PARAM = "snapshot"
WORKSPACE_PARAM = "workspace"
DELETE_PARAM = "delete"

# Widget keys of the shared filters (rendered by the router on every page) and of page widgets that are view state.
LANG_KEY = "lang"
FILTER_KEYS = {
    "period": "f_period", "fields": "f_field", "districts": "f_district", "townships": "f_township",
    "parents": "f_parent", "grades": "f_grade",
}
BASELINE_KEY = "yoy_before"
BRANCH_KEY = "br_pick"

_VIEW = "_view"
_DATASET = "_dataset"
_URL = "_url"
_GOTO = "_goto"
_RESEED = "_reseed"
_RESEED_FILTERS = "_reseed_filters"
_CUSTOM = "_custom_rubric"
_FIXED = "_fixed"
_READING = "_reading"
_SNAPSHOT = "_snapshot"
_SNAPSHOT_LEDGER = "_snapshot_ledger"
_LIVE = "_live"
_SHARED = "_shared"
_LAST_SHARE = "_last_share"
_NOTICE = "_notice"
_WORKSPACE = "_workspace"
_DRAFTS = "_drafts"


# ---- session accessors -------------------------------------------------------------------------------------------


def _read_url() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def start() -> ViewState:
    """The view for this run: from the URL on a session's first run, then from the widgets."""
    ss = st.session_state
    if _VIEW not in ss:
        params = _read_url()
        ss[_VIEW] = from_query_params(params)
        if "page" in params:
            ss[_GOTO] = ss[_VIEW].page
    view = cast(ViewState, ss[_VIEW])
    if ss.pop(_RESEED, False):
        # The view was replaced (snapshot, new data): widgets take its values before any of them renders.
        ss[LANG_KEY] = view.lang
        ss[BRANCH_KEY] = view.branch
        ss[BASELINE_KEY] = view.baseline
        ss[_RESEED_FILTERS] = True
    seed(LANG_KEY, view.lang)
    return view


def reseed_filters() -> bool:
    """Whether the filter widgets must take the view's values this run (once after the view was replaced)."""
    return bool(st.session_state.pop(_RESEED_FILTERS, False))


def pending_page() -> str | None:
    """The page a link asked for with ?page= (once), so the router can switch to it."""
    return cast("str | None", st.session_state.pop(_GOTO, None))


def go_to(page: str) -> None:
    """Open `page` on the next run: the router switches to it before any page runs."""
    st.session_state[_GOTO] = page


def view() -> ViewState:
    """The current view (as of the last widget read)."""
    return cast(ViewState, st.session_state.get(_VIEW, ViewState()))


def set_view(new: ViewState, go: bool = True) -> None:
    """Replace the whole view (e.g. from a snapshot); widgets and page follow on the next run (call st.rerun after)."""
    st.session_state[_VIEW] = new
    st.session_state[_RESEED] = True
    if go:
        st.session_state[_GOTO] = new.page


def update(**changes: Any) -> ViewState:
    """Change some fields of the view (page, branch, baseline, lang) and return it."""
    new = replace(view(), **changes)
    st.session_state[_VIEW] = new
    return new


def update_filters(filters: Filters) -> ViewState:
    """Store the filters read from the sidebar widgets."""
    return update(filters=filters)


def lang() -> Lang:
    """The language of this run: the switch's value if it has rendered, else the view's."""
    value = st.session_state.get(LANG_KEY)
    return cast(Lang, value) if value in LANGS else view().lang


def seed(key: str, value: object) -> None:
    """Give a keyed widget its value from the view before it renders (widgets that left the page lose their state)."""
    if key not in st.session_state:
        st.session_state[key] = value


def widget(key: str, default: object = None) -> Any:
    """The current value of a keyed widget."""
    return st.session_state.get(key, default)


def force(key: str, value: object) -> None:
    """Set a keyed widget's value before it renders (e.g. to drop an option that no longer exists)."""
    st.session_state[key] = value


def finish(page: str) -> None:
    """Record the page and mirror the view into the URL when it changed (inside a snapshot: just its link)."""
    new = update(page=page, lang=lang())
    opened = snapshot()
    params: dict[str, str | list[str]] = {SNAPSHOT_PARAM: opened.id} if opened is not None else url_params(new)
    if opened is None and (kept := workspace_id()) is not None:
        params = {WORKSPACE_PARAM: kept, **params}
    if st.session_state.get(_URL) != params or _read_url() != _normalized(params):
        st.query_params.from_dict(params)
        st.session_state[_URL] = params


def _normalized(params: Mapping[str, str | list[str]]) -> dict[str, list[str]]:
    return {k: [v] if isinstance(v, str) else list(v) for k, v in params.items()}


def snapshot_request() -> str | None:
    """The snapshot id a link asks to open (?snapshot=<id>), if any."""
    values = st.query_params.get_all(SNAPSHOT_PARAM)
    return values[-1] if values else None


def workspace_request() -> str | None:
    """The workspace id a link asks to open (?workspace=<id>), if any."""
    values = st.query_params.get_all(WORKSPACE_PARAM)
    return values[-1] if values else None


def workspace_id() -> str | None:
    """The id of the workspace this session has open (its link stays in the URL), or None."""
    return cast("str | None", st.session_state.get(_WORKSPACE))


def set_workspace(workspace_id: str | None) -> None:
    """Open (or with None, leave) a workspace in this session; its data set is read from the store on every run."""
    st.session_state[_WORKSPACE] = workspace_id


def delete_request() -> str | None:
    """The delete token a creator's delete link carries (?snapshot=<id>&delete=<token>), if any."""
    values = st.query_params.get_all(DELETE_PARAM)
    return values[-1] if values else None


def clear_url() -> None:
    """Drop every query parameter (leaving a snapshot screen); the next run writes the live view back."""
    st.query_params.clear()
    st.session_state.pop(_URL, None)


def snapshot() -> SnapshotMeta | None:
    """The shared snapshot this session is showing, or None for live data."""
    return cast("SnapshotMeta | None", st.session_state.get(_SNAPSHOT))


def snapshot_ledger() -> tuple[Entry, ...] | None:
    """The 台账 the open snapshot froze, or None (live data, or a snapshot taken without one)."""
    opened = snapshot()
    kept = st.session_state.get(_SNAPSHOT_LEDGER)
    if opened is None or not isinstance(kept, tuple) or kept[0] != opened.id:
        return None
    return cast("tuple[Entry, ...] | None", kept[1])


def enter_snapshot(meta: SnapshotMeta, data: Dataset, new: ViewState, ledger: tuple[Entry, ...] | None = None) -> None:
    """Show a frozen data set (and 台账) on its own view, keeping the live data and view to return to (call st.rerun after)."""
    ss = st.session_state
    ss[_SNAPSHOT_LEDGER] = (meta.id, ledger)
    if ss.get(_SNAPSHOT) is None:
        ss[_LIVE] = (ss.get(_DATASET), replace(view(), lang=lang()))
    ss[_SNAPSHOT] = meta
    ss[_DATASET] = data
    set_view(new)


def leave_snapshot() -> None:
    """Back to the live data and view the session had before the snapshot (call st.rerun after)."""
    ss = st.session_state
    live_data, live_view = cast("tuple[Dataset | None, ViewState]", ss.pop(_LIVE, (None, ViewState())))
    ss[_SNAPSHOT] = None
    ss[_DATASET] = live_data
    set_view(replace(live_view, page=view().page))
    clear_url()


def shared(key: Hashable) -> str | None:
    """The id of the snapshot this session already took with exactly these data, view and options."""
    return cast("dict[Hashable, str]", st.session_state.get(_SHARED, {})).get(key)


def remember_shared(key: Hashable, snapshot_id: str) -> None:
    """Remember a snapshot taken in this session so taking it again reuses its link."""
    st.session_state.setdefault(_SHARED, {})[key] = snapshot_id


def remember_shown(view_key: Hashable, shown: Shown) -> None:
    """Keep what the share form last showed for this view, so a rerun (or a reconnect) does not wipe the links."""
    st.session_state[_LAST_SHARE] = (view_key, shown)


def last_shown(view_key: Hashable) -> Shown | None:
    """What the share form last showed, if it was for this same data and view."""
    kept = cast("tuple[Hashable, Shown] | None", st.session_state.get(_LAST_SHARE))
    return kept[1] if kept is not None and kept[0] == view_key else None


def set_notice(key: str) -> None:
    """A one-time message (an i18n key) for the next run, e.g. after a deletion that left the snapshot."""
    st.session_state[_NOTICE] = key


def pop_notice() -> str | None:
    """The one-time message for this run, if any."""
    return cast("str | None", st.session_state.pop(_NOTICE, None))


def dataset() -> Dataset:
    """The data every page shows: the uploaded or shared data set, else the sample city."""
    from ui.data import sample_dataset

    current = st.session_state.get(_DATASET)
    return cast("Dataset", current) if current is not None else sample_dataset()


def set_dataset(data: Dataset | None) -> None:
    """Show another data set on every page (None: the sample city); filters and branch reset on the next run."""
    st.session_state[_DATASET] = data
    st.session_state[_SNAPSHOT] = None
    st.session_state.pop(_LIVE, None)
    set_view(replace(view(), branch=None, baseline=None, filters=Filters(), lang=lang()), go=False)


def has_upload() -> bool:
    """Whether the user replaced the sample city."""
    return st.session_state.get(_DATASET) is not None


def custom_rubric() -> tuple[str, str] | None:
    """The last valid custom rubric the user uploaded: (file name, YAML text)."""
    return cast("tuple[str, str] | None", st.session_state.get(_CUSTOM))


def set_custom_rubric(name: str, text: str) -> None:
    """Remember a valid custom rubric so uploads can be scored with it."""
    st.session_state[_CUSTOM] = (name, text)


def _held(slot: str, key: Hashable) -> Any:
    """What `slot` holds for `key`, or None (a slot holds one value: that of the last key)."""
    found = st.session_state.get(slot)
    return found[1] if found and found[0] == key else None


def reading(key: Hashable) -> tuple[Ingested, Dataset] | None:
    """The upload this session read and scored last, if `key` names it (kept here whatever the upload cache drops)."""
    return cast("tuple[Ingested, Dataset] | None", _held(_READING, key))


def set_reading(key: Hashable, read: tuple[Ingested, Dataset]) -> None:
    """Keep the upload just read and scored, so the upload page's reruns (a radio, a button) do not read it again."""
    st.session_state[_READING] = (key, read)


def fixed(upload_key: str) -> Dataset | None:
    """The data set of an upload after the user fixed its rejected rows, if they did."""
    return cast("Dataset | None", _held(_FIXED, upload_key))


def set_fixed(upload_key: str, data: Dataset) -> None:
    """Remember the data set of an upload with its fixed rows."""
    st.session_state[_FIXED] = (upload_key, data)


def draft(key: str) -> tuple[tuple[Edit, ...], tuple[Edit, ...]]:
    """A workbench draft kept across pages: (edits restored from table sections, every edit of the last run)."""
    return cast("dict[str, tuple[tuple[Edit, ...], tuple[Edit, ...]]]", st.session_state.get(_DRAFTS, {})).get(key, ((), ()))


def set_draft(key: str, restored: tuple[Edit, ...], edits: tuple[Edit, ...]) -> None:
    """Keep a workbench draft's edits so leaving the page and coming back shows the same draft."""
    st.session_state.setdefault(_DRAFTS, {})[key] = (restored, edits)


def discard_draft(key: str) -> None:
    """Forget a workbench draft and the editing widgets that hold it."""
    st.session_state.get(_DRAFTS, {}).pop(key, None)
    for name in [k for k in st.session_state if isinstance(k, str) and k.startswith("wb_") and key in k]:
        del st.session_state[name]
