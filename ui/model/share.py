"""What the share form keeps on screen after a submit (no Streamlit here)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ZONE_ENV = "DASHBOARD_TIMEZONE"  # the deployment's time zone for times shown to users
DEFAULT_ZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Shown:
    """What the form shows after a submit: the snapshot's id, its delete token (None when reused) and whether a code guards it."""

    snapshot_id: str
    delete_token: str | None
    with_code: bool


def local_time(moment: datetime, zone: str | None = None) -> str:
    """A moment in the deployment's time zone (DASHBOARD_TIMEZONE, default Asia/Shanghai; UTC if the setting is unknown)."""
    name = (zone if zone is not None else os.environ.get(ZONE_ENV, "")).strip() or DEFAULT_ZONE
    try:
        return moment.astimezone(ZoneInfo(name)).strftime("%Y-%m-%d %H:%M ") + name
    except (ZoneInfoNotFoundError, ValueError):
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def shortened(names: Sequence[str]) -> tuple[list[str], str]:
    """Names without the ending they all share (e.g. 标准化规范化建设考评细则), and that ending ("" when none)."""
    if len(names) < 2:
        return list(names), ""
    shortest = min(map(len, names))
    common = 0
    while common < shortest - 1 and len({n[len(n) - common - 1] for n in names}) == 1:
        common += 1
    if common < 4:
        return list(names), ""
    return [n[: len(n) - common] for n in names], names[0][len(names[0]) - common:]
