"""Shared base for the frozen, typed rubric models, and the strict scalar types their fields use."""

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict
from pydantic_core import PydanticKnownError

MAX_MAGNITUDE = 1e9  # no point value, threshold or bound in a rubric comes near this; 1e308 is a typo or an attack



def _bounded(value: float) -> float:
    """Refuse a magnitude past MAX_MAGNITUDE with pydantic's own bound errors (so problems read as for any bound)."""
    if value < -MAX_MAGNITUDE:
        raise PydanticKnownError("greater_than_equal", {"ge": -MAX_MAGNITUDE})
    if value > MAX_MAGNITUDE:
        raise PydanticKnownError("less_than_equal", {"le": MAX_MAGNITUDE})
    return value


def _magnitude_schema(schema: dict[str, Any]) -> None:
    """Editors see the magnitude bound too, beside a field's own bounds."""
    schema.setdefault("minimum", -MAX_MAGNITUDE)
    schema.setdefault("maximum", MAX_MAGNITUDE)


# Numbers are numbers: "50" is refused, not read as 50 (the sum checks skip text, so coercion would score silently wrong).
# The magnitude bound is a validator, not Field(ge=…, le=…): a field's own ge/le would be replaced by it, not added to it.
Number = Annotated[float, Strict(), AfterValidator(_bounded), Field(json_schema_extra=_magnitude_schema)]
Whole = Annotated[int, Strict(), AfterValidator(_bounded), Field(json_schema_extra=_magnitude_schema)]
Flag = Annotated[bool, Strict()]
Day = Annotated[date, Strict()]

Templates = dict[str, dict[str, str]]  # code → language → text with {fields}


def say(templates: Templates, code: str, lang: str, /, **fields: Any) -> str:
    """One text from a kind's templates, in Chinese or English (Chinese for any other language)."""
    return templates[code][lang if lang in ("zh", "en") else "zh"].format(**fields)


class FrozenModel(BaseModel):
    """An immutable model that rejects unknown keys (typos are reported) and non-finite numbers."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
