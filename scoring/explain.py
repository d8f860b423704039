"""Explain results: where each branch lost points and which rules decided its grade, in Chinese."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from scoring.base import say
from scoring.conditions import describe
from scoring.engine import Reading, rescale
from scoring.methods import fmt_points
from scoring.reading import combined
from scoring.results import Results
from scoring.rubric import Band, Column, Indicator, Rubric, Standard
from scoring.rubricset import RubricSet
from scoring.rules import KINDS, Bands
from scoring.rules.base import EFFECTS

REASON_COLUMNS = ("row", "order", "kind", "item", "points", "text")
_LOST_EPS = 0.005


def display_value(column: Column | None, value: Any, lang: str = "zh") -> str:
    """A frame value shown as the user would type it (是/否, level names, percentages, units)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return render("value-blank", lang)
    if column is None or column.type == "text":
        return str(value)
    if column.type == "bool":
        return render("value-yes" if float(value) >= 0.5 else "value-no", lang)
    if column.type == "level":
        code = int(value)
        return column.levels[code] if 0 <= code < len(column.levels) else str(value)
    if column.type == "rate":
        return f"{float(value):.1%}"
    return f"{fmt_points(float(value))}{column.unit}"


# Reason texts are templates keyed by a stable code, rendered in the reader's language (Chinese by default).
TEMPLATES: dict[str, dict[str, str]] = {
    "lost": {"zh": "{section}·{indicator}：失 {lost} 分（得 {earned} 分）——{why}",
             "en": "{section} · {indicator}: lost {lost} (earned {earned}) — {why}"},
    "blank": {"zh": "未填写，不得分", "en": "not filled in, no points"},
    "source-value": {"zh": "{source}：{why}", "en": "{source}: {why}"},
    "source-blank": {"zh": "{source}未填（{policy}）", "en": "{source} blank ({policy})"},
    "policy-rescale": {"zh": "按其余来源的权重折算", "en": "the other sources are reweighted"},
    "policy-zero": {"zh": "该来源记 0 分", "en": "that source counts zero"},
    "na-rule": {"zh": "{section}·{indicator}：不适用（{condition}），{then}",
                "en": "{section} · {indicator}: not applicable ({condition}), {then}"},
    "na-typed": {"zh": "{section}·{indicator}：填报为“不适用”，{then}",
                 "en": "{section} · {indicator}: entered as not applicable, {then}"},
    "na-rescale": {"zh": "本标准按其余指标分值折算", "en": "the standard is rescaled over its other items"},
    "na-zero": {"zh": "本项记 0 分", "en": "the item scores 0"},
    "bonus": {"zh": "{section}·{indicator}：加 {points} 分（{value}）", "en": "{section} · {indicator}: +{points} ({value})"},
    "penalty": {"zh": "{section}·{indicator}：扣 {points} 分（{value}）", "en": "{section} · {indicator}: −{points} ({value})"},
    "grade": {"zh": "最终等次：{grade}", "en": "final grade: {grade}"},
    "not-applicable": {"zh": "不适用，{then}", "en": "not applicable, {then}"},
    **Bands.templates, **EFFECTS, **{code: text for kind in KINDS.values() for code, text in kind.templates.items()},
    "not-met": {"zh": "{condition}不成立", "en": "not ({condition})"},
    "value-blank": {"zh": "未填", "en": "blank"},
    "value-yes": {"zh": "是", "en": "yes"},
    "value-no": {"zh": "否", "en": "no"},
    "join": {"zh": "；", "en": "; "},
}


def render(code: str, lang: str = "zh", **fields: Any) -> str:
    """One reason text from its template, in Chinese or English."""
    return say(TEMPLATES, code, lang, **fields)


def _english(rubric: Rubric, lang: str) -> dict[str, str]:
    """The English names a rubric gives its standards, indicators and grades, when reasons are wanted in English."""
    if lang != "en":
        return {}
    items: list[Standard | Indicator | Band] = [*rubric.standards, *rubric.indicators(), *rubric.grading.bands]
    return {item.name: item.name_en for item in items if item.name_en}


