"""Buyer concerns: what matters most to the buyer in a buying phase.

After Neil Rackham, a buyer weighs four concerns whose relative importance
shifts as the buying goes on: needs, cost (a budget figure early, "the price"
late), proof and risk.
"""

from __future__ import annotations

import enum

import attrs

from salesflow.errors import Problem, ValidationError

__all__ = ["Concern", "ConcernProfile"]


class Concern(str, enum.Enum):
    """One of the four buyer concerns.

    A ``Concern`` is also a string, so ``Concern.RISK == "risk"``.

    >>> Concern.RISK == "risk"
    True
    """

    NEEDS = "needs"
    COST = "cost"
    PROOF = "proof"
    RISK = "risk"

    def __str__(self) -> str:
        return self.value


def _level(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(
            [Problem(f"expected a whole number >= 0, got {value!r}", f"$.{attribute.name}")],
            subject="concern profile",
        )


@attrs.frozen(kw_only=True)
class ConcernProfile:
    """The relative importance of each concern in one buying phase.

    Levels are whole numbers >= 0 compared only with each other (the presets
    use 1 = low to 5 = highest); at least one must be above zero.

    Attributes:
        needs: How much the buyer's needs and requirements matter.
        cost: How much cost matters (a budget figure, later the price).
        proof: How much proof matters (demos, references, a proof of concept).
        risk: How much risk matters (terms, security, SLAs, timing).

    >>> ConcernProfile(needs=1, cost=4, proof=2, risk=5).dominant
    <Concern.RISK: 'risk'>
    """

    needs: int = attrs.field(validator=_level)
    cost: int = attrs.field(validator=_level)
    proof: int = attrs.field(validator=_level)
    risk: int = attrs.field(validator=_level)

    def __attrs_post_init__(self) -> None:
        if not any((self.needs, self.cost, self.proof, self.risk)):
            raise ValidationError(
                [Problem("at least one concern must be above zero", "$")],
                subject="concern profile",
            )

    def level(self, concern: Concern | str) -> int:
        """The level of ``concern``.

        Raises:
            ValidationError: ``concern`` is not one of the four concerns.
        """
        try:
            key = Concern(concern)
        except ValueError:
            known = ", ".join(c.value for c in Concern)
            raise ValidationError(
                [Problem(f"unknown concern {concern!r}; expected one of {known}", "$.concern")],
                subject="concern profile",
            ) from None
        level: int = getattr(self, key.value)
        return level

    @property
    def ranked(self) -> tuple[Concern, ...]:
        """The concerns, most important first; ties keep the order needs, cost, proof, risk."""
        return tuple(sorted(Concern, key=lambda c: -self.level(c)))

    @property
    def dominant(self) -> Concern:
        """The most important concern (ties: the earliest of needs, cost, proof, risk)."""
        return self.ranked[0]
