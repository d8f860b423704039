"""Combining several ingested files: row accounting, conflicts with locations and differing cells, decisions, re-sent files."""

from __future__ import annotations

import csv
import io
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.combine import Decision, Part, combine, diff_files, resend, with_fixes
from scoring.ingest import Ingested, read_assessments
from scoring.loader import load_rubrics
from scoring.rubricset import RubricSet

ROOT = Path(__file__).resolve().parents[2]


@cache
def rubrics() -> RubricSet:
    return load_rubrics(sorted((ROOT / "rubrics").glob("*.yaml")))


@cache
def city() -> tuple[list[str], tuple[tuple[str, ...], ...]]:
    with (ROOT / "sample_data" / "city.csv").open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, tuple(tuple(r) for r in rows[:40])  # forty distinct branch-years suffice


def make(name: str, rows: list[tuple[str, ...]] | list[list[str]]) -> Ingested:
    header, _ = city()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return read_assessments(buffer.getvalue().encode("utf-8"), rubrics(), filename=name)


def column(name: str) -> int:
    return city()[0].index(name)


def test_files_without_overlap_combine_with_exact_accounting() -> None:
    _, rows = city()
    first, second = make("城关镇.csv", list(rows[:10])), make("河口镇.csv", list(rows[10:25]))
    combined = combine([Part("城关镇.csv", "城关镇", first), Part("河口镇.csv", "河口镇", second)])
    assert not combined.conflicts and not combined.pending
    assert len(combined.frame) == 25 == len(first.frame) + len(second.frame)
    assert [r.file for r in combined.reports] == ["城关镇.csv", "河口镇.csv"]
    assert list(combined.origin["file"]) == ["城关镇.csv"] * 10 + ["河口镇.csv"] * 15
    assert list(combined.origin["row"][:2]) == [2, 3]  # spreadsheet rows (row 1 is the header)
    total = combined.total
    assert (total.rows_in, total.scored + total.warned, total.rejected, total.withheld, total.in_data) == (25, 25, 0, 0, 25)


def test_a_row_in_two_files_is_a_conflict_with_both_places_and_the_differing_cells() -> None:
    _, rows = city()
    changed = list(rows[3])
    members = column("正式党员数")
    changed[members] = str(int(changed[members]) + 5)
    first = make("a.csv", list(rows[:5]))
    second = make("b.csv", [rows[7], changed])
    parts = [Part("a.csv", "a", first), Part("b.csv", "b", second)]
    combined = combine(parts)
    (conflict,) = combined.conflicts
    assert conflict.key == (rows[3][0], rows[3][column("考核年度")])
    assert [(loc.file, loc.row) for loc in conflict.locations] == [("a.csv", 5), ("b.csv", 3)]
    (difference,) = conflict.differences
    assert (difference.header, difference.values) == ("正式党员数", (rows[3][members], changed[members]))
    assert combined.pending == (conflict,)
    assert len(combined.frame) == 5  # 4 + 1: neither conflicting row enters until decided
    assert [a.withheld for a in combined.accounts] == [1, 1]

    def members_of(decision: Decision) -> list[str]:
        done = combine(parts, {conflict.id: decision})
        assert not done.pending
        code = done.frame["branch_id"] == conflict.key[0]
        return [str(int(v)) for v in done.frame.loc[code, "members"]]

    assert members_of(Decision.NEWER) == [changed[members]]
    assert members_of(Decision.FIRST) == [rows[3][members]]
    assert members_of(Decision.ASIDE) == []


def test_rejected_rows_are_accounted_per_file_and_in_total() -> None:
    messy = read_assessments(ROOT / "sample_data" / "messy.csv", rubrics())
    _, rows = city()
    clean = make("clean.csv", list(rows[:6]))
    combined = combine([Part("messy.csv", "m", messy), Part("clean.csv", "c", clean)])
    for account, ingested in zip(combined.accounts, (messy, clean)):
        assert account.rows_in == account.scored + account.warned + account.rejected == ingested.report.rows_total
    assert combined.total.rejected == messy.report.rows_rejected > 0
    assert len(combined.frame) == combined.total.in_data


def test_a_resent_file_replaces_the_earlier_one_as_a_whole_with_a_diff() -> None:
    _, rows = city()
    old = make("城关镇.csv", list(rows[:6]))
    edited = list(rows[2])
    edited[column("党课次数")] = "1"
    new = make("城关镇（更正）.csv", [rows[0], rows[1], edited, rows[4], rows[5], rows[30]])
    other = Part("河口镇.csv", "河口镇", make("河口镇.csv", list(rows[10:12])))
    parts, diff = resend([Part("城关镇.csv", "城关镇", old), other], Part("城关镇（更正）.csv", "城关镇", new))
    assert [p.name for p in parts] == ["河口镇.csv", "城关镇（更正）.csv"]
    assert diff is not None
    assert diff.removed == ((rows[3][0], rows[3][column("考核年度")]),)
    assert diff.added == ((rows[30][0], rows[30][column("考核年度")]),)
    ((key, cells),) = diff.changed
    assert key[0] == rows[2][0] and [c.header for c in cells] == ["党课次数"]
    assert not combine(parts).conflicts  # the earlier version is gone, so nothing conflicts with it
    assert resend([other], Part("新.csv", "新", new))[1] is None
    assert diff_files(old, old).changed == ()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["a", "b", "both", "none"]), min_size=4, max_size=16),
       st.sampled_from([None, *Decision]))
