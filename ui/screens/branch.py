"""支部详情 Branch: radar against averages, every indicator with the reason for each lost point, grade rules, history."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

import streamlit as st

from ui import cached, charts, common, state
from ui.i18n import TEXT, names, t
from ui.model import branch as branch_model
from ui.model import select
from ui.model.names import renamed
from ui.model.view import Filters
from ui.safe import filename, md
from ui.sheet import branch_sheet

if TYPE_CHECKING:
    import pandas as pd


def _pick(choices: dict[str, str]) -> str | None:
    """The branch selector, seeded from the view (e.g. a row chosen on the ranking page)."""
    first = next(iter(choices))
    state.seed(state.BRANCH_KEY, state.view().branch or first)
    if state.widget(state.BRANCH_KEY) not in choices:
        state.force(state.BRANCH_KEY, first)
    pick = st.selectbox(t("branch.pick"), list(choices), key=state.BRANCH_KEY, format_func=choices.__getitem__,
                        placeholder=t("branch.none"))
    state.update(branch=pick)
    return pick


def _sheet(detail: branch_model.BranchDetail, shown: dict[str, str]) -> Callable[[], str]:
    """The printable sheet, its texts taken now in the UI language; the HTML is built when the button is clicked (outside
    the run, where the session's language cannot be read)."""
    f = {k: shown.get(v, v) if isinstance(v, str) and k in ("grade", "alert") else v for k, v in detail.facts.items()}
    headers = {h: t(f"hdr.{h}") for h in detail.indicators.columns if f"hdr.{h}" in TEXT}
    facts = [(t(f"col.{k}"), f.get(k, "")) for k in ("branch_id", "field", "parent", "period", "total", "grade", "rank", "alert")]
    sections: list[tuple[str, pd.DataFrame | list[str]]] = [
        (t("branch.reasons"), detail.reasons), (t("branch.indicators"), _indicators(detail, shown)),
        (t("branch.history"), select.labelled(renamed(detail.history, shown), common.headers(detail.history.columns)))]
    return partial(branch_sheet, str(f.get("name", "")), facts, sections, headers, state.lang())


def _indicators(detail: branch_model.BranchDetail, shown: dict[str, str]) -> pd.DataFrame:
    """The indicator table with standard and indicator names in the UI language."""
    return renamed(detail.indicators, shown, ("标准", "指标"))


def render() -> None:
    """Draw the branch page."""
    data = state.dataset()
    view = state.view()
    period = select.resolve_period(data.results.branches, view.filters.period)
    st.title(t("branch.title"))
    query = st.text_input(t("branch.search"), key="br_q", max_chars=100)
    choices = cached.branch_choices(data.key, view.filters, query, data)
    if view.branch and view.branch not in choices and not query.strip():  # e.g. picked on the ranking page
        extra = cached.branch_choices(data.key, Filters(period=view.filters.period), view.branch, data)
        choices = {**{k: v for k, v in extra.items() if k == view.branch}, **choices}
    if not choices:
        st.info(t("branch.no_match"))
        return
    pick = _pick(choices)
    with st.spinner(t("progress.branch")):  # shown only past half a second
        detail = cached.branch(data.key, pick, period, state.lang(), data) if pick else None
    if detail is None:
        st.info(t("branch.none"))
        return
    f = detail.facts
    shown = names(data.rubrics)
    st.subheader(md(f.get("name", "")))
    st.caption(t("branch.meta", field=md(f.get("field", "")), parent=md(f.get("parent", "")), period=md(f.get("period", ""))))
    cols = st.columns(4)
    cols[0].metric(t("branch.total"), f"{f['total']:.2f} / {f['max_total']:g}")
    cols[1].metric(t("branch.grade"), md(shown.get(str(f["grade"]), f["grade"])))
    cols[2].metric(t("branch.rank"), f"{f['rank']} / {f['group_size']}")
    cols[3].metric(t("branch.alert"), md(shown.get(str(f.get("alert")), f.get("alert")) or "—"))
    if detail.flags:
        st.warning(md(detail.flags, 300), icon=":material/flag:")
    left, right = st.columns([3, 2])
    series = (t("branch.radar_branch"), t("branch.radar_group"), t("branch.radar_best", grade=shown.get(detail.best_grade, detail.best_grade)))
    left.plotly_chart(charts.radar(renamed(detail.radar, shown), t("branch.radar"), series), key="br_radar", config=charts.CONFIG, width="stretch")
    with right:
        st.subheader(t("branch.reasons"))
        st.markdown("\n".join(f"{i}. {md(text, 400)}" for i, text in enumerate(detail.reasons, start=1)))
    st.subheader(t("branch.indicators"))
    rows = len(detail.indicators)
    indicators = _indicators(detail, shown)
    common.table(indicators, "br_indicators", {
        "满分": st.column_config.NumberColumn(t("branch.max_or_cap"), help=t("branch.max_or_cap_help"), format="%g"),
        "得分": st.column_config.NumberColumn(t("hdr.得分"), format="%.2f"),
        "扣分": st.column_config.NumberColumn(t("hdr.扣分"), help=t("branch.max_or_cap_help"), format="%g"),
        "说明": st.column_config.TextColumn(t("hdr.说明"), width="large"),
    }, height=min(36 * (rows + 1) + 2, 1400))
    common.read_in_full(indicators, "br_full", lambda i: f"{indicators['标准'].iloc[i]} · {indicators['指标'].iloc[i]}",
                        {c: t(f"hdr.{c}") for c in ("说明", "填报值")})
    st.subheader(t("branch.history"))
    if len(detail.history) > 1:
        st.plotly_chart(charts.history(renamed(detail.history, shown), t("col.total"), cast(float, f["max_total"])), key="br_history",
                        config=charts.CONFIG, width="stretch")
    common.table(renamed(detail.history, shown), "br_history_table")
    name = f"branch-{filename(pick)}-{filename(f.get('period', ''))}.html"
    st.download_button(t("branch.sheet"), _sheet(detail, shown), file_name=name,
                       mime="text/html", key="br_sheet", on_click="ignore", icon=":material/print:")


if __name__ == "__main__":
    render()
