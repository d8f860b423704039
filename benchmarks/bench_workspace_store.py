"""Workspace store: add a 100,000-row file to a workspace holding 100,000 rows of another year, reopen it, store size per version.

Figures printed beside an anchor measured in the same run: pandas.read_csv of the same files. Targets (issue 9, this
2-core machine): add < 6 s (store part here; the browser journey adds the page), reopen (open + verified bytes + read +
combine) < 3 s, and a version that changes one file stores only that file. SQLite always; PostgreSQL in a throwaway
database when TEST_POSTGRES_URL is set.
Run: .venv/bin/python benchmarks/bench_workspace_store.py [--rows N]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_ingest import generate, rubrics
from benchmarks.bench_snapshots import store_urls
from snapshots import open_store
from snapshots.workspace_data import combined, pieces
from snapshots.workspaces import WorkspaceService


def csv_bytes(rows: int, year: str, seed: int) -> bytes:
    frame = generate(rows, seed)
    frame["考核年度"] = year
    return frame.to_csv(index=False).encode("utf-8")


def seconds(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def stored_bytes(service: WorkspaceService, workspace_id: str) -> int:
    return service.store.file_count(workspace_id)[1]


def bench(label: str, url: str, files: dict[str, bytes]) -> None:
    store = open_store(url)
    service = WorkspaceService(store.db)
    try:
        access = service.create("基准")
        (first, first_data), (second, second_data) = files.items()
        add_first, _ = seconds(lambda: service.add_file(access, first, first_data))
        size_one = stored_bytes(service, access.id)
        add_second, _ = seconds(lambda: service.add_file(access, second, second_data))
        size_two = stored_bytes(service, access.id)
        service.set_rubric(access, {})
        size_rubric = stored_bytes(service, access.id)
        changed = second_data.replace(b",2025,", b",2025,", 1) + b"\n"
        service.replace_file(access, second, second, changed)
        size_replaced = stored_bytes(service, access.id)
        rubric_set = rubrics()

        def reopen() -> int:
            opened = service.open(access.id)
            return len(combined(pieces(service, opened.access, opened.manifest, rubric_set), opened.manifest).frame)

        def verified() -> int:
            opened = service.open(access.id)
            return sum(len(service.file_bytes(opened.access, entry)) for entry in opened.manifest.files)

        bytes_s, _ = seconds(verified)
        reopen_s, rows = seconds(reopen)
        anchor_s, _ = seconds(lambda: [pd.read_csv(io.BytesIO(data), dtype=str) for data in (first_data, changed)])
        print(f"[{label}] add file 1: {add_first:.2f} s, add file 2: {add_second:.2f} s (target < 6 s: {'OK' if add_second < 6 else 'MISSED'})")
        print(f"[{label}] reopen and read back the verified bytes (store part): {bytes_s:.2f} s")
        print(f"[{label}] reopen + verify + read + combine {rows:,} rows: {reopen_s:.2f} s (target < 3 s: "
              f"{'OK' if reopen_s < 3 else 'MISSED'}); pandas.read_csv of the same files {anchor_s:.2f} s, ratio {reopen_s / anchor_s:.1f}x")
        print(f"[{label}] stored file bytes per version: v2 {size_one:,}, v3 {size_two:,} (+{size_two - size_one:,}), "
              f"rubric-only v4 +{size_rubric - size_two:,}, one file replaced v5 +{size_replaced - size_rubric:,} "
              f"(the replaced file is {len(changed):,} bytes: {'OK' if size_replaced - size_rubric == len(changed) else 'MISSED'})")
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    files = {"2024.csv": csv_bytes(args.rows, "2024", 2024), "2025.csv": csv_bytes(args.rows, "2025", 2025)}
    for backend, url in store_urls("store.sqlite3"):
        bench(backend, url, files)


if __name__ == "__main__":
    main()
