"""Benchmark: the rubric workbench's what-if per edit and a 50-point threshold sweep at 100,000 branches, beside a full
`scoring.engine.score` of the same data measured in the same run (the anchor).

    python benchmarks/bench_whatif.py [--rows N] [--groups G] [--repeat R] [--strict]

The data are synthetic rural branches (one period, G parent organizations). Each edit is applied to the rubric YAML
through `scoring.draft.Draft` and loaded with the project's loader (not timed: that is the editor's part); the timed
part is `scoring.whatif.what_if` given the adopted results (as the dashboard has them): it scores only what the
edit can change and builds the grade mix, the changed branches and the impact sentences. Each figure is the fastest
of --repeat runs (the machine is shared; the load average is printed before and after, and CPU time, the steadier
figure there, beside wall time; ratios are of CPU times). Targets on a 2-core machine:
< 1 s per edit and < 2 s for the sweep; a missed target prints MISSED (and exits 1 with --strict).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from scoring.draft import Draft, SetValue, key_path  # noqa: E402
from scoring.engine import score  # noqa: E402
from scoring.loader import load_rubrics  # noqa: E402
from scoring.synthetic import synthetic_frame  # noqa: E402
from scoring.whatif import threshold_sweep, what_if  # noqa: E402

TARGET_EDIT = 1.0
TARGET_SWEEP = 2.0
EDITS = {  # what a user changes on 评分细则, from grading-only to points
    "rural 先进 threshold 90 → 85 (regrade)": ("grading.bands.先进.min", 85),
    "rural 先进 quota 30 % → 35 % (regrade)": ("grading.quotas.advanced_quota.max_share", 0.35),
    "core satisfaction veto 90 % → 85 % (regrade)": ("grading.vetoes.low_satisfaction.when.value", 0.85),
    "rural training-rate target 95 % → 90 % (rescore)": ("standards.team.indicators.training_rate.method.target", 0.9),
}


def fastest(run: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """The fastest wall time and the fastest CPU time of `repeat` runs, and the last result."""
    wall, cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = run()
        wall, cpu = min(wall, time.perf_counter() - start), min(cpu, time.process_time() - start_cpu)
    return wall, cpu, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--groups", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    adopted = load_rubrics([ROOT / "rubrics"])
    rural = adopted.get("rural")
    frame = synthetic_frame(rural, args.rows, seed=1, groups=args.groups)
    frame["township"] = frame["parent"].str.replace("党委", "镇", regex=False)
    print(f"what-if benchmark: {args.rows:,} rural branches in {args.groups} groups; load average {os.getloadavg()[0]:.2f}")

    anchor, anchor_cpu, before = fastest(lambda: score(frame, adopted), args.repeat)
    print(f"  {'anchor: full score of the same data':<56} {anchor:6.3f} s  (CPU {anchor_cpu:6.3f} s)")
    draft = Draft.of(adopted)
    missed = False
    for label, (path, value) in EDITS.items():
        rubric = "core" if label.startswith("core") else "rural"
        edited = draft.apply(SetValue(rubric, key_path(path), value)).load()
        seconds, cpu, comparison = fastest(lambda e=edited: what_if(frame, adopted, e, before=before), args.repeat)  # type: ignore[misc, arg-type]
        moved = len(comparison.changes)  # type: ignore[attr-defined]
        flag = "" if seconds < TARGET_EDIT else "  MISSED"
        missed |= bool(flag)
        print(f"  what-if {label:<48} {seconds:6.3f} s  (CPU {cpu:6.3f} s, {cpu / anchor_cpu:4.2f}x anchor)  "
              f"{moved:>6,} grades moved{flag}")

    values = np.linspace(75, 100, 50)
    seconds, cpu, sweep = fastest(lambda: threshold_sweep(before, adopted, "rural", "先进", values), args.repeat)  # type: ignore[arg-type]
    flag = "" if seconds < TARGET_SWEEP else "  MISSED"
    missed |= bool(flag)
    print(f"  {'sweep of the rural 先进 threshold over 50 values':<56} {seconds:6.3f} s  (CPU {cpu:6.3f} s, {cpu / anchor_cpu:4.2f}x anchor)  "
          f"{len(sweep):,} rows{flag}")  # type: ignore[arg-type]
    print(f"targets: < {TARGET_EDIT:g} s per edit, < {TARGET_SWEEP:g} s per sweep; load average now {os.getloadavg()[0]:.2f}")
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