def _entered(rubric: Rubric, ind: Indicator, inputs: pd.DataFrame, column: Column | None, lang: str = "zh") -> pd.Series:
    """What was entered for an indicator, per row (every source, with its name, when there are several)."""
    sources = rubric.sources_of()[ind.id]
    shown: list[pd.Series] = []
    for suffix, source in sources:
        for cid in ind.column_ids:
            if cid + suffix in inputs:
                text = inputs[cid + suffix].map(lambda v: display_value(column, v, lang))
                shown.append(text if len(sources) == 1 else f"{source.name} " + text)
    if not shown:
        return pd.Series(render("value-blank", lang), index=inputs.index)
    out = shown[0]
    for more in shown[1:]:
        out = out + render("join", lang) + more
    return out


def _why(rubric: Rubric, ind: Indicator, inputs: pd.DataFrame, lang: str) -> np.ndarray:
    """Per row, why an indicator earned what it did: the method's words for each source's value (NaN: nothing filled)."""
    sources = rubric.sources_of()[ind.id]
    level = ind.method.kind == "level"
    notes: dict[Any, str] = {}

    def said(value: float) -> str:
        if value not in notes:
            notes[value] = ind.method.explain(value, float(ind.method.score(np.array([value]), ind.points)[0]), ind.points, lang)
        return notes[value]

    values = [(source, v) for suffix, source in sources if (v := combined(ind, inputs, suffix, level)) is not None]
    out = np.full(len(inputs), np.nan, dtype=object)
    if not values:
        return out
    if len(values) == 1:
        one = values[0][1]
        filled = ~np.isnan(one)
        out[filled] = [said(v) for v in one[filled]]
        return out
    policy = render(f"policy-{rubric.blank_source}", lang)
    parts = [[render("source-blank", lang, source=s.name, policy=policy) if np.isnan(v)
              else render("source-value", lang, source=s.name, why=said(v)) for v in vs] for s, vs in values]
    filled = np.logical_or.reduce([~np.isnan(vs) for _, vs in values])
    joined = [render("join", lang).join(p) for p in zip(*parts)]
    out[filled] = np.array(joined, dtype=object)[filled]
    return out


def indicator_table(results: Results, rubrics: RubricSet, label: Any, lang: str = "zh") -> pd.DataFrame:
    """Every indicator of one branch: standard, points, maximum, what was entered and why points were lost."""
    row = results.branches.loc[[label]].iloc[0]
    rubric = rubrics.get(str(row["rubric"]))
    columns = rubric.input_columns()
    one = results.inputs.loc[[label]]
    read = Reading(rubric, one, results.not_applicable.loc[[label]])
    rows: list[dict[str, Any]] = []
    for std, ind, maximum in _scaled_maxima(rubric, read):
        earned = float(results.indicators.loc[[label], ind.id].iloc[0])
        why = _why(rubric, ind, one, lang)[0]
        entered = _entered(rubric, ind, one, columns.get(ind.column_id), lang).iloc[0]
        if np.isnan(maximum[0]) or (ind.not_applicable == "zero" and read.not_applicable(ind)[0]):
            note = render("not-applicable", lang, then=render("na-rescale" if np.isnan(maximum[0]) else "na-zero", lang))
        elif pd.isna(why):
            note = render("blank", lang)
        elif maximum[0] - earned > _LOST_EPS:
            note = str(why)
        else:
            note = ""
        rows.append({"标准": std, "指标": ind.name, "满分": maximum[0], "得分": earned, "填报值": entered, "说明": note})
    return pd.DataFrame(rows)


def _scaled_maxima(rubric: Rubric, read: Reading) -> Iterator[tuple[str, Indicator, np.ndarray]]:
    """Each indicator with its effective maximum per row after not-applicable rescaling (NaN when excluded)."""
    n = len(read.frame)
    for std in rubric.standards:
        excluded, _, factor = rescale(std, read)
        for ind, out in zip(std.indicators, excluded):
            yield std.name, ind, np.where(out, np.nan, ind.points * factor)
    for section in (rubric.bonus, rubric.penalty):
        for ind in section.indicators if section else ():
            yield section.name if section else "", ind, np.full(n, ind.points)


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


