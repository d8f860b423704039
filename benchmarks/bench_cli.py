"""The command line as a user runs it: whole-process time and peak memory of `python -m scoring score` on a
province-sized CSV, beside `pandas.read_csv` of the same file measured in the same run.

The file tiles the sample city (sample_data/city.csv, 118 columns) as many times as needed: each copy is another
county, with its own codes, districts, townships and parent organizations, so groups keep the sample's sizes.
Each round runs read_csv, then CSV → CSV, then CSV → parquet, back to back; the ratios are the medians of the
per-round ratios (this machine is shared: a ratio of runs taken together drifts far less than either run).
The load average is printed beside every figure. Targets (issue 12): → CSV ≤ 3×, → parquet ≤ 2.5× read_csv;
peak RSS of the CLI ≤ 6 GB at 1,000,000 rows; `python -m scoring --help` < 0.5 s (beside a bare interpreter start).
Run: .venv/bin/python benchmarks/bench_cli.py [rows] [rounds]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "city.csv"
ROWS, ROUNDS = 1_000_000, 3
TARGETS = {"csv": 3.0, "parquet": 2.5}
RSS_LIMIT_GB = 6.0
_READ_CSV = "import sys, pandas; pandas.read_csv(sys.argv[1])"


def province_csv(path: Path, rows: int) -> None:
    """`rows` branches: the sample city repeated, each copy a county of its own (codes, district, township, parent)."""
    header, *body = SAMPLE.read_text(encoding="utf-8-sig").splitlines()
    cells = [line.split(",") for line in body]  # the sample has no quoted cells
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(header + "\r\n")
        written, copy = 0, 0
        while written < rows:
            tag = f"{copy:04d}"
            part = cells[: rows - written]
            out.write("".join(
                ",".join([f"9{tag}{c[0]}", c[1], c[2], c[3], f"{c[4]}{tag}", f"{c[5]}{tag}", f"{c[6]}{tag}", *c[7:]]) + "\r\n"
                for c in part))
            written, copy = written + len(part), copy + 1


def _load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def run(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (GB) and CPU seconds (user + system) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    stderr = child.stderr.read().decode("utf-8", "replace") if child.stderr else ""
    if child.returncode not in (0, 1):  # 1: some rows have problems, still scored
        raise SystemExit(f"{args[:3]} failed ({child.returncode}): {stderr[-2000:]}")
    return wall, usage.ru_maxrss / 2**20, usage.ru_utime + usage.ru_stime


def startup(repeats: int = 7) -> float:
    """Print the median wall time of `python -m scoring --help` beside `python -c pass`; return the former."""
    walls: dict[str, list[tuple[float, float, float]]] = {"python -c pass": [], "python -m scoring --help": []}
    for _ in range(repeats):
        for name, times in walls.items():
            times.append(run(["-c", "pass"] if name.endswith("pass") else ["-m", "scoring", "--help"]))
    (help_wall, _, help_cpu), (bare_wall, _, bare_cpu) = (np.median(np.array(walls[k]), axis=0) for k in reversed(walls))
    verdict = "OK" if help_wall < 0.5 else "SLOWER THAN TARGET"
    print(f"start-up: python -m scoring --help median {help_wall:.3f} s wall, {help_cpu:.3f} s CPU (target < 0.5 s: "
          f"{verdict}); python -c pass {bare_wall:.3f} s wall, {bare_cpu:.3f} s CPU; {_load()}")
    return float(help_wall)


def main(rows: int = ROWS, rounds: int = ROUNDS) -> dict[str, float]:
    """Print the figures; return the median paired ratios by output format."""
    startup()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "province.csv"
        province_csv(source, rows)
        size = source.stat().st_size / 2**20
        print(f"{rows:,} rows × 118 columns, {size:,.0f} MB (sample city tiled); {rounds} paired rounds; {_load()}")
        walls: dict[str, list[float]] = {"read_csv": [], "csv": [], "parquet": []}
        peaks: dict[str, list[float]] = {"read_csv": [], "csv": [], "parquet": []}
        cpus: dict[str, list[float]] = {"read_csv": [], "csv": [], "parquet": []}
        for number in range(1, rounds + 1):
            for name, times in walls.items():
                if name == "read_csv":
                    args = ["-c", _READ_CSV, str(source)]
                else:
                    out = Path(tmp) / f"out.{name}"
                    args = ["-m", "scoring", "score", str(source), "--rubrics", "rubrics", "--format", name, "-o", str(out)]
                wall, peak, cpu = run(args)
                times.append(wall)
                peaks[name].append(peak)
                cpus[name].append(cpu)
                print(f"  round {number} {name:8s} {wall:7.2f} s wall {cpu:7.2f} s CPU  peak RSS {peak:5.2f} GB  ({_load()})",
                      flush=True)
        anchor = np.array(walls["read_csv"])
        print(f"pandas.read_csv (whole process)  median {np.median(anchor):.2f} s, peak RSS {max(peaks['read_csv']):.2f} GB")
        ratios = {}
        for name, target in TARGETS.items():
            paired = float(np.median(np.array(walls[name]) / anchor))
            paired_cpu = float(np.median(np.array(cpus[name]) / np.array(cpus["read_csv"])))
            ratios[name] = paired
            peak = max(peaks[name])
            verdict = "OK" if paired <= target else "SLOWER THAN TARGET"
            memory = "OK" if peak <= RSS_LIMIT_GB else "OVER"
            print(f"score → {name:8s} median {np.median(walls[name]):.2f} s, {rows / np.median(walls[name]):,.0f} rows/s; "
                  f"ratio {paired:.2f}× read_csv wall (target ≤ {target}×: {verdict}), {paired_cpu:.2f}× CPU; peak RSS {peak:.2f} GB "
                  f"(target ≤ {RSS_LIMIT_GB} GB: {memory})")
        print(f"after the runs: {_load()}")
    return ratios


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
