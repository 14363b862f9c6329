"""A fiscal period instead of raw dates: the one resolution every dated metric shares.

A metric that takes a date window also takes ``period=`` — a
:class:`~salesflow.Period` or its label (``"FY2027 Q1"``) in ``calendar=``
(default: the calendar year) — as another way to name the same window. The
window is the period's whole days, first to last, in UTC. Naming it twice
(``period=`` and the raw dates) is an error naming both.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import NoReturn

from salesflow.analytics._expr import as_utc
from salesflow.analytics._trend_parts import calendar_of
from salesflow.errors import Problem, ValidationError
from salesflow.fiscal import Period

__all__ = ["PeriodLike", "days", "exclusive", "label", "missing", "resolve_period", "window"]

PeriodLike = Period | str
"""A period as a metric takes it: a :class:`~salesflow.Period` or its label, e.g. ``"FY2027 Q1"``."""


def resolve_period(period: object, calendar: object, subject: str) -> Period | None:
    """``period`` as a :class:`~salesflow.Period` (``None`` stays ``None``); a label is read in ``calendar``.

    Raises:
        ValidationError: ``calendar`` is not a FiscalCalendar, ``period`` is
            neither a Period nor a string, or the label is not a period of the calendar.
    """
    chosen = calendar_of(calendar, subject)
    if period is None or isinstance(period, Period):
        return period
    if isinstance(period, str):
        try:
            return chosen.period(period)
        except ValidationError as exc:
            raise ValidationError(exc.problems, subject=subject) from exc
    raise ValidationError(
        [
            Problem(
                f"expected a Period or a label such as 'FY2027 Q1', got {type(period).__name__}",
                "$.period",
            )
        ],
        subject=subject,
    )


def exclusive(
    period: object, raw: Mapping[str, object], subject: str, *, name: str = "period"
) -> None:
    """Refuse ``period=`` together with any of the raw date arguments it stands for.

    Args:
        period: The caller's ``period=`` (unresolved).
        raw: The raw date arguments by name, ``None`` when not given.
        subject: The metric, for the error.
        name: The period argument's name (``periods`` for a metric over time).

    Raises:
        ValidationError: Both given; the message names both arguments.
    """
    given = [name for name, value in raw.items() if value is not None]
    if period is None or not given:
        return
    named = " and ".join(f"{name}=" for name in given)
    instead = " / ".join(f"{name}=" for name in raw)
    raise ValidationError(
        [
            Problem(
                f"got both {name}= and {named}: {name}= stands for {instead}, "
                "give one or the other",
                f"$.{name}",
            )
        ],
        subject=subject,
    )


def missing(raw: Mapping[str, object], subject: str) -> NoReturn:
    """Refuse a call that names its window neither by the raw date arguments nor by ``period=``.

    Raises:
        ValidationError: Always: one problem per raw argument not given.
    """
    instead = " and ".join(f"{name}=" for name in raw)
    raise ValidationError(
        [
            Problem(f"expected {name}= (or period= instead of {instead})", f"$.{name}")
            for name, value in raw.items()
            if value is None
        ],
        subject=subject,
    )


def days(period: Period) -> tuple[date, date]:
    """The period's first and last day (both included): a ``*_between`` range."""
    return period.start, period.end


def window(period: Period) -> tuple[datetime, datetime]:
    """The two moments around the period: the end of the day before it begins, the end of its last day (UTC).

    Everything that happened on the period's days falls between them.

    Raises:
        ValidationError: The day before the period is outside the days salesflow computes with.
    """
    try:
        before = period.start - timedelta(days=1)
    except OverflowError:  # date.min: as_utc refuses it as out of range
        before = period.start
    return as_utc(before, what="period"), as_utc(period.end, what="period")


def label(period: Period | None) -> str | None:
    """The period's label, for a result's policies (``None`` without a period)."""
    return None if period is None else period.label
