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
from scoring.rubric import Column, Indicator, Rubric, Source, Standard
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


def reason_table(results: Results, rubrics: RubricSet) -> pd.DataFrame:
    """One row per reason per branch, ordered: lost points (largest first), adjustments, then grading rules."""
    parts = [_rubric_reasons(results, rubric, results.branches.index[results.branches["rubric"] == rubric.id])
             for rubric in rubrics.concrete if (results.branches["rubric"] == rubric.id).any()]
    if not parts:
        return pd.DataFrame(columns=list(REASON_COLUMNS))
    table = pd.concat(parts, ignore_index=True)
    position = pd.Series(np.arange(len(results.branches)), index=results.branches.index)
    table["_pos"] = position.loc[table["row"]].to_numpy()
    table = table.sort_values(["_pos", "order", "points"], ascending=[True, True, False], kind="stable")
    return table.drop(columns="_pos").reset_index(drop=True)


def reasons(results: Results, rubrics: RubricSet, label: Any) -> list[str]:
    """The ordered reasons for one branch."""
    one = results.take(pd.Index([label]))
    return reason_table(one, rubrics)["text"].tolist()


def _rubric_reasons(results: Results, rubric: Rubric, rows: pd.Index) -> pd.DataFrame:
    inputs = results.inputs.loc[rows]
    columns = rubric.input_columns()
    pieces: list[pd.DataFrame] = []
    names = {i.id: s for s in rubric.standards for i in s.indicators}
    for std_name, ind, maximum in _scaled_maxima(rubric, results.not_applicable.loc[rows]):
        earned = results.indicators.loc[rows, ind.id].to_numpy(dtype=float)
        value = _primary(rubric, ind, inputs)
        if ind.id in names:
            lost = np.nan_to_num(maximum - np.nan_to_num(earned), nan=0.0)
            hit = lost > _LOST_EPS
            pieces.append(_loss_rows(rows[hit], ind, std_name, names[ind.id], lost[hit], earned[hit], value[hit]))
        else:
            hit = np.nan_to_num(earned) > _LOST_EPS
            kind = "bonus" if std_name == "加分项" else "penalty"
            verb = "加" if kind == "bonus" else "扣"
            text = [f"{std_name}·{ind.name}：{verb} {fmt_points(p)} 分（{display_value(columns.get(ind.column_id), v)}）"
                    for p, v in zip(earned[hit], value[hit])]
            pieces.append(_frame(rows[hit], 1, kind, ind.id, earned[hit], text))
    pieces.extend(_grade_rows(results, rubric, rows))
    return pd.concat([p for p in pieces if len(p)], ignore_index=True) if any(len(p) for p in pieces) else pd.DataFrame(columns=list(REASON_COLUMNS))


def _loss_rows(rows: pd.Index, ind: Indicator, std_name: str, std: Standard, lost: np.ndarray,
               earned: np.ndarray, value: pd.Series) -> pd.DataFrame:
    notes = {v: ind.method.explain(v, float(ind.method.score(np.array([float(v)]), ind.points)[0]), ind.points)
             for v in value.dropna().unique()}
    text = [f"{std_name}·{ind.name}：失 {fmt_points(x)} 分（得 {fmt_points(e)} 分）——" + ("未填写，不得分" if pd.isna(v) else notes[v])
            for x, e, v in zip(lost, earned, value)]
    return _frame(rows, 0, "lost", ind.id, lost, text)


def _frame(rows: pd.Index, order: int, kind: str, item: str, points: np.ndarray, text: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"row": rows, "order": order, "kind": kind, "item": item, "points": points, "text": text})


def _grade_rows(results: Results, rubric: Rubric, rows: pd.Index) -> Iterator[pd.DataFrame]:
    """Band first, then each rule that fired, in the order the engine applies them."""
    branches = results.branches.loc[rows]
    bands = rubric.grading.bands
    line = {b.name: f"{fmt_points(b.min)} 分及以上" for b in bands}
    if len(bands) > 1:
        line[bands[-1].name] = f"低于 {fmt_points(bands[-2].min)} 分"
    band_text = [f"总分 {fmt_points(t)} 分，按分数线评为“{g}”（{line[g]}）" for t, g in zip(branches["total"], branches["band_grade"])]
    yield _frame(rows, 2, "band", "band", np.zeros(len(rows)), band_text)
    columns = rubric.input_columns()
    g = rubric.grading
    effects: list[tuple[str, str]] = [(d.id, f"{d.reason}，定为“{d.grade}”") for d in g.direct]
    effects += [(f.id, f"{f.reason or '标准得分低于底线'}（低于 {f.min_share:.0%}），最高评为“{f.cap}”") for f in g.floors]
    effects += [(v.id, f"{v.reason}（{describe(v.when, columns)}）{_veto_effect(v.force, v.cap, v.flag)}") for v in g.vetoes]
    effects += [(q.id, f"{q.reason or '先进比例限制'}：超出名额，由“{q.grade}”调整为下一等次") for q in g.quotas]
    effects += [(b.id, f"{b.reason}" + (f"，定为“{b.force}”" if b.force else "") + (f"，标记“{b.flag}”" if b.flag else "")) for b in g.bottom]
    for rule_id, text in effects:
        if rule_id in results.rules:
            hit = results.rules.loc[rows, rule_id].to_numpy(dtype=bool)
            yield _frame(rows[hit], 3, "rule", rule_id, np.zeros(int(hit.sum())), [text] * int(hit.sum()))
    final = [f"最终等次：{g}" for g in branches["grade"]]
    yield _frame(rows, 4, "grade", "grade", np.zeros(len(rows)), final)


def _veto_effect(force: str | None, cap: str | None, flag: str | None) -> str:
    parts = ([f"，定为“{force}”"] if force else []) + ([f"，最高评为“{cap}”"] if cap else []) + ([f"，标记“{flag}”"] if flag else [])
    return "".join(parts)

