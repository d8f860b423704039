"""Invariants of the engine on random rural-rubric data (hypothesis)."""

from functools import cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.conditions import evaluate
from scoring.engine import Reading, rescale, round_half_up, score
from scoring.loader import load_rubrics, parse_rubrics
from scoring.synthetic import synthetic_frame

SETTINGS = settings(max_examples=25, deadline=None)


@cache
def rubrics():
    return load_rubrics(["rubrics"])


def rural():
    return rubrics().for_field("农村")


frames = st.builds(lambda n, seed, groups: synthetic_frame(rural(), n, seed=seed, groups=groups),
                   st.integers(1, 300), st.integers(0, 10_000), st.integers(1, 12))


@st.composite
def with_not_applicable(draw):
    frame = draw(frames)
    columns = [i.column_id for s in rural().standards for i in s.indicators]
    chosen = draw(st.lists(st.sampled_from(columns), max_size=5, unique=True))
    rng = np.random.default_rng(draw(st.integers(0, 1000)))
    return frame, pd.DataFrame({c: rng.random(len(frame)) < 0.3 for c in chosen}, index=frame.index)


@SETTINGS
@given(with_not_applicable())
def test_every_indicator_within_zero_and_its_scaled_maximum(data):
    frame, na = data
    results = score(frame, rubrics(), na)
    read = Reading(rural(), frame, na)
    for std in rural().standards:
        excluded, _, factor = rescale(std, read)
        for ind, out in zip(std.indicators, excluded):
            points = results.indicators[ind.id].to_numpy()
            assert np.isnan(points[out]).all()
            assert (points[~out] >= -1e-9).all()
            assert (points[~out] <= ind.points * factor[~out] + 1e-9).all()
        assert (results.standards[std.id].fillna(0) <= std.points + 1e-9).all()


@SETTINGS
@given(with_not_applicable())
def test_total_is_the_sum_of_its_parts(data):
    frame, na = data
    rubric = rural()
    results = score(frame, rubrics(), na)
    parts = results.standards.sum(axis=1, min_count=1).fillna(0) + results.branches["bonus"] - results.branches["penalty"]
    assert np.allclose(results.branches["base"], results.standards.sum(axis=1))
    expected = round_half_up(np.clip(parts.to_numpy(), 0, rubric.total), rubric.precision)
    assert np.allclose(results.branches["total"], expected, atol=1e-9)


@SETTINGS
@given(frames, st.data())
def test_more_of_a_good_thing_never_lowers_a_score(frame, data):
    rubric = rural()
    ind = data.draw(st.sampled_from([i for s in rubric.standards for i in s.indicators]))
    step = data.draw(st.floats(0.01, 50))
    better = frame.copy()
    column = better[ind.column_id]
    if ind.method.kind == "level":
        better[ind.column_id] = (column - 1).clip(lower=0)
    elif ind.method.reads == "bool" or ind.method.reads == "rate":
        better[ind.column_id] = (column + step * ind.method.direction).clip(0, 1)
    else:
        better[ind.column_id] = (column + step * ind.method.direction).clip(lower=0)
    before, after = score(frame, rubrics()), score(better, rubrics())
    assert (after.indicators[ind.id].fillna(0) >= before.indicators[ind.id].fillna(0) - 1e-9).all()  # NaN: not applicable
    assert (after.branches["total"] >= before.branches["total"] - 1e-9).all()


@SETTINGS
@given(frames)
def test_a_forcing_veto_always_wins(frame):
    rubric = rural()
    results = score(frame, rubrics())
    columns = rubric.input_columns()
    for veto in rubric.grading.vetoes:
        if veto.force:
            hit = evaluate(veto.when, frame, columns)
            forced = rubric.grade_level(veto.force)
            assert (results.branches.loc[hit, "level"] >= forced).all()


@SETTINGS
@given(frames)
def test_quota_shares_hold_within_every_group(frame):
    rubric = rural()
    results = score(frame, rubrics())
    b = results.branches
    direct = np.zeros(len(b), dtype=bool)
    for rule in rubric.grading.direct:
        direct |= results.rules[rule.id].to_numpy()
    for quota in rubric.grading.quotas:
        sizes = b.groupby(["period", quota.group_by]).size()
        held = b[(b["grade"] == quota.grade) & ~direct].groupby(["period", quota.group_by]).size()
        for key, count in held.items():
            assert count <= np.floor(quota.max_share * sizes[key] + 1e-9)


@SETTINGS
@given(frames)
def test_scoring_is_deterministic_and_order_independent(frame):
    results = score(frame, rubrics())
    shuffled = frame.sample(frac=1.0, random_state=1)
    again = score(shuffled, rubrics())
    assert results.branches["grade"].equals(again.branches.loc[results.branches.index, "grade"])
    assert results.branches["total"].equals(again.branches.loc[results.branches.index, "total"])


