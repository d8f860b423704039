"""`python -m snapshots workspace …` run as a user would, in a subprocess: the whole script, the exit codes and the messages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.snapshots.conftest import ROOT
from tests.snapshots.test_snapshot_cli import run_cli

pytestmark = pytest.mark.xdist_group("snapshots-heavy")


def ws(tmp_path: Path, *args: str, code: str | None = "Ab12") -> tuple[int, str, str]:
    env = {"SCORING_DATA_DIR": str(tmp_path / "data")}
    if code is not None:
        env["WORKSPACE_ACCESS_CODE"] = code
    result = run_cli("workspace", *args, env_extra=env)
    return result.returncode, result.stdout, result.stderr


def test_a_scripted_workspace_from_create_to_export(tmp_path: Path) -> None:
    for name in ("city_2024_gbk.csv", "messy.csv"):
        shutil.copy(ROOT / "sample_data" / name, tmp_path / name)
    status, out, err = ws(tmp_path, "create", "2025 年度考评")
    assert status == 0, err
    workspace_id = out.strip()
    assert len(workspace_id) == 24 and f"/?workspace={workspace_id}" in err

    status, out, err = ws(tmp_path, "add", workspace_id, str(tmp_path / "city_2024_gbk.csv"), str(tmp_path / "messy.csv"), "--source", "城关镇")
    assert (status, out.splitlines()) == (0, ["第 2 版：添加文件“city_2024_gbk.csv”", "第 3 版：添加文件“messy.csv”"]), err

    status, out, _ = ws(tmp_path, "list-files", workspace_id)
    size = (tmp_path / "city_2024_gbk.csv").stat().st_size
    assert status == 0 and f"city_2024_gbk.csv\t{size}\t" in out and out.splitlines()[-1].startswith("2 个文件")

    status, out, err = ws(tmp_path, "status", workspace_id, "--rubrics", str(ROOT / "rubrics"))
    assert status == 0, err
    rows = {line.split("\t")[0]: line.split("\t")[1:] for line in out.splitlines() if "\t" in line}
    assert rows["city_2024_gbk.csv"] == ["1480", "1480", "0", "0", "0"]
    assert rows["messy.csv"] == ["41", "29", "1", "11", "0"]  # messy.csv is 2025 data: no branch-year in common with 2024
    assert rows["（合计）"] == ["1521", "1509", "1", "11", "0"]

    (tmp_path / "messy.csv").write_bytes((ROOT / "sample_data" / "messy.csv").read_bytes().replace(b"\r\n", b"\n"))
    status, out, err = ws(tmp_path, "add", workspace_id, str(tmp_path / "messy.csv"), "--replace")
    assert (status, out.strip()) == (0, "第 4 版：用“messy.csv”替换“messy.csv”"), err

    status, out, _ = ws(tmp_path, "restore", workspace_id, "2")
    assert (status, out.strip()) == (0, "第 5 版：恢复到第 2 版")
    status, out, _ = ws(tmp_path, "versions", workspace_id)
    assert [line.split("\t")[0] for line in out.splitlines()] == ["1", "2", "3", "4", "5"]

    status, out, err = ws(tmp_path, "export", workspace_id, str(tmp_path / "out"), "--version", "3")
    assert status == 0, err
    assert (tmp_path / "out" / "messy.csv").read_bytes() == (ROOT / "sample_data" / "messy.csv").read_bytes()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    assert manifest["version"] == 3 and [f["name"] for f in manifest["files"]] == ["city_2024_gbk.csv", "messy.csv"]
    status, _, err = ws(tmp_path, "export", workspace_id, str(tmp_path / "out"))
    assert status == 1 and "不是空的" in err


def test_refusals_exit_1_and_usage_errors_exit_2(tmp_path: Path) -> None:
    status, out, _ = ws(tmp_path, "create", "保密")
    workspace_id = out.strip()
    status, out, err = ws(tmp_path, "versions", workspace_id, code="zzzz")
    assert (status, out) == (1, "") and "无法打开该工作区" in err and "Traceback" not in err
    status, _, err = ws(tmp_path, "versions", "../../etc/passwd")
    assert status == 1 and "无法打开该工作区" in err
    status, _, err = ws(tmp_path, "add", workspace_id, str(tmp_path / "missing.csv"))
    assert status == 1 and "无法读取文件" in err
    status, _, err = ws(tmp_path, "create", "\u200b")
    assert status == 1 and "不能只有空格或零宽字符" in err
    for args in ((), ("explode",), ("versions",), ("restore", workspace_id, "two")):
        assert ws(tmp_path, *args)[0] == 2
    assert ws(tmp_path, "versions", workspace_id, "--store", "ftp://x")[0] == 2
