"""One process-wide least-recently-used cache, bounded by a weight: a count of entries, or bytes for the large objects
one upload yields (read rows, scored results)."""

from __future__ import annotations

import dataclasses
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")
DEFAULT_BUDGET = 1_000_000_000


def footprint(value: object) -> int:
    """An estimate of the bytes a value holds: its frames, arrays and bytes, found through dataclasses and containers."""
    if isinstance(value, pd.DataFrame | pd.Series):
        usage = value.memory_usage(deep=True)
        return int(usage.sum() if isinstance(usage, pd.Series) else usage)
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, bytes | bytearray | str):
        return len(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(footprint(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, tuple | list):
        return sum(footprint(v) for v in value)
    if isinstance(value, dict):
        return sum(footprint(v) for v in value.values())
    return 0


def budget_from_env() -> int:
    """UPLOAD_CACHE_MAX_BYTES when set to a whole number, else 1 GB."""
    text = os.environ.get("UPLOAD_CACHE_MAX_BYTES", "").strip()
    return int(text) if text.isdigit() else DEFAULT_BUDGET


def one(_: object) -> int:
    """Every value weighs the same: the budget is a number of entries."""
    return 1


class LruCache:
    """Values by key, least recently used dropped first so that the total `weight` stays within `budget`
    (entries by default, bytes with `weight=footprint`); a value heavier than the whole budget is returned but not kept."""

    def __init__(self, budget: int, weight: Callable[[object], int] = one) -> None:
        self.budget = budget
        self.weight = weight
        self.total = 0
        self._items: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value kept under `key`, or `make()` (run outside the lock, so it may report progress) kept;
        two sessions may build the same value at once, and the first one kept stays."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key][0]  # type: ignore[return-value]
        value = make()
        size = self.weight(value)
        with self._lock:
            if key not in self._items and size <= self.budget:
                self._items[key] = (value, size)
                self.total += size
                while self.total > self.budget:
                    _, (_, dropped) = self._items.popitem(last=False)
                    self.total -= dropped
        return value

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        """Drop every value."""
        with self._lock:
            self._items.clear()
            self.total = 0
