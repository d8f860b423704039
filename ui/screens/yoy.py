"""晋位升级 Year over year: grade moves between two periods, moves per township, movers and persistent laggards."""

from __future__ import annotations

import streamlit as st

from scoring import compare
from ui import cached, charts, common, exports, state
from ui.i18n import names, t
from ui.model import select
from ui.model import yoy as yoy_model
from ui.model.names import grade_scale, renamed
from ui.safe import filename, md

MOVE_KEYS = {"晋位": "yoy.up", "持平": "yoy.same", "降级": "yoy.down"}
LIST_COLUMNS = ["name", "grade_before", "grade_after", "change", "total_before", "total_after", "flags", "township",
                "parent", "field", "branch_id"]


def _baseline(periods: tuple[str, ...], after: str) -> str:
    """The period to compare with: the view's choice, else the one before `after`."""
    earlier = [p for p in periods if p != after]
    default = select.previous_period_of(periods, after) or earlier[-1]
    state.seed(state.BASELINE_KEY, state.view().baseline or default)
    if state.widget(state.BASELINE_KEY) not in earlier:
        state.force(state.BASELINE_KEY, default)
    before = str(st.selectbox(t("yoy.before"), earlier, key=state.BASELINE_KEY))
    state.update(baseline=None if before == default else before)
    return before


def render() -> None:
    """Draw the year-over-year page."""
    data = state.dataset()
    view = state.view()
    b = data.results.branches
    periods = select.periods(b)
    after = select.resolve_period(b, view.filters.period)
    st.title(t("yoy.title"))
    if len(periods) < 2 or after is None:
        st.info(t("yoy.need_two"))
        return
    before = _baseline(periods, after)
    labels = (t("yoy.new"), t("yoy.gone"), t("common.other"), t("common.blank"), t("common.system_group"))
    with st.spinner(t("common.working")):
        yoy = cached.year_over_year(data.key, before, after, view.filters, labels, state.lang(), data)
    st.caption(t("yoy.caption", before=md(before), after=md(after)))
    if yoy.table.empty:
        st.info(t("common.empty"))
        return
    cols = st.columns(4)
    for col, (move, key) in zip(cols, MOVE_KEYS.items(), strict=False):
        col.metric(t(key), f"{yoy.counts[move]:,}")
    lagging = yoy_model.flagged_twice(yoy.table, compare.render("lagging-twice", state.lang()))
    cols[3].metric(t("yoy.lagging"), f"{len(lagging):,}")
    left, right = st.columns(2)
    shown = names(data.rubrics)
    order = [shown.get(g, g) for g in grade_scale(data.rubrics)]
    flows = renamed(yoy.flows, shown, ("source", "target"))
    left.plotly_chart(charts.sankey(flows, t("yoy.sankey"), before, after, order), key="yoy_sankey",
                      config=charts.CONFIG, width="stretch")
    right.plotly_chart(charts.move_bars(yoy.by_township, t("yoy.by_township"), shown, t("overview.count")), key="yoy_moves",
                       config=charts.CONFIG, width="stretch")
    tabs = st.tabs([t("yoy.up"), t("yoy.down"), t("yoy.lagging")])
    for tab, frame, key in zip(tabs, (yoy_model.moved(yoy.table, "晋位"), yoy_model.moved(yoy.table, "降级"), lagging),
                               ("yoy_up", "yoy_down", "yoy_lagging"), strict=True):
        with tab:
            common.table(renamed(frame[[c for c in LIST_COLUMNS if c in frame]], shown), key, height=360)
    st.plotly_chart(charts.change_histogram(yoy.changes, t("yoy.change"), t("yoy.change_x"), t("overview.count")),
                    key="yoy_change", config=charts.CONFIG, width="stretch")
    st.subheader(t("yoy.download"))
    table = select.labelled(renamed(yoy.table, shown), common.headers(yoy.table.columns))
    common.downloads(f"compare-{filename(before)}-{filename(after)}", "yoy_dl", exports.frame_csv(lambda: table),
                     exports.frame_xlsx(lambda: table, t("yoy.title")))


if __name__ == "__main__":
    render()
