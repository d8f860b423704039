"""The shared sidebar the router draws on every page: language, data source, filters and the share button."""

from __future__ import annotations

import streamlit as st

from ui import cached, ledger_data, share, state
from ui.data import Dataset
from ui.i18n import names, t
from ui.model.view import Filters
from ui.safe import md
from ui.state import FILTER_KEYS, LANG_KEY

LANG_NAMES = {"zh": "中文", "en": "English"}
_MULTI = ("fields", "districts", "townships", "parents", "grades")


def _current(latest: str | None) -> Filters:
    """The filters as the widgets hold them now (seeded from the view on a session's first run)."""
    view = state.view().filters
    put = state.force if state.reseed_filters() else state.seed
    put(FILTER_KEYS["period"], view.period or latest)
    for attr in _MULTI:
        put(FILTER_KEYS[attr], list(getattr(view, attr)))
    period = state.widget(FILTER_KEYS["period"])
    return Filters(period, **{a: tuple(state.widget(FILTER_KEYS[a], [])) for a in _MULTI})


def _clear() -> None:
    for attr in _MULTI:
        state.force(FILTER_KEYS[attr], [])


def render(data: Dataset, page: str) -> Filters:
    """Draw the sidebar (`page`: the page being shown, for the share control) and return the shared filters it holds."""
    with st.sidebar:
        st.segmented_control(t("sidebar.lang"), options=list(LANG_NAMES), format_func=LANG_NAMES.__getitem__,
                             required=True, key=LANG_KEY)
        rows = len(data.results)
        if (opened := state.snapshot()) is not None:
            st.caption(t("sidebar.data_snapshot", title=md(opened.title, 60), rows=f"{rows:,}"))
        elif data.is_sample:
            st.caption(t("sidebar.data_sample", rows=rows))
        else:
            st.caption(t("sidebar.data_upload", name=md(data.filename, 60), rows=rows))
        if data.custom_rubric:
            st.caption(t("sidebar.custom_rubric", name=md(data.custom_rubric, 60)))
        periods = cached.options(data.key, Filters(), data).periods
        current = _current(periods[-1] if periods else None)
        options = cached.options(data.key, current, data)
        if current.period not in options.periods and options.periods:
            state.force(FILTER_KEYS["period"], options.periods[-1])
        for attr in _MULTI:
            allowed = set(getattr(options, attr))
            chosen = state.widget(FILTER_KEYS[attr], [])
            if any(v not in allowed for v in chosen):
                state.force(FILTER_KEYS[attr], [v for v in chosen if v in allowed])
        st.subheader(t("sidebar.filters"))
        period = st.selectbox(t("filter.period"), options.periods, key=FILTER_KEYS["period"])
        labels = {"fields": "filter.field", "districts": "filter.district", "townships": "filter.township",
                  "parents": "filter.parent", "grades": "filter.grade"}
        picked = {}
        shown = names(data.rubrics)
        for attr in _MULTI:
            values = getattr(options, attr)
            if values or attr in ("fields", "grades"):
                picked[attr] = tuple(st.multiselect(t(labels[attr]), values, key=FILTER_KEYS[attr], placeholder=t("filter.all"),
                                                    format_func=lambda v: shown.get(v, v), help=t("filter.help")))
        st.button(t("filter.reset"), key="f_reset", on_click=_clear, icon=":material/filter_alt_off:")
        latest = options.periods[-1] if options.periods else None
        filters = Filters(None if period == latest else period, **picked)
        state.update_filters(filters)  # before the share control, which freezes the view as the widgets hold it now
        share.button(page, ledger_data.to_freeze)
    return filters
