"""Win probabilities: exact percentages and where they came from."""

from __future__ import annotations

import enum
from decimal import Decimal

from salesflow.errors import Problem, ValidationError
from salesflow.money import to_decimal

__all__ = ["ProbabilitySource", "to_probability"]


class ProbabilitySource(enum.Enum):
    """Where an opportunity's probability came from.

    ``STAGE``: the stage's default, reset by every stage change.
    ``MANUAL``: set by a user, kept until the next stage change.
    """

    STAGE = "stage"
    MANUAL = "manual"


def to_probability(value: object, *, path: str = "$.probability") -> Decimal:
    """Convert ``value`` to an exact percentage in 0..100.

    Args:
        value: An ``int``, ``Decimal`` or decimal string (floats are refused).
        path: Where the value is, for the error message.

    Raises:
        ValidationError: Not an exact number, or outside 0..100.

    >>> to_probability(35)
    Decimal('35')
    >>> to_probability("120")
    Traceback (most recent call last):
    ...
    salesflow.errors.ValidationError: invalid probability: 1 problem
      - expected a percentage in 0..100, got 120 @ $.probability
    """
    result = to_decimal(value, what="probability", path=path)
    if not Decimal(0) <= result <= Decimal(100):
        raise ValidationError(
            [Problem(f"expected a percentage in 0..100, got {result}", path)],
            subject="probability",
        )
    return result
