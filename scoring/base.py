"""Shared base for the frozen, typed rubric models, and the strict scalar types their fields use."""

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict

MAX_MAGNITUDE = 1e9  # no point value, threshold or bound in a rubric comes near this; 1e308 is a typo or an attack

# Numbers are numbers: "50" is refused, not read as 50 (the sum checks skip text, so coercion would score silently wrong).
Number = Annotated[float, Strict(), Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]
Whole = Annotated[int, Strict(), Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]
Flag = Annotated[bool, Strict()]
Day = Annotated[date, Strict()]

Templates = dict[str, dict[str, str]]  # code → language → text with {fields}


def say(templates: Templates, code: str, lang: str, **fields: Any) -> str:
    """One text from a kind's templates, in Chinese or English (Chinese for any other language)."""
    return templates[code][lang if lang in ("zh", "en") else "zh"].format(**fields)


class FrozenModel(BaseModel):
    """An immutable model that rejects unknown keys (typos are reported) and non-finite numbers."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
