"""整顿台账 Rectification ledger: who is on the list and why, progress and overdue entries, the effect a year later."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import streamlit as st

from ledger.model import CLOSED, Entry
from ledger.sheet import to_csv, to_xlsx
from scoring.rubricset import RubricSet
from ui import charts, common, ledger_data, ledger_forms, state
from ui.i18n import names, t
from ui.ledger_labels import headers, shown, status
from ui.model import ledger as ledger_model
from ui.model import select
from ui.model.names import grade_scale, renamed
from ui.safe import md


def _period(periods: tuple[str, ...], kept: list[str]) -> str:
    """The ledger's year: the newest with a 台账, else the view's period."""
    view = select.resolve_period(state.dataset().results.branches, state.view().filters.period) or periods[-1]
    default = kept[-1] if kept and kept[-1] in periods else view
    return str(st.selectbox(t("ledger.period"), periods, index=periods.index(default), key="lg_period"))


def _overview(entries: Sequence[Entry], before: Sequence[Entry], today: date, rubrics: RubricSet) -> None:
    table = ledger_model.overview(entries, today, t("common.system_group"))
    twice = ledger_model.listed_twice(entries, before)
    cols = st.columns(4)
    cols[0].metric(t("ledger.listed"), f"{len(table):,}")
    cols[1].metric(t("ledger.closed"), f"{int((table['status'] == CLOSED).sum()):,}")
    cols[2].metric(t("ledger.overdue"), f"{int(table['overdue'].sum()):,}")
    cols[3].metric(t("ledger.twice"), f"{len(twice):,}")
    st.subheader(t("ledger.by_group"))
    counts = ledger_model.status_counts(table)
    counts.columns = [t("ledger.overdue") if c == "overdue" else status(c) for c in counts.columns]
    counts.index.name = t("ledger.col.group")
    st.dataframe(counts, key="lg_counts", width="stretch")
    st.subheader(t("ledger.entries"))
    marked = shown(table, rubrics).assign(overdue=table["overdue"].map({True: t("ledger.overdue_mark"), False: ""}))
    styled = marked.style.apply(lambda row: ["color: #c62828" if row["overdue"] else "" for _ in row], axis=1)
    common.table(styled, "lg_entries", headers(marked), height=360)
    common.read_in_full(marked, "lg_full", lambda i: t("common.row_label", name=marked["name"].iloc[i], code=marked["branch_id"].iloc[i]),
                        {c: t(f"ledger.col.{c}") for c in ("source", "reason")})
    st.subheader(t("ledger.twice_title"))
    if twice.empty:
        st.caption(t("ledger.twice_none"))
    else:
        common.table(shown(twice, rubrics), "lg_twice", headers(twice))


def _effect(entries: Sequence[Entry], before: str, periods: tuple[str, ...]) -> None:
    after = next((p for p in periods if p > before), None)
    st.subheader(t("ledger.effect", before=md(before), after=md(after or "—")))
    if after is None:
        st.caption(t("ledger.effect_none", after=str(int(before) + 1) if before.isdigit() else "—"))
        return
    data = state.dataset()
    found = ledger_model.effect(data.results, data.rubrics, entries, before, after, t("yoy.new"), t("yoy.gone"))
    cols = st.columns(3)
    cols[0].metric(t("ledger.closed"), f"{found.closed:,}")
    cols[1].metric(t("ledger.improved"), f"{found.improved:,}")
    cols[2].metric(t("ledger.improved_share"), common.percent(found.share))
    grades = names(data.rubrics)
    flows = renamed(found.flows, grades, ("source", "target"))
    if not flows.empty:
        order = [grades.get(g, g) for g in grade_scale(data.rubrics)]
        st.plotly_chart(charts.sankey(flows, t("ledger.sankey"), before, after, order), key="lg_sankey", config=charts.CONFIG,
                        width="stretch")
    st.caption(t("ledger.not_improved"))
    common.table(shown(found.not_improved, data.rubrics), "lg_not_improved", headers(found.not_improved))
    with st.expander(t("ledger.effect_table")):
        common.table(shown(found.table, data.rubrics), "lg_effect", headers(found.table))


def render() -> None:
    """Draw the ledger page."""
    data = state.dataset()
    source = ledger_data.source()
    st.title(t("ledger.title"))
    ledger_forms.notice()
    periods = select.periods(data.results.branches)
    if not periods:
        st.info(t("common.empty"))
        return
    period = _period(periods, ledger_data.periods(source))
    if source.hint:
        st.info(t(source.hint, period=md(period)), icon=":material/info:")
    entries = ledger_data.entries(source, period)
    earlier = select.previous_period_of(periods, period)
    before = ledger_data.entries(source, earlier) if earlier else []
    if not any(e.listed for e in entries):
        st.caption(t("ledger.empty", period=md(period)))
    else:
        _overview(entries, before, date.today(), data.rubrics)
    by = ""
    if source.editable and source.access is not None:
        by = ledger_forms.who()
        st.subheader(t("ledger.designate"))
        with st.spinner(t("common.working")):
            found = ledger_data.candidates(data.key, state.view().filters, period, state.lang(), data)
        ledger_forms.designate(source.access, period, found, ledger_data.branches(data.key, period, data), entries, by)
        st.subheader(t("ledger.edit"))
        ledger_forms.edit(source.access, period, entries, by)
    if any(e.listed for e in entries):
        _effect(entries, period, periods)
        st.subheader(t("ledger.export"))
        lang, title = state.lang(), t("ledger.export_title", period=period)  # taken now: the files are built on a click
        common.downloads(f"ledger-{period}", "lg_dl", lambda: to_csv(entries, lang), lambda: to_xlsx(entries, title, lang))
    if source.editable and source.access is not None:
        st.subheader(t("ledger.import"))
        ledger_forms.import_ledger(source.access, period, data, entries, by)


if __name__ == "__main__":
    render()
