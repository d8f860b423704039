"""The same scoring written as DuckDB SQL generated from a rubric: CASE expressions per method, window functions
for quotas and bottom rules. An independent cross-check of the engine, and the speed yardstick of the benchmark.

The query reads the assessment frame and a not-applicable table side by side (POSITIONAL JOIN), both registered
as pandas frames (DuckDB reads NaN in them as NULL). Arithmetic follows the rubric semantics in the engine's
order of operations so that totals agree bit for bit; DuckDB's ROUND rounds halves away from zero, so the total
is rounded half to even explicitly, as numpy.round does.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import duckdb
import numpy as np
import pandas as pd

from scoring.conditions import sql as condition_sql  # conditions, methods and combiners render their own SQL
from scoring.reading import COMBINERS  # each combiner renders its SQL
from scoring.rubric import BRANCH_ID, PERIOD, Column, Indicator, Rubric, Source
from scoring.rules import KINDS
from scoring.rules.base import SqlGrading
from scoring.sql import num, q

ROW = "_row"
NA_PREFIX = "na__"


def _sources(rubric: Rubric) -> tuple[Source, ...]:
    return rubric.sources or (Source(id="main", name="", weight=1.0),)


def _source_key(column_id: str, source: Source, position: int) -> str:
    return column_id if position == 0 else f"{column_id}@{source.id}"


def scoped_sources(rubric: Rubric) -> dict[str, list[tuple[int, Source]]]:
    """Per indicator id, the (position, source) pairs it reads: its own list, else its section's, else every source."""
    every = _sources(rubric)
    out: dict[str, list[tuple[int, Source]]] = {}
    for section in [*rubric.standards, *(a for a in (rubric.bonus, rubric.penalty) if a is not None)]:
        for ind in section.indicators:
            wanted = ind.sources if ind.sources is not None else section.sources
            out[ind.id] = [(k, s) for k, s in enumerate(every) if wanted is None or s.id in wanted]
    return out


def _combined_sql(ind: Indicator, keys: list[str]) -> str:
    """One source's value of the indicator: its columns combined (NULL only when all are blank); each way to combine
    renders its own SQL."""
    cols = [q(k) for k in keys]
    if len(cols) == 1:
        return cols[0]
    kind = ind.combine
    if ind.method.kind == "level" and kind in ("max", "min"):  # level positions: 0 is the best
        kind = "min" if kind == "max" else "max"
    return COMBINERS[kind].sql(cols)


def indicator_sql(ind: Indicator, sources: Sequence[tuple[int, Source]], columns: Collection[str], alias: str,
                  blank_zero: bool = False) -> list[str]:
    """Select-list items for one indicator: its points (NULL when no source has a value) as `alias`."""
    present = []
    for k, s in sources:
        keys = [key for c in (ind.columns or (ind.column_id,)) if (key := _source_key(c, s, k)) in columns]
        if keys:
            present.append((s, _combined_sql(ind, keys)))
    if not present:
        return [f"NULL::DOUBLE AS {q(alias)}"]
    if len(present) == 1:  # one source: its points as they are
        return [f"{ind.method.sql(present[0][1], ind.points)} AS {q(alias)}"]
    parts = [(s, ind.method.sql(value, ind.points)) for s, value in present]
    total = " + ".join(["0.0", *(f"COALESCE({p} * {num(s.weight)}, 0.0)" for s, p in parts)])
    weight = " + ".join(["0.0", *((num(s.weight) if blank_zero else f"(CASE WHEN {p} IS NULL THEN 0.0 ELSE {num(s.weight)} END)")
                                  for s, p in parts)])
    filled = " OR ".join(f"{p} IS NOT NULL" for _, p in parts)
    return [f"(CASE WHEN ({filled}) AND ({weight}) > 0 THEN ({total}) / ({weight}) ELSE NULL END) AS {q(alias)}"]


def not_applicable_sql(ind: Indicator, sources: Sequence[tuple[int, Source]], columns: Collection[str],
                       na_columns: Collection[str], described: dict[str, Column], na: str) -> str | None:
    """Where the indicator does not apply: its rule, else 不适用 typed where allowed (None: it always applies)."""
    if ind.not_applicable_when is not None:
        return condition_sql(ind.not_applicable_when, columns, described)
    if ind.applies_when is not None:
        return f"(NOT {condition_sql(ind.applies_when, columns, described)})"
    if not (ind.allow_not_applicable or ind.blank == "not_applicable"):
        return None
    keys = [_source_key(c, s, k) for k, s in sources for c in (ind.columns or (ind.column_id,))]
    marked = [f"COALESCE({na}.{q(NA_PREFIX + k)}, FALSE)" for k in keys if k in na_columns]
    if not marked:
        return None
    typed = "(" + " OR ".join(marked) + ")"
    if len(keys) > 1:
        typed += "".join(f" AND {q(k)} IS NULL" for k in keys if k in columns)
    return f"({typed})"


# ---------------------------------------------------------------------------------------------------------------
# The query.


