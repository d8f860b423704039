"""The rubric files in rubrics/: they load, agree with each other, follow the schema and score synthetic branches."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from scoring.describe import rubric_file_schema, rubric_schema_text
from scoring.engine import score
from scoring.loader import load_rubrics
from scoring.rubric import Rubric
from scoring.synthetic import synthetic_frame

RUBRICS = Path(__file__).resolve().parents[2] / "rubrics"
FILES = sorted(RUBRICS.glob("*.yaml"))
SET = load_rubrics([RUBRICS])
CONCRETE = {r.id: r for r in SET.concrete}
FIELDS = {  # every field of domain.md, with a name users type for it
    "rural": "农村", "urban_community": "社区", "government": "党政机关", "state_enterprise": "国企",
    "private_enterprise": "非公企业", "social_org": "社会组织", "school": "中小学", "hospital": "医院",
}


def _plain(value: Any) -> Any:
    """YAML as JSON sees it (dates as ISO strings)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def test_every_field_has_its_rubric_extending_core():
    assert set(CONCRETE) == set(FIELDS)
    for rid, typed in FIELDS.items():
        assert SET.for_field(typed) is CONCRETE[rid], typed
        doc = yaml.safe_load((RUBRICS / f"{rid}.yaml").read_text(encoding="utf-8"))
        assert doc["extends"] == "core"


def test_field_names_are_not_shared_between_rubrics():
    names = [name for r in CONCRETE.values() for name in r.fields]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("rubric", CONCRETE.values(), ids=CONCRETE)
def test_points_and_texts(rubric: Rubric):
    assert sum(s.points for s in rubric.standards) == rubric.total == 100
    assert [s.id for s in rubric.standards] == ["organization", "team", "institutions", "position", "support", "role"]
    assert all(10 <= s.points <= 25 for s in rubric.standards)
    for ind in rubric.indicators():
        assert ind.description and ind.evidence, ind.id
    assert rubric.bonus is not None and rubric.bonus.cap <= 5
    assert rubric.effective_from is not None and rubric.fields


@pytest.mark.parametrize("rubric", CONCRETE.values(), ids=CONCRETE)
def test_grading_rules_cover_what_counties_use(rubric: Rubric):
    g = rubric.grading
    top, bottom = rubric.grade_names()[0], rubric.grade_names()[-1]
    assert any(v.force == bottom for v in g.vetoes), "a veto forcing the lowest grade"
    assert any(v.cap is not None and v.cap != top for v in g.vetoes), "a veto capping the top grade"
    assert g.floors and g.quotas and g.bottom
    assert any(b.flag == "软弱涣散候选" and b.group_by == "parent" for b in g.bottom)
    assert all(q.grade == top and 0 < q.max_share <= 0.3 for q in g.quotas)


def test_bottom_shares_follow_local_practice():
    share = {rid: r.grading.bottom[0].share for rid, r in CONCRETE.items()}
    assert share["rural"] == 0.1 and share["urban_community"] == 0.05


def test_same_column_id_means_the_same_column_everywhere():
    seen: dict[str, tuple[str, Any]] = {}
    for rubric in CONCRETE.values():
        for cid, col in rubric.input_columns().items():
            key = (col.label, col.type, col.levels, col.min, col.max, col.unit, col.blank)
            first = seen.setdefault(cid, (rubric.id, key))
            assert first[1] == key, f"{cid}: {first[0]} and {rubric.id} differ"
    labels = [key[0] for _, key in seen.values()]
    assert len(labels) == len(set(labels)), "two column ids share a header"


