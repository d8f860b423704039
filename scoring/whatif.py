"""What-if: score a draft rubric set beside the adopted one on the same data, and say which rule bound each result.

Only what an edit can change is recomputed: rubrics equal to the adopted ones keep their results, rubrics whose
difference lies in grading alone are regraded from the points already computed, and the rest are scored anew.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.engine import score
from scoring.grading import grade
from scoring.results import SCORE_COLUMNS, Results
from scoring.rubric import BRANCH_ID, FIELD, NAME, PERIOD, Rubric
from scoring.rubricset import RubricSet

BAND = "band"  # the rule id used when the score bands themselves decided a grade
POINTS = "points"  # the rule id used when a grade moved because the total moved within unchanged bands
TOWNSHIP = "township"
_IDENTITY = (BRANCH_ID, NAME, FIELD, TOWNSHIP, "parent", PERIOD)
_LOWERS = ("cap", "force", "max_share")  # attributes of grading rules that can lower a grade
_NAMED = 2  # rules named one by one in an impact sentence beyond the main one


@dataclass(frozen=True)
class RuleInfo:
    """What a grading rule does to grades ("lower", "raise" or "flag") and the reason it gives."""

    id: str
    effect: str
    reason: str
    rule: Any


@dataclass(frozen=True)
class Hold:
    """Branches that reached a grade's line but were held below it by one rule."""

    rule: str
    reason: str
    count: int


@dataclass(frozen=True)
class Impact:
    """For one rubric, period and grade: how many reach the grade's line and how many get it, before and after."""

    rubric: str
    period: str | None
    grade: str
    threshold_before: float | None
    threshold_after: float | None
    reached_before: int
    reached_after: int
    final_before: int
    final_after: int
    held: tuple[Hold, ...]
    raised: int
    text: str


@dataclass(frozen=True)
class Comparison:
    """The adopted and the draft results on the same rows, and what differs between them."""

    before: Results
    after: Results
    by_field: pd.DataFrame
    by_township: pd.DataFrame
    changes: pd.DataFrame
    impacts: tuple[Impact, ...]
    reused: tuple[str, ...]
    regraded: tuple[str, ...]
    rescored: tuple[str, ...]


def what_if(frame: pd.DataFrame, adopted: RubricSet, draft: RubricSet, not_applicable: pd.DataFrame | None = None,
            before: Results | None = None) -> Comparison:
    """Score `draft` beside `adopted` (whose results may be passed in) and compare grades, changes and impacts."""
    before = score(frame, adopted, not_applicable) if before is None else before
    after, plan = rescore(frame, adopted, draft, before, not_applicable)
    common, b, a = _sides(before, after, adopted, draft)
    return Comparison(
        before, after, grade_mix(before, after, FIELD), grade_mix(before, after, TOWNSHIP),
        _changes(before, b, a, common, adopted, draft), _impacts(b, a, adopted, draft),
        *(tuple(r for r, how in plan.items() if how == kind) for kind in ("reused", "regraded", "rescored")),
    )


# ---------------------------------------------------------------------------------------------------------------
# Scoring only what an edit can change


def rescore(frame: pd.DataFrame, adopted: RubricSet, draft: RubricSet, before: Results,
            not_applicable: pd.DataFrame | None = None) -> tuple[Results, dict[str, str]]:
    """The draft's results on `frame`, reusing `before` where the draft cannot change them; and per rubric how."""
    if not _same_rows(adopted, draft):
        return score(frame, draft, not_applicable), {r.id: "rescored" for r in draft.concrete}
    plan: dict[str, str] = {}
    parts: list[tuple[np.ndarray, Results, bool]] = []
    by_rubric = rows_by_rubric(before)
    for new in draft.concrete:
        old = adopted.get(new.id)
        if new == old:
            plan[new.id] = "reused"
            continue
        rows = by_rubric.get(new.id, np.zeros(0, dtype=np.int64))
        part = before.take(before.branches.index[rows])
        points_kept = _grading_only(old, new)
        plan[new.id] = "regraded" if points_kept else "rescored"
        parts.append((rows, regrade(new, part) if points_kept else score(part.inputs, draft, part.not_applicable), points_kept))
    return _overlay(before, parts), plan


def _same_rows(adopted: RubricSet, draft: RubricSet) -> bool:
    """Whether every row goes to a rubric of the same id and is rated or skipped as before."""
    def key(rs: RubricSet) -> list[tuple[Any, ...]]:
        return [(r.id, r.fields, r.skip) for r in rs.concrete]
    return key(adopted) == key(draft)


