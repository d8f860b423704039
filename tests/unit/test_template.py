"""Blank templates: drop-down lists for 是/否 and level columns, an instructions sheet, and an example row that scores."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from scoring.engine import score
from scoring.ingest import read_assessments
from scoring.loader import load_rubrics
from scoring.template import DATA_SHEET, EXAMPLE_SHEET, HELP_SHEET, template_bytes, template_headers

RUBRICS = load_rubrics(sorted(Path("rubrics").glob("*.yaml")))
IDS = [r.id for r in RUBRICS.concrete]


def _book(rid):
    return load_workbook(io.BytesIO(template_bytes(RUBRICS.get(rid), xlsx=True)))


@pytest.mark.parametrize("rid", IDS)
def test_every_choice_column_has_a_drop_down_list(rid):
    rubric = RUBRICS.get(rid)
    book = _book(rid)
    assert book.sheetnames == [DATA_SHEET, HELP_SHEET, EXAMPLE_SHEET]
    sheet = book[DATA_SHEET]
    headers = [c.value for c in sheet[2]]
    assert headers == template_headers(rubric)
    lists = {}
    for rule in sheet.data_validations.dataValidation:
        assert rule.type == "list"
        for cell_range in rule.sqref.ranges:
            assert cell_range.min_row == 3 and cell_range.max_row > 1000
            lists[headers[cell_range.min_col - 1]] = rule.formula1.strip('"').split(",")
    columns = rubric.input_columns()
    wanted = {c.label: (["是", "否"] if c.type == "bool" else list(c.levels)) for c in columns.values() if c.type in ("bool", "level")}
    assert wanted and {h: lists[h] for h in wanted} == wanted
    assert set(lists) - set(wanted) <= {h for h in headers if h not in {c.label for c in columns.values()}}  # other sources


@pytest.mark.parametrize("rid", IDS)
def test_the_instructions_sheet_explains_every_header(rid):
    guide = _book(rid)[HELP_SHEET]
    explained = {row[0] for row in guide.iter_rows(min_row=3, values_only=True)}
    assert explained == set(template_headers(RUBRICS.get(rid)))
    assert all(row[1] for row in guide.iter_rows(min_row=2, values_only=True))


@pytest.mark.parametrize("rid", IDS)
def test_the_example_row_is_read_and_scored_without_a_problem(rid):
    data = template_bytes(RUBRICS.get(rid), xlsx=True)
    ingested = read_assessments(data, RUBRICS, filename="template.xlsx", sheet=EXAMPLE_SHEET)
    report = ingested.report
    assert (report.rows_total, report.rows_scored, report.rows_rejected) == (1, 1, 0), [p.message for p in report.problems]
    results = score(ingested.frame, RUBRICS, ingested.not_applicable)
    assert len(results.branches) == 1 and str(results.branches["rubric"].iloc[0]) == rid


def test_a_blank_template_is_read_from_its_data_sheet():
    data = template_bytes(RUBRICS.get(IDS[0]), xlsx=True)
    ingested = read_assessments(data, RUBRICS, filename="template.xlsx")
    assert ingested.report.sheet == DATA_SHEET and ingested.report.rows_total == 0
