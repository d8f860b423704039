"""Benchmark: score and grade 1,000,000 synthetic branches with the engine, beside a DuckDB SQL version of the same
rubric (full size) and a plain row-by-row Python version (a subset of whole groups, extrapolated), checking that
all three agree on totals, grades and flags.

    python benchmarks/bench_scoring.py [--rows N] [--python-rows M] [--group-size G] [--seed S] [--repeat R]

Each phase runs in a fresh child process that loads the same pickled input, so phases cannot inherit each other's
memory. Peak memory is the child's peak resident set size (VmHWM) during the phase alone: the high-water mark is
reset (/proc/self/clear_refs) after the input is loaded, so it counts everything resident in the process (input
frame, interpreter, numpy, pandas/Arrow and DuckDB buffers) but none of the loading's temporaries. The growth over
the resident size just before the phase (mostly the input frame) is printed too. Wall time is time.perf_counter
around the one call that scores and grades (engine: `scoring.engine.score`; DuckDB: register the frames, run the
query, fetch the result into numpy arrays; Python: rows to dicts, score, grade). The engine and DuckDB phases run
--repeat times, interleaved (plain Python at most 3 times), and the fastest run counts (the machine is shared; the load average is printed);
peak memory is the largest seen. CPU time (user + system, all threads) is printed beside wall time: on a
shared machine it is the steadier figure. Exits non-zero when the three disagree; missed speed or memory targets only
print MISSED unless --strict is given.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from scoring.loader import parse_rubrics  # noqa: E402
from scoring.rubric import BRANCH_ID, PERIOD, Rubric  # noqa: E402
from scoring.rubricset import RubricSet  # noqa: E402
from scoring.synthetic import synthetic_frame  # noqa: E402

# Targets for 1,000,000 branches on a 2-core machine.
TARGET_SECONDS = 3.0
TARGET_VS_DUCKDB = 1.5
TARGET_PEAK_BYTES = 2.5 * 1024**3
TOLERANCE = 1e-6

# The rural rubric (36 indicators) extended to 47: nine more indicators of every method kind spread over the six
# standards (points moved from existing indicators so every standard keeps its sum), one more bonus and one more
# penalty item, two more vetoes (one nested any/all with level names, one flag only), a bottom rule that forces, and
# a skip rule (不参评) for branches founded less than a year ago.
BENCH_RUBRIC = """
id: bench
name: 基准测试细则（农村细则扩展）
extends: rural
fields: [基准测试]

columns:
  - {id: months_since_founding, label: 成立时间（月）, aliases: [成立月数], type: number, unit: 个月}

skip:
  - id: founded_under_a_year
    when: {column: months_since_founding, op: "<", value: 12}
    reason: 成立不满一年的党支部不参加评定

standards:
  - id: organization            # 18 = 4 + 3 + 3 + 2 + 2 + 2 + 1 + 1
    indicators:
      - {id: election_on_time, points: 3}
      - id: reserve_cadres
        name: 村级后备力量
        label: 后备力量人数
        points: 1
        unit: 人
        blank: not_applicable
        method: {kind: count, per_unit: 0.5, unit: 人}
  - id: team                    # 15 = 3 + 3 + 2 + 2 + 3 + 2
    indicators:
      - {id: training_rate, points: 3}
      - {id: dues_rate, points: 3}
      - id: member_contact_rate
        name: 党员联系群众覆盖率
        points: 2
        method: {kind: rate, target: 0.9, zero_at: 0.5}
  - id: institutions            # 22 = 2 + 3 + 2 + 3 + 2 + 2 + 2 + 2 + 2 + 1 + 1
    indicators:
      - {id: general_meetings, points: 2, method: {per_unit: 0.5}}
      - {id: records, points: 2, method: {levels: {好: 2, 较好: 1.5, 一般: 1, 差: 0}}}
      - id: study_missed
        name: 集中学习
        label: 集中学习缺次数
        points: 1
        unit: 次
        blank: zero
        method: {kind: deduction, per_occurrence: 0.5}
      - id: minutes_quality
        name: 会议记录质量
        points: 1
        method: {kind: level, levels: {优: 1, 良: 0.75, 中: 0.5, 差: 0}}
  - id: position                # 13 = 5 + 3 + 2 + 2 + 1
    indicators:
      - {id: six_haves_missing, points: 3}
      - id: digital_platform
        name: 智慧党建平台使用
        label: 智慧党建平台评分
        points: 1
        method: {kind: direct}
  - id: support                 # 12 = 3 + 2 + 2 + 3 + 2
    indicators:
      - id: running_funds
        points: 3
        method: {tiers: [{min: 20, points: 3}, {min: 15, points: 2}, {min: 10, points: 1}]}
      - id: training_funds
        name: 党员教育培训经费
        label: 党员教育培训经费（万元）
        points: 2
        unit: 万元
        method: {kind: tiers, unit: 万元, tiers: [{min: 2, points: 2}, {min: 1, points: 1}]}
  - id: role                    # 20 = 6 + 4 + 3 + 4 + 1 + 1 + 1
    indicators:
      - {id: satisfaction, points: 6}
      - {id: work_goals, points: 3}
      - id: volunteer_hours
        name: 志愿服务时长
        label: 人均志愿服务时长
        points: 1
        unit: 小时
        method: {kind: count, per_unit: 0.05, unit: 小时}
      - id: grid_coverage
        name: 网格化服务覆盖率
        points: 1
        blank: not_applicable
        not_applicable: zero
        method: {kind: rate, target: 1.0, zero_at: 0.6}
      - id: pledge_kept
        name: 承诺事项按期兑现
        points: 1
        method: {kind: yes_no}

