"""分享快照 in the sidebar: freeze the current data and view into a snapshot and show its link and delete link."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from urllib.parse import urlencode, urlsplit

import streamlit as st

from ledger.model import Entry
from snapshots import SnapshotError, SnapshotInvalid, SnapshotService, open_store
from snapshots.config import store_url
from snapshots.service import MAX_TITLE_LENGTH
from snapshots.tokens import check_access_code
from ui import state
from ui.data import Dataset
from ui.i18n import t, translate
from ui.model.share import Shown
from ui.model.view import PAGES, ViewState
from ui.safe import md
from ui.snapshot_codec import dataset_to_payload, snapshot_metadata
from ui.state import SNAPSHOT_PARAM

BASE_URL_ENV = "SNAPSHOT_BASE_URL"
SHARE_KEY = "share_snapshot"
FORM_KEY = "share_form"
TITLE_KEY = "share_title"
EXPIRY_KEY = "share_expiry"
CODE_KEY = "share_code"
SUBMIT_KEY = "share_submit"
EXPIRIES = {"1": 1, "7": 7, "30": 30, "90": 90, "never": None}
DEFAULT_EXPIRY = "7"


@st.cache_resource(show_spinner=False)
def _service(url: str) -> SnapshotService:
    return SnapshotService(open_store(url))


def service() -> SnapshotService:
    """The snapshot service over the configured store (one per store URL and process)."""
    return _service(store_url())


def base_url() -> str:
    """Where links point: $SNAPSHOT_BASE_URL, else the address the browser uses, else "" (a relative link)."""
    configured = os.environ.get(BASE_URL_ENV, "").strip()
    if configured.startswith(("http://", "https://")):
        return configured.rstrip("/")
    seen = st.context.url
    if seen and urlsplit(seen).scheme in ("http", "https"):
        root = seen.rstrip("/")
        for page in PAGES:  # the page is restored from the snapshot, so the link names the app's root
            root = root.removesuffix(f"/{page}")
        return root
    host = st.context.headers.get("Host")
    if host and "/" not in host and " " not in host:
        scheme = "https" if st.context.headers.get("X-Forwarded-Proto") == "https" else "http"
        return f"{scheme}://{host}"
    return ""


def link(snapshot_id: str, **extra: str) -> str:
    """The URL that opens a snapshot (with extra parameters such as delete=<token>)."""
    return f"{base_url()}/?{urlencode({SNAPSHOT_PARAM: snapshot_id, **extra})}"


def _expiry_label(option: str, lang: str) -> str:
    days = EXPIRIES[option]
    if days is None:
        return translate("share.expiry_never", lang)
    return translate("share.expiry_one", lang) if days == 1 else translate("share.expiry_days", lang, days=days)


Ledger = Callable[[], Sequence[Entry] | None]


def button(page: str, ledger: Ledger = lambda: None) -> None:
    """The 分享快照 control: a form that creates a link (freezing `ledger()`'s 台账), or, inside a snapshot, its own link."""
    with st.popover(t("share.button"), key=SHARE_KEY, icon=":material/share:", help=t("share.help"), width="stretch"):
        opened = state.snapshot()
        if opened is not None:
            st.caption(t("share.in_snapshot"))
            st.code(link(opened.id), language=None, wrap_lines=True)
            return
        st.caption(t("share.intro"))
        default = t("share.default_title", page=t(f"nav.{page}"), date=datetime.now(UTC).date().isoformat())
        with st.form(FORM_KEY, border=False):
            title = st.text_input(t("share.title"), key=TITLE_KEY, max_chars=MAX_TITLE_LENGTH, placeholder=default)
            expiry = st.selectbox(t("share.expiry"), list(EXPIRIES), index=list(EXPIRIES).index(DEFAULT_EXPIRY), key=EXPIRY_KEY,
                                  format_func=partial(_expiry_label, lang=state.lang()))  # this run's language, wherever called
            code = st.text_input(t("share.code"), key=CODE_KEY, max_chars=6, help=t("share.code_help"))
            submitted = st.form_submit_button(t("share.create"), key=SUBMIT_KEY, type="primary", icon=":material/link:",
                                              width="stretch")
        data, view = state.dataset(), replace(state.view(), page=page, lang=state.lang())
        if submitted:
            shown = _create(data, view, ledger, (title or "").strip() or default, EXPIRIES[str(expiry)], (code or "").strip() or None)
            if shown is not None:
                state.remember_shown((data.key, view), shown)
        else:  # links stay on screen across reruns until the data or the view changes
            shown = state.last_shown((data.key, view))
        if shown is not None:
            _show(shown)


def _create(data: Dataset, view: ViewState, ledger: Ledger, title: str, days: int | None, code: str | None) -> Shown | None:
    """Create the snapshot, or reuse the one this session already took with the same inputs (None after an error)."""
    if code is not None:
        try:
            check_access_code(code)
        except SnapshotInvalid:
            st.error(t("share.bad_code"), icon=":material/error:")
            return None
    # Only a hash of the code goes into the session's reuse key; the 台账 is in it too, so edits make a new snapshot.
    entries = ledger()
    reuse = (data.key, view, title, days, hashlib.sha256(code.encode()).hexdigest() if code else None,
             None if entries is None else tuple(entries))
    if (earlier := state.shared(reuse)) is not None:
        return Shown(earlier, None, code is not None)
    try:
        with st.spinner(t("share.creating")):
            now = datetime.now(UTC)
            created = service().create(dataset_to_payload(data, view, entries), title=title, expires_in_days=days, access_code=code,
                                       metadata=snapshot_metadata(data, view, now), now=now)
    except SnapshotInvalid as error:
        st.error(t("share.invalid", message=md(error.message_in(state.lang()), 300)), icon=":material/error:")
        return None
    except SnapshotError as error:  # too large, store busy or full, misconfigured: each says what happened and what to do
        st.error(error_text(error), icon=":material/error:")
        return None
    state.remember_shared(reuse, created.id)
    return Shown(created.id, created.delete_token, code is not None)


def error_text(error: SnapshotError) -> str:
    """The store error's own message in the current language."""
    values = {**error.values, "message": error.message_in(state.lang())} if "message" in error.values else error.values
    return t(error.key, **values)


def _show(shown: Shown) -> None:
    """The link, and for a new snapshot its delete link and token; a reused one says why there is no delete link."""
    if shown.delete_token is None:
        st.info(t("share.reused"), icon=":material/info:")
    else:
        st.success(t("share.created"), icon=":material/check_circle:")
    st.caption(t("share.link"))
    st.code(link(shown.snapshot_id), language=None, wrap_lines=True)
    if shown.with_code:
        st.caption(t("share.with_code"))
    if shown.delete_token is None:
        return
    st.warning(t("share.delete_once"), icon=":material/key:")
    st.caption(t("share.delete_link"))
    st.code(link(shown.snapshot_id, delete=shown.delete_token), language=None, wrap_lines=True)
    st.caption(t("share.delete_token"))
    st.code(shown.delete_token, language=None)
