"""The 软弱涣散整顿台账 entry: its fields, statuses, the overdue rule and the change list kept as history."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

NOT_STARTED, IN_PROGRESS, AWAITING, CLOSED, DELAYED = "未开始", "整改中", "待验收", "已销号", "延期"
STATUSES = (NOT_STARTED, IN_PROGRESS, AWAITING, CLOSED, DELAYED)
STATUSES_EN = dict(zip(STATUSES, ("Not started", "In progress", "Awaiting acceptance", "Closed", "Delayed"), strict=True))
LISTED, UNLISTED = "是", "否"

# Every kept value of an entry, in the order the 台账 shows them, with its Chinese name (history says "field: old → new").
FIELDS: dict[str, str] = {
    "listed": "列入整顿",
    "reason": "列入（移出）原因",
    "decided_by": "决定人",
    "decided_at": "决定时间",
    "problems": "主要问题",
    "measures": "整改措施",
    "leader": "包联领导",
    "responsible": "责任人",
    "deadline": "完成时限",
    "status": "进展情况",
    "delay_reason": "延期原因",
    "accepted_on": "销号时间",
    "result": "验收结果",
    "notes": "备注",
}
FIELDS_EN: dict[str, str] = {
    "listed": "On the list", "reason": "Reason (for listing or removal)", "decided_by": "Decided by", "decided_at": "Decided at",
    "problems": "Problems", "measures": "Measures", "leader": "Contact leader", "responsible": "Responsible",
    "deadline": "Deadline", "status": "Progress", "delay_reason": "Reason for the delay", "accepted_on": "Closed on",
    "result": "Acceptance result", "notes": "Notes",
}
DATES = ("deadline", "accepted_on")
EDITABLE = tuple(k for k in FIELDS if k not in ("listed", "reason", "decided_by", "decided_at"))
MAX_TEXT = 2_000

_DATE = re.compile(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*")


@dataclass(frozen=True)
class Entry:
    """One branch on one period's 台账: who it is, its kept values (text, dates as YYYY-MM-DD) and its revision."""

    period: str
    branch_id: str
    name: str
    parent: str
    township: str
    source: str  # the rule that made it a candidate, or 手动添加
    values: Mapping[str, str] = field(hash=False)
    revision: int = 1
    updated_at: datetime | None = None

    def get(self, key: str) -> str:
        """A kept value as text ('' when unset)."""
        return self.values.get(key, "")

    @property
    def listed(self) -> bool:
        """Whether the branch is on the list (removed entries stay, with their history)."""
        return self.get("listed") == LISTED

    @property
    def status(self) -> str:
        """The progress status (未开始 when never set)."""
        return self.get("status") or NOT_STARTED

    @property
    def deadline(self) -> date | None:
        """The deadline, if set."""
        return parse_date(self.get("deadline"))


@dataclass(frozen=True)
class Change:
    """One kept value changed: the field, its old and its new text."""

    key: str
    old: str
    new: str

    @property
    def label(self) -> str:
        """The field's Chinese name."""
        return field_name(self.key)


@dataclass(frozen=True)
class HistoryRecord:
    """A change as kept: when, by whom, which revision it made, and the field's old → new text."""

    at: datetime
    by: str
    revision: int
    change: Change


def field_name(key: str, lang: str = "zh") -> str:
    """A kept value's name in Chinese or English (the key itself when unknown)."""
    return (FIELDS_EN if lang == "en" else FIELDS).get(key, key)


def parse_date(text: object) -> date | None:
    """A date written as 2025-06-30, 2025/6/30, 2025.6.30 or 2025年6月30日 (a time after it is ignored); None otherwise."""
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    match = _DATE.fullmatch(str(text or ""))
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def clean(values: Mapping[str, object]) -> dict[str, str]:
    """Values as kept: known fields only, text stripped and bounded, dates as YYYY-MM-DD, unset fields left out."""
    out: dict[str, str] = {}
    for key in FIELDS:
        raw = values.get(key)
        if raw is None:
            continue
        if key in DATES:
            day = parse_date(raw)
            text = day.isoformat() if day is not None else str(raw).strip()
        else:
            text = str(raw).strip()[:MAX_TEXT]
        if text:
            out[key] = text
    return out


def changes(old: Mapping[str, str], new: Mapping[str, str]) -> list[Change]:
    """The fields whose text differs, in the 台账's order."""
    return [Change(key, old.get(key, ""), new.get(key, "")) for key in FIELDS if old.get(key, "") != new.get(key, "")]


def is_overdue(entry: Entry, today: date) -> bool:
    """Past its deadline and not yet 已销号 (an entry without a deadline is never overdue)."""
    deadline = entry.deadline
    return entry.listed and entry.status != CLOSED and deadline is not None and deadline < today


def problems_text(reasons: str) -> str:
    """The 问题清单 pre-filled from a candidate's reasons (rules, vetoes, flags and biggest losses), one per line."""
    parts = [p.strip() for p in re.split(r"[；;\n]", reasons) if p.strip()]
    return "\n".join(f"{i}. {p}" for i, p in enumerate(parts, start=1))