def _grading_only(old: Rubric, new: Rubric) -> bool:
    """Whether two rubrics differ in grading rules alone (not in points, and not in alerts, which need points)."""
    return (new.model_copy(update={"grading": old.grading}) == old
            and new.grading.alerts == old.grading.alerts and new.grade_names() == old.grade_names())


def regrade(rubric: Rubric, part: Results) -> Results:
    """Rows of one rubric graded again from their points (alerts kept: they depend on points only)."""
    graded = grade(rubric, _grading_frame(rubric, part.inputs), part.standards[[s.id for s in rubric.standards]],
                   part.branches["total"].to_numpy(dtype=float), np.zeros(len(part), dtype=np.int64))
    branches = part.branches.copy()
    for name, values in graded.columns.items():
        if name != "alert":
            branches[name] = values
    return Results(branches, part.indicators, part.standards, graded.rules, graded.flags, part.inputs,
                   part.not_applicable, part.unscored)


def _grading_frame(rubric: Rubric, inputs: pd.DataFrame) -> pd.DataFrame:
    """The input columns grading reads; columns only used to group or order rows become integer codes (same order)."""
    tested = set(_values_of(rubric.grading.model_dump(), "column"))
    keys = {BRANCH_ID, PERIOD, rubric.grading.rank_by, *_values_of(rubric.grading.model_dump(), "group_by")}
    out: dict[str, Any] = {}
    for name in inputs.columns:
        if name in tested:
            out[name] = inputs[name]
        elif name in keys:
            out[name] = pd.factorize(inputs[name], sort=True)[0]
    return pd.DataFrame(out, index=inputs.index)


def _values_of(tree: Any, key: str) -> Iterator[str]:
    """Every string value under `key` anywhere in a plain tree."""
    if isinstance(tree, dict):
        for k, v in tree.items():
            if k == key and isinstance(v, str):
                yield v
            yield from _values_of(v, key)
    elif isinstance(tree, (list, tuple)):
        for v in tree:
            yield from _values_of(v, key)


def _overlay(before: Results, parts: list[tuple[np.ndarray, Results, bool]]) -> Results:
    """`before` with some rows' results replaced (row positions, their results, whether their points were kept)."""
    if not parts:
        return before
    index = before.branches.index
    aligned = [(at, p if p.branches.index.equals(index[at]) else p.take(index[at]), kept) for at, p, kept in parts]
    branches = before.branches.copy()
    for name in SCORE_COLUMNS:
        if name in branches:
            branches[name] = _overlay_column(branches[name], [(at, p.branches[name]) for at, p, _ in aligned if name in p.branches])
    rescored = [(at, p) for at, p, kept in aligned if not kept]

    def table(name: str, fill: float | bool, among: list[tuple[np.ndarray, Results]]) -> pd.DataFrame:
        return _overlay_table(getattr(before, name), [(at, getattr(p, name)) for at, p in among], fill)

    every = [(at, p) for at, p, _ in aligned]
    return Results(branches, table("indicators", np.nan, rescored), table("standards", np.nan, rescored),
                   table("rules", False, every), table("flags", False, every), before.inputs, before.not_applicable,
                   before.unscored)


def _overlay_table(base: pd.DataFrame, parts: list[tuple[np.ndarray, pd.DataFrame]], fill: float | bool) -> pd.DataFrame:
    """A frame of one dtype (points or hits) with some rows replaced; columns are the union, missing cells `fill`."""
    if not parts:
        return base
    columns = base.columns.append(pd.Index([c for _, p in parts for c in p.columns])).unique()
    dtype = bool if isinstance(fill, bool) else float
    values = base.reindex(columns=columns, fill_value=fill).to_numpy(dtype=dtype, copy=True)
    for at, part in parts:
        values[at] = part.reindex(columns=columns, fill_value=fill).to_numpy(dtype=dtype)
    return pd.DataFrame(values, index=base.index, columns=columns, copy=False)


