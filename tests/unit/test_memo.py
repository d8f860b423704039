"""The cache keeps at most its budget (in bytes or in entries), dropping the least recently used value first."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ui.memo import LruCache, footprint


@dataclass(frozen=True)
class Held:
    frame: pd.DataFrame
    raw: bytes


def test_footprint_counts_frames_arrays_and_bytes_inside_dataclasses():
    frame = pd.DataFrame({"x": np.zeros(1000)})
    assert footprint(Held(frame, b"12345")) == int(frame.memory_usage(deep=True).sum()) + 5
    assert footprint((np.zeros(10), {"a": b"xy"})) == 80 + 2


def test_least_recently_used_values_are_dropped_to_stay_within_the_budget():
    cache = LruCache(budget=250, weight=footprint)
    built: list[str] = []

    def make(key: str, size: int):
        return lambda: built.append(key) or b"x" * size

    cache.get("a", make("a", 100))
    cache.get("b", make("b", 100))
    cache.get("a", make("a", 100))  # a is used again: b is now the oldest
    cache.get("c", make("c", 100))
    assert cache.total <= 250
    cache.get("a", make("a", 100))
    cache.get("b", make("b", 100))
    assert built == ["a", "b", "c", "b"]


def test_a_value_larger_than_the_budget_is_returned_but_not_kept():
    cache = LruCache(budget=10, weight=footprint)
    assert cache.get("big", lambda: b"x" * 11) == b"x" * 11
    assert len(cache) == 0
    assert cache.total == 0


def test_without_a_weight_the_budget_counts_entries():
    cache = LruCache(budget=2)
    for key in "abc":
        cache.get(key, lambda key=key: key * 1000)
    assert len(cache) == 2
    assert cache.total == 2
    assert cache.get("a", lambda: "rebuilt") == "rebuilt"  # the oldest was dropped
    assert cache.get("c", lambda: "rebuilt") == "c" * 1000
