"""Every error the store raises names a message key the UI can show in Chinese and English, filled with the error's values."""

from __future__ import annotations

import pytest

from snapshots.errors import (
    SnapshotConfigError,
    SnapshotCorrupt,
    SnapshotError,
    SnapshotInvalid,
    SnapshotRateLimited,
    SnapshotStoreError,
    SnapshotTooLarge,
    SnapshotUnavailable,
    StoreBusy,
    StoreFull,
)
from snapshots.workspaces import BUSY_MESSAGE, FILE_CORRUPT_MESSAGE, WorkspaceUnavailable
from ui.i18n import TEXT, translate

ERRORS: list[SnapshotError] = [
    SnapshotUnavailable(), SnapshotRateLimited(10), SnapshotCorrupt(), SnapshotTooLarge(3 << 20, 1 << 20), SnapshotStoreError(),
    StoreBusy(8, 30.0), StoreFull(), WorkspaceUnavailable(),
    SnapshotCorrupt(FILE_CORRUPT_MESSAGE.format(name="城关镇.csv"), key="ws.file_corrupt", name="城关镇.csv"),
    SnapshotStoreError(BUSY_MESSAGE, key="ws.busy"),
]
# Errors whose Chinese text wraps a free message (the UI adds a lead-in or shows it as is).
WRAPPED: list[SnapshotError] = [
    SnapshotInvalid("请填写快照标题。"), SnapshotInvalid("没有第 9 版。", key="ws.invalid"),
    SnapshotConfigError("快照库地址无效（“ftp”）"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: e.key)
def test_the_chinese_text_of_the_key_is_the_error_message_and_english_exists(error: SnapshotError) -> None:
    assert error.key in TEXT
    assert translate(error.key, "zh", **error.values) == str(error)
    english = translate(error.key, "en", **error.values)
    assert english != str(error) and "{" not in english


@pytest.mark.parametrize("error", WRAPPED, ids=lambda e: e.key)
def test_wrapped_messages_carry_the_message_in_both_languages(error: SnapshotError) -> None:
    for lang in ("zh", "en"):
        assert str(error) in translate(error.key, lang, **error.values)


def test_a_bad_size_limit_names_its_own_key() -> None:
    from snapshots.config import max_snapshot_bytes

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SNAPSHOT_MAX_BYTES", "abc")
        with pytest.raises(SnapshotConfigError) as caught:
            max_snapshot_bytes()
    assert translate(caught.value.key, "zh", **caught.value.values) == str(caught.value)
    assert "SNAPSHOT_MAX_BYTES" in translate(caught.value.key, "en", **caught.value.values)
