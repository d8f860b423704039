"""总览 Overview: KPIs against the previous period, grade mixes, score distribution, heat map and weak points."""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ui import cached, charts, common, exports, state
from ui.i18n import names, t
from ui.model import overview as overview_model
from ui.model import select
from ui.model.names import renamed
from ui.model.view import Filters
from ui.safe import md


def _kpis(data: overview_model.Overview, shown: dict[str, str]) -> None:
    now, before = data.kpis, data.previous
    help_text = t("kpi.delta_help", period=md(data.previous_period)) if before else None
    cols = st.columns(2 + len(now.grades))
    delta_n = now.count - before.count if before else None
    cols[0].metric(t("kpi.branches"), f"{now.count:,}", delta=delta_n, help=help_text)
    delta_avg = round(now.average - before.average, 2) if before and before.count else None
    cols[1].metric(t("kpi.average"), f"{now.average:.2f}", delta=delta_avg, help=help_text)
    for col, grade in zip(cols[2:], now.grades, strict=True):
        old = select.share_of(before, grade.grade) if before else None
        delta = f"{(grade.share - old) * 100:+.1f} pp" if old is not None else None
        # A lower share of the lowest grade is good news, so its arrow colours are inverted.
        lowest = grade is now.grades[-1] and len(now.grades) > 1
        col.metric(t("kpi.grade", grade=md(shown.get(grade.grade, grade.grade)), count=f"{grade.count:,}"), common.percent(grade.share),
                   delta=delta, delta_color="inverse" if lowest else "normal", help=help_text)


def render() -> None:
    """Draw the overview page; a build that is not cached shows its stages instead of a blank page."""
    data = state.dataset()
    view = state.view()
    with common.progress((*overview_model.STAGES, "charts")) as report:
        bundle = cached.overview(data.key, view.filters, (t("common.other"), t("common.blank"), t("common.system_group")), data, report)
        common.heading("overview.title", bundle.period, bundle.kpis.count)
        if not bundle.kpis.count:
            st.info(t("common.empty"))
            return
        shown = names(data.rubrics)
        _kpis(bundle, shown)
        scale = [shown.get(g, g) for g in bundle.scale]
        draw = _charts(data.key, view.filters, report)
        left, right = st.columns(2)
        draw("by_field", lambda: charts.grade_bars(bundle.by_field.rename(columns=shown), t("overview.by_field"), t("overview.count"),
                                                   scale), left)
        draw("by_township", lambda: charts.grade_bars(bundle.by_township.rename(columns=shown), t("overview.by_township"),
                                                      t("overview.count"), scale), right)
        left, right = st.columns(2)
        draw("hist", lambda: charts.score_histogram(bundle.bins, renamed(bundle.cuts, shown), t("overview.histogram"), t("overview.score"),
                                                    t("overview.count")), left)
        draw("weak", lambda: charts.weak_points(renamed(bundle.weak, shown), t("overview.weak"), t("col.lost_total")), right)
        _heat(bundle, data.key, view.filters, shown)
    st.subheader(t("overview.weak"))
    common.table(renamed(bundle.weak, shown), "ov_weak_table", {
        "lost_total": st.column_config.NumberColumn(t("col.lost_total"), format="%.1f"),
        "lost_mean": st.column_config.NumberColumn(t("col.lost_mean"), format="%.2f"),
        "share_losing": st.column_config.ProgressColumn(t("col.share_losing"), min_value=0.0, max_value=1.0, format="percent"),
    })
    st.subheader(t("overview.download"))
    common.downloads(f"results-{bundle.period}", "ov_dl", exports.results_csv(data, view.filters),
                     exports.results_xlsx(data, view.filters))


Draw = Callable[[str, Callable[[], go.Figure], DeltaGenerator], None]


def _charts(key: str, filters: Filters, report: Callable[[str], None] | None = None) -> Draw:
    """Draws a chart built once per data set, filters and language (reporting the "charts" stage when it builds one)."""

    def draw(name: str, build: Callable[[], go.Figure], target: DeltaGenerator) -> None:
        def built() -> go.Figure:
            if report is not None:
                report("charts")
            return build()

        target.plotly_chart(cached.figure(name, key, filters, state.lang(), built), key=f"ov_{name}",
                            config=charts.CONFIG, width="stretch")

    return draw


@st.fragment
def _heat(bundle: overview_model.Overview, key: str, filters: Filters, shown: dict[str, str]) -> None:
    """The heat map and its grouping switch: switching reruns only this part of the page."""
    groupings = {v: t(f"overview.heat_{v}") for v in ("township", "field")}
    by = st.segmented_control(t("overview.heat_by"), list(groupings), key="ov_heat_by", required=True,
                              default="township", format_func=groupings.__getitem__)
    heat = bundle.heat_field if by == "field" else bundle.heat_township
    _charts(key, filters)(f"heat_{by}", lambda: charts.heatmap(heat.rename(columns=shown), t("overview.heat"), t("overview.share")), st.container())


if __name__ == "__main__":
    render()