def test_every_row_is_in_the_data_set_or_accounted_for(placement: list[str], decision: Decision | None) -> None:
    _, rows = city()
    chosen = rows[: len(placement)]
    into_a = [r for r, p in zip(chosen, placement) if p in ("a", "both")]
    into_b = [r for r, p in zip(chosen, placement) if p in ("b", "both")]
    parts = [Part("a.csv", "a", make("a.csv", into_a)), Part("b.csv", "b", make("b.csv", into_b))]
    first = combine(parts)
    decisions = {c.id: decision for c in first.conflicts} if decision else {}
    combined = combine(parts, decisions)
    assert len(combined.conflicts) == placement.count("both")
    both = [(r[0], r[column("考核年度")]) for r, p in zip(chosen, placement) if p == "both"]
    assert [c.key for c in first.conflicts] == both  # in the order the rows arrived, each with a place in both files
    assert all([loc.file for loc in c.locations] == ["a.csv", "b.csv"] for c in first.conflicts)
    kept_from = dict(zip(zip(combined.frame["branch_id"], combined.frame["period"]), combined.origin["file"]))
    assert all(kept_from.get(key) == {Decision.NEWER: "b.csv", Decision.FIRST: "a.csv"}.get(decision) for key in both)
    total = combined.total
    assert total.rows_in == total.scored + total.warned + total.rejected == len(into_a) + len(into_b)
    assert len(combined.frame) == total.in_data
    keys = list(zip(combined.frame["branch_id"], combined.frame["period"]))
    assert len(keys) == len(set(keys))  # no branch-year twice, whatever was decided
    expected = placement.count("a") + placement.count("b") + {None: 0, Decision.ASIDE: 0}.get(decision, placement.count("both"))
    assert len(combined.frame) == expected


def test_combine_never_imports_the_store() -> None:
    text = (ROOT / "scoring" / "combine.py").read_text("utf-8")
    assert "snapshots" not in text and "streamlit" not in text


@pytest.mark.parametrize("decision", list(Decision))
def test_decisions_are_stable_strings(decision: Decision) -> None:
    assert Decision(decision.value) is decision


def test_cells_equal_to_ten_digits_are_not_differences() -> None:
    from scoring.combine import _text

    assert _text(0.979) == _text(0.9790000000000001) == "0.979"
    assert _text(12.0) == "12" and _text(float("nan")) == "" and _text(None) == ""
    assert _text(0.5) != _text(0.51)


@cache
def messy() -> Ingested:
    """sample_data/messy.csv: rows 3, 5, 24 (a duplicate of row 23) and others rejected."""
    return read_assessments((ROOT / "sample_data" / "messy.csv").read_bytes(), rubrics(), filename="messy.csv")


@pytest.mark.parametrize(("cells", "entered", "still_rejected"), [
    ({}, [], [3, 5, 24]),
    ({(3, "党员大会次数"): "4"}, [3], [5, 24]),
    ({(3, "党员大会次数"): "4", (5, "群众满意度"): "95%"}, [3, 5], [24]),
    ({(24, "党组织代码"): "102001021"}, [], [24]),  # re-checked unchanged, a duplicate stays out (issue 9)
    ({(5, "群众满意度"): "150%"}, [], [5]),  # still out of range
    ({(2, "党员大会次数"): "1", (3, "没有这一列"): "1"}, [], [3]),  # an accepted row and an unknown column are not fixable
])
def test_fixes_admit_a_row_only_when_it_validates(cells: dict[tuple[int, str], str], entered: list[int], still_rejected: list[int]) -> None:
    before = messy()
    after = with_fixes(before, cells, rubrics(), filename="messy.csv")
    assert set(entered) <= set(after.frame.index) and not set(entered) & set(after.rejected.index)
    assert set(still_rejected) <= set(after.rejected.index)
    assert len(after.frame) == len(before.frame) + len(entered) and after.frame.index.is_unique
    report = after.report
    assert report.rows_total == report.rows_scored + report.rows_with_warnings + report.rows_rejected == before.report.rows_total
    assert report.rows_rejected == len(after.rejected)
    assert not [p for p in report.problems if p.row in entered and p.severity == "error"]  # their old errors are gone
    keys = list(zip(after.frame["branch_id"], after.frame["period"]))
    assert len(keys) == len(set(keys))
    assert list(after.not_applicable.index) == list(after.frame.index)


def test_fixed_rows_carry_into_a_combination_with_their_spreadsheet_rows() -> None:
    fixed = with_fixes(messy(), {(3, "党员大会次数"): "4"}, rubrics(), filename="messy.csv")
    combined = combine([Part("messy.csv", "messy", fixed)])
    assert 3 in set(combined.origin["row"]) and combined.total.in_data == len(messy().frame) + 1
