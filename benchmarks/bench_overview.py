"""The overview's view model at province scale: the cube summed once per data set, then one selection at a time.

The data set is the sample city replicated to the requested number of branches (bench_dashboard.big_csv, one period)
through the real ingestion and scoring. Figures: building the cube (once per data set: what report→overview waits
for) and summarizing a selection from it (what a filter change or page switch waits for when the bundle is not
cached yet), beside an anchor measured in the same run: pandas counting the same branches by field and grade
(`groupby(...).size()`), the least any grade mix costs over rows. Peak RSS of this process is printed.
Run: .venv/bin/python benchmarks/bench_overview.py [branches] [rounds]
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_dashboard import big_csv  # noqa: E402
from benchmarks.bench_snapshots import median_time  # noqa: E402
from scoring.engine import score  # noqa: E402
from scoring.ingest import read_assessments  # noqa: E402
from scoring.loader import load_rubrics  # noqa: E402
from ui.model import overview  # noqa: E402
from ui.model.view import Filters  # noqa: E402


def _load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def main(branches: int = 1_000_000, rounds: int = 3) -> None:
    """Print cube and selection times beside the pandas anchor."""
    rubrics = load_rubrics([ROOT / "rubrics"])
    ingested = read_assessments(big_csv(branches, 1), rubrics, filename="big.csv")
    results = score(ingested.frame, rubrics, ingested.not_applicable)
    del ingested
    b = results.branches
    print(f"{len(b):,} branches scored; {_load()} (figures taken under load: read the ratios)")
    anchor = median_time(lambda: b.groupby(["field", "grade"], observed=True).size(), rounds)
    start = time.perf_counter()
    cube = overview.cube(results, rubrics)
    built = time.perf_counter() - start
    print(f"anchor: pandas groupby(field, grade).size() median {anchor:.3f} s")
    print(f"cube, once per data set: {built:.2f} s ({built / anchor:.1f}× anchor), {len(cube.cells):,} cells; {_load()}")
    fields = sorted(b["field"].astype(str).unique())
    towns = sorted(b["township"].dropna().astype(str).unique())
    for name, filters in (("everything", Filters()), ("one field", Filters(fields=(fields[0],))),
                          ("lowest grade", Filters(grades=("后进",))), ("three townships", Filters(townships=tuple(towns[:3])))):
        took = median_time(lambda filters=filters: overview.summarize(cube, rubrics, filters), rounds)
        print(f"  selection {name:<16} median {took:.3f} s ({took / anchor:.1f}× anchor); {_load()}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"peak RSS of this process (data set, results and cube): {peak:.2f} GB")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
