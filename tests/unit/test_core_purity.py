"""The scoring core never imports the UI or the snapshot store."""

import subprocess
import sys
from pathlib import Path


def test_scoring_never_imports_streamlit():
    modules = sorted(
        "scoring." + ".".join(p.with_suffix("").relative_to("scoring").parts)
        for p in Path("scoring").rglob("*.py") if p.name not in ("__init__.py", "__main__.py")
    )
    probe = "print(sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'snapshots', 'ui')))"
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules) + probe
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert len(modules) > 10


def test_no_source_line_mentions_streamlit_in_the_core():
    offenders = [str(p) for p in Path("scoring").rglob("*.py") if "import streamlit" in p.read_text(encoding="utf-8")]
    assert offenders == []