def reason_table(results: Results, rubrics: RubricSet, lang: str = "zh") -> pd.DataFrame:
    """One row per reason per branch, ordered: lost points (largest first), adjustments, then grading rules."""
    collected = _Reasons()
    rubric_of = results.branches["rubric"].astype(str).to_numpy()
    for rubric in rubrics.concrete:
        at = np.flatnonzero(rubric_of == rubric.id)
        if len(at):
            _rubric_reasons(results, rubric, at, collected, lang)
    return collected.frame(results.branches.index)


def reasons(results: Results, rubrics: RubricSet, label: Any, lang: str = "zh") -> list[str]:
    """The ordered reasons for one branch."""
    return reason_table(results.take(pd.Index([label])), rubrics, lang)["text"].tolist()


def _rubric_reasons(results: Results, rubric: Rubric, at: np.ndarray, out: _Reasons, lang: str) -> None:
    inputs = results.inputs.iloc[at]
    columns = rubric.input_columns()
    read = Reading(rubric, inputs, results.not_applicable.iloc[at])
    adjusted = {i.id: kind for kind, a in (("bonus", rubric.bonus), ("penalty", rubric.penalty)) if a for i in a.indicators}
    english = _english(rubric, lang)
    for section, ind, maximum in _scaled_maxima(rubric, read):
        earned = results.indicators[ind.id].to_numpy(dtype=float)[at]
        names = {"section": english.get(section, section), "indicator": english.get(ind.name, ind.name)}
        na = read.not_applicable(ind)
        if na.any():
            rule = ind.not_applicable_when or ind.applies_when
            then = render("na-zero" if ind.not_applicable == "zero" or ind.id in adjusted else "na-rescale", lang)
            if rule is not None:
                condition = describe(rule, columns, lang)
                condition = condition if ind.not_applicable_when else render("not-met", lang, condition=condition)
                text = [render("na-rule", lang, **names, condition=condition, then=then)] * int(na.sum())
            else:
                text = [render("na-typed", lang, **names, then=then)] * int(na.sum())
            out.add(at[na], 0, "na", ind.id, 0.0, text)
        if ind.id not in adjusted:
            lost = np.nan_to_num(maximum - np.nan_to_num(earned), nan=0.0)
            hit = (lost > _LOST_EPS) & ~na
            why = _why(rubric, ind, inputs.iloc[hit], lang) if hit.any() else np.array([], dtype=object)
            text = [render("lost", lang, **names, lost=fmt_points(x), earned=fmt_points(e),
                           why=render("blank", lang) if pd.isna(w) else w) for x, e, w in zip(lost[hit], earned[hit], why)]
            out.add(at[hit], 0, "lost", ind.id, lost[hit], text)
        else:
            hit = np.nan_to_num(earned) > _LOST_EPS
            entered: Any = _entered(rubric, ind, inputs.iloc[hit], columns.get(ind.column_id), lang).to_numpy() if hit.any() else []
            text = [render(adjusted[ind.id], lang, **names, points=fmt_points(p), value=v) for p, v in zip(earned[hit], entered)]
            out.add(at[hit], 1, adjusted[ind.id], ind.id, earned[hit], text)
    _grade_reasons(results, rubric, at, out, lang)


def _grade_reasons(results: Results, rubric: Rubric, at: np.ndarray, out: _Reasons, lang: str) -> None:
    """Band first, then each rule that fired, in the order the engine applies them, then the final grade."""
    totals = results.branches["total"].to_numpy(dtype=float)[at]
    band_grades = results.branches["band_grade"].astype(str).to_numpy()[at]
    english = _english(rubric, lang)
    out.add(at, 2, "band", "band", 0.0, rubric.grading.banding.explain(totals, band_grades, lang, english))
    columns = rubric.input_columns()
    for rule in rubric.grading.rules():
        if rule.id in results.rules:
            hit = at[results.rules[rule.id].to_numpy(dtype=bool)[at]]
            out.add(hit, 3, "rule", rule.id, 0.0, [rule.explain(columns, lang, english)] * len(hit))
    grades = results.branches["grade"].astype(str).to_numpy()[at]
    out.add(at, 4, "grade", "grade", 0.0, [render("grade", lang, grade=english.get(g, g)) for g in grades])
