"""Explain results: where each branch lost points and which rules decided its grade, in Chinese."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from scoring.conditions import describe
from scoring.engine import rescale, source_key
from scoring.methods import fmt_points
from scoring.results import Results
from scoring.rubric import Column, Indicator, Rubric, Source
from scoring.rubricset import RubricSet

REASON_COLUMNS = ("row", "order", "kind", "item", "points", "text")
_LOST_EPS = 0.005


def display_value(column: Column | None, value: Any) -> str:
    """A frame value shown as the user would type it (是/否, level names, percentages, units)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "未填"
    if column is None or column.type == "text":
        return str(value)
    if column.type == "bool":
        return "是" if float(value) >= 0.5 else "否"
    if column.type == "level":
        code = int(value)
        return column.levels[code] if 0 <= code < len(column.levels) else str(value)
    if column.type == "rate":
        return f"{float(value):.1%}"
    return f"{fmt_points(float(value))}{column.unit}"


def _sources(rubric: Rubric) -> tuple[Source, ...]:
    return rubric.sources or (Source(id="main", name="", weight=1.0),)


def _entered(rubric: Rubric, ind: Indicator, inputs: pd.DataFrame, column: Column | None) -> pd.Series:
    """What was entered for an indicator, per row (every source, with its name, when there are several)."""
    sources = _sources(rubric)
    shown: list[pd.Series] = []
    for position, source in enumerate(sources):
        key = source_key(ind.column_id, source, position)
        if key in inputs:
            text = inputs[key].map(lambda v: display_value(column, v))
            shown.append(text if len(sources) == 1 else f"{source.name} " + text)
    if not shown:
        return pd.Series("未填", index=inputs.index)
    out = shown[0]
    for more in shown[1:]:
        out = out + "；" + more
    return out


def _primary(rubric: Rubric, ind: Indicator, inputs: pd.DataFrame) -> pd.Series:
    """The value the method explains: the first source that has one."""
    keys = [k for p, s in enumerate(_sources(rubric)) if (k := source_key(ind.column_id, s, p)) in inputs]
    if not keys:
        return pd.Series(np.nan, index=inputs.index)
    values = inputs[keys[0]]
    for key in keys[1:]:
        values = values.fillna(inputs[key])
    return values


def indicator_table(results: Results, rubrics: RubricSet, label: Any) -> pd.DataFrame:
    """Every indicator of one branch: standard, points, maximum, what was entered and why points were lost."""
    row = results.branches.loc[[label]].iloc[0]
    rubric = rubrics.get(str(row["rubric"]))
    columns = rubric.input_columns()
    one = results.inputs.loc[[label]]
    rows: list[dict[str, Any]] = []
    for std, ind, maximum in _scaled_maxima(rubric, results.not_applicable.loc[[label]]):
        earned = float(results.indicators.loc[[label], ind.id].iloc[0])
        value = _primary(rubric, ind, one).iloc[0]
        entered = _entered(rubric, ind, one, columns.get(ind.column_id)).iloc[0]
        if np.isnan(maximum[0]):
            note = "不适用，本标准按比例折算"
        elif pd.isna(value):
            note = "未填写，不得分"
        elif maximum[0] - earned > _LOST_EPS:
            note = ind.method.explain(value, earned, ind.points)
        else:
            note = ""
        rows.append({"标准": std, "指标": ind.name, "满分": maximum[0], "得分": earned, "填报值": entered, "说明": note})
    return pd.DataFrame(rows)


def _scaled_maxima(rubric: Rubric, na: pd.DataFrame) -> Iterator[tuple[str, Indicator, np.ndarray]]:
    """Each indicator with its effective maximum per row after not-applicable rescaling (NaN when excluded)."""
    n = len(na)
    for std in rubric.standards:
        excluded, _, factor = rescale(std, na, n)
        for ind, out in zip(std.indicators, excluded):
            yield std.name, ind, np.where(out, np.nan, ind.points * factor)
    for section, name in ((rubric.bonus, "加分项"), (rubric.penalty, "减分项")):
        for ind in section.indicators if section else ():
            yield name, ind, np.full(n, ind.points)


class _Reasons:
    """Reason rows collected as plain arrays and turned into one frame at the end (no small frames)."""

    def __init__(self) -> None:
        self.parts: dict[str, list[Any]] = {c: [] for c in ("at", *REASON_COLUMNS[1:])}

    def add(self, at: np.ndarray, order: int, kind: str, item: str, points: np.ndarray | float, text: list[str]) -> None:
        """Rows `at` (positions in the results) each get one reason."""
        if len(at):
            self.parts["at"].append(at)
            self.parts["order"].append(np.full(len(at), order))
            self.parts["kind"].append(np.full(len(at), kind, dtype=object))
            self.parts["item"].append(np.full(len(at), item, dtype=object))
            self.parts["points"].append(np.broadcast_to(np.asarray(points, dtype=float), len(at)))
            self.parts["text"].append(np.array(text, dtype=object))

    def frame(self, index: pd.Index) -> pd.DataFrame:
        """The reasons in branch order, then by kind, then by points lost (largest first)."""
        if not self.parts["at"]:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in REASON_COLUMNS})
        cols = {k: np.concatenate(v) for k, v in self.parts.items()}
        order = np.lexsort((-cols["points"], cols["order"], cols["at"]))
        table = pd.DataFrame({"row": index[cols["at"][order]], **{k: cols[k][order] for k in REASON_COLUMNS[1:]}})
        table["order"] = table["order"].astype(np.int64)
        return table


