"""The shareable view: filters and view state, and their round trip through query parameters (no Streamlit here)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, cast

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
PAGES = ("overview", "ranking", "branch", "yoy", "rectify", "ledger", "rubrics", "upload")


@dataclass(frozen=True)
class Filters:
    """The shared filters; empty tuples mean "all", period None means "the latest"."""

    period: str | None = None
    fields: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    townships: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()


@dataclass(frozen=True)
class ViewState:
    """Everything a shared link or snapshot restores: page, language, filters, chosen branch and baseline period."""

    page: str = "overview"
    lang: Lang = "zh"
    filters: Filters = field(default_factory=Filters)
    branch: str | None = None
    baseline: str | None = None


# Query parameter names; multi-valued filters repeat their parameter.
_MULTI = {"fields": "field", "districts": "district", "townships": "township", "parents": "parent", "grades": "grade"}
_SINGLE = {"period": "period", "branch": "branch", "baseline": "baseline"}


def to_query_params(view: ViewState) -> dict[str, str | list[str]]:
    """The view as query parameters; defaults are left out so plain links stay short."""
    out: dict[str, str | list[str]] = {}
    if view.page != "overview":
        out["page"] = view.page
    if view.lang != "zh":
        out["lang"] = view.lang
    singles = {"period": view.filters.period, "branch": view.branch, "baseline": view.baseline}
    for attr, name in _SINGLE.items():
        if singles[attr] is not None:
            out[name] = cast(str, singles[attr])
    for attr, name in _MULTI.items():
        values = getattr(view.filters, attr)
        if values:
            out[name] = list(values)
    return out


def from_query_params(params: Mapping[str, str | Sequence[str]]) -> ViewState:
    """The view described by query parameters; unknown keys are ignored and bad values fall back to defaults."""

    def many(name: str) -> tuple[str, ...]:
        value = params.get(name)
        if value is None:
            return ()
        return (value,) if isinstance(value, str) else tuple(str(v) for v in value)

    def one(name: str) -> str | None:
        values = many(name)
        return values[-1] if values else None

    page = one("page")
    lang = one("lang")
    filters = Filters(period=one("period"), **{attr: many(name) for attr, name in _MULTI.items()})
    return ViewState(
        page=page if page in PAGES else "overview",
        lang=lang if lang in LANGS else "zh",
        filters=filters,
        branch=one("branch"),
        baseline=one("baseline"),
    )


def url_params(view: ViewState) -> dict[str, str | list[str]]:
    """The query parameters of the live URL: the page itself is the URL path, so it is left out."""
    params = to_query_params(view)
    params.pop("page", None)
    return params
