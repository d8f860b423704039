"""The Streamlit layer's shape: the view model never imports Streamlit, and no ui module imports itself in a cycle."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _ui_modules() -> dict[str, Path]:
    return {_module(p): p for p in sorted((ROOT / "ui").rglob("*.py"))}


def _imports(path: Path, known: set[str]) -> set[str]:
    """The ui modules a file imports anywhere (top level, functions, TYPE_CHECKING blocks)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return {m for m in found if m in known and m != "ui"}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle in the graph, as the list of modules around it, or []."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_no_import_cycle_among_ui_modules():
    modules = _ui_modules()
    graph = {name: _imports(path, set(modules)) - {name} for name, path in modules.items()}
    assert sum(map(len, graph.values())) > 20, "the import graph looks empty: the parser missed the imports"
    assert _cycle(graph) == []


def test_the_view_model_never_imports_streamlit_or_the_rest_of_the_ui():
    modules = sorted(m for m in _ui_modules() if m.startswith("ui.model."))
    assert len(modules) >= 6
    probe = "print(sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit' or (m.startswith('ui.') and not m.startswith('ui.model'))))"
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules) + probe
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
