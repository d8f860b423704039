"""Snapshots as the dashboard takes them: a 100,000-branch data set through the codec and the service.

Create = freeze the data set (ui.snapshot_codec.dataset_to_payload) + encode + store; open = read + verify + decode +
rebuild the data set (payload_to_dataset, rubric texts parsed again). Two data sets: the sample city replicated to
the requested size through real ingestion and scoring (as bench_dashboard.py), and synthetic random assessments
for every rubric (less repetitive, so a fairer size). Targets: create < 2 s, open < 1 s, a few MB (< 8 MB).

    .venv/bin/python benchmarks/bench_snapshot_ui.py [--rows N] [--repeat R]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_dashboard import big_csv  # noqa: E402
from benchmarks.bench_snapshots import median_time  # noqa: E402
from scoring.engine import score  # noqa: E402
from scoring.ingest import read_assessments  # noqa: E402
from scoring.loader import load_rubrics, parse_rubrics  # noqa: E402
from scoring.synthetic import synthetic_frame  # noqa: E402
from snapshots import SnapshotService, open_store  # noqa: E402
from ui.data import Dataset, digest  # noqa: E402
from ui.model.view import Filters, ViewState  # noqa: E402
from ui.snapshot_codec import dataset_to_payload, payload_to_dataset, snapshot_metadata  # noqa: E402

CREATE_TARGET_S = 2.0
OPEN_TARGET_S = 1.0
SIZE_TARGET_MB = 8.0
VIEW = ViewState(page="ranking", filters=Filters(fields=("农村",), grades=("后进",)))


def replicated(rows: int) -> Dataset:
    """The sample city copied to `rows` branches, read and scored like an upload."""
    rubrics = load_rubrics([ROOT / "rubrics"])
    raw = big_csv(rows, 1)
    ingested = read_assessments(raw, rubrics, filename="big.csv", max_bytes=len(raw) + 1)
    results = score(ingested.frame, rubrics, ingested.not_applicable)
    return Dataset(digest(raw), "big.csv", rubrics, results, ingested.report, ingested.rejected, raw, "big.csv")


def synthetic(rows: int) -> Dataset:
    """Random but valid assessments spread over every rubric (one period), scored."""
    rubrics = load_rubrics([ROOT / "rubrics"])
    concrete = rubrics.concrete
    frames = []
    for i, rubric in enumerate(concrete):
        frame = synthetic_frame(rubric, rows // len(concrete) + (i < rows % len(concrete)), seed=i, groups=400)
        frame["branch_id"] = f"{rubric.id}-" + frame["branch_id"].astype(str)
        frames.append(frame)
    results = score(pd.concat(frames, ignore_index=True), rubrics)
    return Dataset(digest("synthetic", str(rows)), "synthetic", rubrics, results)


def verdict(value: float, target: float) -> str:
    """A printed target check."""
    return "OK" if value < target else "MISSED"


def bench(label: str, data: Dataset, repeat: int) -> None:
    """Print create/open/size figures for one data set against a fresh SQLite store."""
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{folder}/snapshots.sqlite3")
        service = SnapshotService(store, max_bytes=1 << 30)
        ids: list[str] = []

        def create() -> None:
            moment = pd.Timestamp.now(tz="UTC").to_pydatetime()
            payload = dataset_to_payload(data, VIEW)
            ids.append(service.create(payload, title="基准快照", metadata=snapshot_metadata(data, VIEW, moment)).id)

        def read() -> object:
            return service.open(ids[0])

        def reopen() -> object:
            opened = service.open(ids[0])
            return payload_to_dataset(opened.payload, opened.meta.sha256)

        try:
            freeze_s = median_time(lambda: dataset_to_payload(data, VIEW).to_bytes(), repeat)
            create_s = median_time(create, repeat)
            size_mb = service.list()[0].size / 2**20
            read_s = median_time(read, repeat)
            open_s = median_time(reopen, repeat)
            parse_s = median_time(lambda: parse_rubrics(data.rubrics.documents, data.rubrics.library), repeat)
        finally:
            store.close()
    print(f"[{label}] {len(data.results):,} branches, {data.results.inputs.shape[1]} input columns")
    print(f"[{label}]   create {create_s:.3f} s (target < {CREATE_TARGET_S} s: {verdict(create_s, CREATE_TARGET_S)}); "
          f"of which freeze + encode {freeze_s:.3f} s")
    print(f"[{label}]   open   {open_s:.3f} s (target < {OPEN_TARGET_S} s: {verdict(open_s, OPEN_TARGET_S)}); "
          f"read + verify + decode {read_s:.3f} s, rubric parse {parse_s:.3f} s (cached per content in the app)")
    print(f"[{label}]   stored {size_mb:.2f} MB (target < {SIZE_TARGET_MB} MB: {verdict(size_mb, SIZE_TARGET_MB)})")


def main() -> None:
    """Build both data sets, then measure each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for label, build in (("replicated sample", replicated), ("synthetic", synthetic)):
        start = time.perf_counter()
        data = build(args.rows)
        print(f"[{label}] built and scored in {time.perf_counter() - start:.1f} s")
        bench(label, data, args.repeat)


if __name__ == "__main__":
    main()
