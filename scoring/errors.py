"""The few named exceptions of the scoring core, and the rubric problem record."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RubricProblem:
    """One mistake in a rubric file, located where the user can find it."""

    file: str
    line: int
    column: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: [{self.code}] {self.message}"


class ScoringError(Exception):
    """Base of every error the scoring core raises on purpose."""


class RubricError(ScoringError):
    """A rubric could not be loaded; carries every problem found."""

    def __init__(self, problems: list[RubricProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class InputError(ScoringError):
    """An assessment file cannot be read at all (wrong format, empty, too large)."""


class OutputError(ScoringError):
    """Results cannot be written in the chosen format (e.g. more rows than an Excel worksheet holds)."""
