"""Stages: the steps of a sales process and what each implies."""

from __future__ import annotations

from decimal import Decimal

import attrs

from salesflow._repr import short_repr
from salesflow._validate import names, text_problem
from salesflow.errors import Problem, ValidationError, shorten
from salesflow.forecast import ForecastCategory
from salesflow.gate import StageGate
from salesflow.probability import to_probability

__all__ = ["MAX_ORDER", "MAX_ROT_DAYS", "Stage", "default_forecast_category"]

MAX_ORDER = 10_000
"""The largest ``order`` a stage may have."""

MAX_ROT_DAYS = 36_525
"""The largest ``rot_days`` a stage may have: a hundred years."""


def default_forecast_category(*, is_closed: bool, is_won: bool) -> ForecastCategory:
    """The category a stage gets when its definition names none.

    Won stages are ``CLOSED``, lost ones ``OMITTED``, open ones ``PIPELINE``.
    """
    if is_won:
        return ForecastCategory.CLOSED
    if is_closed:
        return ForecastCategory.OMITTED
    return ForecastCategory.PIPELINE


def _default_category(stage: Stage) -> ForecastCategory:
    return default_forecast_category(is_closed=stage.is_closed, is_won=stage.is_won)


@attrs.frozen(repr=False)
class Stage:
    """One stage of a sales process.

    Args:
        name: The stage's name, unique in its process.
        probability: Default win probability, a percentage in 0..100.
        is_closed: Whether an opportunity in this stage is closed.
        is_won: Whether it is won (a won stage must be closed).
        forecast_category: Default forecast category (by default ``CLOSED``
            for won stages, ``OMITTED`` for other closed stages, else ``PIPELINE``).
        is_opportunity: Whether a deal in this stage is an opportunity (the
            default). ``False`` marks a lead stage, such as Liferay's
            "Qualified Lead": deals in it count in no pipeline total, forecast
            rollup, conversion or win rate. Analytics drop them, and deals that
            closed without ever being in an opportunity stage; give such a
            stage the ``Omitted`` forecast category too, so that rollups which
            read only the category agree. A won stage is always an opportunity.
        order: Position in the process, 1-based; filled in by the process.
        rot_days: Days without a stage change after which a deal is stale.
        guidance: Guidance for sellers in this stage.
        key_fields: Fields sellers should fill in this stage.
        gate: Entry criteria an opportunity must meet to enter this stage.
        transitions: The stages an opportunity may move to from here, when
            listed; otherwise the process's policy decides.

    >>> Stage("Closed Lost", 0, is_closed=True).forecast_category
    <ForecastCategory.OMITTED: 'Omitted'>
    """

    name: str
    probability: Decimal = attrs.field(converter=to_probability, repr=str)
    is_closed: bool = attrs.field(default=False, kw_only=True)
    is_won: bool = attrs.field(default=False, kw_only=True)
    forecast_category: ForecastCategory = attrs.field(
        default=attrs.Factory(_default_category, takes_self=True), kw_only=True
    )
    is_opportunity: bool = attrs.field(default=True, kw_only=True)
    order: int | None = attrs.field(default=None, kw_only=True)
    rot_days: int | None = attrs.field(default=None, kw_only=True)
    guidance: str | None = attrs.field(default=None, kw_only=True)
    key_fields: tuple[str, ...] = attrs.field(default=(), converter=names, kw_only=True)
    gate: StageGate = attrs.field(factory=StageGate, kw_only=True)
    transitions: tuple[str, ...] | None = attrs.field(
        default=None, converter=attrs.converters.optional(names), kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        problems = []
        for problem in (
            text_problem(self.name, "$.name", blank=False, noun="name"),
            None if self.guidance is None else text_problem(self.guidance, "$.guidance"),
        ):
            if problem is not None:
                problems.append(problem)
        for flag in ("is_closed", "is_won"):
            if not isinstance(getattr(self, flag), bool):
                problems.append(
                    Problem(
                        f"expected true or false, got {shorten(getattr(self, flag))}", f"$.{flag}"
                    )
                )
        if self.is_won and not self.is_closed:
            problems.append(Problem("a won stage must be closed", "$.is_won"))
        if self.is_won and self.is_opportunity is False:
            problems.append(Problem("a won stage must be an opportunity", "$.is_opportunity"))
        if not isinstance(self.forecast_category, ForecastCategory):
            problems.append(
                Problem(
                    f"expected a ForecastCategory, got {shorten(self.forecast_category)}",
                    "$.forecast_category",
                )
            )
        for field, value, most in (
            ("order", self.order, MAX_ORDER),
            ("rot_days", self.rot_days, MAX_ROT_DAYS),
        ):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most
            ):
                big = isinstance(value, int) and not isinstance(value, bool) and value > most
                shown = f"a number above {most:,}" if big else shorten(value)
                problems.append(
                    Problem(
                        f"expected a whole number from 1 to {most:,}, got {shown}", f"$.{field}"
                    )
                )
        if problems:
            raise ValidationError(problems, subject=f"stage {shorten(self.name)}")

    def __repr__(self) -> str:
        return short_repr(self, positional=("name", "probability"))

    @property
    def is_open(self) -> bool:
        """Whether opportunities in this stage are open."""
        return not self.is_closed

    @property
    def is_lost(self) -> bool:
        """Whether this stage closes a deal without winning it."""
        return self.is_closed and not self.is_won