def full_marks(ind) -> float:
    """A value at which the indicator earns its full points."""
    method = ind.method
    return {
        "yes_no": lambda: 1.0 if method.good else 0.0,
        "count": lambda: ind.points / method.per_unit,
        "tiers": lambda: method.tiers[0].min,
        "rate": lambda: 1.0,
        "level": lambda: float(int(np.argmax(list(method.levels.values())))),
        "deduction": lambda: 0.0,
        "direct": lambda: ind.points,
    }[method.kind]()


@cache
def allowing():
    """The rural rubric with every standard indicator allowed to be typed 不适用 (its rules dropped)."""
    blocks = []
    for std in rural().standards:
        items = "\n".join(f"      - {{id: {i.id}, allow_not_applicable: true, not_applicable_when: null}}" for i in std.indicators)
        blocks.append(f"  - id: {std.id}\n    indicators:\n{items}")
    text = "id: hand\nname: 手填不适用\nextends: rural\nstandards:\n" + "\n".join(blocks) + "\n"
    library = {str(p): p.read_text(encoding="utf-8") for p in Path("rubrics").glob("*.yaml")}
    return parse_rubrics({"hand.yaml": text}, library=library)


@SETTINGS
@given(frames, st.data())
def test_not_applicable_never_beats_full_marks(frame, data):
    """A branch cannot raise its score by typing 不适用: the same row with the item applicable at full marks scores at least as much."""
    rubric = allowing().concrete[0]
    items = [i for s in rubric.standards for i in s.indicators]
    chosen = data.draw(st.lists(st.sampled_from(items), min_size=1, max_size=4, unique_by=lambda i: i.id))
    marked = np.random.default_rng(data.draw(st.integers(0, 1000))).random(len(frame)) < 0.5
    typed, full = frame.copy(), frame.copy()
    for ind in chosen:
        typed[ind.column_id] = np.where(marked, np.nan, typed[ind.column_id])
        full[ind.column_id] = np.where(marked, full_marks(ind), full[ind.column_id])
    na = pd.DataFrame({i.column_id: marked for i in chosen}, index=frame.index)
    with_na = score(typed, allowing(), na).branches["total"].to_numpy()
    applicable = score(full, allowing()).branches["total"].to_numpy()
    assert (with_na <= applicable + 1e-9).all()


@SETTINGS
@given(frames)
def test_applicability_by_rule_equals_applicability_typed_by_hand(frame):
    """core's rules (支委会 under 7 members, 党小组 under 10) score exactly as the same 不适用 typed by hand."""
    rubric = rural()
    ruled = [i for s in rubric.standards for i in s.indicators if i.not_applicable_when is not None]
    assert ruled
    typed = frame.copy()
    na = {}
    for ind in ruled:
        mask = evaluate(ind.not_applicable_when, frame, rubric.input_columns())
        typed[ind.column_id] = np.where(mask, np.nan, typed[ind.column_id])
        na[ind.column_id] = mask
    by_rule = score(frame, rubrics())
    by_hand = score(typed, allowing(), pd.DataFrame(na, index=frame.index))
    assert np.array_equal(by_rule.branches["total"].to_numpy(), by_hand.branches["total"].to_numpy())
    assert by_rule.branches["grade"].astype(str).tolist() == by_hand.branches["grade"].astype(str).tolist()


@st.composite
def standards_read(draw):
    """A standard of 1–6 indicators (some rescaled when not applicable) and which rows each excludes."""
    n = draw(st.integers(1, 30))
    kinds = draw(st.lists(st.tuples(st.sampled_from([1, 2, 2.5, 0.1, 7]), st.booleans()), min_size=1, max_size=6))
    masks = [np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n))) for _ in kinds]
    indicators = [SimpleNamespace(points=p, not_applicable="rescale" if r else "zero", mask=m) for (p, r), m in zip(kinds, masks)]
    std = SimpleNamespace(points=draw(st.sampled_from([10, 12.5, 3])), indicators=indicators)
    read = SimpleNamespace(frame=pd.DataFrame(index=range(n)), not_applicable=lambda ind: ind.mask)
    return std, read


@SETTINGS
@given(standards_read())
def test_rescale_is_the_standards_points_over_the_points_still_applicable(data):
    std, read = data
    excluded, available, factor = rescale(std, read)
    expected_out = [ind.mask if ind.not_applicable == "rescale" else np.zeros(len(ind.mask), dtype=bool) for ind in std.indicators]
    expected = np.sum([ind.points * ~out for ind, out in zip(std.indicators, expected_out)], axis=0)
    assert all(np.array_equal(a, b) for a, b in zip(excluded, expected_out, strict=True))
    assert np.array_equal(available, expected)  # the same additions in the same order: equal, not merely close
    assert np.array_equal(factor, np.divide(std.points, expected, out=np.zeros(len(expected)), where=expected > 0))
