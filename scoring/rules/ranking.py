"""Positions within groups by integer sort keys, shared by the relative rules (quotas, bottom shares) and ranks."""

from __future__ import annotations

import math

import numpy as np


def order(*keys: np.ndarray) -> np.ndarray:
    """Row order by non-negative integer keys, most significant first: one argsort on a packed key when it fits."""
    sizes = [int(k.max()) + 1 if len(k) else 1 for k in keys]
    if sum(math.log2(s) for s in sizes) < 62:
        packed = np.zeros(len(keys[0]), dtype=np.int64)
        for key, size in zip(keys, sizes):
            packed = packed * size + key
        return np.argsort(packed, kind="stable")
    return np.lexsort(keys[::-1])


def position(groups: np.ndarray, ordered: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows in `mask`, their 0-based position within their group following `ordered`; and group sizes per row."""
    sizes = np.bincount(groups)[groups]
    sorted_rows = ordered[mask[ordered]]
    sorted_groups = groups[sorted_rows]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_groups)) + 1] if len(sorted_rows) else np.array([], dtype=np.int64)
    run = np.zeros(len(sorted_rows), dtype=np.int64)
    if len(sorted_rows):
        run_start = np.zeros(len(sorted_rows), dtype=np.int64)
        run_start[starts] = starts
        run = np.arange(len(sorted_rows)) - np.maximum.accumulate(run_start)
    out = np.full(len(groups), -1, dtype=np.int64)
    out[sorted_rows] = run
    return out, sizes
