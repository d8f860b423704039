"""Shared base for the frozen, typed rubric models."""

from pydantic import BaseModel, ConfigDict


class FrozenModel(BaseModel):
    """An immutable model that rejects unknown keys, so typos in rubrics are reported."""

    model_config = ConfigDict(frozen=True, extra="forbid")
