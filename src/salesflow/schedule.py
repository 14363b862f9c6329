"""Schedules: a line item's revenue or quantity split into dated installments.

As Salesforce's ``OpportunityLineItemSchedule``, a schedule is *established*
by dividing a total into installments or repeating it in each one, every
day, week, month, quarter or year from a start date, so that revenue lands in
the periods it is earned.
"""

from __future__ import annotations

import calendar
import enum
import html
from datetime import date, timedelta
from decimal import ROUND_DOWN, Context, Decimal
from typing import Any

import attrs

from salesflow._validate import a_date
from salesflow.errors import Problem, ValidationError, shorten
from salesflow.money import Money, to_decimal

__all__ = [
    "MAX_INSTALLMENTS",
    "Installment",
    "ScheduleMethod",
    "SchedulePeriod",
    "billing_dates",
    "installment_dates",
    "schedule_quantity",
    "schedule_revenue",
]

MAX_INSTALLMENTS = 600
"""The most installments one schedule may have (Salesforce allows 150; 600 is 50 years monthly)."""


class ScheduleMethod(enum.Enum):
    """How a schedule is established.

    ``DIVIDE``: the total is split into equal installments; what does not
    divide evenly at the stated precision (the remainder cents) goes on the
    *last* installment, so the installments always add up to the total.
    ``REPEAT``: each installment is the whole amount (the schedule adds up to
    the amount times the number of installments).
    """

    DIVIDE = "divide"
    REPEAT = "repeat"


