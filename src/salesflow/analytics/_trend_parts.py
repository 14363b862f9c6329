"""Pieces the trend metrics share: periods, moments, the span of the history, currencies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import narwhals as nw

from salesflow.analytics._expr import as_utc
from salesflow.analytics._source import Inputs
from salesflow.errors import CurrencyMismatchError, Problem, ValidationError
from salesflow.fiscal import FiscalCalendar, Period
from salesflow.forecast import ForecastCategory
from salesflow.money import Money

__all__ = [
    "OPEN_CATEGORIES",
    "calendar_of",
    "history_span",
    "in_period",
    "money_of",
    "moment_of",
    "one_currency",
]

OPEN_CATEGORIES = tuple(
    c.value
    for c in (
        ForecastCategory.PIPELINE,
        ForecastCategory.BEST_CASE,
        ForecastCategory.MOST_LIKELY,
        ForecastCategory.COMMIT,
    )
)
"""The open forecast categories, in rollup order (Omitted aside)."""


def money_of(value: Any, currency: str | None) -> Money | Decimal:
    exact = value if isinstance(value, Decimal) else Decimal(str(value or 0))
    return exact if currency is None else Money(exact, currency)


def in_period(period: Period, column: str = "close_date") -> nw.Expr:
    inside = nw.col(column).is_between(nw.lit(period.start), nw.lit(period.end), closed="both")
    return inside.fill_null(False)


def history_span(inputs: Inputs) -> tuple[datetime | None, datetime | None]:
    """The first and last history row's time (``None`` without rows): one small aggregate."""
    history = inputs.table("history", needs=("opportunity_id", "at", "stage", "close_date"))
    row = (
        history.select(nw.col("at").min().alias("first"), nw.col("at").max().alias("last"))
        .collect(backend="polars")
        .rows(named=True)[0]
    )
    first, last = row["first"], row["last"]
    return (
        first if isinstance(first, datetime) else None,
        last if isinstance(last, datetime) else None,
    )


def moment_of(
    value: date | datetime | None, last: datetime | None, what: str, subject: str
) -> datetime:
    """``value`` in UTC, or the end of the history's last day."""
    if value is not None:
        return as_utc(value, what=what)
    if last is None:
        raise ValidationError(
            [
                Problem(
                    f"the history table has no rows to take {what} from: pass {what}=", f"$.{what}"
                )
            ],
            subject=subject,
        )
    return as_utc(last.date(), what=what)


def calendar_of(calendar: object, subject: str) -> FiscalCalendar:
    if calendar is None:
        return FiscalCalendar.calendar_year()
    if not isinstance(calendar, FiscalCalendar):
        raise ValidationError(
            [Problem(f"expected a FiscalCalendar, got {type(calendar).__name__}", "$.calendar")],
            subject=subject,
        )
    return calendar


def one_currency(found: Sequence[str | None]) -> str | None:
    codes = sorted({c for c in found if c is not None})
    if len(codes) > 1:
        raise CurrencyMismatchError(codes[0], codes[1], "sum")
    return codes[0] if codes else None
