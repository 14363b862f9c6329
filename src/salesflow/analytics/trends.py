"""Trends: the forecast at the same day of this period and of earlier ones, from history.

Salesforce's forecast Trends chart sets this quarter's forecast beside the
forecast of earlier quarters *at the same point in time* — day 45 of each
quarter, say. :func:`forecast_trends` rebuilds each earlier period's pipeline
from the history table as it stood on that day (as
:func:`~salesflow.analytics.pipeline_as_of` does) and reports, per period and
forecast category, the deals whose close date falls in the period and their
amount, plus what was already won in it.
:func:`~salesflow.analytics.category_movement` answers the question under a
trend: what moved between the categories within one period.

A day before the first history row has no pipeline to rebuild: such a period
is shown with empty cells and named in the result's coverage (``no data``),
never as a zero. Deals without a close date belong to no period; they are
counted in the coverage too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import narwhals as nw

from salesflow.analytics._chart import grouped_bars
from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import aggregate, by_columns, sum0
from salesflow.analytics._history_gaps import without_history
from salesflow.analytics._source import Inputs, door, resolve
from salesflow.analytics._trend_parts import (
    OPEN_CATEGORIES,
    calendar_of,
    history_span,
    in_period,
    moment_of,
    money_of,
    one_currency,
)
from salesflow.analytics.as_of import converted_state, state_at
from salesflow.analytics.coverage import Gap, Pending
from salesflow.analytics.funnel import stage_process
from salesflow.analytics.rates import Rates
from salesflow.analytics.result import Result
from salesflow.columns import Columns
from salesflow.errors import Problem, ValidationError, shorten
from salesflow.fiscal import UNITS, FiscalCalendar, Period, Unit
from salesflow.money import Money
from salesflow.process import SalesProcess

__all__ = ["TREND_CATEGORIES", "Trends", "forecast_trends"]

TREND_CATEGORIES: tuple[str, ...] = (*OPEN_CATEGORIES, "Closed Won")
"""The rows of each period in :func:`forecast_trends`: the open categories, then won deals."""

_TREND_COLUMNS = ("period", "day", "date", "category", "deals", "amount", "currency")


def _groups(
    inputs: Inputs, keys: list[str], reserved: Sequence[str], subject: str
) -> tuple[list[str], list[str]]:
    """The ``by`` columns the history records (read at each moment) and the snapshot-only ones.

    Raises:
        ValidationError: A key is an output column, repeated, or in neither table.
    """
    history = set(inputs.table("history").columns)
    snapshot = inputs.snapshot
    listed = set() if snapshot is None else set(snapshot.columns)
    problems = [
        Problem(f"cannot group by {k!r}: the result has a column of that name", "$.by")
        for k in keys
        if k in reserved
    ]
    problems += [
        Problem(f"cannot group by {k!r}: neither the history nor the snapshot has it", "$.by")
        for k in keys
        if k not in reserved and k not in history and k not in listed
    ]
    problems += [
        Problem(f"{k!r} is given more than once", "$.by")
        for k in sorted(set(keys))
        if keys.count(k) > 1
    ]
    if problems:
        raise ValidationError(problems, subject=subject)
    return [k for k in keys if k in history], [k for k in keys if k not in history]


class Trends(Result):
    """Per period and forecast category: deals closing in it, as of the same day of each period.

    See :func:`forecast_trends`. Periods run oldest first; the last is the current one.

    Attributes:
        periods: The periods, oldest first.
        moments: Each period's moment (its label → an aware UTC datetime).
        currency: The currency of the amounts (``None`` when the tables name none).
        keys: The ``by`` columns.
    """

    _label = "category"
    _value = "amount"

    periods: list[Period]
    moments: dict[str, datetime]
    currency: str | None
    keys: list[str]

    def amounts(self) -> dict[str, dict[str, Money | Decimal | None]]:
        """Period label → category → amount (``None`` for a period with no data).

        Raises:
            ValueError: The trends are grouped (``by=``); read :meth:`rows` instead.
        """
        if self.keys:
            raise ValueError("these trends are grouped: read rows() for each group")
        found: dict[str, dict[str, Money | Decimal | None]] = {}
        for row in self.rows():
            value = row["amount"]
            found.setdefault(row["period"], {})[row["category"]] = (
                None if value is None else money_of(value, self.currency)
            )
        return found

    def plot(self, *, ax: Any = None) -> Any:
        """Grouped bars: one group per period, one bar per category (amounts summed over groups).

        Returns:
            The matplotlib ``Axes``.
        """
        sums: dict[str, dict[str, float]] = {p.label: {} for p in self.periods}
        for row in self.rows():
            if row["amount"] is not None:
                cell = sums.setdefault(row["period"], {})
                cell[row["category"]] = cell.get(row["category"], 0.0) + float(row["amount"])
        return grouped_bars(
            list(sums),
            {c: [sums[p].get(c, 0.0) for p in sums] for c in TREND_CATEGORIES},
            title=self.title,
            axis=f"amount ({self.currency})" if self.currency else "amount",
            ax=ax,
        )


def _earlier(
    calendar: FiscalCalendar, current: Period, unit: Unit, count: int
) -> tuple[list[Period], int]:
    """``current`` and up to ``count`` periods before it, oldest first; and how many the calendar lacks."""
    found = [current]
    while len(found) <= count:
        try:
            found.append(calendar.period_of(found[-1].start - timedelta(days=1), unit))
        except ValidationError:  # a listed calendar that starts later, or before 1900
            break
    return found[::-1], count + 1 - len(found)


def _undated(states: list[nw.LazyFrame[Any]]) -> Pending:
    """``left_out``: deals open or won at some moment taken, with no close date then."""

    def check() -> Gap | None:
        ids = [
            s.filter(
                nw.col("close_date").is_null() & (~nw.col("is_closed") | nw.col("is_won"))
            ).select("id")
            for s in states
        ]
        if not ids:
            return None
        count = int(nw.concat(ids).unique().select(nw.len()).collect(backend="polars").item())
        if not count:
            return None
        return Gap(
            "left_out",
            "deals",
            "no close date at the moment taken, so no period holds them",
            rows=count,
        )

    return check


@translated("forecast_trends")
def forecast_trends(
    data: Any,
    *,
    calendar: FiscalCalendar | None = None,
    unit: Unit = "quarter",
    as_of: date | datetime | None = None,
    periods: int = 4,
    process: SalesProcess | None = None,
    rates: Rates | None = None,
    by: str | Sequence[str] = (),
    columns: Columns | None = None,
    currency: str | None = None,
) -> Trends:
    """The forecast by category at the same day of this period and of the ``periods`` before it.

    The current period is the one holding ``as_of``; each earlier period is
    taken on the same day of its own period (:meth:`~salesflow.Period.day_of`;
    its last day if it is shorter) at the same time of day. At each such
    moment every deal is rebuilt from the history table and counted when its
    close date (then) falls in that period: open deals by their forecast
    category (then), won deals as ``Closed Won`` — what was won so far.

    Args:
        data: Opportunities or :class:`~salesflow.analytics.Frames` with a history table.
        calendar: The fiscal calendar (default: the calendar year).
        unit: ``"quarter"`` (default), ``"month"``, ``"week"`` or ``"year"``.
        as_of: The moment in the current period (a date means the end of that
            day, UTC); default: the end of the day of the last history row.
        periods: How many earlier periods to set beside the current one.
        process: Supplies which stages are closed and won, and each stage's
            forecast category (default: ``Frames.process``).
        rates: Convert amounts into one currency (required with several currencies).
        by: Columns to group by (e.g. ``"owner"``): history columns as of each
            moment, else snapshot columns. A group has a row only for the
            categories it has deals in.
        columns: What a bare frame's source calls salesflow's columns (see :class:`~salesflow.Columns`).
        currency: The currency of amounts in tables without a currency column.

    Returns:
        A :class:`Trends`, oldest period first: ``period`` (its label), ``day``
        (the day of the period taken, 1 = its first), ``date`` (that day),
        ``*by``, ``category`` (one of :data:`TREND_CATEGORIES`), ``deals``,
        ``amount``, ``currency``. A period before the first history row has
        empty ``deals`` and ``amount`` (and a coverage gap), never zeros.

    Raises:
        ValidationError: No history, no process, an unknown unit, a negative
            ``periods``, a ``by`` column neither table has.
        CurrencyMismatchError: Several currencies and no ``rates``.

    >>> from datetime import date
    >>> from salesflow.analytics import examples
    >>> t = forecast_trends(examples.opportunities(), unit="month", as_of=date(2026, 3, 10),
    ...                     periods=2, process=examples.process())
    >>> [(p.label, str(t.moments[p.label].date())) for p in t.periods]
    [('FY2026 P01', '2026-01-10'), ('FY2026 P02', '2026-02-10'), ('FY2026 P03', '2026-03-10')]
    >>> {p: {c: str(a.amount) for c, a in cats.items() if a.amount} for p, cats in t.amounts().items()}
    {'FY2026 P01': {}, 'FY2026 P02': {'Pipeline': '20000.00', 'Closed Won': '12000.00'}, 'FY2026 P03': {'Best Case': '15000.00'}}
    """
    subject = "forecast_trends"
    data = door(data, columns=columns, process=process, currency=currency)
    chosen_calendar = calendar_of(calendar, subject)
    problems = []
    if unit not in UNITS:
        problems.append(
            Problem(f"unknown unit {shorten(unit)}; expected one of {', '.join(UNITS)}", "$.unit")
        )
    if isinstance(periods, bool) or not isinstance(periods, int) or periods < 0:
        problems.append(
            Problem(f"expected a whole number >= 0, got {shorten(periods)}", "$.periods")
        )
    if problems:
        raise ValidationError(problems, subject=subject)
    keys = by_columns(by)
    inputs = resolve(data)
    chosen = stage_process(process, data, subject, needs="which stages are closed and won")
    first, last = history_span(inputs)
    past, present = _groups(inputs, keys, _TREND_COLUMNS, subject)
    moment = moment_of(as_of, last, "as_of", subject)
    current = chosen_calendar.period_of(moment.date(), unit)
    shown, missing = _earlier(chosen_calendar, current, unit, periods)
    day = current.day_of(moment.date())
    snapshot = inputs.snapshot

    parts, states, currencies, moments, empty = [], [], [], {}, []
    for order, period in enumerate(shown):
        taken = min(day, period.days)
        on = period.start + timedelta(days=taken - 1)
        when = datetime.combine(on, moment.timetz())
        moments[period.label] = when
        state = state_at(inputs, when, chosen)
        states.append(state)
        state, found = converted_state(inputs, when, chosen, rates)
        currencies.append(found)
        scoped = state.filter(in_period(period)).with_columns(
            nw.when(nw.col("is_won"))
            .then(nw.lit("Closed Won"))
            .when(~nw.col("is_closed"))
            .then(nw.col("forecast_category"))
            .alias("category")
        )
        scoped = scoped.select("id", *past, "category", "_amount")
        if present and snapshot is not None:
            scoped = scoped.join(snapshot.select("id", *present), on="id", how="left")
        if inputs.kind.eager:  # in memory: rebuild the period's deals once for every category
            scoped = scoped.collect().lazy()
        known = first is not None and when >= first
        if not known:
            empty.append(period.label)
        for rank, category in enumerate(TREND_CATEGORIES):
            part = aggregate(
                scoped.filter(nw.col("category") == category),
                keys,
                [nw.len().cast(nw.Int64).alias("deals"), sum0(nw.col("_amount")).alias("amount")],
            )
            parts.append(
                part.with_columns(
                    nw.when(nw.lit(known)).then(nw.col("deals")).alias("deals"),
                    nw.when(nw.lit(known)).then(nw.col("amount")).alias("amount"),
                    nw.lit(period.label).alias("period"),
                    nw.lit(taken, dtype=nw.Int64).alias("day"),
                    nw.lit(on).alias("date"),
                    nw.lit(category).alias("category"),
                    nw.lit(order, dtype=nw.Int64).alias("_period"),
                    nw.lit(rank, dtype=nw.Int64).alias("_category"),
                )
            )
    money = one_currency(currencies) or inputs.currency
    table = (
        nw.concat(parts)
        .sort(["_period", *keys, "_category"])
        .select(
            "period",
            "day",
            "date",
            *keys,
            "category",
            "deals",
            "amount",
            nw.lit(money, dtype=nw.String).alias("currency"),
        )
    )
    gaps = []
    if first is None:
        gaps.append(Gap("no_data", "forecast trends", "the history table has no rows"))
    elif len(empty) == len(shown):
        reason = (
            f"every period's day is before the first history row ({first.date().isoformat()}): "
            "no deal existed yet"
        )
        gaps.append(Gap("no_data", "forecast trends", reason))
    elif empty:
        one = len(empty) == 1
        reason = (
            f"no data, {'its' if one else 'their'} day is before the first history row "
            f"({first.date().isoformat()}); the cells are empty, not zero"
        )
        what = f"{'period' if one else 'periods'} ({', '.join(empty)})"
        gaps.append(Gap("left_out", what, reason, rows=len(empty)))
    if missing:
        gaps.append(
            Gap("left_out", "earlier periods", "the calendar has no such period", rows=missing)
        )
    result = Trends(
        table,
        inputs.kind,
        title=f"Forecast trends at day {day} of each {unit} ({money or 'no currency'})",
        gaps=gaps,
        pending=[_undated(states), without_history(inputs)],
        policies={
            "calendar": chosen_calendar,
            "unit": unit,
            "as_of": moment,
            "day": day,
            "periods": periods,
            "rates": rates,
            "by": keys,
        },
    )
    result.periods = shown
    result.moments = moments
    result.currency = money
    result.keys = keys
    return result
