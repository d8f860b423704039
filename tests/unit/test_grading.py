"""Grading rules as tables: bands, vetoes, floors, direct grades, quotas, bottom rules, ranks and alerts."""

import pytest

from tests.unit.mini import run

FORCE = {"vetoes": [{"id": "accident", "reason": "发生事故", "when": {"column": "incident", "op": "is_true"}, "force": "差"}]}
FORCE_MIDDLE = {"vetoes": [{"id": "accident", "reason": "发生事故", "when": {"column": "incident", "op": "is_true"}, "force": "良"}]}
CAP = {"vetoes": [{"id": "accident", "reason": "发生事故", "when": {"column": "incident", "op": "is_true"}, "cap": "良"}]}
FLAG = {"vetoes": [{"id": "accident", "reason": "发生事故", "when": {"column": "incident", "op": "is_true"}, "flag": "需关注"}]}
FLOOR = {"floors": [{"id": "floor", "min_share": 0.9, "cap": "良", "standards": ["a"]}]}
DIRECT = {"direct": [{"id": "award", "when": {"column": "award", "op": "==", "value": "国家级"}, "grade": "优", "reason": "国家级表彰"}]}
QUOTA = {"quotas": [{"id": "quota", "group_by": "parent", "grade": "优", "max_share": 0.3}]}
BOTTOM = {"bottom": [{"id": "tail", "group_by": "parent", "share": 0.2, "flag": "软弱涣散候选", "force": "差"}]}


@pytest.mark.parametrize(
    ("grading", "rows", "grades"),
    [
        pytest.param({}, [{"total": t} for t in (10, 9, 8.99, 7, 6.99, 0)], ["优", "优", "良", "良", "差", "差"], id="bands"),
        pytest.param(FORCE, [{"total": 10, "incident": 1.0}, {"total": 10}], ["差", "优"], id="veto-force"),
        pytest.param(CAP, [{"total": 10, "incident": 1.0}, {"total": 6, "incident": 1.0}], ["良", "差"], id="veto-cap"),
        pytest.param(FLAG, [{"total": 10, "incident": 1.0}], ["优"], id="veto-flag-only"),
        pytest.param(FLOOR, [{"x": 3.5, "y": 2, "z": 4}, {"x": 3, "y": 2, "z": 4}], ["优", "良"], id="floor"),
        pytest.param(DIRECT, [{"total": 5, "award": 0.0}, {"total": 5}], ["优", "差"], id="direct-grade"),
        pytest.param({**DIRECT, **FORCE}, [{"total": 5, "award": 0.0, "incident": 1.0}], ["差"], id="veto-beats-direct"),
        pytest.param(FORCE_MIDDLE, [{"total": 5, "incident": 1.0}, {"total": 10, "incident": 1.0}], ["差", "良"], id="veto-never-raises"),
        pytest.param({**DIRECT, **FLOOR}, [{"x": 1, "y": 2, "z": 4, "award": 0.0}], ["优"], id="floor-spares-direct-grade"),
        pytest.param(QUOTA, [{"total": 10}] * 10, ["优"] * 3 + ["良"] * 7, id="quota-ties-by-code"),
        pytest.param(QUOTA, [{"total": 9 + i / 10} for i in range(10)], ["良"] * 7 + ["优"] * 3, id="quota-keeps-highest"),
        pytest.param(BOTTOM, [{"total": 10 - i} for i in range(10)], ["优", "优", "良", "良"] + ["差"] * 6, id="bottom-force"),
        pytest.param({**BOTTOM, **FORCE}, [{"total": 10, "incident": 1.0}] + [{"total": 9}] * 4, ["差", "优", "优", "优", "差"],
                     id="bottom-after-veto"),
    ],
)
def test_grading_rules(grading, rows, grades):
    assert run(grading, rows).branches["grade"].tolist() == grades


def test_quota_is_per_group_and_period():
    rows = [{"total": 10, "parent": p, "period": y} for p in ("P1", "P2") for y in ("2024", "2025") for _ in range(5)]
    b = run({"quotas": [{"id": "q", "group_by": "parent", "grade": "优", "max_share": 0.2}]}, rows).branches
    counts = b[b.grade == "优"].groupby(["parent", "period"]).size()
    assert counts.tolist() == [1, 1, 1, 1]


def test_quota_records_the_rule_and_reason():
    results = run(QUOTA, [{"total": 10}] * 4)
    assert results.rules["quota"].tolist() == [False, True, True, True]
    assert (results.branches["band_grade"] == "优").all()


@pytest.mark.parametrize(("size", "share", "rounding", "minimum", "flagged"), [
    (10, 0.2, "ceil", 1, 2), (10, 0.05, "ceil", 1, 1), (10, 0.05, "floor", 1, 0), (30, 0.1, "ceil", 1, 3),
    (3, 0.1, "ceil", 5, 0), (20, 0.05, "round", 1, 1),
])
def test_bottom_share_counts(size, share, rounding, minimum, flagged):
    rule = {"bottom": [{"id": "tail", "group_by": "parent", "share": share, "rounding": rounding,
                        "min_group_size": minimum, "flag": "候选"}]}
    results = run(rule, [{"total": 10 - i * 0.1} for i in range(size)])
    assert int(results.flags["候选"].sum()) == flagged
    if flagged:
        assert results.branches.loc[results.flags["候选"], "total"].max() < results.branches.loc[~results.flags["候选"], "total"].min()


def test_rank_within_group_shares_ties():
    b = run({}, [{"total": t} for t in (9, 10, 9, 5)]).branches
    assert b["rank"].tolist() == [2, 1, 2, 4]
    assert b["group_size"].tolist() == [4, 4, 4, 4]