def test_field_specific_indicators():
    def ids(rid: str) -> set[str]:
        return {i.id for i in CONCRETE[rid].indicators()}

    assert {"one_shoulder", "four_two_public", "collective_income"} <= ids("rural")
    assert {"one_shoulder", "community_building", "reported_members_rate"} <= ids("urban_community")
    assert "deputy_secretary" in ids("government")
    assert {"funds_payroll_rate", "business_performance"} <= ids("state_enterprise")
    assert {"two_coverages", "party_instructor", "owner_attitude"} <= ids("private_enterprise")
    assert {"charter_party", "party_instructor"} <= ids("social_org")
    assert {"dual_leader", "model_branch"} <= ids("school") & ids("hospital")
    payroll = next(i for i in CONCRETE["state_enterprise"].indicators() if i.id == "funds_payroll_rate")
    assert payroll.method.kind == "rate" and payroll.method.target == 0.01
    instructor = next(i for i in CONCRETE["private_enterprise"].indicators() if i.id == "party_instructor")
    assert list(instructor.method.levels.values()) == [2, 1.5, 0]
    assert CONCRETE["school"].sources[1].header == "{label}（自评）"
    assert [s.weight for s in CONCRETE["school"].sources] == [0.6, 0.4]
    venue = {rid: next(i for i in r.indicators() if i.id == "venue_area").method.tiers for rid, r in CONCRETE.items()}
    assert any(t.min == 300 for t in venue["urban_community"]) and any(t.min == 30 for t in venue["government"])
    assert any(t.min == 50 for t in venue["private_enterprise"])


def test_committed_schema_is_generated_from_the_model():
    committed = (RUBRICS / "rubric.schema.json").read_text(encoding="utf-8")
    assert committed == rubric_schema_text(), "run: python -m scoring.describe"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_rubric_file_validates_against_the_schema(path: Path):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((RUBRICS / "rubric.schema.json").read_text(encoding="utf-8"))
    doc = _plain(yaml.safe_load(path.read_text(encoding="utf-8")))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in jsonschema.Draft202012Validator(schema).iter_errors(doc)]
    assert errors == []


def test_schema_rejects_typos_and_incomplete_roots():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(rubric_file_schema())
    child = {"id": "x", "extends": "core", "standards": [{"id": "role", "indicators": [{"id": "satisfaction", "remove": True}]}]}
    assert list(validator.iter_errors(child)) == []
    assert list(validator.iter_errors({**child, "standards": [{"id": "role", "pointz": 3}]}))
    assert list(validator.iter_errors({"id": "x", "name": "没有 extends 也没有 standards"}))
    assert list(validator.iter_errors({"id": "x", "extends": "core", "columns": [{"label": "缺少 id"}]}))


@pytest.mark.parametrize("rubric", CONCRETE.values(), ids=CONCRETE)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_synthetic_branches_round_trip_through_scoring(rubric: Rubric, seed: int):
    frame = synthetic_frame(rubric, 200, seed=seed, groups=8)
    results = score(frame, SET)
    b = results.branches
    assert len(b) == 200 and len(results.unscored) == 0
    assert (b["rubric"] == rubric.id).all()
    assert b["total"].between(0, rubric.total).all()
    assert set(b["grade"]) <= set(rubric.grade_names())
    standards = results.standards.to_numpy(dtype=float)
    maxima = np.array([s.points for s in rubric.standards])
    assert (np.nan_to_num(standards) <= maxima + 1e-9).all()


def test_readme_examples_load_as_child_rubrics():
    import re

    from scoring.loader import parse_rubrics

    blocks = re.findall(r"```yaml\n(.*?)```", (RUBRICS / "README.md").read_text(encoding="utf-8"), re.S)
    header = blocks[0].replace("id: urban_community", "id: readme_example").replace("fields: [城市社区, 社区, 社区党组织]", "fields: [示例]")
    library = {str(p): p.read_text(encoding="utf-8") for p in FILES}
    changes = blocks[1]
    grading = next(b for b in blocks if b.startswith("grading:\n  rank_by"))
    for body in (changes, grading):
        rubric = parse_rubrics({"readme.yaml": header + body}, library).get("readme_example")
        assert sum(s.points for s in rubric.standards) == rubric.total
    position = next(s for s in parse_rubrics({"r.yaml": header + changes}, library).get("readme_example").standards if s.id == "position")
    assert position.points == 15 and "service_hall" in {i.id for i in position.indicators}


def test_no_level_column_treats_a_blank_as_zero():
    # A level is stored as its position, best first: a blank read as 0 would be the best level (国家级).
    for rubric in CONCRETE.values():
        for cid, col in rubric.input_columns().items():
            assert not (col.type == "level" and col.blank == "zero"), (rubric.id, cid)
