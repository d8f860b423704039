"""The CLI end to end: exit codes, outputs and messages (in a subprocess, as users run it)."""

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scoring import cli as cli_module
from scoring import output

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
                                                           - sum(r["indicators"][k] or 0 for k in ("petitions", "discipline_cases")))),
                                    abs=0.05)  # nine parts, each rounded to the rubric's 2 places
    vetoed = [r for r in records if any("重大安全事故" in x for x in r["reasons"])]
    assert vetoed and all(r["grade"] == "后进" for r in vetoed)
    assert any("超出名额" in x for r in records for x in r["reasons"])
    assert any("低于 60%" in x for r in records for x in r["reasons"])


# -- compare (issue 13 item 8: it crashed on every input) -----------------------------------------------------------

def test_compare_writes_the_moves_with_chinese_headers_and_rounded_changes(tmp_path):
    out = tmp_path / "晋位升级.csv"
    done = cli("compare", "sample_data/city.csv", "--rubrics", RUBRICS, "--before", "2024", "--after", "2025", "-o", str(out))
    assert done.returncode == 0, done.stderr
    lines = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    header, body = lines[0], lines[1:]
    assert header[:2] == ["党组织代码", "党组织名称"] and {"上期总分", "本期总分", "分数变化", "变动"} <= set(header)
    assert len(body) > 1000
    changes = [row[header.index("分数变化")] for row in body if row[header.index("分数变化")]]
    assert all(re.fullmatch(r"-?\d+(\.\d{1,2})?", c) for c in changes), [c for c in changes if len(c) > 8][:3]
    assert {row[header.index("变动")] for row in body} >= {"晋位", "持平", "降级"}


def test_compare_reads_a_named_sheet_of_a_workbook(tmp_path):
    done = cli("compare", "sample_data/city_2025.xlsx", "--rubrics", RUBRICS, "--sheet", "没有这张表")
    assert done.returncode == 1 and "没有这张表" in done.stderr and "Traceback" not in done.stderr


# -- output formats (issue 12 item 1, issue 14 item 6) ---------------------------------------------------------------

@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """The rural sample scored into every format."""
    folder = tmp_path_factory.mktemp("formats")
    for fmt in ("csv", "xlsx", "json", "jsonl", "parquet"):
        done = cli("score", "sample_data/rural_small.csv", "--rubrics", RUBRICS, "--format", fmt, "-o", str(folder / f"out.{fmt}"))
        assert done.returncode == 0, done.stderr
    return folder


def test_csv_and_parquet_hold_the_same_ranking(outputs):
    from scoring.export import read_results
    from scoring.loader import load_rubrics

    ranking = read_results(outputs / "out.csv", load_rubrics([Path(RUBRICS)]))
    table = pd.read_parquet(outputs / "out.parquet")
    assert list(table.columns) == list(ranking.columns) and len(table) == len(ranking) == 40
    assert table["党组织名称"].tolist() == ranking["党组织名称"].tolist()
    np.testing.assert_array_equal(table["总分"].to_numpy(), ranking["总分"].to_numpy())


def test_csv_numbers_are_rounded_to_the_rubric_precision(outputs):
    text = (outputs / "out.csv").read_text(encoding="utf-8-sig")
    assert not re.search(r"\d\.\d{5,}", text)  # percentages carry two places more than points (0.9838)
    assert text.startswith("党组织代码,") or text.startswith('"党组织代码"')


def test_json_and_jsonl_hold_the_same_records(outputs):
    records = json.loads((outputs / "out.json").read_text(encoding="utf-8"))
    lines = [json.loads(line) for line in (outputs / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert records == lines and len(records) == 40
    points = [v for r in records for v in (*r["standards"].values(), *r["indicators"].values()) if v is not None]
    assert all(round(v, 2) == v for v in points) and any(v != int(v) for v in points)


def test_xlsx_cells_have_number_formats(outputs):
    from openpyxl import load_workbook

    sheet = load_workbook(outputs / "out.xlsx")["各标准得分"]
    header = [c.value for c in sheet[1]]
    formats = {header[c.column - 1]: c.number_format for c in sheet[2]}
    assert formats["总分"] == "0.00" and formats["队伍完善"] in ("0.00", "0")
    ranking = load_workbook(outputs / "out.xlsx")["排名"]
    header = [c.value for c in ranking[1]]
    assert ranking.cell(2, header.index("得分率") + 1).number_format == "0.0%"
    assert ranking.cell(2, header.index("组内排名") + 1).number_format == "0"
    assert all(c.number_format != "General" for c in ranking[2] if isinstance(c.value, float))


def test_xlsx_past_excel_rows_is_refused_before_writing(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(output, "EXCEL_ROWS", 40)  # the sample's 40 rows and a header do not fit in 40 rows
    target = tmp_path / "结果.xlsx"
    code = cli_module.main(["score", "sample_data/rural_small.csv", "--rubrics", RUBRICS, "--format", "xlsx", "-o", str(target)])
    assert code == 1
    assert "超过 Excel 单个工作表的上限 40 行" in capsys.readouterr().err
    assert not target.exists() and not list(tmp_path.iterdir())


def test_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    def broken(*_args):
        raise OSError(28, "No space left on device", "结果.csv")

    monkeypatch.setattr(output, "write_results", broken)
    code = cli_module.main(["score", "sample_data/rural_small.csv", "--rubrics", RUBRICS, "-o", str(tmp_path / "结果.csv")])
    assert code == 2 and not list(tmp_path.iterdir())


# -- start-up (issue 12 item 2) -------------------------------------------------------------------------------------

HEAVY = ("pandas", "numpy", "pyarrow", "pydantic", "yaml", "openpyxl", "python_calamine", "psycopg", "snapshots",
         "scoring.loader", "scoring.engine", "scoring.export")


def _imported_by(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_help_imports_no_heavy_module():
    loaded = _imported_by("from scoring.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass")
    assert "scoring.cli" in loaded
    assert not {m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY}


def test_psycopg_is_imported_only_for_a_postgresql_store(tmp_path):
    loaded = _imported_by(f"from snapshots import open_store\nopen_store('sqlite:///{tmp_path}/s.sqlite3')")
    assert "snapshots.db" in loaded and "psycopg" not in loaded


def test_records_built_in_slices_are_the_records_built_at_once(monkeypatch):
    from scoring.engine import score
    from scoring.ingest import read_assessments
    from scoring.loader import load_rubrics

    rubrics = load_rubrics([Path(RUBRICS)])
    ingested = read_assessments(Path("sample_data/rural_small.csv"), rubrics)
    results = score(ingested.frame, rubrics, ingested.not_applicable)
    whole = list(output.result_records(results, rubrics))
    monkeypatch.setattr(output, "_RECORD_SLICE", 7)
    assert list(output.result_records(results, rubrics)) == whole and len(whole) == 40
