"""Invariants of the engine on random rural-rubric data (hypothesis)."""

from functools import cache

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.conditions import evaluate
from scoring.engine import rescale, round_half_up, score
from scoring.loader import load_rubrics
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
    for std in rural().standards:
        excluded, _, factor = rescale(std, na, len(frame))
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
    assert (after.indicators[ind.id] >= before.indicators[ind.id] - 1e-9).all()
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
