"""Every bound written on a rubric field holds: a value just past it is refused, the bound itself is accepted."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from annotated_types import Ge, Gt, Le, Lt
from pydantic import TypeAdapter, ValidationError

import scoring.methods
import scoring.rubric
import scoring.rules  # the rule kinds define their models on import
from scoring.base import MAX_MAGNITUDE, FrozenModel


def _models(base: type[FrozenModel] = FrozenModel) -> list[type[FrozenModel]]:
    found = []
    for sub in base.__subclasses__():
        found += [sub, *_models(sub)]
    return found


def _bounds() -> list[tuple[str, Any, Any]]:
    """(model.field, the field's own validator, a bound constraint) for every ge/gt/le/lt written on a field."""
    table = []
    for model in dict.fromkeys(_models()):
        for name, info in model.model_fields.items():
            for constraint in info.metadata:
                if isinstance(constraint, Ge | Gt | Le | Lt):
                    table.append((f"{model.__name__}.{name}", info, constraint))
    return table


BOUNDS = _bounds()


def test_the_table_covers_the_bounds_users_rely_on() -> None:
    names = {name for name, _, _ in BOUNDS}
    assert {"Tier.points", "Deduction.floor", "Rate.zero_at", "Rate.target", "Quota.max_share", "Bottom.min_group_size"} <= names


@pytest.mark.parametrize(("field", "info", "bound"), BOUNDS, ids=[f"{n}-{type(b).__name__}" for n, _, b in BOUNDS])
def test_a_value_past_a_field_bound_is_refused(field: str, info: Any, bound: Any) -> None:
    adapter = TypeAdapter(Annotated[info.annotation, info])
    limit = next(getattr(bound, key) for key in ("ge", "gt", "le", "lt") if hasattr(bound, key))
    step = 1 if info.annotation is int else 0.5
    past = {Ge: limit - step, Gt: limit, Le: limit + step, Lt: limit}[type(bound)]
    with pytest.raises(ValidationError):
        adapter.validate_python(past)
    if isinstance(bound, Ge | Le):
        assert adapter.validate_python(limit) == limit


@pytest.mark.parametrize("value", [MAX_MAGNITUDE * 2, -MAX_MAGNITUDE * 2])
def test_magnitudes_past_the_global_bound_are_refused_everywhere(value: float) -> None:
    adapter = TypeAdapter(scoring.base.Number)
    with pytest.raises(ValidationError, match="equal to"):
        adapter.validate_python(value)
    assert TypeAdapter(scoring.base.Number).validate_python(MAX_MAGNITUDE) == MAX_MAGNITUDE
