"""Golden file: the rural sample's full JSON output (scores, grades, reasons, flags) is reviewed when it changes.

Regenerate after an intended change with:  UPDATE_GOLDEN=1 pytest tests/unit/test_golden.py  and read the diff.
"""

import json
import os
from pathlib import Path

from scoring.engine import score
from scoring.ingest import read_assessments
from scoring.loader import load_rubrics
from scoring.output import result_records

GOLDEN = Path("tests/golden/rural_small.json")


def test_rural_sample_matches_golden_file():
    rubrics = load_rubrics(["rubrics"])
    ingested = read_assessments(Path("sample_data/rural_small.csv"), rubrics)
    assert ingested.report.rows_rejected == 0
    produced = json.loads(json.dumps(list(result_records(score(ingested.frame, rubrics, ingested.not_applicable), rubrics))))
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(produced, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert [r["branch_id"] for r in produced] == [r["branch_id"] for r in expected]
    for got, want in zip(produced, expected, strict=True):
        assert got == want, f"{got['branch_id']} {got['name']} differs from the golden file"
