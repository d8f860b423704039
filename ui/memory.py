"""Give memory back to the system after large work: a million-row upload frees gigabytes that the allocators keep."""

from __future__ import annotations

import ctypes
import functools
import sys

_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
LARGE_BLOCK = 4 * 2**20  # a block this large (half a million numbers) is mapped on its own and unmapped when freed


@functools.cache
def _libc() -> ctypes.CDLL | None:
    """glibc, where its allocator can be tuned and trimmed (None elsewhere: nothing to do)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


@functools.cache
def tune() -> bool:
    """Serve large blocks (a column of a million rows) straight from the system, so freeing one returns it at once
    (glibc otherwise raises this threshold as blocks are freed and keeps them); True when the allocator took it."""
    libc = _libc()
    return libc is not None and bool(libc.mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK))


def release() -> None:
    """Return the memory freed since the last large read (kept by Arrow's pool and the C allocator) to the system."""
    import pyarrow

    pyarrow.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
