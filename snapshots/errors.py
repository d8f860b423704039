"""The few named exceptions of the store; each carries a message key and values so the UI can show it in either language."""

from __future__ import annotations

UNAVAILABLE_MESSAGE = "无法打开该快照：链接无效、已过期或已被删除，或提取码不正确。请向分享者核对链接和提取码。"
RATE_LIMITED_MESSAGE = "该链接的失败尝试过多，请 {minutes} 分钟后再试。"
STORE_MESSAGE = "快照库暂时无法访问，请稍后再试；如果一直如此，请联系管理员检查快照库配置。"
CORRUPT_MESSAGE = "快照数据已损坏（校验不符），无法打开。请分享者重新生成分享链接。"
BUSY_MESSAGE = "快照库繁忙：{size} 个数据库连接都在使用中，等待 {seconds} 秒后仍无空闲连接，本次操作没有执行。请稍后再试。"
FULL_MESSAGE = ("快照库所在的磁盘已满，本次没有保存任何内容（已有的快照不受影响）。"
                "请管理员清理磁盘空间，或运行 python -m snapshots purge 删除过期快照，然后再试。")
TOO_LARGE_MESSAGE = "快照过大（压缩后 {size} MB，上限 {limit} MB），无法保存。请使用较小的数据文件，或请管理员调高 SNAPSHOT_MAX_BYTES。"
MAX_BYTES_MESSAGE = ("快照大小上限设置有误：环境变量 SNAPSHOT_MAX_BYTES 须为正整数（字节数），现为“{raw}”，因此暂时不能生成快照"
                     "（打开已有快照不受影响）。请管理员把它改为正整数（如 52428800 即 50 MB），或删除该变量以使用默认的 50 MB，然后重启看板。")


class SnapshotError(Exception):
    """Base of every error the store layer raises on purpose; `key` and `values` name its message for translation."""

    key: str = "snap.store_error"

    def __init__(self, message: str, /, *, key: str | None = None, **values: object) -> None:
        super().__init__(message)
        if key is not None:
            self.key = key
        self.values = values

    def message_in(self, lang: str) -> str:
        """The free message the key's text wraps, in `lang` (as raised, unless a subclass words it in English too)."""
        return str(self.values.get("message", self))


class SnapshotUnavailable(SnapshotError):
    """The snapshot cannot be opened; deliberately silent on whether it exists, expired or the code was wrong."""

    key = "snap.unavailable"

    def __init__(self, message: str = UNAVAILABLE_MESSAGE) -> None:
        super().__init__(message)


class SnapshotRateLimited(SnapshotUnavailable):
    """Too many failed attempts on this id recently; raised for unknown ids exactly as for real ones."""

    key = "snap.rate_limited"

    def __init__(self, minutes: int) -> None:
        super().__init__(RATE_LIMITED_MESSAGE.format(minutes=minutes))
        self.values = {"minutes": minutes}


class SnapshotCorrupt(SnapshotError):
    """The stored bytes or row no longer match their checksum or cannot be decoded."""

    key = "snap.corrupt"

    def __init__(self, message: str = CORRUPT_MESSAGE, /, *, key: str | None = None, **values: object) -> None:
        super().__init__(message, key=key, **values)


class SnapshotTooLarge(SnapshotError):
    """The encoded snapshot is larger than the configured limit."""

    key = "share.too_large"

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        values = {"size": f"{size / 1_048_576:.1f}", "limit": f"{limit / 1_048_576:.1f}"}
        super().__init__(TOO_LARGE_MESSAGE.format(**values), **values)


class SnapshotStoreError(SnapshotError):
    """The database behind the store failed or cannot be reached; the driver's error is chained as the cause."""

    def __init__(self, message: str = STORE_MESSAGE, /, *, key: str | None = None, **values: object) -> None:
        super().__init__(message, key=key, **values)


class StoreBusy(SnapshotStoreError):
    """Every pooled connection stayed in use for the whole wait; nothing was done."""

    key = "snap.store_busy"

    def __init__(self, size: int, seconds: float) -> None:
        super().__init__(BUSY_MESSAGE.format(size=size, seconds=f"{seconds:g}"), size=size, seconds=f"{seconds:g}")


class StoreFull(SnapshotStoreError):
    """The disk (or database quota) behind the store is full; the write was rolled back."""

    key = "snap.store_full"

    def __init__(self) -> None:
        super().__init__(FULL_MESSAGE)


class SnapshotInvalid(SnapshotError, ValueError):
    """An argument to create a snapshot is not acceptable (title, expiry, access code, payload content)."""

    key = "share.invalid"

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(message, key=key, message=message)


class SnapshotConfigError(SnapshotError, ValueError):
    """The store is misconfigured (unknown URL scheme, bad size limit)."""

    key = "snap.config_error"

    def __init__(self, message: str, *, key: str | None = None, **values: object) -> None:
        super().__init__(message, key=key, message=message, **values)
