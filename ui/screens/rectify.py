"""整改预警 Rectification: lagging and weak branches with reasons, warning colours, persistent cases, notice lists."""

from __future__ import annotations

from functools import partial

import streamlit as st

from ui import cached, common, exports, state
from ui.i18n import names, t
from ui.model import rectify as rectify_model
from ui.model import select
from ui.model.names import renamed
from ui.safe import filename, md

# Name, grade and reasons first so they are on screen without scrolling at 1400 px; codes and places after.
WATCH_ORDER = ["name", "grade", "reasons", "total", "alert", "flags", "persistent", "township", "parent", "field", "branch_id"]
PERSISTENT_COLUMNS = ["name", "grade_before", "grade_after", "flags", "total_before", "total_after", "township", "parent",
                      "branch_id"]


def render() -> None:
    """Draw the rectification page."""
    data = state.dataset()
    view = state.view()
    period = select.resolve_period(data.results.branches, view.filters.period)
    with st.spinner(t("common.working")):
        bundle = cached.rectification(data.key, view.filters, state.lang(), data)
    common.heading("rectify.title", period, bundle.selected)
    shown = names(data.rubrics)
    cols = st.columns(1 + len(bundle.alerts))
    cols[0].metric(t("rectify.count"), f"{bundle.count:,}")
    for col, (level, count) in zip(cols[1:], bundle.alerts.items(), strict=True):
        col.metric(t("rectify.alert_level", level=md(shown.get(level, level))), f"{count:,}")
    st.caption(t("rectify.alerts"))
    st.subheader(t("rectify.list"))
    if bundle.watch.empty:
        st.info(t("rectify.none"))
    else:
        if bundle.count > len(bundle.watch):
            st.caption(t("ranking.matched", matched=f"{bundle.count:,}", shown=f"{len(bundle.watch):,}"))
        watch = renamed(bundle.watch, shown)
        common.table(watch, "rect_table", {
            "name": st.column_config.TextColumn(t("col.name"), width="medium"),
            "reasons": st.column_config.TextColumn(t("col.reasons"), width="large"),
        }, height=420, column_order=[c for c in WATCH_ORDER if c in bundle.watch], row_height=common.WRAPPED_ROW)
        common.read_in_full(watch, "rect_full", lambda i: t("common.row_label", name=watch["name"].iloc[i], code=watch["branch_id"].iloc[i]),
                            {c: t(f"col.{c}") for c in ("reasons", "flags", "persistent")})
        notice = partial(rectify_model.notice_list, data.results, data.rubrics, view.filters, t("col.persistent"),
                         *exports.language(data.rubrics))
        common.downloads(f"notice-{filename(period or '')}", "rect_dl", exports.frame_csv(notice),
                         exports.frame_xlsx(notice, t("rectify.title")))
    st.subheader(t("rectify.persistent"))
    if bundle.previous_period is None:
        st.caption(t("rectify.no_previous"))
    elif bundle.persistent.empty:
        st.caption(t("common.none"))
    else:
        common.table(renamed(bundle.persistent[[c for c in PERSISTENT_COLUMNS if c in bundle.persistent]], shown), "rect_persistent", height=320)


if __name__ == "__main__":
    render()
