"""Snapshot storage: create time, open time and stored size of a realistic 100,000-branch result set,
and open time once 10,000 small snapshots are already stored.

The payload is what the dashboard shares: a branches frame (15 identity and score columns, Chinese text,
categoricals, nullable ints and booleans), an indicators frame (45 float columns of points on a half-point
grid, some 不适用 blanks), a standards frame (6 standard subtotals), two rubric texts and the view state.
Targets: create < 2 s, open < 1 s, stored size a few MB (< 8 MB). SQLite always; PostgreSQL too when
TEST_POSTGRES_URL is set (a throwaway database is created and dropped). Timings are the median of --repeat runs.

    .venv/bin/python benchmarks/bench_snapshots.py [--rows N] [--small N] [--repeat R]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pandas as pd
import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from snapshots import SnapshotPayload, SnapshotService, SnapshotStore, StoredSnapshot, open_store
from snapshots.tokens import hash_delete_token, new_delete_token, new_id

CREATE_TARGET_S = 2.0
OPEN_TARGET_S = 1.0
SIZE_TARGET_MB = 8.0
STANDARDS = ["organization", "team", "institutions", "position", "support", "role"]
FIELDS = ["农村", "城市社区", "机关", "国有企业", "非公企业", "社会组织", "学校", "医院"]
GRADES = ["五星", "四星", "三星", "二星", "一星"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华")


def build_payload(rows: int, seed: int = 2025) -> SnapshotPayload:
    """A deterministic result set shaped like the dashboard's own output for `rows` branches."""
    rng = np.random.default_rng(seed)
    codes = [f"5101{n:08d}" for n in range(rows)]
    towns = [f"{c}镇" for c in "东西南北中"] + [f"第{i}街道" for i in range(1, 996)]
    town = rng.integers(0, len(towns), rows)
    county = rng.integers(0, 48, rows)
    points = {f"i{j:02d}": rng.choice(np.arange(0, 4.5, 0.5), rows) for j in range(45)}
    for j in range(0, 45, 9):  # a few indicators do not apply to some fields
        points[f"i{j:02d}"][rng.random(rows) < 0.15] = np.nan
    indicators = pd.DataFrame(points, index=pd.Index(codes, name="党组织代码"))
    subtotals = {s: indicators.iloc[:, k::6].sum(axis=1).round(1) for k, s in enumerate(STANDARDS)}
    standards = pd.DataFrame(subtotals, index=indicators.index)
    total = standards.sum(axis=1).round(1)
    name_parts = np.array(SURNAMES)[rng.integers(0, len(SURNAMES), rows)], np.array(GIVEN)[rng.integers(0, len(GIVEN), (2, rows))]
    names = [a + b + c for a, b, c in zip(name_parts[0], *name_parts[1], strict=True)]
    grade_dtype = pd.CategoricalDtype(GRADES, ordered=True)
    grade_codes = np.digitize(total.to_numpy(), [40, 55, 70, 85])[::-1]
    branches = pd.DataFrame(
        {
            "党组织代码": pd.array(codes, dtype="str"),
            "支部名称": pd.array([f"{towns[t]}第{n % 40 + 1}党支部" for n, t in enumerate(town)], dtype="str"),
            "县区": pd.array([f"第{c}县" for c in county], dtype="str"),
            "乡镇街道": pd.array([towns[t] for t in town], dtype="str"),
            "领域": pd.Categorical(rng.choice(FIELDS, rows), categories=FIELDS),
            "书记": pd.array(names, dtype="str"),
            "党员数": pd.array(np.where(rng.random(rows) < 0.01, -1, rng.integers(3, 60, rows)), dtype="Int64"),
            "总分": total.to_numpy(),
            "自评分": np.round(total.to_numpy() + rng.normal(3, 2, rows), 1),
            "等级": pd.Categorical.from_codes(np.clip(grade_codes, 0, 4), dtype=grade_dtype),
            "上年等级": pd.Categorical.from_codes(rng.integers(-1, 5, rows), dtype=grade_dtype),
            "名次": total.rank(ascending=False, method="min").astype("int64").to_numpy(),
            "软弱涣散": rng.random(rows) < 0.04,
            "整改完成": pd.array([None if r < 0.9 else r < 0.95 for r in rng.random(rows)], dtype="boolean"),
            "扣分原因": pd.array([None if r < 0.85 else "三会一课记录不全；党费未按月交纳" for r in rng.random(rows)], dtype="str"),
        }
    )
    branches["党员数"] = branches["党员数"].mask(branches["党员数"] < 0)
    rubric = "\n".join(f"  - {{id: i{j:02d}, name: 指标{j:02d}, points: 4, method: {{kind: direct}}}}" for j in range(45))
    return SnapshotPayload(
        frames={"branches": branches, "indicators": indicators, "standards": standards},
        texts={"core.yaml": f"id: core\nname: 公共核心\nindicators:\n{rubric}\n", "rural.yaml": "id: rural\nextends: core\n"},
        state={"page": "overview", "filters": {"领域": ["农村"], "等级": ["五星", "四星"]}, "branch": codes[7], "lang": "zh"},
    )