def _overlay_column(base: pd.Series, parts: list[tuple[np.ndarray, pd.Series]]) -> pd.Series:
    """One column with some rows replaced, keeping categorical columns categorical where the categories agree."""
    if isinstance(base.dtype, pd.CategoricalDtype) and all(p.dtype == base.dtype for _, p in parts):
        codes = base.cat.codes.to_numpy(copy=True)
        for at, part in parts:
            codes[at] = part.cat.codes.to_numpy()
        return pd.Series(pd.Categorical.from_codes(codes, dtype=base.dtype), index=base.index, name=base.name)
    numeric = pd.api.types.is_numeric_dtype(base.dtype) and all(pd.api.types.is_numeric_dtype(p.dtype) for _, p in parts)
    values = base.to_numpy(dtype=float if numeric else object, copy=True)
    for at, part in parts:
        values[at] = part.to_numpy(dtype=float if numeric else object)
    out = pd.Series(values, index=base.index, name=base.name)
    return out.astype(base.dtype) if numeric and pd.api.types.is_integer_dtype(base.dtype) else out


# ---------------------------------------------------------------------------------------------------------------
# Rules as the comparison sees them


def rule_table(rubric: Rubric) -> dict[str, RuleInfo]:
    """Every grading rule with an id, in the order grading applies them, with its effect on grades."""
    out: dict[str, RuleInfo] = {}
    grading = rubric.grading
    for name in type(grading).model_fields:
        value = getattr(grading, name)
        for rule in value if isinstance(value, tuple) else ():
            if not hasattr(rule, "id"):
                continue
            if any(getattr(rule, a, None) is not None for a in _LOWERS):
                effect = "lower"
            elif getattr(rule, "grade", None) is not None:
                effect = "raise"
            else:
                effect = "flag"
            out[rule.id] = RuleInfo(rule.id, effect, str(getattr(rule, "reason", "") or rule.id), rule)
    return out


def deciding_rule(results: Results, rubrics: RubricSet) -> np.ndarray:
    """Per row, the rule that set its grade: the last rule that lowered it, else one that raised it, else the bands."""
    names: list[str] = [BAND]
    code = np.zeros(len(results), dtype=np.int64)
    if not len(results):
        return np.array(names, dtype=object)[code]
    by_rubric = rows_by_rubric(results)
    hits_all = results.rules.to_numpy(dtype=bool)
    column = {name: i for i, name in enumerate(results.rules.columns)}
    for rubric in rubrics.concrete:
        rows = by_rubric.get(rubric.id, np.zeros(0, dtype=np.int64))
        if not len(rows):
            continue
        table = rule_table(rubric)
        for effect in ("raise", "lower"):  # later effects win: a rule that lowered after a raise decided
            ids = [i for i, info in table.items() if info.effect == effect and i in column]
            if not ids:
                continue
            hits = hits_all[np.ix_(rows, np.array([column[i] for i in ids], dtype=np.int64))]
            last = len(ids) - 1 - np.argmax(hits[:, ::-1], axis=1)
            code[rows] = np.where(hits.any(axis=1), len(names) + last, code[rows])
            names.extend(ids)
    return np.array(names, dtype=object)[code]


def rows_by_rubric(results: Results) -> dict[str, np.ndarray]:
    """Row positions per rubric id (one factorize of the rubric column)."""
    codes, uniques = pd.factorize(results.branches["rubric"])
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    return {str(u): order[bounds[i]:bounds[i + 1]] for i, u in enumerate(uniques)}


