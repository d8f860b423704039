"""Grading rules: one module per kind, each rule an object that evaluates (vectorized), explains, describes, checks
and renders as SQL; `Grading` holds a rubric's rules and `KINDS` lists the kinds in the order they apply."""

from __future__ import annotations

from pydantic import Field

from scoring.base import FrozenModel
from scoring.rules.alerts import AlertLevel, Alerts
from scoring.rules.bands import Band, Bands
from scoring.rules.base import GradingRule
from scoring.rules.bottom import Bottom
from scoring.rules.direct import DirectGrade
from scoring.rules.floors import Floor
from scoring.rules.quotas import Quota
from scoring.rules.vetoes import Veto

__all__ = ["KINDS", "AlertLevel", "Alerts", "Band", "Bands", "Bottom", "DirectGrade", "Floor", "Grading", "GradingRule", "Quota", "Veto"]

# The rule kinds after the bands, in the order they apply; each key is its list under `grading:` in rubric files.
KINDS: dict[str, type[GradingRule]] = {kind.key: kind for kind in (DirectGrade, Floor, Veto, Quota, Bottom)}


class Grading(FrozenModel):
    """How totals become grades: bands, then direct grades, floors, vetoes, quotas and bottom rules."""

    bands: tuple[Band, ...] = Field(min_length=1, description="从高到低排列")
    direct: tuple[DirectGrade, ...] = ()
    floors: tuple[Floor, ...] = ()
    vetoes: tuple[Veto, ...] = ()
    quotas: tuple[Quota, ...] = ()
    bottom: tuple[Bottom, ...] = ()
    rank_by: str = Field("parent", description="排名的分组列 id")
    alerts: Alerts | None = None

    @property
    def banding(self) -> Bands:
        """The bands as a rule kind."""
        return Bands(self.bands)

    def rules(self) -> tuple[GradingRule, ...]:
        """Every rule after the bands, in the order they apply."""
        return tuple(rule for key in KINDS for rule in getattr(self, key))
