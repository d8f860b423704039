"""Page bundles cached per data set (by its content key) and view, so reruns and filter changes stay fast."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from ui.data import Dataset
from ui.model import branch as branch_model
from ui.model import overview as overview_model
from ui.model import ranking as ranking_model
from ui.model import rectify as rectify_model
from ui.model import select
from ui.model import yoy as yoy_model
from ui.model.view import Filters

# The data set itself is not hashed (leading underscore): its content key stands for it. Entries are bounded in number
# and dropped an hour after they were built, so an idle server gives their memory back (uploads: ui/memo.py bounds bytes).
_IDLE = 3600


@st.cache_data(show_spinner=False, max_entries=64, ttl=_IDLE)
def options(key: str, filters: Filters, _data: Dataset) -> select.Options:
    """Choices of each shared filter."""
    return select.filter_options(_data.results.branches, filters)


class Recent:
    """The last `size` values by key, shared by all sessions; unlike st.cache_data it lets a miss report progress."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.values: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The value kept for `key`, built (outside the lock) when missing."""
        with self.lock:
            if key in self.values:
                self.values.move_to_end(key)
                return self.values[key]
        value = build()
        with self.lock:
            self.values[key] = value
            while len(self.values) > self.size:
                self.values.popitem(last=False)
        return value


@st.cache_resource(show_spinner=False)
def _overviews() -> Recent:
    return Recent(64)


def overview(key: str, filters: Filters, labels: tuple[str, str, str], data: Dataset,
             progress: overview_model.Progress | None = None) -> overview_model.Overview:
    """The overview bundle for a selection (labels: the "other" and "blank" group names, the system committee template);
    `progress` hears the stages only when the bundle has to be built."""
    return _overviews().get((key, filters, labels),
                            lambda: overview_model.overview(data.results, data.rubrics, filters, *labels, progress=progress))


@st.cache_data(show_spinner=False, max_entries=64, ttl=_IDLE)
def ranking(key: str, filters: Filters, query: str, sort: str, limit: int | None, lang: str, _data: Dataset) -> ranking_model.Ranking:
    """The ranking table for a selection (flags joined in `lang`)."""
    chosen = select.take(_data.results, select.selection(_data.results.branches, filters))
    return ranking_model.ranking(chosen, _data.rubrics, query, sort, limit, lang)


@st.cache_data(show_spinner=False, max_entries=64, ttl=_IDLE)
def branch_choices(key: str, filters: Filters, query: str, _data: Dataset) -> dict[str, str]:
    """Branches to pick from on the branch page."""
    b = _data.results.branches
    return branch_model.branch_choices(b[select.selection(b, filters)], query)


@st.cache_data(show_spinner=False, max_entries=64, ttl=_IDLE)
def year_over_year(key: str, before: str, after: str, filters: Filters, labels: tuple[str, str, str, str, str], lang: str,
                   _data: Dataset) -> yoy_model.YearOverYear:
    """The comparison bundle for two periods (labels: new, gone, other, blank, system committee template; flags in `lang`)."""
    return yoy_model.year_over_year(_data.results, _data.rubrics, before, after, filters, *labels, lang=lang)


@st.cache_data(show_spinner=False, max_entries=32, ttl=_IDLE)
def rectification(key: str, filters: Filters, lang: str, _data: Dataset) -> rectify_model.Rectification:
    """The rectification bundle for a selection (reasons and flags in `lang`)."""
    return rectify_model.rectification(_data.results, _data.rubrics, filters, lang=lang)


@st.cache_data(show_spinner=False, max_entries=64, ttl=_IDLE)
def branch(key: str, branch_id: str, period: str | None, lang: str, _data: Dataset) -> branch_model.BranchDetail | None:
    """One branch's detail (reasons and notes in `lang`)."""
    return branch_model.branch_detail(_data.results, _data.rubrics, branch_id, period, lang)


@st.cache_resource(show_spinner=False)
def _figures() -> Recent:
    return Recent(128)


def figure(name: str, key: str, view: Hashable, lang: str, build: Callable[[], go.Figure]) -> go.Figure:
    """A chart built once per data set, view and language (building plotly figures is the slow part of a rerun);
    `build` may report progress, since it runs outside Streamlit's replaying caches."""
    return _figures().get((name, key, view, lang), build)