def labels(series: pd.Series) -> np.ndarray:
    """The values of a (categorical) column as an object array of str (None where missing), without a string copy per row."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes, uniques = series.cat.codes.to_numpy(), series.cat.categories
    else:
        codes, uniques = pd.factorize(series)
    return np.array([*(str(u) for u in uniques), None], dtype=object)[codes]


@dataclass(frozen=True)
class _Side:
    """One side of a comparison as plain arrays, aligned with the compared rows."""

    rubric: np.ndarray
    band: np.ndarray
    grade: np.ndarray
    level: np.ndarray
    band_level: np.ndarray
    total: np.ndarray
    period: np.ndarray
    decided: np.ndarray

    @classmethod
    def of(cls, results: Results, rubrics: RubricSet, index: pd.Index) -> _Side:
        same = index.equals(results.branches.index)
        at = np.arange(len(index)) if same else results.branches.index.get_indexer(index)
        b = results.branches if same else results.branches.iloc[at]
        rubric, band = labels(b["rubric"]), labels(b["band_grade"])
        band_level = np.zeros(len(b), dtype=np.int64)
        by_rubric = rows_by_rubric(results)
        for r in rubrics.concrete:
            rows = by_rubric.get(r.id, np.zeros(0, dtype=np.int64))
            if not same:
                rows = np.flatnonzero(rubric == r.id)
            codes, uniques = pd.factorize(band[rows])
            band_level[rows] = np.array([r.grade_level(g) for g in uniques], dtype=np.int64)[codes] if len(codes) else 0
        period = labels(b[PERIOD]) if PERIOD in b else np.full(len(b), None, dtype=object)
        return cls(rubric, band, labels(b["grade"]), b["level"].to_numpy(dtype=np.int64), band_level,
                   b["total"].to_numpy(dtype=float), period, deciding_rule(results, rubrics)[at])


# ---------------------------------------------------------------------------------------------------------------
# Comparisons


def grade_mix(before: Results, after: Results, by: str) -> pd.DataFrame:
    """Branch counts per period, `by` group and grade, before and after, with the change (a tidy frame)."""
    keys = [k for k in (PERIOD, by) if k in before.branches]
    if by not in before.branches:
        return pd.DataFrame(columns=[*keys, by, "grade", "before", "after", "change"])
    shared = {k: pd.factorize(before.branches[k]) for k in keys} if before.branches.index.equals(after.branches.index) else {}
    counts = {"before": _counts(before.branches, [*keys, "grade"], shared), "after": _counts(after.branches, [*keys, "grade"], shared)}
    mix = pd.DataFrame(counts).fillna(0).astype(np.int64).reset_index()
    mix["change"] = mix["after"] - mix["before"]
    order = {g: i for i, g in enumerate(_grade_order(before, after))}
    return mix.sort_values([*keys, "grade"], key=lambda s: s.map(order) if s.name == "grade" else s, kind="stable").reset_index(drop=True)


def _counts(branches: pd.DataFrame, columns: list[str], known: dict[str, Any]) -> pd.Series:
    """Row counts per combination of the columns' values (one np.unique over packed codes; blanks count as None)."""
    packed = np.zeros(len(branches), dtype=np.int64)
    uniques = []
    for name in columns:
        codes, values = known[name] if name in known else pd.factorize(branches[name])
        uniques.append(np.array([None, *(str(v) for v in values)], dtype=object))
        packed = packed * (len(values) + 1) + codes + 1
    found, counts = np.unique(packed, return_counts=True)
    arrays = []
    for values in reversed(uniques):
        arrays.append(values[found % len(values)])
        found = found // len(values)
    return pd.Series(counts, index=pd.MultiIndex.from_arrays(arrays[::-1], names=columns))


def _grade_order(*results: Results) -> list[str]:
    names: list[str] = []
    for res in results:
        for column in ("band_grade", "grade"):
            values = res.branches[column]
            cats = values.cat.categories if isinstance(values.dtype, pd.CategoricalDtype) else pd.unique(values.astype(str))
            names.extend(str(c) for c in cats if str(c) not in names)
    return names


def _sides(before: Results, after: Results, adopted: RubricSet, draft: RubricSet) -> tuple[pd.Index, _Side, _Side]:
    """The rows scored on both sides, and each side as arrays over them."""
    common = before.branches.index.intersection(after.branches.index, sort=False)
    return common, _Side.of(before, adopted, common), _Side.of(after, draft, common)


def changed_branches(before: Results, after: Results, adopted: RubricSet, draft: RubricSet) -> pd.DataFrame:
    """Branches whose grade differs, with the rule that moved each one and its reason."""
    common, b, a = _sides(before, after, adopted, draft)
    return _changes(before, b, a, common, adopted, draft)


def _changes(before: Results, b: _Side, a: _Side, common: pd.Index, adopted: RubricSet, draft: RubricSet) -> pd.DataFrame:
    moved = np.flatnonzero((b.level != a.level) | (b.grade != a.grade))
    was, now = b.decided[moved], a.decided[moved]
    rule = np.where(was != now, np.where(now == BAND, was, now), np.where(b.band[moved] != a.band[moved], BAND, POINTS))
    rows = before.branches.loc[common[moved]]
    out = rows[[c for c in _IDENTITY if c in rows]].copy()
    out["total_before"], out["total_after"] = b.total[moved], a.total[moved]
    out["band_before"], out["band_after"] = b.band[moved], a.band[moved]
    out["grade_before"], out["grade_after"] = b.grade[moved], a.grade[moved]
    out["move"] = np.sign(b.level[moved] - a.level[moved])  # +1: up a grade
    out["rule"] = rule
    reasons = {**{i: r.reason for rub in adopted.concrete for i, r in rule_table(rub).items()},
               **{i: r.reason for rub in draft.concrete for i, r in rule_table(rub).items()},
               BAND: "分数线", POINTS: "总分变化"}
    out["reason"] = [reasons.get(r, r) for r in rule]
    return out


