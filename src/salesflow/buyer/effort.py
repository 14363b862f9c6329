"""Pursuit effort: the people's time and the travel a deal costs the seller."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs

from salesflow.errors import CurrencyMismatchError, Problem, ValidationError
from salesflow.money import Money, to_decimal

__all__ = ["Effort", "check_efforts"]


def _hours(value: object) -> Decimal:
    return to_decimal(value, what="hours", path="$.hours")


@attrs.frozen
class Effort:
    """One block of effort spent pursuing a deal.

    Args:
        person: Who (a name or an id).
        hours: Hours spent, an exact number >= 0 (``"7.5"``, not ``7.5``).
        rate: The person's cost per hour.
        role: Their role in the pursuit, e.g. ``"sales engineer"``.
        travel: Travel, lodging and meals for this effort, in the rate's currency.
        on: The day.
        note: What it was for.

    Raises:
        ValidationError: A blank person, negative hours, a rate or travel that
            is not :class:`~salesflow.Money` or is negative.
        CurrencyMismatchError: Travel is in another currency than the rate.

    >>> Effort("Ana", "6", Money("120", "EUR"), role="sales engineer",
    ...        travel=Money("480", "EUR")).cost
    Money('1200', 'EUR')
    """

    person: str
    hours: Decimal = attrs.field(converter=_hours)
    rate: Money
    role: str | None = attrs.field(default=None, kw_only=True)
    travel: Money | None = attrs.field(default=None, kw_only=True)
    on: date | None = attrs.field(default=None, kw_only=True)
    note: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        problems = []
        if not isinstance(self.person, str) or not self.person.strip():
            problems.append(
                Problem(f"expected a non-blank person, got {self.person!r}", "$.person")
            )
        if self.hours < 0:
            problems.append(Problem(f"expected hours >= 0, got {self.hours}", "$.hours"))
        for field, value in (("rate", self.rate), ("travel", self.travel)):
            if value is None and field == "travel":
                continue
            if not isinstance(value, Money):
                problems.append(
                    Problem(f"expected Money, got {type(value).__name__}", f"$.{field}")
                )
            elif value.amount < 0:
                problems.append(Problem(f"expected an amount >= 0, got {value}", f"$.{field}"))
        if self.on is not None and (
            not isinstance(self.on, date) or isinstance(self.on, datetime)
        ):
            problems.append(Problem(f"expected a date, got {type(self.on).__name__}", "$.on"))
        if problems:
            raise ValidationError(problems, subject="effort")
        if self.travel is not None and self.travel.currency != self.rate.currency:
            raise CurrencyMismatchError(self.rate.currency, self.travel.currency, "add")

    @property
    def currency(self) -> str:
        """The currency of the rate (and the travel)."""
        return self.rate.currency

    @property
    def cost(self) -> Money:
        """``rate × hours + travel``, exactly."""
        time = self.rate * self.hours
        return time if self.travel is None else time + self.travel

    @staticmethod
    def total(efforts: Iterable[Effort]) -> Money | None:
        """The cost of all ``efforts``, or ``None`` when there are none.

        Raises:
            CurrencyMismatchError: The efforts are in different currencies.

        >>> Effort.total([Effort("Ana", 2, Money("100", "USD")),
        ...               Effort("Bo", "1.5", Money("80", "USD"))])
        Money('320.0', 'USD')
        """
        result: Money | None = None
        for effort in efforts:
            result = effort.cost if result is None else result + effort.cost
        return result


def check_efforts(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: a tuple of :class:`Effort`, all in one currency.

    Raises:
        ValidationError: An item is not an :class:`Effort`.
        CurrencyMismatchError: The efforts are in different currencies.
    """
    items = value if isinstance(value, tuple) else ()
    problems = [
        Problem(f"expected an Effort, got {type(item).__name__}", f"$.{attribute.name}[{index}]")
        for index, item in enumerate(items)
        if not isinstance(item, Effort)
    ]
    if not isinstance(value, tuple):
        problems.append(
            Problem(f"expected a list, got {type(value).__name__}", f"$.{attribute.name}")
        )
    if problems:
        raise ValidationError(problems, subject=type(instance).__name__)
    Effort.total(items)  # raises CurrencyMismatchError on mixed currencies
