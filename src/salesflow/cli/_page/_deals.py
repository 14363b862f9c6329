"""Each deal as the page reads it: now, at the window's start, and week by week.

Amounts are converted into the report's currency (as the report converts
them) and written as whole cents, so the page's sums are exact integers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import narwhals as nw

from salesflow.analytics import Rates
from salesflow.analytics._source import Inputs
from salesflow.analytics.as_of import state_at
from salesflow.analytics.rates import convert
from salesflow.process import SalesProcess

__all__ = ["STATUSES", "cents", "current", "current_table", "states", "status", "weekly"]

STATUSES = ("open", "won", "lost")
"""A deal's status, by its index in the page's data."""

_CENT = Decimal("0.01")
_NOW = ("id", "stage", "amount", "probability", "forecast_category", "is_closed", "is_won")
_OPTIONAL = ("name", "account_id", "owner", "close_date", "closed_on", "created_at")


def cents(value: Any) -> int | None:
    """An amount as whole cents (half to even), ``None`` for none.

    >>> cents(Decimal("1234.565")), cents(None)
    (123456, None)
    """
    if value is None:
        return None
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    return int((exact / _CENT).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def status(row: Mapping[str, Any]) -> int:
    """0 open, 1 won, 2 lost (an index into :data:`STATUSES`)."""
    if row.get("is_won"):
        return 1
    return 2 if row.get("is_closed") else 0


def _rows(frame: nw.LazyFrame[Any]) -> Iterator[dict[str, Any]]:
    yield from frame.collect(backend="polars").iter_rows(named=True)


def current_table(
    inputs: Inputs, rates: Rates | None, *, open_only: bool = False
) -> tuple[Any, str | None]:
    """The snapshot's deals (or its open ones) with ``_amount``, and the currency.

    The deals are a Polars DataFrame; ``_amount`` is in the one currency returned.
    """
    snapshot = inputs.table("snapshot", needs=_NOW)
    names = snapshot.columns
    frame = snapshot.select(*_NOW, *(c for c in (*_OPTIONAL, "currency") if c in names))
    if open_only:  # as status() reads a row: neither won nor closed
        closed = nw.col("is_won").fill_null(value=False) | nw.col("is_closed").fill_null(
            value=False
        )
        frame = frame.filter(~closed)
    converted, currency = convert(frame, rates=rates, default=inputs.currency)
    return converted.collect(backend="polars").to_native(), currency


def current(inputs: Inputs, rates: Rates | None) -> tuple[list[dict[str, Any]], str | None]:
    """The snapshot's deals with ``_amount`` in one currency, and that currency."""
    table, currency = current_table(inputs, rates)
    return list(table.iter_rows(named=True)), currency


def states(
    inputs: Inputs, moment: datetime, process: SalesProcess, rates: Rates | None
) -> dict[str, tuple[int | None, str | None, int, str | None, date | None]]:
    """Each deal's (cents, category, status, stage, close date) at ``moment``, from the history."""
    state = state_at(inputs, moment, process)
    converted, _ = convert(state, rates=rates, default=inputs.currency)
    return {
        str(row["id"]): (
            cents(row["_amount"]),
            row["forecast_category"],
            status(row),
            row["stage"],
            row.get("close_date"),
        )
        for row in _rows(converted)
    }


def weekly(
    inputs: Inputs, moments: list[datetime], process: SalesProcess, rates: Rates | None
) -> dict[str, list[Any]]:
    """Each deal's state on each of ``moments``, from the history.

    Each entry: ``0`` (not yet), ``1`` (as the week before), or ``[cents, category, status]``.
    """
    by_deal: dict[str, list[Any]] = {}
    previous: dict[str, Any] = {}
    for week, moment in enumerate(moments):
        for deal, (amount, category, state, _, _) in states(
            inputs, moment, process, rates
        ).items():
            entry = [amount or 0, category, state]
            column = by_deal.setdefault(deal, [0] * len(moments))
            column[week] = 1 if previous.get(deal) == entry else entry
            previous[deal] = entry
    return by_deal
