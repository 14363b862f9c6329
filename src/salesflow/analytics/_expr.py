"""Small expression helpers shared by the metrics (narwhals lazy API only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timezone
from typing import Any

import narwhals as nw

from salesflow.errors import Problem, ValidationError

__all__ = ["aggregate", "as_utc", "by_columns", "days", "sum0"]


def by_columns(by: str | Sequence[str]) -> list[str]:
    """``by`` as a list of column names.

    Raises:
        ValidationError: ``by`` is not a column name or a sequence of them.
    """
    names = [by] if isinstance(by, str) else list(by)
    if not all(isinstance(n, str) and n for n in names):
        raise ValidationError(
            [Problem(f"expected column names, got {by!r}", "$.by")], subject="group-by"
        )
    return names


def aggregate(
    frame: nw.LazyFrame[Any], by: list[str], exprs: Sequence[nw.Expr]
) -> nw.LazyFrame[Any]:
    """``group_by(by).agg(exprs)``, or one row of ``exprs`` when ``by`` is empty."""
    if by:
        return frame.group_by(*by).agg(*exprs)
    return frame.select(*exprs)


def sum0(expr: nw.Expr) -> nw.Expr:
    """A sum that is 0, not null, over no values (DuckDB and Spark give null)."""
    return expr.sum().fill_null(0)


def days(later: nw.Expr, earlier: nw.Expr) -> nw.Expr:
    """Days from ``earlier`` to ``later`` as a float, to the whole second (datetimes)."""
    return (later - earlier).dt.total_seconds() / 86400


def as_utc(value: date | datetime, *, what: str = "as_of") -> datetime:
    """An aware datetime, or a date read as the last instant of that day, in UTC.

    A date means the end of that day: everything that happened on it counts.

    Raises:
        ValidationError: A naive datetime or not a date.
    """
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise ValidationError(
                [Problem(f"expected a timezone-aware datetime, got {value!r}", f"$.{what}")],
                subject="analytics",
            )
        return value.astimezone(timezone.utc)
    if isinstance(value, date):
        return datetime.combine(value, time.max, tzinfo=timezone.utc)
    raise ValidationError(
        [Problem(f"expected a date or datetime, got {type(value).__name__}", f"$.{what}")],
        subject="analytics",
    )
