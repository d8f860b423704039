"""The page-level error boundary: an unexpected error is logged with a short random id and shown as a plain message with that id."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

import streamlit as st

from ui.i18n import t

log = logging.getLogger("dashboard.errors")


def new_error_id() -> str:
    """A short random id that ties the message a user reads to the logged traceback (8 hex digits)."""
    return secrets.token_hex(4)


def guarded(run: Callable[[], object]) -> None:
    """Run a page; any ordinary exception is logged with an id and replaced by a message (no traceback, no server path).

    Streamlit's own control flow (rerun, stop, switch page) derives from BaseException and passes through untouched.
    """
    try:
        run()
    except Exception:
        error_id = new_error_id()
        log.exception("page failed [error id %s]", error_id)
        st.error(t("error.page", id=error_id), icon=":material/error:")
