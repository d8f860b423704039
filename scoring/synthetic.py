"""Random but valid assessment frames for a rubric, already in the engine's encoding (tests, benchmarks)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.methods import Count, Deduction, Tiers
from scoring.rubric import BRANCH_ID, FIELD, NAME, PERIOD, Column, Indicator, Rubric


def _scale(indicator: Indicator | None) -> float:
    """A value at which the indicator earns full points (or, for deductions, loses them all)."""
    method = indicator.method if indicator else None
    if isinstance(method, Tiers):
        return method.tiers[0].min * 1.3
    if isinstance(method, Count):
        return indicator.points / method.per_unit * 1.2  # type: ignore[union-attr]
    if isinstance(method, Deduction):
        return indicator.points / method.per_occurrence  # type: ignore[union-attr]
    return 12.0


def _values(column: Column, indicator: Indicator | None, n: int, quality: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Values for one column; `quality` in [0, 1] per row makes good branches good across columns."""
    q = np.clip(quality + rng.normal(0, 0.15, n), 0, 1)
    if isinstance(indicator.method if indicator else None, Deduction):
        return np.round((1 - q) ** 2 * _scale(indicator))
    if column.type == "bool":
        return (rng.random(n) < 0.2 + 0.8 * q).astype(float)
    if column.type == "rate":
        return np.round(np.clip(0.5 + 0.5 * q, 0, 1), 3)
    if column.type == "level":
        return np.round((1 - q) * (len(column.levels) - 1)).astype(float)
    if column.type == "points":
        return np.round(q * (column.max or 1), 1)
    top = _scale(indicator)
    whole = column.unit in ("次", "人", "个", "项", "季", "学时", "个月", "年")
    values = np.round(q * top, 0 if whole or top >= 20 else 1)
    return values.clip(0, column.max) if column.max is not None else values


def synthetic_frame(rubric: Rubric, n: int, seed: int = 0, groups: int = 50, period: str = "2025") -> pd.DataFrame:
    """A frame of `n` branches for `rubric` with every input column filled, in the engine's encoding."""
    rng = np.random.default_rng(seed)
    quality = rng.beta(5, 1.6, n)
    frame: dict[str, object] = {
        BRANCH_ID: np.char.add("B", np.arange(n).astype(str)),
        NAME: np.char.add("示例支部", np.arange(n).astype(str)),
        FIELD: rubric.fields[0] if rubric.fields else rubric.name,
        PERIOD: period,
        "parent": np.char.add("示例党委", (np.arange(n) % groups).astype(str)),
    }
    rare = {"secretary_violation": 0.003, "mass_incident": 0.002, "safety_accident": 0.002}
    indicators = {i.column_id: i for i in rubric.indicators()}
    extras = {i.column_id for section in (rubric.bonus, rubric.penalty) if section for i in section.indicators}
    for cid, column in rubric.input_columns().items():
        if cid in frame or column.type == "text":
            continue
        if cid in rare:
            frame[cid] = (rng.random(n) < rare[cid]).astype(float)
        elif cid == "members":
            frame[cid] = rng.integers(3, 60, n).astype(float)
        elif cid == "months_since_founding":  # established branches: every synthetic row is rated
            frame[cid] = rng.integers(13, 360, n).astype(float)
        elif cid == "probationary":
            frame[cid] = rng.integers(0, 3, n).astype(float)
        elif cid in extras:  # awards and penalties are rare: most branches have none
            low = float(len(column.levels) - 1) if column.type == "level" else 0.0
            frame[cid] = np.where(rng.random(n) < 0.05, rng.integers(0, 3, n).astype(float), low)
        elif column.unit in ("个月", "年") and column.blank == "zero":
            frame[cid] = np.where(rng.random(n) < 0.03, rng.integers(1, 5, n), 0).astype(float)
        else:
            frame[cid] = _values(column, indicators.get(cid), n, quality, rng)
    return pd.DataFrame(frame)
