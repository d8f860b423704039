"""排名 Ranking: a sortable, searchable table of the selection; selecting a row opens that branch."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from scoring.rubric import BRANCH_ID
from ui import cached, common, exports, state
from ui.data import Dataset
from ui.i18n import names, t, translate
from ui.model import ranking as ranking_model
from ui.model import select
from ui.model.names import renamed
from ui.model.view import Filters
from ui.safe import filename

LIMITS = (100, 500, 2000)
RANKING_ORDER = ["rank", "name", "total", "grade", "alert"]  # visible without scrolling at 1400 px; standards follow


def _standard_columns(ranking: ranking_model.Ranking, shown: dict[str, str]) -> dict[str, object]:
    """Each standard as a progress bar: points out of the standard's points, or a share when rubrics are mixed."""
    config: dict[str, object] = {}
    for sid, (zh, full) in ranking.standards.items():
        name = shown.get(zh, zh)
        title = t("col.standard_share", name=name) if ranking.as_share else name
        config[f"std:{sid}"] = st.column_config.ProgressColumn(title, min_value=0.0, max_value=float(full),
                                                               format="%.0f%%" if ranking.as_share else "%.1f")
    config["total"] = st.column_config.NumberColumn(t("col.total"), format="%.2f")
    return config


def _download(ranking: ranking_model.Ranking, shown: dict[str, str], lang: str | None = None) -> pd.DataFrame:
    """The ranking as a file: every matching row, headers and names in `lang` (the current language unless given)."""
    lang = lang or state.lang()
    headers = common.headers(ranking.frame.columns, lang)
    for sid, (zh, _) in ranking.standards.items():
        name = shown.get(zh, zh)
        headers[f"std:{sid}"] = translate("col.standard_share", lang, name=name) if ranking.as_share else name
    return select.labelled(renamed(ranking.frame, shown), headers)


def render() -> None:
    """Draw the ranking page."""
    st.title(t("ranking.title"))
    _table(state.dataset(), state.view().filters)


@st.fragment
def _table(data: Dataset, filters: Filters) -> None:
    """Search, sort and the table: changing them reruns only this part (the filters and charts stay as they are)."""
    top = st.columns([3, 2, 1])
    query = top[0].text_input(t("ranking.search"), key="rank_q", max_chars=100)
    sorts = {s: t(f"sort.{s}") for s in ranking_model.SORTS}
    sort = top[1].selectbox(t("ranking.sort"), list(sorts), key="rank_sort", format_func=sorts.__getitem__)
    state.seed("rank_limit", LIMITS[1])
    limit = top[2].selectbox(t("ranking.limit"), LIMITS, key="rank_limit")
    with st.spinner(t("progress.ranking", rows=f"{len(data.results):,}")):  # shown only past half a second
        ranking = cached.ranking(data.key, filters, query, sort, limit, state.lang(), data)
    if ranking.frame.empty:
        st.info(t("common.empty"))
        return
    st.caption(t("ranking.matched", matched=f"{ranking.matched:,}", shown=f"{len(ranking.frame):,}"))
    if ranking.as_share:
        st.caption(t("ranking.share_note"))
    shown = names(data.rubrics)
    first = [c for c in RANKING_ORDER if c in ranking.frame]
    order = [*first, *(c for c in ranking.frame.columns if c.startswith("std:")), "flags",
             *(c for c in ranking.frame.columns if c not in first and not c.startswith("std:") and c != "flags")]
    event = common.table(renamed(ranking.frame, shown), "rank_table", _standard_columns(ranking, shown), on_select="rerun",
                         selection_mode="single-row", height=560, column_order=order)
    st.subheader(t("ranking.download"))

    lang = state.lang()  # taken now: the file is built on a click, outside the run

    def table() -> pd.DataFrame:  # every matching row, built only when a button is clicked
        return _download(cached.ranking(data.key, filters, query, sort, None, lang, data), shown, lang)

    common.downloads(f"ranking-{filename(filters.period or 'latest')}", "rank_dl", exports.frame_csv(table),
                     exports.frame_xlsx(table, t("ranking.title")))
    rows = event.selection.rows if event is not None else []
    if rows:
        state.update(branch=str(ranking.frame[BRANCH_ID].iloc[rows[0]]))
        state.force(state.BRANCH_KEY, state.view().branch)
        st.switch_page("ui/screens/branch.py")


if __name__ == "__main__":
    render()
