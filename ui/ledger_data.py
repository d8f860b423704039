"""Where the 整顿台账 comes from: the open workspace (editable), its snapshot (read-only) or the sample city's file (read-only)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from ledger.model import Entry
from ledger.sheet import Imported, read_ledger
from snapshots.ledger_service import LedgerService
from snapshots.workspaces import Access
from ui import data, state, workspace_view
from ui.model import ledger as ledger_model
from ui.model.names import english_names
from ui.model.view import Filters
from ui.share import service as snapshot_service

SAMPLE_LEDGER = data.ROOT / "sample_data" / "ledger_2024.csv"
SAMPLE_PERIOD = "2024"


@dataclass(frozen=True)
class Source:
    """The ledger this page shows: whose it is (`access` None: read-only), and why it is read-only (a text key)."""

    access: Access | None
    hint: str | None = None
    frozen: tuple[Entry, ...] | None = None  # the 台账 a snapshot carries

    @property
    def editable(self) -> bool:
        """Whether this session may change the ledger."""
        return self.access is not None and self.hint is None


@st.cache_resource(show_spinner=False)
def _service(store_key: int) -> LedgerService:
    return LedgerService(snapshot_service().store.db)


def service() -> LedgerService:
    """The ledger service over the same database (and pool) as snapshots and workspaces."""
    return _service(id(snapshot_service()))


def source() -> Source:
    """The open workspace's ledger, read-only inside a snapshot; the sample city's otherwise."""
    opened = workspace_view.access()
    if state.snapshot() is not None:
        if (frozen := state.snapshot_ledger()) is not None:
            return Source(None, "ledger.snapshot_frozen", frozen)
        return Source(opened, "ledger.snapshot_hint" if opened is not None else "ledger.snapshot_none")
    if opened is not None:
        return Source(opened)
    return Source(None, "ledger.sample_hint" if state.dataset().is_sample else "ledger.upload_hint")


def entries(found: Source, period: str) -> list[Entry]:
    """The period's entries (listed and removed) of the source; the sample's only for its own year."""
    if found.frozen is not None:
        return [e for e in found.frozen if e.period == period]
    if found.access is not None:
        return service().entries(found.access, period)
    dataset = state.dataset()
    if not dataset.is_sample or period != SAMPLE_PERIOD or not SAMPLE_LEDGER.exists():
        return []
    return list(_sample(dataset.key, SAMPLE_LEDGER.stat().st_mtime_ns, dataset))


def periods(found: Source) -> list[str]:
    """The periods that have a ledger."""
    if found.frozen is not None:
        return sorted({e.period for e in found.frozen})
    if found.access is not None:
        return service().periods(found.access)
    return [SAMPLE_PERIOD] if state.dataset().is_sample and SAMPLE_LEDGER.exists() else []


def to_freeze() -> list[Entry] | None:
    """The 台账 a snapshot taken now carries: the open workspace's (all periods), else the sample city's; None without one."""
    found = source()
    if found.frozen is not None or found.access is not None:
        return [e for p in periods(found) for e in entries(found, p)] or None
    return entries(found, SAMPLE_PERIOD) or None


@st.cache_resource(show_spinner=False, max_entries=2)
def _sample(key: str, stamp: int, _data: data.Dataset) -> tuple[Entry, ...]:
    """The sample city's 台账 file read the way any import is, as read-only entries."""
    imported = read_ledger(SAMPLE_LEDGER.read_bytes(), SAMPLE_LEDGER.name, branches(key, SAMPLE_PERIOD, _data), SAMPLE_PERIOD)
    return tuple(Entry(SAMPLE_PERIOD, r.branch_id, r.name, r.parent, r.township, _source(r.values.get("reason", "")),
                       {**r.values, "listed": "是"}) for r in imported.rows)


def _source(reason: str) -> str:
    return reason.split("：", 1)[-1]


@st.cache_data(show_spinner=False, max_entries=8)
def candidates(key: str, filters: Filters, period: str, lang: str, _data: data.Dataset) -> list[ledger_model.CandidateRow]:
    """The period's candidates in the selection, their rules named in `lang` (cached per data set, filters, period and language)."""
    return ledger_model.candidates(_data.results, _data.rubrics, filters, period, lang, english_names(_data.rubrics))


@st.cache_data(show_spinner=False, max_entries=8)
def branches(key: str, period: str, _data: data.Dataset) -> pd.DataFrame:
    """The period's branches to match a 台账 against (cached per data set)."""
    return ledger_model.branches(_data.results, period)


@st.cache_data(show_spinner=False, max_entries=4)
def read_upload(content: str, filename: str, key: str, period: str, _data: bytes, _dataset: data.Dataset) -> Imported:
    """An uploaded 台账 read and matched once per content, data set and period."""
    return read_ledger(_data, filename, branches(key, period, _dataset), period)