def build_sql(rubric: Rubric, columns: Collection[str], na_columns: Collection[str] = (),
              frame: str = "frame", na: str = "na") -> str:
    """The whole scoring and grading of `rubric` as one query over `frame` POSITIONAL JOIN `na`.

    `na` holds `_row` (0..n-1) and one boolean column `na__<column id>` per column that may be not applicable.
    The result has `_row`, `total`, `lvl` (grade position, 0 = best) and one boolean column `flag_<k>` per flag.
    """
    g = rubric.grading
    described = rubric.input_columns()
    has_code = BRANCH_ID in columns
    group_columns = [c for c in dict.fromkeys((PERIOD, g.rank_by, *(x.group_by for x in g.quotas), *(b.group_by for b in g.bottom)))
                     if c in columns]
    carried = ([q(BRANCH_ID)] if has_code else []) + [q(c) for c in group_columns if c != BRANCH_ID]

    # 1. points per indicator, not-applicable marks, rule conditions (the POSITIONAL JOIN keeps input order)
    items = [f"{na}.{q(ROW)} AS {q(ROW)}", *(f"{frame}.{c}" for c in carried)]
    ids = {}
    scoped = scoped_sources(rubric)
    rescaled = {i.id for std in rubric.standards for i in std.indicators if i.not_applicable == "rescale"}
    excluded: dict[str, str] = {}
    for k, ind in enumerate(rubric.indicators()):
        ids[ind.id] = f"p{k}"
        [earned] = indicator_sql(ind, scoped[ind.id], columns, f"p{k}", rubric.blank_source == "zero")
        out = not_applicable_sql(ind, scoped[ind.id], columns, na_columns, described, na)
        if out is not None and ind.id in rescaled:
            excluded[ind.id] = f"x_{ids[ind.id]}"
            items.append(f"{out} AS {excluded[ind.id]}")
        elif out is not None:  # counts zero where it does not apply
            earned = f"(CASE WHEN {out} THEN 0.0 ELSE {earned.rsplit(' AS ', 1)[0]} END) AS {q(ids[ind.id])}"
        items.append(earned)
    # each grading rule adds its part: conditions here, its grade expression, windows and last step below
    grading = SqlGrading(columns, described, rubric.grade_names(), {s.id: s.points for s in rubric.standards},
                         q(BRANCH_ID) if has_code else None, q(ROW), q(PERIOD) if PERIOD in columns else None)
    g.banding.sql(grading)
    for key in KINDS:
        for k, rule in enumerate(getattr(g, key)):
            rule.sql(grading, k)
    hits = list(grading.hits)
    items += [f"{condition} AS {hit}" for hit, condition in grading.hits.items()]
    skipped = " OR ".join(condition_sql(rule.when, columns, described) for rule in rubric.skip)
    where = f" WHERE NOT ({skipped})" if skipped else ""  # 不参评: not rated, not counted in any group
    stage1 = f"SELECT {', '.join(items)} FROM {frame} POSITIONAL JOIN {na}{where}"

    # 2-4. rescaled standards: applicable points, scale factor and sum, each in its own step (no repeated work)
    avail_items, factor_items, items = [], [], [q(ROW), *carried, *hits]
    std_cols: list[str] = []
    applicable_terms = []
    for std in rubric.standards:
        marks = [excluded.get(ind.id) for ind in std.indicators]
        col = q("s_" + std.id)
        std_cols.append(col)
        if any(marks):
            a, f = q("a_" + std.id), q("f_" + std.id)
            avail_items.append(" + ".join(f"{num(ind.points)} * (CASE WHEN {m} THEN 0.0 ELSE 1.0 END)" if m else num(ind.points)
                                          for ind, m in zip(std.indicators, marks)) + f" AS {a}")
            factor_items.append(f"CASE WHEN {a} > 0 THEN {num(std.points)} / {a} ELSE 0.0 END AS {f}")
            terms = [f"(CASE WHEN {m} THEN 0.0 ELSE COALESCE({ids[ind.id]}, 0.0) * {f} END)" if m
                     else f"COALESCE({ids[ind.id]}, 0.0) * {f}" for ind, m in zip(std.indicators, marks)]
            items.append(f"(CASE WHEN {a} > 0 THEN {' + '.join(terms)} ELSE NULL END) AS {col}")
            applicable_terms.append(f"(CASE WHEN {a} > 0 THEN {num(std.points)} ELSE 0.0 END)")
        else:  # nothing can be excluded: the factor is a constant
            available_value = 0.0
            for ind in std.indicators:
                available_value += ind.points
            factor_value = std.points / available_value
            scale = "" if factor_value == 1.0 else f" * {num(factor_value)}"  # x · 1.0 is x exactly
            items.append("(" + " + ".join(f"COALESCE({ids[ind.id]}, 0.0){scale}" for ind in std.indicators) + f") AS {col}")
            applicable_terms.append(num(std.points))
    items.append(f"({' + '.join(applicable_terms)}) AS applicable")
    adjust = ""
    for name, section in (("bonus", rubric.bonus), ("penalty", rubric.penalty)):
        if section is not None:
            summed = " + ".join(f"COALESCE({ids[ind.id]}, 0.0)" for ind in section.indicators)
            items.append(f"LEAST({summed}, {num(section.cap)}) AS {name}")
            adjust += f" {'+' if name == 'bonus' else '-'} {name}"
    stage2 = f"SELECT *{''.join(', ' + a for a in avail_items)} FROM stage1"
    stage3 = f"SELECT *{''.join(', ' + f for f in factor_items)} FROM stage2"
    stage4 = f"SELECT {', '.join(items)} FROM stage3"

    # 5. base rescaled to the applicable standards, adjustments, clip, round half to even
    base_sum = " + ".join(f"COALESCE({c}, 0.0)" for c in std_cols)
    raw = f"({base_sum}) * (CASE WHEN applicable > 0 THEN {num(rubric.total)} / applicable ELSE 0.0 END){adjust}"
    clipped = f"GREATEST({raw}, 0.0)" if rubric.allow_exceed else f"LEAST(GREATEST({raw}, 0.0), {num(rubric.total)})"
    scale = num(10.0 ** rubric.precision)
    stage5 = f"SELECT {', '.join([q(ROW), *carried, *hits, *std_cols])}, ({clipped}) * {scale} AS scaled FROM stage4"
    # 四舍五入 as the engine does: add a half and a hair, then floor
    total = f"floor(scaled + 0.5 + {num(1e-9)}) / {scale}"

    # 6. the grade each rule leaves (bands, direct grades, floors, vetoes), which rows are locked, the flags raised;
    # 7-8. then the rules over groups (quotas, bottom shares) in their window steps
    flag_cols = {name: f"flag_{k}" for k, name in enumerate(grading.flags)}
    level_items = [q(ROW), *carried, "total", f"{grading.level} AS lvl", f"({' OR '.join(grading.locked)}) AS locked",
                   *(f"({' OR '.join(terms) or 'FALSE'}) AS {flag_cols[name]}" for name, terms in grading.flags.items())]
    ctes = [f"stage1 AS ({stage1})", f"stage2 AS ({stage2})", f"stage3 AS ({stage3})", f"stage4 AS ({stage4})",
            f"stage5 AS ({stage5})", f"graded AS (SELECT * EXCLUDE (scaled), {total} AS total FROM stage5)",
            f"levels AS (SELECT {', '.join(level_items)} FROM graded)"]
    later, last = grading.ctes("levels")
    ctes += later

    outputs = [q(ROW), "total", "lvl", *flag_cols.values()]
    return f"WITH {', '.join(ctes)} SELECT {', '.join(outputs)} FROM {last}"


