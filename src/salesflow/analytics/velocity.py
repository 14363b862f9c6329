"""Sales velocity: revenue per day a cohort of deals produces."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import narwhals as nw

from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import aggregate, by_columns, date_days, sum0
from salesflow.analytics._periods import PeriodLike, days, exclusive, label, resolve_period
from salesflow.analytics._source import door, resolve
from salesflow.analytics.rates import Rates, convert
from salesflow.analytics.result import Result
from salesflow.columns import Columns
from salesflow.fiscal import FiscalCalendar
from salesflow.process import SalesProcess

__all__ = ["Velocity", "sales_velocity"]


class Velocity(Result):
    """Sales velocity and its four parts (see :func:`sales_velocity`)."""

    @property
    def per_day(self) -> float | None:
        """Revenue per day of an ungrouped result (``None`` when a part is missing)."""
        value = self.rows()[0]["velocity_per_day"]
        return None if value is None else float(value)


@translated("sales_velocity")
def sales_velocity(
    data: Any,
    *,
    created_between: tuple[date, date] | None = None,
    period: PeriodLike | None = None,
    calendar: FiscalCalendar | None = None,
    rates: Rates | None = None,
    by: str | Sequence[str] = (),
    process: SalesProcess | None = None,
    columns: Columns | None = None,
    currency: str | None = None,
) -> Velocity:
    """Opportunities × average won deal × win rate ÷ average cycle length (days).

    Over a creation-date cohort (``created_between``, inclusive; default: every
    deal): *opportunities* counts the cohort, *average won deal* is the mean
    amount of its won deals, *win rate* is won / closed, *cycle* the mean days
    from creation to closing of its won deals. All four are in the result;
    velocity is null when a part is (no won deal, nothing closed).

    Args:
        data: Opportunities, a snapshot frame, or :class:`~salesflow.analytics.Frames`.
        created_between: The cohort: deals created on these days (both included).
        period: Instead of ``created_between``, a fiscal period (a
            :class:`~salesflow.Period` or its label, e.g. ``"FY2027 Q1"``): the
            deals created on its days.
        calendar: The fiscal calendar a ``period`` label is read in (default: the calendar year).
        rates: Convert amounts into one currency (required with several currencies).
        by: Columns to group by.
        process: The process the deals follow (default: ``Frames.process``).
        columns: What a bare frame's source calls salesflow's columns (see :class:`~salesflow.Columns`).
        currency: The currency of amounts in tables without a currency column.

    Returns:
        A :class:`Velocity`: ``*by``, ``opportunities``, ``won``, ``closed``,
        ``won_amount``, ``average_won_amount``, ``win_rate``,
        ``mean_cycle_days``, ``velocity_per_day`` (floats except counts and
        ``won_amount``, an exact decimal).

    Raises:
        ValidationError: ``period`` and ``created_between`` both given, a label
            not of the calendar, a missing column.

    >>> from salesflow.analytics import examples
    >>> v = sales_velocity(examples.opportunities())
    >>> round(v.per_day, 2)
    967.74
    >>> sales_velocity(examples.opportunities(), period="FY2026 Q1").title
    'Sales velocity of deals created in FY2026 Q1 (USD per day)'
    """
    exclusive(period, {"created_between": created_between}, "sales_velocity")
    chosen_period = resolve_period(period, calendar, "sales_velocity")
    if chosen_period is not None:
        created_between = days(chosen_period)
    data = door(data, columns=columns, process=process, currency=currency)
    keys = by_columns(by)
    inputs = resolve(data)
    needs = ("created_at", "is_closed", "is_won", "amount", *keys)
    snapshot = inputs.table("snapshot", needs=needs)
    if created_between is not None:
        low, high = created_between
        snapshot = snapshot.filter(
            nw.col("created_at").dt.date().is_between(nw.lit(low), nw.lit(high), closed="both")
        )
    snapshot, currency = convert(snapshot, rates=rates, default=inputs.currency)
    names = snapshot.columns
    end = nw.col("closed_on") if "closed_on" in names else nw.col("close_date")
    cycle = date_days(end, nw.col("created_at").dt.date())
    won = nw.col("is_won")
    parts = aggregate(
        snapshot,
        keys,
        [
            nw.len().cast(nw.Int64).alias("opportunities"),
            sum0(won.cast(nw.Int64)).cast(nw.Int64).alias("won"),
            sum0(nw.col("is_closed").cast(nw.Int64)).cast(nw.Int64).alias("closed"),
            sum0(nw.when(won).then(nw.col("_amount"))).alias("won_amount"),
            nw.when(won)
            .then(nw.col("_amount").cast(nw.Float64))
            .mean()
            .alias("average_won_amount"),
            nw.when(won).then(cycle).mean().alias("mean_cycle_days"),
        ],
    )
    rate = nw.when(nw.col("closed") > 0).then(
        nw.col("won").cast(nw.Float64) / nw.col("closed").cast(nw.Float64)
    )
    velocity = nw.when(nw.col("mean_cycle_days") > 0).then(
        nw.col("opportunities").cast(nw.Float64)
        * nw.col("average_won_amount")
        * nw.col("win_rate")
        / nw.col("mean_cycle_days")
    )
    table = parts.with_columns(rate.alias("win_rate")).with_columns(
        velocity.alias("velocity_per_day"), nw.lit(currency, dtype=nw.String).alias("currency")
    )
    if keys:
        table = table.sort(keys)
    cohort = "" if chosen_period is None else f" of deals created in {chosen_period.label}"
    return Velocity(
        table,
        inputs.kind,
        title=f"Sales velocity{cohort} ({currency or 'no currency'} per day)",
        policies={
            "created_between": created_between,
            "period": label(chosen_period),
            "rates": rates,
            "by": keys,
        },
    )
