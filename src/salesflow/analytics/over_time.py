"""The pipeline summary at several past dates, rebuilt from history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import narwhals as nw

from salesflow.analytics._chart import lines
from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import as_utc
from salesflow.analytics._history_gaps import before_history, without_history
from salesflow.analytics._source import door, resolve
from salesflow.analytics.as_of import state_at
from salesflow.analytics.funnel import stage_process
from salesflow.analytics.rates import Rates
from salesflow.analytics.result import Result
from salesflow.analytics.summary import summarise
from salesflow.columns import Columns
from salesflow.errors import Problem, ValidationError
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


@translated("pipeline_over_time")
def pipeline_over_time(
    data: Any,
    dates: Sequence[date | datetime],
    *,
    process: SalesProcess | None = None,
    cumulative: bool = True,
    rates: Rates | None = None,
    columns: Columns | None = None,
    currency: str | None = None,
) -> PipelineOverTime:
    """:func:`~salesflow.analytics.pipeline_summary` of the pipeline as of each date.

    Each date's snapshot is rebuilt from the history table as
    :func:`~salesflow.analytics.pipeline_as_of` does (a date means the end of that day).

    Returns:
        A :class:`PipelineOverTime`: ``date``, ``line``, ``count``, ``amount``,
        ``weighted_amount``, ``currency``.

    Raises:
        ValidationError: No dates, no history, no process.

    >>> from datetime import date
    >>> from salesflow.analytics import examples
    >>> t = pipeline_over_time(examples.opportunities(), [date(2026, 1, 31), date(2026, 3, 31)],
    ...                        process=examples.process())
    >>> [(r["date"].isoformat(), str(r["amount"])) for r in t.rows() if r["line"] == "Open Pipeline"]
    [('2026-01-31', '48000.00'), ('2026-03-31', '55000.00')]
    """
    data = door(data, columns=columns, process=process, currency=currency)
    if not dates:
        raise ValidationError(
            [Problem("expected at least one date", "$.dates")], subject="pipeline_over_time"
        )
    inputs = resolve(data)
    chosen = stage_process(process, data, "pipeline_over_time")
    parts = []
    currency = None
    for when in dates:
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
        parts.append(table.select(nw.lit(day).alias("date"), nw.all()))
    return PipelineOverTime(
        nw.concat(parts),
        inputs.kind,
        title=f"Pipeline over time ({'cumulative' if cumulative else 'single-category'}, "
        f"{currency or 'no currency'})",
        policies={"dates": list(dates), "cumulative": cumulative, "rates": rates},
        pending=[
            before_history(inputs, [as_utc(d, what="dates") for d in dates], "pipeline over time"),
            without_history(inputs),
        ],
    )