def flag_names(rubric: Rubric) -> list[str]:
    """Every flag the rubric can raise, in the order of the query's flag_<k> columns."""
    names = [v.flag for v in rubric.grading.vetoes if v.flag] + [b.flag for b in rubric.grading.bottom if b.flag]
    return list(dict.fromkeys(names))


def na_table(n: int, not_applicable: pd.DataFrame | None) -> pd.DataFrame:
    """The not-applicable marks as the query reads them: `_row` plus `na__<column>` booleans."""
    table = {ROW: np.arange(n, dtype=np.int64)}
    if not_applicable is not None:
        for column in not_applicable.columns:
            table[NA_PREFIX + str(column)] = not_applicable[column].to_numpy(dtype=bool)
    return pd.DataFrame(table)


def score_frame(frame: pd.DataFrame, rubric: Rubric, not_applicable: pd.DataFrame | None = None,
                con: duckdb.DuckDBPyConnection | None = None) -> pd.DataFrame:
    """Run the generated query on a frame; for the rows rated (a skip rule leaves rows out), a frame of total, level,
    grade and one column per flag, in input order."""
    con = con or duckdb.connect()
    na = na_table(len(frame), not_applicable)
    con.register("frame", frame)
    con.register("na", na)
    try:
        sql = build_sql(rubric, set(frame.columns), set(not_applicable.columns) if not_applicable is not None else set())
        result = con.execute(sql).fetchnumpy()
    finally:
        con.unregister("frame")
        con.unregister("na")
    rows = np.asarray(result[ROW])
    n = len(frame)
    total = np.full(n, np.nan)
    total[rows] = np.asarray(result["total"], dtype=float)
    level = np.zeros(n, dtype=np.int64)
    level[rows] = np.asarray(result["lvl"], dtype=np.int64)
    names = np.array(rubric.grade_names(), dtype=object)
    rated = np.zeros(n, dtype=bool)
    rated[rows] = True
    out = pd.DataFrame({"total": total[rated], "level": level[rated], "grade": names[level[rated]]}, index=frame.index[rated])
    for k, name in enumerate(flag_names(rubric)):
        flags = np.zeros(n, dtype=bool)
        flags[rows] = np.asarray(result[f"flag_{k}"], dtype=bool)
        out[name] = flags[rated]
    return out
