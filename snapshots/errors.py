"""The few named exceptions of the snapshot layer; their messages are shown to users as they are."""

from __future__ import annotations

UNAVAILABLE_MESSAGE = "无法打开该快照：链接无效、已过期或已被删除，或提取码不正确。请向分享者核对链接和提取码。"
RATE_LIMITED_MESSAGE = "该链接的失败尝试过多，请 {minutes} 分钟后再试。"
STORE_MESSAGE = "快照库暂时无法访问，请稍后再试；如果一直如此，请联系管理员检查快照库配置。"
CORRUPT_MESSAGE = "快照数据已损坏（校验不符），无法打开。请分享者重新生成分享链接。"


class SnapshotError(Exception):
    """Base of every error the snapshot layer raises on purpose."""


class SnapshotUnavailable(SnapshotError):
    """The snapshot cannot be opened; deliberately silent on whether it exists, expired or the code was wrong."""

    def __init__(self, message: str = UNAVAILABLE_MESSAGE) -> None:
        super().__init__(message)


class SnapshotRateLimited(SnapshotUnavailable):
    """Too many failed attempts on this id recently; raised for unknown ids exactly as for real ones."""

    def __init__(self, minutes: int) -> None:
        super().__init__(RATE_LIMITED_MESSAGE.format(minutes=minutes))


class SnapshotCorrupt(SnapshotError):
    """The stored bytes no longer match their checksum or cannot be decoded."""

    def __init__(self, message: str = CORRUPT_MESSAGE) -> None:
        super().__init__(message)


class SnapshotTooLarge(SnapshotError):
    """The encoded snapshot is larger than the configured limit."""

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        megabytes = f"压缩后 {size / 1_048_576:.1f} MB，上限 {limit / 1_048_576:.1f} MB"
        super().__init__(f"快照过大（{megabytes}）。请缩小筛选范围或少带几张数据表后再试。")


class SnapshotStoreError(SnapshotError):
    """The database behind the store failed or cannot be reached; the driver's error is chained as the cause."""

    def __init__(self, message: str = STORE_MESSAGE) -> None:
        super().__init__(message)


class SnapshotInvalid(SnapshotError, ValueError):
    """An argument to create a snapshot is not acceptable (title, expiry, access code, payload content)."""


class SnapshotConfigError(SnapshotError, ValueError):
    """The snapshot store is misconfigured (unknown URL scheme, bad size limit)."""
