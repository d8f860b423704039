"""Dashboard speed through Streamlit's AppTest: upload, overview, filter changes and every page at 100,000 branches.

The upload is the sample city replicated with fresh codes and names until it holds the requested number of
branches (default 100,000 in one period, about 34 MB), so it goes through the real ingestion, scoring and pages.
Targets: the overview renders in under 2 s after the upload, and a filter change re-renders in under 0.5 s.
Run: .venv/bin/python benchmarks/bench_dashboard.py [branches] [periods]
"""

from __future__ import annotations

import csv
import io
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

APP = str(ROOT / "dashboard.py")
CITY = ROOT / "sample_data" / "city.csv"
TARGETS = {"overview after upload": 2.0, "filter change": 0.5}


def big_csv(branches: int, periods: int) -> bytes:
    """The sample city copied until each period holds `branches` rows (codes and names made unique per copy)."""
    with CITY.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    code, name, period = header.index("党组织代码"), header.index("党组织名称"), header.index("考核年度")
    kept = sorted({r[period] for r in rows})[-periods:]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for year in kept:
        same = [r for r in rows if r[period] == year]
        for i in range(branches):
            row = list(same[i % len(same)])
            copy = i // len(same)
            row[code], row[name] = f"{copy:03d}{row[code]}", f"{row[name]}{copy}"
            writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")


def timed(label: str, action: Callable[[], AppTest], results: list[tuple[str, float]]) -> AppTest:
    """Run one interaction, check it raised nothing, and record its wall time."""
    start = time.perf_counter()
    at = action()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise SystemExit(f"{label}: {at.exception[0].value}")
    results.append((label, elapsed))
    print(f"  {label:<42} {elapsed:7.2f} s", flush=True)
    return at


def run(branches: int, periods: int) -> list[tuple[str, float]]:
    """Upload a file of this size and time the pages a user would open next."""
    data = big_csv(branches, periods)
    print(f"\n{branches:,} branches × {periods} period(s): {len(data) / 2**20:.1f} MB CSV")
    results: list[tuple[str, float]] = []
    at = AppTest.from_file(APP, default_timeout=900)
    at.query_params["page"] = "upload"
    at.run()
    at.run()
    uploader = at.file_uploader(key="up_file")
    timed("upload: read, validate, score, report", lambda: uploader.set_value(("big.csv", data, "text/csv")).run(), results)
    timed("overview after upload", lambda: at.button(key="up_use").click().run(), results)
    timed("overview rerun (no change)", at.run, results)
    fields = at.multiselect(key="f_field").options
    timed("filter change: field", lambda: at.multiselect(key="f_field").set_value([fields[0]]).run(), results)
    towns = at.multiselect(key="f_township").options
    timed("filter change: township", lambda: at.multiselect(key="f_township").set_value(list(towns[:2])).run(), results)
    timed("filter change: grade", lambda: at.multiselect(key="f_grade").set_value(["后进"]).run(), results)
    timed("filter change: back to all (cached)", lambda: at.button(key="f_reset").click().run(), results)
    for page in ("ranking", "branch", "yoy", "rectify", "rubrics", "overview"):
        timed(f"page: {page}", lambda page=page: at.switch_page(f"ui/screens/{page}.py").run(), results)
    timed("filter change on the ranking page", lambda: (at.switch_page("ui/screens/ranking.py").run(),
                                                        at.multiselect(key="f_field").set_value([fields[1]]).run())[1], results)
    return results


def main() -> None:
    """Run the scenarios and print the figures against the targets."""
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    branches = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    periods = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    results = run(branches, periods)
    print("\ntargets:")
    ok = True
    for label, limit in TARGETS.items():
        worst = max(t for name, t in results if name.startswith(label) and "cached" not in name)
        passed = worst < limit
        ok &= passed
        print(f"  {label:<28} worst {worst:5.2f} s  (target < {limit} s)  {'ok' if passed else 'SLOW'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
