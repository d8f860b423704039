"""The seam for shared snapshots: the button on every page and the ?snapshot=<id> entry (wired by the snapshot owner)."""

from __future__ import annotations

import streamlit as st

from ui import state
from ui.i18n import t
from ui.safe import md

SHARE_KEY = "share_snapshot"


def button() -> None:
    """The 分享快照 button; creating a snapshot will store `state.dataset()` and `state.view()`."""
    st.button(t("share.button"), key=SHARE_KEY, icon=":material/share:", help=t("share.help"), disabled=True, width="stretch")


def open_requested() -> None:
    """Open the snapshot a link asks for (?snapshot=<id>) once per session, replacing data and view."""
    snapshot_id = state.snapshot_request()
    if snapshot_id is None or st.session_state.get("_snapshot_seen") == snapshot_id:
        return
    st.session_state["_snapshot_seen"] = snapshot_id
    st.toast(t("share.unavailable", id=md(snapshot_id, 40)), icon=":material/info:")
