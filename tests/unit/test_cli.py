"""The CLI end to end: exit codes, outputs and messages (in a subprocess, as users run it)."""

import json
import subprocess
import sys

import pytest

RUBRICS = "rubrics"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scoring", *args], capture_output=True, text=True, encoding="utf-8", check=False)


def test_validate_rubric_ok_lists_every_rubric():
    out = cli("validate-rubric", RUBRICS)
    assert out.returncode == 0
    assert "rural" in out.stdout and "core" in out.stdout


def test_validate_rubric_broken_exits_1_with_located_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\nname: 坏\nextends: core\nfields: [坏]\ntotal: 99\nstandards:\n  - id: team\n    points: 16\n", encoding="utf-8")
    (tmp_path / "core.yaml").write_text((__import__("pathlib").Path(RUBRICS) / "core.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    out = cli("validate-rubric", str(bad))
    assert out.returncode == 1
    assert f"{bad}:5:" in out.stderr and "total-mismatch" in out.stderr
    assert f"{bad}:8:" in out.stderr and "points-mismatch" in out.stderr


@pytest.mark.parametrize("args", [(), ("nonsense",), ("score",), ("template", "--rubrics", RUBRICS)])
def test_wrong_usage_exits_2(args):
    assert cli(*args).returncode == 2


def test_template_has_every_header_of_the_field(tmp_path):
    out = cli("template", "--rubrics", RUBRICS, "--field", "农村")
    assert out.returncode == 0
    headers = out.stdout.lstrip("\ufeff").strip().split(",")
    assert headers[:4] == ["党组织代码", "党组织名称", "领域", "考核年度"]
    assert "村集体经济经营性收入（万元）" in headers and "“四议两公开”" in headers
    xlsx = tmp_path / "t.xlsx"
    assert cli("template", "--rubrics", RUBRICS, "--field", "农村", "-o", str(xlsx)).returncode == 0
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx).active
    assert [c.value for c in sheet[2]][:2] == ["党组织代码", "党组织名称"]


def test_template_for_unknown_field_names_the_available_ones():
    out = cli("template", "--rubrics", RUBRICS, "--field", "火星")
    assert out.returncode == 1
    assert "火星" in out.stderr and "农村" in out.stderr


def test_score_json_on_the_rural_sample():
    out = cli("score", "sample_data/rural_small.csv", "--rubrics", RUBRICS, "--format", "json")
    assert out.returncode == 0, out.stderr
    records = json.loads(out.stdout)
    assert len(records) == 40
    first = records[0]
    assert {"branch_id", "name", "field", "period", "total", "max_total", "grade", "standards", "indicators", "reasons", "flags"} <= set(first)
    assert first["branch_id"].startswith("00")
    assert {r["grade"] for r in records} == {"先进", "中间", "后进"}
    for r in records:
        assert r["reasons"][-1] == f"最终等次：{r['grade']}"
        assert r["total"] == pytest.approx(min(100.0, max(0.0, sum(v for v in r["standards"].values() if v is not None)
                                                           + sum(r["indicators"][k] or 0 for k in ("award_level",))
                                                           - sum(r["indicators"][k] or 0 for k in ("petitions", "discipline_cases")))), abs=0.01)
    vetoed = [r for r in records if any("重大安全事故" in x for x in r["reasons"])]
    assert vetoed and all(r["grade"] == "后进" for r in vetoed)
    assert any("超出名额" in x for r in records for x in r["reasons"])
    assert any("低于 60%" in x for r in records for x in r["reasons"])


def _folder(tmp_path, core_text=None):
    from pathlib import Path

    for name in ("core.yaml", "rural.yaml", "school.yaml"):
        (tmp_path / name).write_text((Path(RUBRICS) / name).read_text(encoding="utf-8"), encoding="utf-8")
    if core_text is not None:
        (tmp_path / "core.yaml").write_text(core_text, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("id: broken\nname: [unclosed\n", encoding="utf-8")
    (tmp_path / "legacy.yaml").write_bytes("id: legacy\nname: 旧\n".encode("gbk"))
    return tmp_path


def test_validate_rubric_file_reports_that_file_and_what_it_extends_only(tmp_path):
    folder = _folder(tmp_path)
    out = cli("validate-rubric", str(folder / "rural.yaml"))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("✓ rural") and "继承 core" in lines[0]
    assert "broken" not in out.stdout + out.stderr and "legacy" not in out.stdout + out.stderr and "school" not in out.stdout


def test_validate_rubric_file_still_reports_a_broken_parent(tmp_path):
    folder = _folder(tmp_path, core_text="id: core\nabstract: true\nname: [unclosed\n")
    out = cli("validate-rubric", str(folder / "rural.yaml"))
    assert out.returncode == 1
    assert f"{folder / 'core.yaml'}:" in out.stderr and "yaml-syntax" in out.stderr and "broken.yaml" not in out.stderr
