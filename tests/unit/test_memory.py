"""The server's memory: freed memory goes back to the system, and no run pays for walking every object."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ui import memory

# A fresh process: frees many 1 MiB blocks between small ones still in use (a heap glibc cannot shrink from its top),
# then releases. Prints MiB returned by freeing alone and by the release after it.
FRAGMENTED = """
import os
import pyarrow  # imported before measuring, as in the app
from ui import memory
def rss(): return int(open(f"/proc/{os.getpid()}/status").read().split("VmRSS:")[1].split()[0]) * 1024
assert memory.tune()
bytearray(8 * 2**20)  # a large block, freed at once: glibc alone would now keep blocks of this size in its heap
kept, freed = [], []
for _ in range(400):
    block = bytearray(1 << 20)
    block[::4096] = b"x" * len(block[::4096])  # written, so every page is resident
    freed.append(block)
    kept.append(bytearray(64))
before = rss(); del freed; after_free = rss(); memory.release(); after = rss()
print((before - after_free) / 2**20, (after_free - after) / 2**20)
"""

pytestmark = pytest.mark.skipif(memory._libc() is None, reason="glibc's allocator only")  # the CI machine is Debian


def test_release_returns_what_freeing_alone_keeps():
    out = subprocess.run([sys.executable, "-c", FRAGMENTED], capture_output=True, text=True, check=True, cwd=".").stdout
    by_freeing, by_release = map(float, out.split())
    assert by_freeing < 100  # glibc kept the 400 MiB freed between blocks in use
    assert by_release > 350  # and gave it back when released


def test_large_blocks_are_unmapped_as_soon_as_they_are_freed():
    script = FRAGMENTED.replace("1 << 20", f"{memory.LARGE_BLOCK}").replace("range(400)", "range(100)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=".").stdout
    by_freeing, _ = map(float, out.split())
    assert by_freeing > 300  # 100 blocks of 4 MiB: each mapped on its own and returned by free()


def test_the_server_does_not_walk_every_object_after_each_run():
    # Streamlit's forced gc.collect() after each run cost 0.1-0.4 s of every click; the project's config turns it off.
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    read = "from streamlit import config; print(config.get_option('runner.postScriptGC'))"
    out = subprocess.run([sys.executable, "-c", read], capture_output=True, text=True, check=True, cwd=root).stdout
    assert out.split() == ["False"]
