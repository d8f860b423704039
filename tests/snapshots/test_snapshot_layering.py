"""The snapshot layer stays pure Python: no Streamlit, no UI."""

from __future__ import annotations

import subprocess
import sys

from tests.snapshots.conftest import ROOT


def test_snapshots_never_import_streamlit_or_the_ui() -> None:
    modules = sorted(p.stem for p in (ROOT / "snapshots").glob("*.py") if p.stem not in ("__init__", "__main__"))
    code = "import sys\n" + "".join(f"import snapshots.{m}\n" for m in modules)
    code += "print(sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'ui', 'dashboard')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"
    assert len(modules) >= 8