def test_five_star_bands_any_number_of_grades():
    stars = [{"name": f"{n}星", "min": m} for n, m in ((5, 9.5), (4, 9), (3, 8), (2, 7), (1, 0))]
    b = run({"bands": stars}, [{"total": t} for t in (10, 9.2, 8.5, 7, 3)]).branches
    assert b["grade"].tolist() == ["5星", "4星", "3星", "2星", "1星"]


def test_alerts_count_unmet_indicators():
    alerts = {"alerts": {"unmet_below": 0.6, "levels": [{"name": "绿", "max_unmet": 0}, {"name": "黄", "max_unmet": 1}, {"name": "红"}]}}
    b = run(alerts, [{"x": 4, "y": 2, "z": 4}, {"x": 1, "y": 2, "z": 4}, {"x": 1, "y": 0, "z": 0}]).branches
    assert b["alert"].tolist() == ["绿", "黄", "红"]


def test_not_applicable_rescales_the_standard():
    import pandas as pd

    from scoring.engine import score
    from tests.unit.mini import BASE, frame, mini_rubrics

    standards = [dict(s) for s in BASE["standards"]]
    standards[0] = {**standards[0], "indicators": [standards[0]["indicators"][0], {**standards[0]["indicators"][1], "allow_not_applicable": True}]}
    data = frame([{"x": 4, "y": 0, "z": 4}, {"x": 2, "y": 0, "z": 4}])
    na = pd.DataFrame({"y": [True, False]}, index=data.index)
    results = score(data, mini_rubrics(standards=standards), na)
    assert results.standards["a"].tolist() == [6.0, 2.0]
    assert results.indicators["x"].iloc[0] == 6.0
    assert pd.isna(results.indicators["y"].iloc[0])
    # the same 不适用 where the rubric does not allow it earns nothing: the item counts as not filled in
    assert score(data, mini_rubrics(), na).standards["a"].tolist() == [4.0, 2.0]


def test_not_applicable_scored_zero_when_rubric_says_so():
    import pandas as pd

    from scoring.engine import score
    from tests.unit.mini import BASE, frame, mini_rubrics

    standards = [dict(s) for s in BASE["standards"]]
    y = {**standards[0]["indicators"][1], "not_applicable": "zero", "allow_not_applicable": True}
    standards[0] = {**standards[0], "indicators": [standards[0]["indicators"][0], y]}
    data = frame([{"x": 4, "y": 0, "z": 4}])
    results = score(data, mini_rubrics(standards=standards), pd.DataFrame({"y": [True]}, index=data.index))
    assert results.standards["a"].iloc[0] == 4.0


def test_weighted_sources_combine_self_and_review():
    from scoring.engine import score
    from tests.unit.mini import frame, mini_rubrics

    sources = [{"id": "review", "name": "上级评定", "weight": 0.6}, {"id": "self", "name": "自评", "weight": 0.4, "header": "{label}（自评）"}]
    data = frame([{"x": 2, "y": 2, "z": 4, "x@self": 4.0}, {"x": 2, "y": 2, "z": 4}])
    results = score(data, mini_rubrics(sources=sources))
    assert results.indicators["x"].tolist() == pytest.approx([0.6 * 2 + 0.4 * 4, 2.0])


def test_bonus_capped_and_total_clipped_unless_allowed():
    from scoring.engine import score
    from tests.unit.mini import frame, mini_rubrics

    bonus = {"name": "加分", "cap": 1, "indicators": [{"id": "prize", "name": "获奖", "points": 3, "method": {"kind": "direct"}}]}
    data = frame([{"total": 9.5, "prize": 3.0}, {"total": 8, "prize": 0.5}])
    clipped = score(data, mini_rubrics(bonus=bonus)).branches["total"].tolist()
    exceeding = score(data, mini_rubrics(bonus=bonus, allow_exceed=True)).branches["total"].tolist()
    assert clipped == [10.0, 8.5]
    assert exceeding == [10.5, 8.5]


def test_unknown_field_rows_are_listed_not_dropped():
    from scoring.engine import score
    from tests.unit.mini import frame, mini_rubrics

    data = frame([{"total": 9}, {"total": 9, "field": "火星"}])
    results = score(data, mini_rubrics())
    assert len(results.branches) == 1
    assert results.unscored["reason"].iloc[0].startswith("领域“火星”没有对应的评分细则")


def test_skip_rules_list_rows_not_rated_with_the_reason():
    from scoring.engine import score
    from tests.unit.mini import frame, mini_rubrics

    skip = [{"id": "young", "when": {"column": "incident", "op": "is_true"}, "reason": "成立不满一年"}]
    data = frame([{"total": 9}, {"total": 9, "incident": 1.0}, {"total": 9, "field": "火星"}])
    results = score(data, mini_rubrics(skip=skip))
    assert results.branches["branch_id"].tolist() == ["B000"]
    assert results.unscored["reason"].tolist()[0] == "不参评：成立不满一年"
    assert results.unscored["branch_id"].tolist() == ["B001", "B002"]
    assert len(results.branches) + len(results.unscored) == len(data)


@pytest.mark.parametrize(("x", "expected"), [(2.125, 8.13), (2.124, 8.12), (2.005, 8.01), (2.0049, 8.0), (1.995, 8.0), (1.994, 7.99)])
def test_totals_round_half_up_as_users_do(x, expected):
    total = run({}, [{"x": x, "y": 2, "z": 4}]).branches["total"].iloc[0]
    assert total == expected
