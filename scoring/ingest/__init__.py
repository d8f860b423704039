"""Ingestion: read assessment files as users really have them (CSV in any common encoding, .xlsx/.xlsb/.xls/.ods), normalize
what is unambiguous, and report every problem by spreadsheet row and column."""

from scoring.ingest.cells import Cell, Status, parse_cell
from scoring.ingest.files import sheet_names
from scoring.ingest.reader import DEFAULT_MAX_BYTES, Ingested, read_assessments, size_text
from scoring.ingest.report import PROBLEM_TYPES, Problem, ProblemType, ValidationReport

__all__ = [
    "DEFAULT_MAX_BYTES",
    "PROBLEM_TYPES",
    "Cell",
    "Ingested",
    "Problem",
    "ProblemType",
    "Status",
    "ValidationReport",
    "parse_cell",
    "read_assessments",
    "sheet_names",
    "size_text",
]