class SchedulePeriod(enum.Enum):
    """How far apart installments are."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


def _check_amount(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Money):
        raise ValidationError(
            [Problem(f"expected Money or None, got {type(value).__name__}", "$.revenue")],
            subject="Installment",
        )


def _quantity(value: object) -> Decimal | None:
    return None if value is None else to_decimal(value, what="Installment", path="$.quantity")


@attrs.frozen(kw_only=True)
class Installment:
    """One dated installment of a schedule: revenue, quantity, or both.

    Attributes:
        on: The day the installment is scheduled for.
        revenue: The revenue earned then.
        quantity: The quantity delivered then.

    >>> Installment(on=date(2026, 1, 1), revenue=Money("10", "USD"))
    Installment(on=datetime.date(2026, 1, 1), revenue=Money('10', 'USD'), quantity=None)
    """

    on: date = attrs.field(validator=a_date)
    revenue: Money | None = attrs.field(default=None, validator=_check_amount)
    quantity: Decimal | None = attrs.field(default=None, converter=_quantity)

    def __attrs_post_init__(self) -> None:
        if self.revenue is None and self.quantity is None:
            raise ValidationError(
                [Problem("an installment has revenue, a quantity, or both", "$")],
                subject="Installment",
            )

    def _repr_html_(self) -> str:
        parts = [self.on.isoformat(), self.revenue, self.quantity]
        return (
            "<span>" + html.escape(" · ".join(str(p) for p in parts if p is not None)) + "</span>"
        )


def _parse(enum_type: type[enum.Enum], value: object, path: str) -> enum.Enum:
    if isinstance(value, enum_type):
        return value
    for member in enum_type:
        if member.value == value:
            return member
    allowed = ", ".join(repr(m.value) for m in enum_type)
    raise ValidationError(
        [Problem(f"expected one of {allowed}, got {shorten(value)}", path)], subject="schedule"
    )


def _add_months(start: date, months: int) -> date:
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)


def billing_dates(start: date, every_months: int, term_months: int) -> list[date]:
    """The first day of each billing period of a term: ``term_months // every_months`` days.

    Months are counted from ``start`` each time, as :func:`installment_dates`
    counts them (a term starting on 31 January bills on 28 or 29 February).

    >>> billing_dates(date(2026, 1, 31), 3, 12)
    [datetime.date(2026, 1, 31), datetime.date(2026, 4, 30), datetime.date(2026, 7, 31), datetime.date(2026, 10, 31)]
    """
    return [_add_months(start, k * every_months) for k in range(term_months // every_months)]


def installment_dates(
    start: date, installments: int, period: SchedulePeriod | str = SchedulePeriod.MONTHLY
) -> list[date]:
    """The days of ``installments`` installments, one ``period`` apart from ``start``.

    Months are counted from ``start`` each time: a schedule starting on 31
    January falls on 28 (or 29) February, then 31 March.

    >>> [d.isoformat() for d in installment_dates(date(2026, 1, 31), 3)]
    ['2026-01-31', '2026-02-28', '2026-03-31']

    Raises:
        ValidationError: ``start`` is not a date, ``installments`` is not in
            1..:data:`MAX_INSTALLMENTS`, or ``period`` is unknown.
    """
    step = _parse(SchedulePeriod, period, "$.period")
    problems = []
    if not isinstance(start, date):
        problems.append(Problem(f"expected a date, got {type(start).__name__}", "$.start"))
    if (
        isinstance(installments, bool)
        or not isinstance(installments, int)
        or not 1 <= installments <= MAX_INSTALLMENTS
    ):
        problems.append(
            Problem(
                f"expected a whole number of installments in 1..{MAX_INSTALLMENTS}, "
                f"got {shorten(installments)}",
                "$.installments",
            )
        )
    if problems:
        raise ValidationError(problems, subject="schedule")
    months = {SchedulePeriod.MONTHLY: 1, SchedulePeriod.QUARTERLY: 3, SchedulePeriod.YEARLY: 12}
    try:
        if step in months:
            return [_add_months(start, i * months[step]) for i in range(installments)]
        days = 1 if step is SchedulePeriod.DAILY else 7
        return [start + timedelta(days=i * days) for i in range(installments)]
    except (OverflowError, ValueError):
        raise ValidationError(
            [Problem("the installments run past the year 9999", "$.installments")],
            subject="schedule",
        ) from None


def _places(places: object) -> Decimal:
    if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 20:
        raise ValidationError(
            [Problem(f"expected places in 0..20, got {shorten(places)}", "$.places")],
            subject="schedule",
        )
    return Decimal(1).scaleb(-places)


def _split(total: Decimal, count: int, quantum: Decimal) -> list[Decimal]:
    """``count`` parts of ``total``: equal parts cut (toward zero) to ``quantum``, the rest last."""
    wide = Context(prec=300)
    part = wide.divide(total, Decimal(count)).quantize(quantum, rounding=ROUND_DOWN, context=wide)
    last = wide.subtract(total, wide.multiply(part, Decimal(count - 1)))
    return [part] * (count - 1) + [last]


def schedule_revenue(
    total: Money,
    *,
    start: date,
    installments: int,
    period: SchedulePeriod | str = SchedulePeriod.MONTHLY,
    method: ScheduleMethod | str = ScheduleMethod.DIVIDE,
    places: int = 2,
) -> tuple[Installment, ...]:
    """Revenue installments of ``total``, established by dividing or repeating.

    Dividing cuts each installment to ``places`` digits after the point
    (toward zero) and puts the remainder on the last installment: the
    installments add up to ``total`` exactly.

    >>> [str(i.revenue) for i in schedule_revenue(
    ...     Money("100.00", "USD"), start=date(2026, 1, 1), installments=3)]
    ['33.33 USD', '33.33 USD', '33.34 USD']

    Raises:
        ValidationError: ``total`` is not Money, or a bad start, count, period,
            method or ``places``.
    """
    if not isinstance(total, Money):
        raise ValidationError(
            [Problem(f"expected Money, got {type(total).__name__}", "$.total")],
            subject="schedule",
        )
    how = _parse(ScheduleMethod, method, "$.method")
    quantum = _places(places)
    days = installment_dates(start, installments, period)
    if how is ScheduleMethod.REPEAT:
        amounts = [total.amount] * installments
    else:
        amounts = _split(total.amount, installments, quantum)
    return tuple(
        Installment(on=day, revenue=Money(amount, total.currency))
        for day, amount in zip(days, amounts, strict=True)
    )


def schedule_quantity(
    quantity: Decimal | int | str,
    *,
    start: date,
    installments: int,
    period: SchedulePeriod | str = SchedulePeriod.MONTHLY,
    method: ScheduleMethod | str = ScheduleMethod.DIVIDE,
    places: int = 0,
) -> tuple[Installment, ...]:
    """Quantity installments of ``quantity``: whole units by default, the remainder last.

    >>> [str(i.quantity) for i in schedule_quantity(35, start=date(2026, 1, 1), installments=4)]
    ['8', '8', '8', '11']

    Raises:
        ValidationError: ``quantity`` is not an exact number, or a bad start,
            count, period, method or ``places``.
    """
    total = to_decimal(quantity, what="schedule", path="$.quantity")
    how = _parse(ScheduleMethod, method, "$.method")
    quantum = _places(places)
    days = installment_dates(start, installments, period)
    if how is ScheduleMethod.REPEAT:
        amounts = [total] * installments
    else:
        amounts = _split(total, installments, quantum)
    return tuple(
        Installment(on=day, quantity=amount) for day, amount in zip(days, amounts, strict=True)
    )
