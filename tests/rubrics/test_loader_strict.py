"""Rubric values are taken as written or refused: numbers are numbers, finite and bounded; files decode exactly or not at all."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
import yaml

from scoring.errors import RubricError
from scoring.loader import decode_rubric, load_rubrics, parse_rubrics
from tests.unit.mini import BASE

RUBRICS = Path(__file__).resolve().parents[2] / "rubrics"
VALID = yaml.safe_dump(BASE, allow_unicode=True, sort_keys=False)
X_POINTS = "    points: 4\n    method:\n      kind: direct\n  - id: y"  # indicator x of standard 甲 (6 = x 4 + y 2)


def with_x_points(spelling: str) -> str:
    text = VALID.replace(X_POINTS, X_POINTS.replace("points: 4", f"points: {spelling}"), 1)
    assert (text != VALID) == (spelling != "4")
    return text


def refused(text: str, name: str = "bad.yaml") -> list:
    with pytest.raises(RubricError) as info:
        parse_rubrics({name: text})
    return info.value.problems


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        pytest.param('"5"', "float-type", id="quoted-number"),  # the sum check skipped it and the model read 5: 7 points in a 6-point standard
        pytest.param("'4'", "float-type", id="quoted-equal-number"),
        pytest.param("1e308", "float-type", id="huge-text"),  # YAML 1.1 reads 1e308 (no dot) as text, which the model used to coerce
        pytest.param("1.0e+308", "less-than-equal", id="huge"),
        pytest.param("-1.0e+308", "greater-than", id="huge-negative"),  # points must be above 0: that is said first
        pytest.param(".inf", "finite-number", id="infinite"),
        pytest.param(".nan", "finite-number", id="not-a-number"),
        pytest.param("true", "float-type", id="bool"),
        pytest.param("[4]", "float-type", id="list"),
        pytest.param("{value: 4}", "float-type", id="map"),
        pytest.param("2024-01-01", "float-type", id="date"),
    ],
)
def test_points_must_be_a_sane_number(spelling, code):
    text = with_x_points(spelling)
    found = refused(text)
    hit = next((p for p in found if p.code == code), None)
    assert hit is not None, [str(p) for p in found]
    assert hit.line == line_of(text, f"points: {spelling}")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in hit.message) and "1000000000.0" not in hit.message
    assert not any(p.code == "points-mismatch" for p in found), "the sum check must not see a value the model refused"


@pytest.mark.parametrize("spelling", ["4", "4.0", "+4", "4.0e+0", "0x4"])
def test_numbers_spelled_as_yaml_numbers_are_the_numbers_used(spelling):
    rubric = parse_rubrics({"ok.yaml": with_x_points(spelling)}).get("mini")
    x = rubric.standards[0].indicators[0]
    assert x.points == 4.0 and sum(i.points for i in rubric.standards[0].indicators) == rubric.standards[0].points


def test_a_real_indicator_with_quoted_points_is_refused_at_its_line():
    core = (RUBRICS / "core.yaml").read_text(encoding="utf-8")
    rural = (RUBRICS / "rural.yaml").read_text(encoding="utf-8")
    first = next(line for line in core.splitlines() if line.strip().startswith("points:") and line.startswith("      "))
    quoted = first.replace("points: ", "points: \"", 1) + '"'
    broken = core.replace(first, quoted, 1)
    line = line_of(broken, quoted)
    assert any(p.code == "float-type" and p.line == line for p in refused(broken, "core.yaml"))
    with pytest.raises(RubricError) as info:  # inherited: reported in the child, naming the parent's line
        parse_rubrics({"rural.yaml": rural}, {"core.yaml": broken})
    assert any(p.code == "float-type" and p.file == "rural.yaml" and f"core.yaml 第 {line} 行" in p.message for p in info.value.problems)


@pytest.mark.parametrize(
    ("key", "spelling", "code"),
    [
        ("precision: 2", "precision: 2.0", "int-type"),
        ("precision: 2", "precision: '2'", "int-type"),
        ("blank: zero", "blank: zero\n  required: 'yes'", "bool-type"),
        ("name: 测试细则", "name: 测试细则\neffective_from: '2024-01-01'", "date-type"),
        ("name: 测试细则", "name: 测试细则\nversion: 2025", "string-type"),
    ],
)
def test_other_scalars_are_not_coerced(key, spelling, code):
    base = VALID if key in VALID else VALID.replace("total: 10", "total: 10\nprecision: 2")
    text = base.replace(key, spelling, 1)
    assert text != base
    assert code in {p.code for p in refused(text)}


GBK_SAFE = VALID  # Chinese text every GBK code page holds


@pytest.mark.parametrize(
    ("encode", "label"),
    [
        (lambda text: text.encode("utf-8"), "utf-8"),
        (lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), "utf-8-bom"),
        (lambda text: text.encode("gbk"), "gbk"),
        (lambda text: text.replace("测试细则", "测试细则𠀀").encode("gb18030"), "gb18030"),
        (lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "utf-16-le-bom"),
        (lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"), "utf-16-be-bom"),
    ],
)
def test_rubric_files_decode_like_data_files(encode, label):
    text = decode_rubric(encode(GBK_SAFE), "细则.yaml")
    assert "\ufffd" not in text and "\ufeff" not in text
    assert parse_rubrics({"细则.yaml": text}).get("mini").name.startswith("测试细则"), label


@pytest.mark.parametrize(
    ("data", "code"),
    [
        pytest.param(b"id: x\nname: \x80\xff\xfe\n", "encoding", id="neither-utf8-nor-gb18030"),
        pytest.param(b"id: x\x00\x00\nname: y\n", "not-text", id="binary"),
        pytest.param(b"\xff\xfe" + b"\x00\xd8", "encoding", id="broken-utf16"),
        pytest.param(b"# " + b"x" * (600 * 1024), "limit-size", id="oversize"),
    ],
)
def test_undecodable_rubric_is_refused_with_a_chinese_message(data, code):
    with pytest.raises(RubricError) as info:
        decode_rubric(data, "上传.yaml")
    (problem,) = info.value.problems
    assert (problem.file, problem.code) == ("上传.yaml", code)
    assert "\ufffd" not in problem.message and any("\u4e00" <= ch <= "\u9fff" for ch in problem.message)


def test_a_gbk_rubric_file_loads_from_disk(tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes(GBK_SAFE.encode("gbk"))
    assert load_rubrics([path]).get("mini").standards[0].name == "甲"