def median_time(action: Callable[[], object], repeat: int) -> float:
    """Median wall time of `repeat` runs of `action`."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fill(store: SnapshotStore, count: int) -> float:
    """Insert `count` small snapshots straight through the store (as the service would) and return the time taken."""
    small = SnapshotPayload(frames={"r": pd.DataFrame({"x": [1.5, 2.5]})}, state={"page": "overview"}).to_bytes()
    digest = hashlib.sha256(small).hexdigest()
    now = datetime.now(UTC)
    start = time.perf_counter()
    for n in range(count):
        record = StoredSnapshot(
            id=new_id(),
            title=f"小快照 {n}",
            created_at=now,
            expires_at=now + timedelta(days=30),
            size=len(small),
            payload_sha256=digest,
            code_hash=None,
            delete_hash=hash_delete_token(new_delete_token()),
            metadata={"frames": {"r": [2, 1]}},
        )
        store.insert(record, small)
    return time.perf_counter() - start


def verdict(value: float, target: float) -> str:
    """A printed target check."""
    return "OK" if value < target else "MISSED"


def bench(label: str, url: str, payload: SnapshotPayload, small: int, repeat: int) -> None:
    """Print create/open/size figures for one back end, before and after filling it with small snapshots."""
    store = open_store(url)
    service = SnapshotService(store, max_bytes=1 << 30)
    try:
        created: list[str] = []
        create_s = median_time(lambda: created.append(service.create(payload, title="2025 年度考评").id), repeat)
        size_mb = service.list()[0].size / 1_048_576
        open_s = median_time(lambda: service.open(created[0]), repeat)
        print(f"[{label}] create {create_s:.3f} s (target < {CREATE_TARGET_S} s: {verdict(create_s, CREATE_TARGET_S)})")
        print(f"[{label}] open   {open_s:.3f} s (target < {OPEN_TARGET_S} s: {verdict(open_s, OPEN_TARGET_S)})")
        print(f"[{label}] stored {size_mb:.2f} MB (target < {SIZE_TARGET_MB} MB: {verdict(size_mb, SIZE_TARGET_MB)})")
        fill_s = fill(store, small)
        print(f"[{label}] stored {small} small snapshots in {fill_s:.1f} s ({fill_s / small * 1000:.2f} ms each)")
        open_full_s = median_time(lambda: service.open(created[0]), repeat)
        ids = [m.id for m in service.list()[-100:]]
        open_small_s = median_time(lambda: [service.open(i) for i in ids], repeat) / len(ids)
        print(f"[{label}] with {small} stored: open large {open_full_s:.3f} s ({verdict(open_full_s, OPEN_TARGET_S)}), "
              f"open small {open_small_s * 1000:.2f} ms")
    finally:
        store.close()


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str | None]:
    """A throwaway database on the server at `admin_url`, dropped afterwards; None if the server is unreachable."""
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        print(f"[postgresql] skipped: server unreachable ({str(exc).splitlines()[0]})")
        yield None
        return
    name = f"snap_bench_{secrets.token_hex(4)}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def store_urls(sqlite_name: str) -> Iterator[tuple[str, str]]:
    """(back end, store URL): SQLite in a temporary folder, then a throwaway PostgreSQL database when
    TEST_POSTGRES_URL names a reachable server."""
    with tempfile.TemporaryDirectory() as folder:
        yield "sqlite", f"sqlite:///{folder}/{sqlite_name}"
    admin_url = os.environ.get("TEST_POSTGRES_URL", "").strip()
    if not admin_url:
        print("[postgresql] skipped: set TEST_POSTGRES_URL=postgresql://user@host:port/postgres to include it")
        return
    with postgres_database(admin_url) as url:
        if url is not None:
            yield "postgresql", url


def main() -> None:
    """Build the payload once, then measure each available back end."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    start = time.perf_counter()
    payload = build_payload(args.rows)
    shapes = ", ".join(f"{name} {frame.shape[0]}×{frame.shape[1]}" for name, frame in payload.frames.items())
    memory_mb = sum(f.memory_usage(deep=True).sum() for f in payload.frames.values()) / 1_048_576
    print(f"payload: {shapes}; {memory_mb:.0f} MB in memory; built in {time.perf_counter() - start:.1f} s")
    encode_s = median_time(payload.to_bytes, args.repeat)
    blob = payload.to_bytes()
    decode_s = median_time(lambda: SnapshotPayload.from_bytes(blob), args.repeat)
    print(f"codec: encode {encode_s:.3f} s, decode {decode_s:.3f} s, {len(blob) / 1_048_576:.2f} MB")

    for backend, url in store_urls("snapshots.sqlite3"):
        bench(backend, url, payload, args.small, args.repeat)


if __name__ == "__main__":
    main()
