"""The workbench's what-if views: impact sentences, grade mix before and after, changed branches, a threshold sweep."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import streamlit as st

from scoring.rubricset import RubricSet
from scoring.whatif import Comparison, threshold_sweep, what_if
from ui import common, state
from ui.charts import CONFIG
from ui.data import Dataset, rubric_key
from ui.i18n import names, t
from ui.model import workbench as wb
from ui.safe import md
from ui.workbench_charts import sweep_figure

T = TypeVar("T")
_MEMO = "_wb_memo"


def memo(name: str, key: Hashable, build: Callable[[], T]) -> T:
    """The last value built under `name` in this session if its key is unchanged, else a new one (one entry per name)."""
    kept: dict[str, tuple[Hashable, Any]] = st.session_state.setdefault(_MEMO, {})
    if name not in kept or kept[name][0] != key:
        kept[name] = (key, build())
    return kept[name][1]


def comparison(data: Dataset, draft: RubricSet) -> Comparison:
    """The draft scored beside the adopted rubrics on the data being viewed (once per draft)."""
    results = data.results
    return memo("compare", (data.key, rubric_key(draft)),
                lambda: what_if(results.inputs, data.rubrics, draft, results.not_applicable, before=results))


def show(data: Dataset, draft: RubricSet, rubric_id: str) -> Comparison:
    """Draw the what-if of a valid draft: what bound the results, the grade mix, the changed branches and a sweep."""
    with st.spinner(t("wb.computing")):
        found = comparison(data, draft)
    st.markdown(f"**{t('wb.impact')}**")
    lines = wb.impact_lines(found.impacts, {r.id: r.name for r in draft.rubrics}, state.lang())
    for line in lines:
        st.info(md(line, 600), icon=":material/lightbulb:")
    if not lines:
        st.caption(t("wb.no_impact"))
    st.metric(t("wb.changed_count"), f"{len(found.changes):,}")
    fields, townships, changed, sweep = st.tabs([t("wb.by_field"), t("wb.by_township"), t("wb.changed"), t("wb.sweep")])
    labels = {"before": t("wb.before"), "after": t("wb.after"), "change": t("wb.change")}
    shown = names(draft)
    with fields:
        common.table(wb.named(wb.mix_rows(found.by_field, False), shown), "wb_mix_field", labels)
    with townships:
        only = st.toggle(t("wb.changed_only"), value=True, key="wb_mix_changed_only")
        common.table(wb.named(wb.mix_rows(found.by_township, only), shown), "wb_mix_township", labels)
    with changed:
        frame = wb.named(wb.changes_table(found.changes), shown)
        if frame.empty:
            st.caption(t("wb.no_changes"))
        else:
            common.table(frame, "wb_changes", {"total_before": t("wb.total_before"), "total_after": t("wb.total_after"),
                                               "grade_before": t("wb.grade_before"), "grade_after": t("wb.grade_after"),
                                               "move": t("wb.move"), "reason": t("wb.rule")})
    with sweep:
        _sweep(data, draft, rubric_id, found)
    return found


def _sweep(data: Dataset, draft: RubricSet, rubric_id: str, found: Comparison) -> None:
    """Grade counts as one line of the draft moves, with the draft's value marked."""
    rubric = draft.get(rubric_id)
    grades = wb.sweep_grades(rubric)
    if not grades:
        return
    left, right = st.columns(2)
    grade = left.selectbox(t("wb.sweep_grade"), grades, key=f"wb_sweep_grade_{rubric_id}")
    frame = memo("sweep", (data.key, rubric_key(draft), rubric_id, grade),
                 lambda: threshold_sweep(found.after, draft, rubric_id, grade))
    if frame.empty:
        st.caption(t("wb.sweep_empty"))
        return
    periods = sorted(frame["period"].dropna().unique(), reverse=True) if "period" in frame else []
    period = right.selectbox(t("filter.period"), periods, key=f"wb_sweep_period_{rubric_id}") if periods else None
    series = wb.sweep_series(frame, period)
    current = float(series.loc[series["current"], "threshold"].iloc[0]) if series["current"].any() else None
    st.plotly_chart(sweep_figure(series, list(rubric.grade_names()), t("wb.sweep_title", grade=grade),
                                 t("wb.sweep_x"), t("wb.sweep_y"), current, t("wb.sweep_current")),
                    key="wb_sweep_chart", config=CONFIG)
    st.caption(t("wb.sweep_help"))

