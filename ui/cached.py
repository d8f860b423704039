"""Page bundles cached per data set (by its content key) and view, so reruns and filter changes stay fast."""

from __future__ import annotations

from collections.abc import Callable, Hashable

import plotly.graph_objects as go
import streamlit as st

from ui.data import Dataset
from ui.memo import LruCache
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


@st.cache_resource(show_spinner=False)
def _overviews() -> LruCache:
    return LruCache(64)


@st.cache_resource(show_spinner=False)
def _cubes() -> LruCache:
    return LruCache(4)


def cube(data: Dataset, progress: overview_model.Progress | None = None) -> tuple[overview_model.Cube, bool]:
    """The data set's overview cube, summed once per data set; True when this call summed it (`progress` hears its
    stages only then)."""
    built: list[bool] = []

    def summed() -> overview_model.Cube:
        built.append(True)
        return overview_model.cube(data.results, data.rubrics, progress)

    return _cubes().get(data.key, summed), bool(built)


def overview(key: str, filters: Filters, labels: tuple[str, str, str], data: Dataset,
             progress: overview_model.Progress | None = None) -> overview_model.Overview:
    """The overview bundle for a selection (labels: the "other" and "blank" group names, the system committee template),
    added up from the data set's cube (summed once per data set); `progress` hears the stages only of what is built."""
    def build() -> overview_model.Overview:
        summed, built = cube(data, progress)
        return overview_model.summarize(summed, data.rubrics, filters, *labels, progress=None if built else progress)

    return _overviews().get((key, filters, labels), build)


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
def _figures() -> LruCache:
    return LruCache(128)


def figure(name: str, key: str, view: Hashable, lang: str, build: Callable[[], go.Figure]) -> go.Figure:
    """A chart built once per data set, view and language (building plotly figures is the slow part of a rerun);
    `build` may report progress, since it runs outside Streamlit's replaying caches."""
    return _figures().get((name, key, view, lang), build)
