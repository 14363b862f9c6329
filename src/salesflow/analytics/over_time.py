"""The pipeline summary at several past dates, rebuilt from history.

The dates are given one by one, or as the ends of a calendar's fiscal
periods (``periods="month"``, ``"quarter"`` ...), each point labelled with
its period.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import narwhals as nw

from salesflow.analytics._chart import lines
from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import as_utc
from salesflow.analytics._history_gaps import before_history, without_history
from salesflow.analytics._periods import PeriodLike, exclusive, label, resolve_period
from salesflow.analytics._source import Inputs, door, resolve
from salesflow.analytics._trend_parts import calendar_of, history_span
from salesflow.analytics.as_of import state_at
from salesflow.analytics.funnel import stage_process
from salesflow.analytics.rates import Rates
from salesflow.analytics.result import Result
from salesflow.analytics.summary import summarise
from salesflow.columns import Columns
from salesflow.errors import Problem, ValidationError, shorten
from salesflow.fiscal import UNITS, FiscalCalendar, Period, Unit
from salesflow.process import SalesProcess

__all__ = ["PipelineOverTime", "pipeline_over_time"]


class PipelineOverTime(Result):
    """Summary lines per date (see :func:`pipeline_over_time`)."""

    def plot(self, *, ax: Any = None) -> Any:
        """Open Pipeline, Commit Forecast and Closed Won amounts over the dates.

        Returns:
            The matplotlib ``Axes``.
        """
        shown = ("Open Pipeline", "Commit Forecast", "Closed Won")
        return lines(
            self.rows(),
            x="date",
            series="line",
            value="amount",
            shown=shown,
            title=self.title,
            ax=ax,
        )


def _period_ends(
    inputs: Inputs,
    calendar: FiscalCalendar,
    unit: object,
    span: Period | None,
    subject: str,
) -> list[tuple[str, date]]:
    """Each period of ``unit`` in ``span`` (default: the history's days), with the day it is taken on.

    A period is taken on its last day, or on the last day of ``span`` or of
    the history when it ends later; periods beginning after the history are
    left out.

    Raises:
        ValidationError: An unknown unit, no history rows, or a span that
            begins after the last history row.
    """
    if unit not in UNITS:
        raise ValidationError(
            [
                Problem(
                    f"unknown unit {shorten(unit)}; expected one of {', '.join(UNITS)}",
                    "$.periods",
                )
            ],
            subject=subject,
        )
    first, last = history_span(inputs)
    if first is None or last is None:
        raise ValidationError(
            [
                Problem(
                    "the history table has no rows to take periods from: pass dates", "$.periods"
                )
            ],
            subject=subject,
        )
    known = last.date()
    begin, finish = (first.date(), known) if span is None else (span.start, span.end)
    found = [p for p in calendar.periods(begin, finish, unit) if p.start <= known]
    if not found:
        raise ValidationError(
            [
                Problem(
                    f"{span.label if span else 'the period'} begins after the last history row "
                    f"({known.isoformat()}): none of its {unit}s has begun",
                    "$.period",
                )
            ],
            subject=subject,
        )
    return [(p.label, min(p.end, finish, known)) for p in found]


@translated("pipeline_over_time")
def pipeline_over_time(
    data: Any,
    dates: Sequence[date | datetime] | None = None,
    *,
    periods: Unit | None = None,
    period: PeriodLike | None = None,
    calendar: FiscalCalendar | None = None,
    process: SalesProcess | None = None,
    cumulative: bool = True,
    rates: Rates | None = None,
    columns: Columns | None = None,
    currency: str | None = None,
) -> PipelineOverTime:
    """:func:`~salesflow.analytics.pipeline_summary` of the pipeline as of each date.

    Each date's snapshot is rebuilt from the history table as
    :func:`~salesflow.analytics.pipeline_as_of` does (a date means the end of that day).

    Instead of ``dates``, ``periods=`` (a unit: ``"month"``, ``"quarter"``,
    ``"week"``, ``"year"``) takes one point at the end of each fiscal period of
    that unit in ``period`` (default: from the first history row to the last),
    labelled with the period. A period still running at the last history row
    is taken on that row's day (its pipeline so far), never on a day yet to come.

    Args:
        data: Opportunities or :class:`~salesflow.analytics.Frames` with a history table.
        dates: The days (or aware datetimes) to take the pipeline at.
        periods: Instead of ``dates``, a unit: a point at the end of each of its periods.
        period: The span the ``periods`` cover, a :class:`~salesflow.Period` or its
            label (e.g. ``"FY2027"``); alone it means ``periods="month"``.
        calendar: The fiscal calendar of ``periods`` and of a ``period`` label
            (default: the calendar year).
        process: Supplies which stages are closed and won (default: ``Frames.process``).
        cumulative: Cumulative forecast lines (Commit includes Closed Won ...), or single categories.
        rates: Convert amounts into one currency (required with several currencies).
        columns: What a bare frame's source calls salesflow's columns (see :class:`~salesflow.Columns`).
        currency: The currency of amounts in tables without a currency column.

    Returns:
        A :class:`PipelineOverTime`: ``date``, ``line``, ``count``, ``amount``,
        ``weighted_amount``, ``currency``; with ``periods`` or ``period``, a
        ``period`` column (its label) first.

    Raises:
        ValidationError: No dates, ``dates`` together with ``periods`` or
            ``period``, an unknown unit, a label not of the calendar, no
            history, no process.

    >>> from datetime import date
    >>> from salesflow.analytics import examples
    >>> t = pipeline_over_time(examples.opportunities(), [date(2026, 1, 31), date(2026, 3, 31)],
    ...                        process=examples.process())
    >>> [(r["date"].isoformat(), str(r["amount"])) for r in t.rows() if r["line"] == "Open Pipeline"]
    [('2026-01-31', '48000.00'), ('2026-03-31', '55000.00')]
    >>> monthly = pipeline_over_time(examples.opportunities(), periods="month",
    ...                              period="FY2026 Q1", process=examples.process())
    >>> [(r["period"], r["date"].isoformat(), str(r["amount"]))
    ...  for r in monthly.rows() if r["line"] == "Open Pipeline"]
    [('FY2026 P01', '2026-01-31', '48000.00'), ('FY2026 P02', '2026-02-28', '63000.00'), ('FY2026 P03', '2026-03-25', '55000.00')]
    """
    subject = "pipeline_over_time"
    data = door(data, columns=columns, process=process, currency=currency)
    exclusive(periods, {"dates": dates}, subject, name="periods")
    exclusive(period, {"dates": dates}, subject)
    chosen_period = resolve_period(period, calendar, subject)
    inputs = resolve(data)
    labels: list[str] = []
    unit = periods
    if dates is None and (periods is not None or chosen_period is not None):
        unit = periods or "month"
        ends = _period_ends(inputs, calendar_of(calendar, subject), unit, chosen_period, subject)
        labels, dates = [name for name, _ in ends], [day for _, day in ends]
    if not dates:
        raise ValidationError(
            [
                Problem(
                    "expected at least one date (or periods=, a unit such as 'month')", "$.dates"
                )
            ],
            subject=subject,
        )
    chosen = stage_process(process, data, subject)
    parts = []
    currency = None
    for index, when in enumerate(dates):
        moment = as_utc(when, what="dates")
        state = state_at(inputs, moment, chosen)
        table, currency = summarise(
            state,
            [],
            cumulative=cumulative,
            rates=rates,
            default=inputs.currency,
            materialize=inputs.kind.eager,
        )
        day = when if not isinstance(when, datetime) else moment.date()
        named = [nw.lit(labels[index]).alias("period")] if labels else []
        parts.append(table.select(*named, nw.lit(day).alias("date"), nw.all()))
    points = ""
    if labels:
        points = f", end of each {unit}" + (f" of {chosen_period.label}" if chosen_period else "")
    return PipelineOverTime(
        nw.concat(parts),
        inputs.kind,
        title=f"Pipeline over time{points} ({'cumulative' if cumulative else 'single-category'}, "
        f"{currency or 'no currency'})",
        policies={
            "dates": list(dates),
            "periods": unit if labels else None,
            "period": label(chosen_period),
            "calendar": calendar_of(calendar, subject) if labels else None,
            "cumulative": cumulative,
            "rates": rates,
        },
        pending=[
            before_history(inputs, [as_utc(d, what="dates") for d in dates], "pipeline over time"),
            without_history(inputs),
        ],
    )
