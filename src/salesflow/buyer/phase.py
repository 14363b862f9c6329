"""Buying phases: the steps of the buyer's own process."""

from __future__ import annotations

from decimal import Decimal

import attrs

from salesflow.buyer.concern import Concern, ConcernProfile
from salesflow.errors import Problem, ValidationError
from salesflow.money import to_decimal

__all__ = ["BuyingPhase"]


def _duration(value: object) -> Decimal | None:
    if value is None:
        return None
    return to_decimal(value, what="relative duration", path="$.relative_duration")


@attrs.frozen
class BuyingPhase:
    """One phase (or "job") of a buyer process.

    Args:
        name: The phase's name, unique in its process.
        description: What the buyer does in it.
        exit_criterion: What must be true before the buyer leaves the phase,
            e.g. ``"contracts signed"``; a mapping can turn it into a stage
            gate (a confirmed fact on the opportunity). ``None`` when the
            source states none.
        relative_duration: The phase's typical share of the buying time, in
            any unit (months, weeks, a weight); ``None`` when unknown.
        concerns: The relative importance of the buyer's concerns in this
            phase; ``None`` when the source gives no profile.
        runs_throughout: Whether the phase has no place in the sequence and
            goes on during the whole buying process (only in non-linear
            processes, e.g. Gartner's Validation and Consensus Creation).

    >>> phase = BuyingPhase("Commitment", exit_criterion="contracts signed",
    ...                     concerns=ConcernProfile(needs=1, cost=4, proof=2, risk=5))
    >>> phase.dominant_concern
    <Concern.RISK: 'risk'>
    """

    name: str
    description: str | None = attrs.field(default=None, kw_only=True)
    exit_criterion: str | None = attrs.field(default=None, kw_only=True)
    relative_duration: Decimal | None = attrs.field(
        default=None, converter=_duration, kw_only=True
    )
    concerns: ConcernProfile | None = attrs.field(default=None, kw_only=True)
    runs_throughout: bool = attrs.field(default=False, kw_only=True)

    def __attrs_post_init__(self) -> None:
        problems = []
        if not isinstance(self.name, str) or not self.name.strip():
            problems.append(Problem(f"expected a non-blank name, got {self.name!r}", "$.name"))
        if self.exit_criterion is not None and (
            not isinstance(self.exit_criterion, str) or not self.exit_criterion.strip()
        ):
            problems.append(
                Problem(
                    f"expected a non-blank exit criterion or none, got {self.exit_criterion!r}",
                    "$.exit_criterion",
                )
            )
        if self.relative_duration is not None and self.relative_duration < 0:
            problems.append(
                Problem(
                    f"expected a duration >= 0, got {self.relative_duration}",
                    "$.relative_duration",
                )
            )
        if self.concerns is not None and not isinstance(self.concerns, ConcernProfile):
            problems.append(
                Problem(
                    f"expected a ConcernProfile or none, got {type(self.concerns).__name__}",
                    "$.concerns",
                )
            )
        if not isinstance(self.runs_throughout, bool):
            problems.append(
                Problem(
                    f"expected true or false, got {self.runs_throughout!r}", "$.runs_throughout"
                )
            )
        if problems:
            raise ValidationError(problems, subject=f"buying phase {self.name!r}")

    @property
    def dominant_concern(self) -> Concern | None:
        """The buyer's most important concern in this phase, or ``None`` without a profile.

        A :class:`Concern` is a string: ``phase.dominant_concern == "risk"``.
        """
        return None if self.concerns is None else self.concerns.dominant
