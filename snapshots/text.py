"""Checks for short user-given texts (snapshot titles, workspace names, version notes)."""

from __future__ import annotations

import unicodedata

from scoring.base import Templates, say
from snapshots.errors import SnapshotInvalid

# Format characters (zero-width spaces, joiners, BOM), controls and separators print nothing a reader can see.
_INVISIBLE = {"Cf", "Cc", "Zs", "Zl", "Zp"}
TEXTS: Templates = {
    "missing": {"zh": "请填写{label}（不能只有空格或零宽字符等不可见字符）。",
                "en": "Fill in {label} (spaces or invisible characters such as zero-width spaces alone do not count)."},
    "long": {"zh": "{label}过长（{length} 字），最多 {limit} 字。", "en": "{label} is too long ({length} characters, at most {limit})."},
}
LABELS: Templates = {  # what each checked text is called
    "列入原因": {"zh": "列入原因", "en": "the reason for listing"},
    "移出原因": {"zh": "移出原因", "en": "the reason for removal"},
    "修改人姓名": {"zh": "修改人姓名", "en": "your name"},
    "快照标题": {"zh": "快照标题", "en": "the snapshot title"},
    "工作区名称": {"zh": "工作区名称", "en": "the workspace name"},
    "文件名": {"zh": "文件名", "en": "the file name"},
}


class TextInvalid(SnapshotInvalid):
    """A user-given text is blank (or only invisible characters) or too long; worded in Chinese and English."""

    def __init__(self, code: str, label: str, limit: int, length: int = 0, *, key: str | None = None) -> None:
        self.code, self.label, self.limit, self.length = code, label, limit, length
        super().__init__(self.message_in("zh"), key=key)

    def message_in(self, lang: str) -> str:
        """The message in `lang`."""
        name = say(LABELS, self.label, lang) if self.label in LABELS else self.label
        text = say(TEXTS, self.code, lang, label=name, length=self.length, limit=self.limit)
        return text[:1].upper() + text[1:] if lang == "en" else text


def check_line(text: object, *, label: str, limit: int, key: str | None = None) -> str:
    """The text trimmed; `TextInvalid` (naming `label`, under the message key `key`) if it is missing, only invisible
    characters, or too long."""
    clean = text.strip() if isinstance(text, str) else ""
    if not any(unicodedata.category(char) not in _INVISIBLE for char in clean):
        raise TextInvalid("missing", label, limit, key=key)
    if len(clean) > limit:
        raise TextInvalid("long", label, limit, len(clean), key=key)
    return clean
