"""A set of loaded rubrics: which rubric scores which field, and every column they read."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

from scoring.rubric import Column, Rubric


def normalize_label(text: str) -> str:
    """Fold full-width forms, case and spacing so '领 域', '领域' and '領域 ' compare equal where NFKC allows."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).lower()


@dataclass(frozen=True)
class RubricSet:
    """Concrete rubrics by id with the YAML texts they were built from (for exact re-creation)."""

    rubrics: tuple[Rubric, ...]
    documents: dict[str, str] = field(default_factory=dict)
    library: dict[str, str] = field(default_factory=dict)

    @cached_property
    def _by_field(self) -> dict[str, Rubric]:
        table: dict[str, Rubric] = {}
        for rubric in self.concrete:
            for name in rubric.fields:
                table.setdefault(normalize_label(name), rubric)
        return table

    @property
    def concrete(self) -> tuple[Rubric, ...]:
        """Rubrics that score branches (not abstract cores)."""
        return tuple(r for r in self.rubrics if not r.abstract)

    def get(self, rubric_id: str) -> Rubric:
        """The rubric with this id."""
        return next(r for r in self.rubrics if r.id == rubric_id)

    def for_field(self, field_name: object) -> Rubric | None:
        """The rubric that scores this field (领域) value, or None; a lone rubric scores every row."""
        if len(self.concrete) == 1 and not self.concrete[0].fields:
            return self.concrete[0]
        return self._by_field.get(normalize_label(str(field_name)))

    def field_names(self) -> list[str]:
        """The main field name of each concrete rubric, in order."""
        return [r.fields[0] if r.fields else r.name for r in self.concrete]

    @cached_property
    def columns(self) -> dict[str, Column]:
        """Every input column of every rubric, by id (the first definition wins)."""
        out: dict[str, Column] = {}
        for rubric in self.rubrics:
            for cid, col in rubric.input_columns().items():
                out.setdefault(cid, col)
        return out
