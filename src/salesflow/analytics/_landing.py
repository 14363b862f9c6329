"""Where line revenue lands: the days of a line's entries and the fiscal periods holding them.

A line entry is keyed by ``(day, frequency, term)``: a one-time amount or an
installment on ``day`` (frequency ``""``, term 0), or a recurring line's price
on the first day of each billing period of its term from ``day``. The keys
found in the data are few; each is expanded here into one row per landing day
and its period, a small table the data is joined with in its own engine.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import narwhals as nw

from salesflow.errors import ValidationError
from salesflow.fiscal import FiscalCalendar, Period, Unit
from salesflow.line_item import BillingFrequency
from salesflow.schedule import billing_dates

__all__ = ["KEYS", "landing_days", "period_rows", "typed_periods"]

KEYS = ["day", "frequency", "term"]
"""The columns that say where a line entry's revenue lands."""

_MONTHS = {f.value: f.months for f in BillingFrequency}


def landing_days(day: date, frequency: str, term: int) -> list[date] | None:
    """The days a line's revenue lands on: its day, or each billing period's first (``None``: unknown frequency)."""
    if not frequency:
        return [day]
    months = _MONTHS.get(frequency)
    if months is None:
        return None
    return billing_dates(day, months, term)


def period_rows(
    keys: list[tuple[date, str, int]],
    calendar: FiscalCalendar,
    grain: Unit,
    span: Period | None,
) -> tuple[dict[str, list[str]], list[tuple[date, str, int]], list[str]]:
    """For the keys found: rows (key, period, how many entries land in it); keys with days of no period; unknown frequencies."""
    landed: dict[tuple[date, str, int, Period], int] = {}
    outside: list[tuple[date, str, int]] = []
    unknown: set[str] = set()
    seen: dict[date, Period | None] = {}
    for day, frequency, term in keys:
        days = landing_days(day, frequency, term)
        if days is None:
            unknown.add(frequency)
            continue
        for when in days:
            if span is not None and not span.start <= when <= span.end:
                continue
            if when not in seen:  # many keys share days: each day is looked up once
                try:
                    seen[when] = calendar.period_of(when, grain)
                except ValidationError:  # a listed calendar without this day
                    seen[when] = None
            found = seen[when]
            if found is None:
                outside.append((day, frequency, term))
                continue
            key = (day, frequency, term, found)
            landed[key] = landed.get(key, 0) + 1
    columns: dict[str, list[str]] = {n: [] for n in (*KEYS, "period", "start", "end", "times")}
    for (day, frequency, term, found), times in landed.items():
        start, end = found.start.isoformat(), found.end.isoformat()
        values = (day.isoformat(), frequency, str(term), found.label, start, end, str(times))
        for name, value in zip(columns, values, strict=True):
            columns[name].append(value)
    return columns, outside, sorted(unknown)


def typed_periods(table: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    return table.with_columns(
        *(nw.col(c).str.to_date("%Y-%m-%d") for c in ("day", "start", "end")),
        nw.col("term").cast(nw.Int64),
        nw.col("times").cast(nw.Int64),
    )