def impacts(before: Results, after: Results, adopted: RubricSet, draft: RubricSet) -> tuple[Impact, ...]:
    """For every changed rubric, period and grade whose line or count moved: what reached it and what held it back."""
    _, b, a = _sides(before, after, adopted, draft)
    return _impacts(b, a, adopted, draft)


def _impacts(b: _Side, a: _Side, adopted: RubricSet, draft: RubricSet) -> tuple[Impact, ...]:
    found: list[Impact] = []
    adopted_ids = {r.id for r in adopted.concrete}
    for new in draft.concrete:
        old = adopted.get(new.id) if new.id in adopted_ids else None
        if old == new:
            continue
        for period in sorted(set(a.period[a.rubric == new.id]), key=str):
            in_b, in_a = (b.rubric == new.id) & (b.period == period), (a.rubric == new.id) & (a.period == period)
            for level, grade_name in enumerate(new.grade_names()[:-1]):
                old_level = old.grade_level(grade_name) if old is not None and grade_name in old.grade_names() else -1
                impact = _impact(new, old, grade_name, period, level, old_level, b, a, in_b, in_a)
                if impact is not None:
                    found.append(impact)
    return tuple(found)


def _threshold(rubric: Rubric | None, grade_name: str) -> float | None:
    if rubric is None:
        return None
    return next((float(b.min) for b in rubric.grading.bands if b.name == grade_name), None)


def _impact(new: Rubric, old: Rubric | None, grade_name: str, period: str | None, level: int, old_level: int,
            b: _Side, a: _Side, in_b: np.ndarray, in_a: np.ndarray) -> Impact | None:
    """Reaching a line and getting a grade both count that grade or better."""
    reached = in_a & (a.band_level <= level)
    final = in_a & (a.level <= level)
    counts = (int((in_b & (b.band_level <= old_level)).sum()), int(reached.sum()),
              int((in_b & (b.level <= old_level)).sum()), int(final.sum()))
    t_before, t_after = _threshold(old, grade_name), _threshold(new, grade_name)
    if counts[0] == counts[1] and counts[2] == counts[3] and t_before == t_after:
        return None
    table = rule_table(new)
    ids, sizes = np.unique(a.decided[reached & ~final].astype(str), return_counts=True)
    held = tuple(sorted((Hold(str(i), table[str(i)].reason if str(i) in table else str(i), int(n)) for i, n in zip(ids, sizes)),
                        key=lambda h: -h.count))
    raised = int((final & ~reached).sum())
    text = _sentence(grade_name, t_before, t_after, counts, held, table)
    return Impact(new.id, period, grade_name, t_before, t_after, *counts, held, raised, text)


def _sentence(grade_name: str, t_before: float | None, t_after: float | None, counts: tuple[int, int, int, int],
              held: tuple[Hold, ...], table: dict[str, RuleInfo]) -> str:
    """E.g. “阈值降到 85 分后有 212 个支部达到先进线，但先进比例上限 30 % 只允许 167 个（调整前 165 个）”."""
    _, reached, final_before, final = counts
    if t_after is not None and t_before is not None and t_after != t_before:
        lead = f"阈值{'降' if t_after < t_before else '升'}到 {t_after:g} 分后有 {reached} 个支部达到{grade_name}线"
    else:
        lead = f"调整后有 {reached} 个支部达到{grade_name}线"
    if not held:
        return f"{lead}，{final} 个评为{grade_name}（调整前 {final_before} 个）"
    main, *others = held
    rule = table[main.rule].rule if main.rule in table else None
    if rule is not None and getattr(rule, "max_share", None) is not None:
        text = f"{lead}，但{getattr(rule, 'grade', grade_name)}比例上限 {rule.max_share * 100:g} % 只允许 {final} 个"
    else:
        text = f"{lead}，但其中 {main.count} 个因“{main.reason}”不能评为{grade_name}，最终 {final} 个"
    if others:
        named = "、".join(f"{h.count} 个因“{h.reason}”" for h in others[:_NAMED])
        rest = sum(h.count for h in others[_NAMED:])
        text += f"；另有 {named}{f'、{rest} 个因其他规则' if rest else ''}未评为{grade_name}"
    return f"{text}（调整前 {final_before} 个）"


# ---------------------------------------------------------------------------------------------------------------
# Threshold sweep