def reason_table(results: Results, rubrics: RubricSet) -> pd.DataFrame:
    """One row per reason per branch, ordered: lost points (largest first), adjustments, then grading rules."""
    collected = _Reasons()
    rubric_of = results.branches["rubric"].astype(str).to_numpy()
    for rubric in rubrics.concrete:
        at = np.flatnonzero(rubric_of == rubric.id)
        if len(at):
            _rubric_reasons(results, rubric, at, collected)
    return collected.frame(results.branches.index)


def reasons(results: Results, rubrics: RubricSet, label: Any) -> list[str]:
    """The ordered reasons for one branch."""
    return reason_table(results.take(pd.Index([label])), rubrics)["text"].tolist()


def _rubric_reasons(results: Results, rubric: Rubric, at: np.ndarray, out: _Reasons) -> None:
    inputs = results.inputs.iloc[at]
    columns = rubric.input_columns()
    standard_of = {i.id for s in rubric.standards for i in s.indicators}
    for std_name, ind, maximum in _scaled_maxima(rubric, results.not_applicable.iloc[at]):
        earned = results.indicators[ind.id].to_numpy(dtype=float)[at]
        value = _primary(rubric, ind, inputs).to_numpy(dtype=object)
        if ind.id in standard_of:
            lost = np.nan_to_num(maximum - np.nan_to_num(earned), nan=0.0)
            hit = lost > _LOST_EPS
            notes = {v: ind.method.explain(v, float(ind.method.score(np.array([float(v)]), ind.points)[0]), ind.points)
                     for v in pd.unique(value[hit]) if not pd.isna(v)}
            text = [f"{std_name}·{ind.name}：失 {fmt_points(x)} 分（得 {fmt_points(e)} 分）——"
                    + ("未填写，不得分" if pd.isna(v) else notes[v]) for x, e, v in zip(lost[hit], earned[hit], value[hit])]
            out.add(at[hit], 0, "lost", ind.id, lost[hit], text)
        else:
            hit = np.nan_to_num(earned) > _LOST_EPS
            kind, verb = ("bonus", "加") if std_name == "加分项" else ("penalty", "扣")
            text = [f"{std_name}·{ind.name}：{verb} {fmt_points(p)} 分（{display_value(columns.get(ind.column_id), v)}）"
                    for p, v in zip(earned[hit], value[hit])]
            out.add(at[hit], 1, kind, ind.id, earned[hit], text)
    _grade_reasons(results, rubric, at, out)


def _grade_reasons(results: Results, rubric: Rubric, at: np.ndarray, out: _Reasons) -> None:
    """Band first, then each rule that fired, in the order the engine applies them, then the final grade."""
    totals = results.branches["total"].to_numpy(dtype=float)[at]
    band_grades = results.branches["band_grade"].astype(str).to_numpy()[at]
    bands = rubric.grading.bands
    line = {b.name: f"{fmt_points(b.min)} 分及以上" for b in bands}
    if len(bands) > 1:
        line[bands[-1].name] = f"低于 {fmt_points(bands[-2].min)} 分"
    out.add(at, 2, "band", "band", 0.0, [f"总分 {fmt_points(t)} 分，按分数线评为“{g}”（{line[g]}）" for t, g in zip(totals, band_grades)])
    columns = rubric.input_columns()
    g = rubric.grading
    effects: list[tuple[str, str]] = [(d.id, f"{d.reason}，定为“{d.grade}”") for d in g.direct]
    effects += [(f.id, f"{f.reason or '标准得分低于底线'}（低于 {f.min_share:.0%}），最高评为“{f.cap}”") for f in g.floors]
    effects += [(v.id, f"{v.reason}（{describe(v.when, columns)}）{_veto_effect(v.force, v.cap, v.flag)}") for v in g.vetoes]
    effects += [(q.id, f"{q.reason or '先进比例限制'}：超出名额，由“{q.grade}”调整为下一等次") for q in g.quotas]
    effects += [(b.id, f"{b.reason}" + (f"，定为“{b.force}”" if b.force else "") + (f"，标记“{b.flag}”" if b.flag else "")) for b in g.bottom]
    for rule_id, text in effects:
        if rule_id in results.rules:
            hit = at[results.rules[rule_id].to_numpy(dtype=bool)[at]]
            out.add(hit, 3, "rule", rule_id, 0.0, [text] * len(hit))
    out.add(at, 4, "grade", "grade", 0.0, [f"最终等次：{g}" for g in results.branches["grade"].astype(str).to_numpy()[at]])


def _veto_effect(force: str | None, cap: str | None, flag: str | None) -> str:
    parts = ([f"，定为“{force}”"] if force else []) + ([f"，最高评为“{cap}”"] if cap else []) + ([f"，标记“{flag}”"] if flag else [])
    return "".join(parts)