bonus:
  indicators:
    - id: innovation_case
      name: 创新案例
      points: 1
      blank: zero
      method: {kind: yes_no}

penalty:
  indicators:
    - id: safety_warnings
      name: 安全隐患通报
      label: 安全隐患通报次数
      points: 3
      unit: 次
      blank: zero
      method: {kind: count, per_unit: 1}

grading:
  vetoes:
    - id: poor_records
      when:
        any:
          - {column: study_missed, op: ">=", value: 2}
          - all:
              - {column: minutes_quality, op: "==", value: 差}
              - {column: records, op: in, value: [一般, 差]}
      cap: 中间
      flag: 台账不规范
      reason: 集中学习缺 2 次以上，或会议记录和台账均较差，不能评为先进
    - id: funds_misused
      when: {column: funds_used, op: is_false}
      flag: 经费使用不规范
      reason: 经费使用不规范，予以提醒
  bottom:
    - id: bottom_share
      force: 后进
"""


def library_texts() -> dict[str, str]:
    """Every shipped rubric file, so the benchmark rubric can extend rural (which extends core)."""
    return {str(p): p.read_text(encoding="utf-8") for p in sorted((ROOT / "rubrics").glob("*.yaml"))}


def bench_rubrics(text: str = BENCH_RUBRIC) -> RubricSet:
    return parse_rubrics({"bench.yaml": text}, library=library_texts())


def make_inputs(rubric: Rubric, n: int, seed: int = 0, group_size: int = 25, na_share: float = 0.05,
                missing_share: float = 0.01) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A synthetic frame (engine encoding) and its not-applicable marks.

    Columns whose blank means not applicable are marked on `na_share` of rows (their cells blank, as ingestion
    leaves them); `missing_share` of the cells of other scored columns are left blank (未填, no points).
    """
    frame = synthetic_frame(rubric, n, seed=seed, groups=max(1, n // group_size))
    rng = np.random.default_rng(seed + 1)
    columns = rubric.input_columns()
    if "months_since_founding" in frame:  # about 5% founded under a year ago (不参评)
        frame["months_since_founding"] = rng.integers(1, 240, n).astype(float)
    na = {}
    for ind in rubric.indicators():
        cid = ind.column_id
        if cid not in frame:
            continue
        if columns[cid].blank == "not_applicable":
            marks = rng.random(n) < na_share
            na[cid] = marks
            frame[cid] = np.where(marks, np.nan, frame[cid].to_numpy())
        elif columns[cid].blank == "missing" and missing_share > 0:
            frame[cid] = np.where(rng.random(n) < missing_share, np.nan, frame[cid].to_numpy())
    return frame, pd.DataFrame(na, index=frame.index)


def whole_groups(frame: pd.DataFrame, rubric: Rubric, rows: int) -> np.ndarray:
    """Positions of a subset of about `rows` rows made of whole (period, group) groups, so that quotas and bottom
    rules (which only look inside a group) grade the subset exactly as they grade the full frame."""
    keys = [c for c in (PERIOD, rubric.grading.quotas[0].group_by if rubric.grading.quotas else rubric.grading.rank_by) if c in frame]
    groups = frame.groupby(keys, sort=False).ngroup().to_numpy() if keys else np.zeros(len(frame), dtype=np.int64)
    sizes = np.bincount(groups)
    keep = np.flatnonzero(np.cumsum(sizes) <= max(rows, sizes[0]))
    return np.flatnonzero(np.isin(groups, keep))


# ---------------------------------------------------------------------------------------------------------------
# Child side: one phase, timed and measured.


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _cpu_seconds() -> float:
    """User + system CPU time of this process, all threads (DuckDB uses both cores)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _result_columns(out: pd.DataFrame, flags: list[str]) -> dict[str, np.ndarray]:
    """The rows rated (positions in the phase's input) and their total, grade position and flags."""
    data = {"index": out.index.to_numpy(dtype=np.int64), "total": out["total"].to_numpy(dtype=float),
            "level": out["level"].to_numpy(dtype=np.int64)}
    for k, name in enumerate(flags):
        data[f"flag_{k}"] = out[name].to_numpy(dtype=bool) if name in out else np.zeros(len(out), dtype=bool)
    return data


def run_phase(phase: str, data_path: str, out_path: str) -> None:
    from benchmarks import reference_duckdb, reference_python
    from scoring.engine import score

    rubrics = bench_rubrics()
    rubric = rubrics.get("bench")
    with open(data_path, "rb") as data:
        frame, na = pickle.load(data)
    flags = reference_python.flag_names(rubric)
    if phase == "duckdb":
        import duckdb
        con = duckdb.connect()

    def once() -> object:
        if phase == "engine":
            return score(frame, rubrics, na)
        if phase == "duckdb":
            return reference_duckdb.score_frame(frame, rubric, na, con)
        return reference_python.score_frame(frame, rubric, na)

    gc.collect()
    exact_peak = _reset_peak()
    before = _status_kb("VmRSS")
    cpu_start = _cpu_seconds()
    start = time.perf_counter()
    out = once()
    seconds = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu_start
    peak = _status_kb("VmHWM")
    if phase == "engine":
        out = out.branches[["total", "level"]].join(out.flags)  # type: ignore[attr-defined]
    np.savez(out_path, **_result_columns(out, flags))  # type: ignore[arg-type]
    with open(out_path + ".json", "w", encoding="utf-8") as fh:
        json.dump({"seconds": seconds, "cpu": cpu, "rows": len(frame), "peak_kb": peak, "before_kb": before, "exact_peak": exact_peak}, fh)


# ---------------------------------------------------------------------------------------------------------------
# Parent side.


def _child(phase: str, data: Path, out: Path) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--phase", phase, "--data", str(data), "--out", str(out)]
    subprocess.run(cmd, check=True, cwd=ROOT)
    with open(str(out) + ".json", encoding="utf-8") as fh:
        return json.load(fh)


def _load(out: Path, size: int) -> dict[str, np.ndarray]:
    """A phase's results spread over all `size` input rows: `rated` marks the rows rated (not skipped)."""
    with np.load(str(out) + ".npz") as z:
        found = {k: z[k] for k in z.files}
    where = found.pop("index")
    full: dict[str, np.ndarray] = {"rated": np.zeros(size, dtype=bool), "total": np.full(size, np.nan),
                                   "level": np.full(size, -1, dtype=np.int64)}
    full["rated"][where] = True
    for key, values in found.items():
        if key not in full:
            full[key] = np.zeros(size, dtype=values.dtype)
        full[key][where] = values
    return full


def compare(name: str, a: dict[str, np.ndarray], b: dict[str, np.ndarray], frame: pd.DataFrame, names: list[str],
            flags: list[str]) -> tuple[int, int, int]:
    """Print agreement of two result sets over the same rows; return (total, grade, flag) mismatch counts.

    A row rated by one side and skipped (不参评) by the other counts as a grade mismatch."""
    both = a["rated"] & b["rated"]
    delta = np.where(both, np.abs(a["total"] - b["total"]), 0.0)
    total_bad = delta > TOLERANCE
    grade_bad = (a["rated"] != b["rated"]) | (both & (a["level"] != b["level"]))
    flag_bad = np.zeros(len(total_bad), dtype=bool)
    for k in range(len(flags)):
        flag_bad |= both & (a[f"flag_{k}"] != b[f"flag_{k}"])
    counts = int(total_bad.sum()), int(grade_bad.sum()), int(flag_bad.sum())
    verdict = "agree" if not any(counts) else "DISAGREE"
    largest = float(delta.max()) if len(delta) else 0.0
    print(f"  {name:<18}{int(both.sum()):>10,} rated  totals ≠ {counts[0]:>6,} (max |Δ| {largest:.1e})   grades ≠ {counts[1]:>6,}"
          f"   flags ≠ {counts[2]:>6,}   {verdict}")
    bad = np.flatnonzero(total_bad | grade_bad | flag_bad)[:5]
    left, right = name.split(" vs ")

    def shown(r: dict[str, np.ndarray], i: int) -> str:
        if not r["rated"][i]:
            return "不参评 (skipped)"
        raised = [f for k, f in enumerate(flags) if r[f"flag_{k}"][i]]
        return f"{r['total'][i]:.6f} {names[r['level'][i]]} {raised}"

    for i in bad:
        print(f"      {frame[BRANCH_ID].iat[i]:>10} {left}: {shown(a, i)}   {right}: {shown(b, i)}")
    return counts


def _mb(kb: float) -> str:
    return f"{kb / 1024:,.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="branches scored by the engine and by DuckDB")
    parser.add_argument("--python-rows", type=int, default=20_000, help="about this many rows (whole groups) for plain Python")
    parser.add_argument("--group-size", type=int, default=25, help="branches per superior organization (quota and bottom groups)")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=3, help="run the engine and DuckDB phases this many times (interleaved) "
                        "and keep the fastest; peak memory is the largest seen")
    parser.add_argument("--strict", action="store_true", help="also exit non-zero when a speed or memory target is missed")
    parser.add_argument("--phase", choices=("engine", "duckdb", "python"), help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        run_phase(args.phase, args.data, args.out)
        return 0

    rubrics = bench_rubrics()
    rubric = rubrics.get("bench")
    names = list(rubric.grade_names())
    kinds = pd.Series([i.method.kind for i in rubric.indicators()]).value_counts()
    print(f"Rubric {rubric.id}: {len(rubric.indicators())} indicators ({', '.join(f'{k} {v}' for k, v in kinds.items())}), "
          f"{len(rubric.grading.vetoes)} vetoes, {len(rubric.grading.direct)} direct grade, {len(rubric.grading.floors)} floor, "
          f"{len(rubric.grading.quotas)} quota, {len(rubric.grading.bottom)} bottom rule, {len(rubric.skip)} skip rule (不参评)")
    start = time.perf_counter()
    frame, na = make_inputs(rubric, args.rows, seed=args.seed, group_size=args.group_size)
    subset = whole_groups(frame, rubric, args.python_rows)
    print(f"Generated {len(frame):,} branches in {len(frame) // args.group_size:,} groups "
          f"({na.to_numpy().any(axis=1).mean():.1%} rows with a not-applicable item) in {time.perf_counter() - start:.1f} s; "
          f"Python subset: {len(subset):,} rows of whole groups")
    flags = list(dict.fromkeys([v.flag for v in rubric.grading.vetoes if v.flag] + [b.flag for b in rubric.grading.bottom if b.flag]))

    with tempfile.TemporaryDirectory(prefix="bench_scoring_") as tmp:
        full, part = Path(tmp) / "full.pkl", Path(tmp) / "subset.pkl"
        with open(full, "wb") as fh:
            pickle.dump((frame, na), fh, protocol=5)
        with open(part, "wb") as fh:
            pickle.dump((frame.iloc[subset].reset_index(drop=True), na.iloc[subset].reset_index(drop=True)), fh, protocol=5)
        load_before = os.getloadavg()[0]
        runs: dict[str, list[dict[str, float]]] = {"engine": [], "duckdb": []}
        for _ in range(args.repeat):  # interleaved, so that a burst of load elsewhere hits both alike
            for phase, found in runs.items():
                found.append(_child(phase, full, Path(tmp) / phase))
        metrics = {phase: {**min(found, key=lambda m: m["seconds"]), "peak_kb": max(m["peak_kb"] for m in found),
                           "grew_kb": max(m["peak_kb"] - m["before_kb"] for m in found)} for phase, found in runs.items()}
        found = [_child("python", part, Path(tmp) / "python") for _ in range(min(args.repeat, 3))]
        metrics["python"] = {**min(found, key=lambda m: m["seconds"]), "peak_kb": max(m["peak_kb"] for m in found),
                             "grew_kb": max(m["peak_kb"] - m["before_kb"] for m in found)}
        load_after = os.getloadavg()[0]
        results = {phase: _load(Path(tmp) / phase, len(frame) if phase != "python" else len(subset)) for phase in metrics}

    rated = results["engine"]["rated"]
    grades = pd.Series(np.array(names)[results["engine"]["level"][rated]]).value_counts()
    print(f"Engine: {int(rated.sum()):,} rated, {int((~rated).sum()):,} not rated (不参评); grades: "
          + ", ".join(f"{g} {grades.get(g, 0):,}" for g in names)
          + " | flags: " + ", ".join(f"{f} {int(results['engine'][f'flag_{k}'].sum()):,}" for k, f in enumerate(flags)))

    print("\nAgreement (totals within 1e-6 after rounding; grades and flags exactly):")
    mismatches = [
        compare("engine vs duckdb", results["engine"], results["duckdb"], frame, names, flags),
    ]
    sub = {k: v[subset] for k, v in results["engine"].items()}
    sub_duck = {k: v[subset] for k, v in results["duckdb"].items()}
    sub_frame = frame.iloc[subset]
    mismatches.append(compare("python vs engine", results["python"], sub, sub_frame, names, flags))
    mismatches.append(compare("python vs duckdb", results["python"], sub_duck, sub_frame, names, flags))

    n = args.rows
    print(f"\n{'phase':<28}{'rows':>10}{'wall s':>9}{'CPU s':>8}{'rows/s':>11}{'wall at ' + format(n, ',') + ' s':>21}"
          f"{'peak RSS MB':>13}{'phase +MB':>11}")
    labels = {"engine": "engine (scoring.engine)", "duckdb": "DuckDB SQL", "python": "plain Python (extrapolated)"}
    for phase, m in metrics.items():
        rate = m["rows"] / m["seconds"]
        print(f"{labels[phase]:<28}{m['rows']:>10,}{m['seconds']:>9.2f}{m['cpu']:>8.2f}{rate:>11,.0f}{n / rate:>21.2f}"
              f"{_mb(m['peak_kb']):>13}{_mb(m['grew_kb']):>11}")
    print(f"Load average (1 min) before/after the timed phases: {load_before:.2f} / {load_after:.2f} on {os.cpu_count()} cores"
          + ("  — the machine was busy; wall times are inflated" if max(load_before, load_after) > 1.5 else ""))
    if not all(m["exact_peak"] for m in metrics.values()):
        print("(peak RSS could not be reset after loading: figures include loading the input)")

    engine, duck = metrics["engine"], metrics["duckdb"]
    at_n = engine["seconds"] * n / engine["rows"]
    ratio = engine["seconds"] / duck["seconds"]
    peak = engine["peak_kb"] * 1024
    targets = [
        (f"engine scores and grades {n:,} rows in < {TARGET_SECONDS:g} s", f"{at_n:.2f} s", at_n < TARGET_SECONDS),
        (f"engine time ≤ {TARGET_VS_DUCKDB:g} × DuckDB", f"{ratio:.2f} ×", ratio <= TARGET_VS_DUCKDB),
        (f"engine peak RSS < {TARGET_PEAK_BYTES / 1024**3:g} GB", f"{peak / 1024**3:.2f} GB", peak < TARGET_PEAK_BYTES),
    ]
    print("\nTargets (2-core machine):")
    for label, figure, met in targets:
        print(f"  {label:<48}{figure:>10}   {'met' if met else 'MISSED'}")

    failed = any(any(c) for c in mismatches)
    if failed:
        print("\nFAILED: the engine and the references disagree (rows listed above).")
        return 1
    if args.strict and not all(met for _, _, met in targets):
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