def sweep_values(rubric: Rubric, grade_name: str, points: int = 50) -> np.ndarray:
    """`points` thresholds between the next lower band's line and the next higher one (or the total), and the current one."""
    mins = [float(b.min) for b in rubric.grading.bands]
    at = rubric.grade_level(grade_name)
    low = mins[at + 1] if at + 1 < len(mins) else 0.0
    high = mins[at - 1] if at > 0 else float(rubric.total)
    values = np.round(np.linspace(low, high, points), rubric.precision)
    return np.unique(np.r_[values, mins[at]])


def threshold_sweep(results: Results, rubrics: RubricSet, rubric_id: str, grade_name: str,
                    values: Sequence[float] | np.ndarray | None = None) -> pd.DataFrame:
    """Grade counts per period as one band's line moves over `values` (tidy: period, threshold, grade, count, current)."""
    rubric = rubrics.get(rubric_id)
    values = sweep_values(rubric, grade_name) if values is None else np.asarray(values, dtype=float)
    part = results.take(results.branches.index[rows_by_rubric(results).get(rubric_id, np.zeros(0, dtype=np.int64))])
    lean = _without_flags(rubric)
    frame = _grading_frame(lean, part.inputs)
    standards = part.standards[[s.id for s in rubric.standards]]
    total = part.branches["total"].to_numpy(dtype=float)
    periods = labels(part.branches[PERIOD]) if PERIOD in part.branches else np.full(len(part), "", dtype=object)
    if BRANCH_ID in frame and pd.api.types.is_integer_dtype(frame[BRANCH_ID].dtype):  # coded, not tested by a condition
        order = _presorted(lean, frame, total)
        frame, standards = frame.iloc[order].drop(columns=BRANCH_ID), standards.iloc[order]
        total, periods = total[order], periods[order]
    period_codes, period_names = pd.factorize(periods, sort=True)
    names = list(rubric.grade_names())
    unmet = np.zeros(len(part), dtype=np.int64)
    counts = np.array([
        np.bincount(period_codes * len(names) + np.asarray(grade(_with_threshold(lean, grade_name, float(v)), frame, standards, total,
                                                                 unmet).columns["level"]), minlength=len(period_names) * len(names))
        for v in values
    ])
    current = float(next(b.min for b in rubric.grading.bands if b.name == grade_name))
    out = pd.DataFrame({
        PERIOD: np.tile(np.repeat(np.asarray(period_names, dtype=object), len(names)), len(values)),
        "threshold": np.repeat(values, len(period_names) * len(names)),
        "grade": np.tile(np.asarray(names, dtype=object), len(period_names) * len(values)),
        "count": counts.ravel(),
        "current": np.repeat(np.isclose(values, current), len(period_names) * len(names)),
    })
    return out if PERIOD in part.branches else out.drop(columns=PERIOD)


def _presorted(rubric: Rubric, frame: pd.DataFrame, total: np.ndarray) -> np.ndarray:
    """A row order under which grading without the branch-code column ranks and breaks ties exactly as with it.

    Grading breaks ties by branch code, else by input order: rows in code order give the same result without sorting
    the codes for every threshold. When every relative rule groups by one column, rows are also put in the order
    grading sorts them (group, then highest total), so its sorts find the rows almost sorted already.
    """
    codes = frame[BRANCH_ID].to_numpy()
    grouped = {rubric.grading.rank_by, *_values_of(rubric.grading.model_dump(), "group_by")}
    if len(grouped) != 1 or not set(grouped) <= set(frame.columns):
        return np.argsort(codes, kind="stable")
    keys = [frame[k].to_numpy() for k in (PERIOD, *grouped) if k in frame]
    return np.lexsort((codes, -total, *reversed(keys)))


def _with_threshold(rubric: Rubric, grade_name: str, value: float) -> Rubric:
    bands = tuple(b.model_copy(update={"min": value}) if b.name == grade_name else b for b in rubric.grading.bands)
    return rubric.model_copy(update={"grading": rubric.grading.model_copy(update={"bands": bands})})


def _without_flags(rubric: Rubric) -> Rubric:
    """The rubric without the grading rules that only raise flags (they cannot change a grade) and without alerts."""
    table = rule_table(rubric)
    grading = rubric.grading
    update: dict[str, Any] = {"alerts": None}
    for name in type(grading).model_fields:
        value = getattr(grading, name)
        if isinstance(value, tuple) and value and all(hasattr(r, "id") for r in value):
            update[name] = tuple(r for r in value if table[r.id].effect != "flag")
    return rubric.model_copy(update={"grading": grading.model_copy(update=update)})
