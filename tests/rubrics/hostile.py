"""Hostile rubric documents, generated at test time (no committed blobs), and a bounded way to load them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def alias_bomb(levels: int = 10, fan: int = 9) -> str:
    """The 560-byte rubric of issue 13: each anchor lists `fan` aliases of the one before, `levels` deep."""
    lines = ["id: bomb", "name: 炸弹", f"a0: &a0 [{', '.join(['x'] * fan)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * fan)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def deep_alias_chain(levels: int = 12) -> str:
    """Anchors that each nest the previous one a few levels deeper: shallow as written, deep once expanded."""
    lines = ["id: chain", "name: 链", "a0: &a0 [[[[x]]]]"]
    lines += [f"a{i}: &a{i} [[[[*a{i - 1}]]]]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


CASES: dict[str, tuple[str, str]] = {  # name → (YAML text, the limit's problem code)
    "alias-bomb": (alias_bomb(), "limit-values"),
    "many-aliases": ("id: many\nname: 多\nbase: &b x\nlist: [" + ", ".join(["*b"] * 5_000) + "]\n", "limit-aliases"),
    "deep-flow-nesting": ("id: deep\nname: 深\nx: " + "[" * 5_000 + "]" * 5_000 + "\n", "limit-depth"),
    "deep-block-nesting": ("id: deep\nname: 深\n" + "".join(f"{'  ' * i}k{i}:\n" for i in range(200)) + "  " * 200 + "v: 1\n", "limit-depth"),
    "deep-after-expansion": (deep_alias_chain(), "limit-depth"),
    "wide-list": ("id: wide\nname: 宽\nx: [" + ",".join(["1"] * 100_000) + "]\n", "limit-values"),
    "long-number": ("id: long\nname: 长\nversion: " + "9" * 5_000 + "\n", "limit-number"),
    "long-float": ("id: long\nname: 长\ntotal: 1." + "5" * 5_000 + "\n", "limit-number"),
    "oversize": ("id: big\nname: 大\ndescription: '" + "很长" * 300_000 + "'\n", "limit-size"),
}

_PROBE = """
import json, resource, sys, time, tracemalloc
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # a safety net: a regression fails here instead of taking the machine
from scoring.errors import RubricError
from scoring.loader import parse_rubrics

def attempt(text):
    try:
        parse_rubrics({"用户上传.yaml": text})
        return ["loaded"]
    except RubricError as error:
        return [[p.file, p.line, p.column, p.code, p.message] for p in error.problems]
    except BaseException as error:
        return ["escaped", type(error).__name__]

out = {}
for name, text in json.load(sys.stdin).items():
    started = time.perf_counter()
    outcome = attempt(text)
    seconds = time.perf_counter() - started
    tracemalloc.start()  # a second run, traced: tracing slows allocation too much to time the first
    attempt(text)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    out[name] = {"outcome": outcome, "seconds": seconds, "peak": peak}
print(json.dumps(out))
"""


def load_bounded(texts: dict[str, str], timeout: float = 120) -> dict[str, dict[str, object]]:
    """Load each text as an uploaded rubric in a child process under a 2 GiB address-space cap; outcome, time, peak bytes."""
    done = subprocess.run([sys.executable, "-c", _PROBE], input=json.dumps(texts), capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, dict[str, object]] = json.loads(done.stdout)
    return result
