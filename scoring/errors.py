"""The few named exceptions of the scoring core, the rubric problem record, and the problem texts keyed by template."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scoring.base import Templates, say

# Every problem text, Chinese and English, keyed by template; each module that finds problems adds its own, and a key
# belongs to one module. RUBRIC_TEXTS holds a rubric's problems, INPUT_TEXTS why an assessment file cannot be read.
TEXTS: Templates = {}
RUBRIC_TEXTS: Templates = {}
INPUT_TEXTS: Templates = {}
_LIST_SEPARATOR = {"zh": "、", "en": ", "}


def _add(kind: Templates, templates: Templates) -> Templates:
    taken = TEXTS.keys() & templates.keys()
    if taken:
        raise ValueError(f"problem templates defined twice: {sorted(taken)}")
    TEXTS.update(templates)
    kind.update(templates)
    return templates


def rubric_texts(templates: Templates) -> Templates:
    """Add a module's rubric problem templates to the shared table (each key belongs to one module); returns them."""
    return _add(RUBRIC_TEXTS, templates)


def input_texts(templates: Templates) -> Templates:
    """Add a module's InputError templates to the shared table (each key belongs to one module); returns them."""
    return _add(INPUT_TEXTS, templates)


@dataclass(frozen=True)
class Said:
    """A problem's text as a template key and its fields, rendered in a language only when shown.

    A field may itself be a Said (rendered in the same language) or a tuple (joined as a list in that language); other
    values — column names, ids, keys and values from the rubric, file names and numbers — are inserted unchanged."""

    key: str
    fields: tuple[tuple[str, Any], ...] = ()

    def render(self, lang: str = "zh") -> str:
        """The text in Chinese, or in English with lang="en"."""
        return say(TEXTS, self.key, lang, **{name: _rendered(value, lang) for name, value in self.fields})


def said(template: str, /, **fields: Any) -> Said:
    """A text to render later: the template keyed `template` with its `fields`."""
    return Said(template, tuple(fields.items()))


def _rendered(value: Any, lang: str) -> Any:
    if isinstance(value, Said):
        return value.render(lang)
    if isinstance(value, tuple):
        return _LIST_SEPARATOR.get(lang, "、").join(str(_rendered(v, lang)) for v in value)
    return value


@dataclass(frozen=True)
class RubricProblem:
    """One mistake in a rubric file, located where the user can find it; `message` is its Chinese text."""

    file: str
    line: int
    column: int
    code: str
    message: str
    said: Said | None = field(default=None, compare=False, repr=False)  # the message as a template, for other languages

    @classmethod
    def at(cls, file: str, line: int, column: int, code: str, text: Said) -> RubricProblem:
        """A problem whose message is the template `text` (its Chinese kept in `message`)."""
        return cls(file, line, column, code, text.render("zh"), text)

    def text(self, lang: str = "zh") -> str:
        """The message in `lang` (Chinese for any language without a template)."""
        return self.said.render(lang) if self.said is not None and lang == "en" else self.message

    def report(self, lang: str = "zh") -> str:
        """The problem on one line, as the CLI prints it: file:line:column: [code] message."""
        return f"{self.file}:{self.line}:{self.column}: [{self.code}] {self.text(lang)}"

    def __str__(self) -> str:
        return self.report()


class ScoringError(Exception):
    """Base of every error the scoring core raises on purpose."""


class RubricError(ScoringError):
    """A rubric could not be loaded; carries every problem found."""

    def __init__(self, problems: list[RubricProblem]) -> None:
        self.problems = problems
        super().__init__(self.report())

    def report(self, lang: str = "zh") -> str:
        """Every problem, one per line, in `lang`."""
        return "\n".join(p.report(lang) for p in self.problems)


class InputError(ScoringError):
    """An assessment file cannot be read at all (wrong format, empty, too large); its message is a template (`said`)."""

    def __init__(self, text: Said) -> None:
        if not isinstance(text, Said):  # mypy checks the callers; this stops a plain string from untyped code
            raise TypeError(f"InputError takes a Said (a template key and fields), not {type(text).__name__}")
        self.said = text
        super().__init__(text.render("zh"))

    def __reduce__(self) -> tuple[type[InputError], tuple[Said]]:
        return type(self), (self.said,)  # pickled (by a cache or a process pool) with its template, not its Chinese text

    def text(self, lang: str = "zh") -> str:
        """The message in Chinese, or in English with lang="en"."""
        return self.said.render(lang)


class OutputError(ScoringError):
    """Results cannot be written in the chosen format (e.g. more rows than an Excel worksheet holds)."""
