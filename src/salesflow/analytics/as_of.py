"""The pipeline as it stood at any past moment, rebuilt from the history table.

Each deal's state at time *t* is its latest history row at or before *t*
(rows are ordered by their ``at``, never by their position in the table). A
deal with no row yet did not exist. A **back-dated** change (recorded later
with an earlier ``at``) takes effect at its ``at``: it rewrites the past, so an
as-of view computed before it was recorded differs from one computed after.
Two rows of one deal at the same instant are ordered by their position in
the table when the input is eager (pandas, Polars, PyArrow; the object door
writes history in the order it was recorded); lazy engines (DuckDB, Spark)
have no row order, so there the state at such an instant is undefined.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import narwhals as nw

from salesflow.analytics._expr import as_utc
from salesflow.analytics._source import ROW, Inputs, resolve
from salesflow.analytics.funnel import stage_process
from salesflow.analytics.result import Result
from salesflow.process import SalesProcess

__all__ = ["PipelineAsOf", "pipeline_as_of", "state_at"]

_STATE = ("opportunity_id", "at", "stage", "amount", "probability", "forecast_category")


def _flags(process: SalesProcess) -> list[nw.Expr]:
    closed = [s.name for s in process.stages if s.is_closed]
    won = [s.name for s in process.stages if s.is_won]
    return [
        nw.col("stage").is_in(closed).alias("is_closed"),
        nw.col("stage").is_in(won).alias("is_won"),
    ]


def state_at(inputs: Inputs, moment: datetime, process: SalesProcess) -> nw.LazyFrame[Any]:
    """Each deal's latest history row at or before ``moment``, with closed and won flags.

    Columns: ``id`` and the history table's columns (``at`` is the time of the row used),
    plus ``is_closed`` and ``is_won`` from the process's stages.
    """
    history = inputs.table("history", needs=(*_STATE, "close_date"))
    rows = history.filter(nw.col("at") <= nw.lit(moment))
    for column in inputs.history_order:
        rows = rows.filter(nw.col(column) == nw.col(column).max().over("opportunity_id"))
    latest = rows.drop(ROW, strict=False)
    return latest.with_columns(*_flags(process)).rename({"opportunity_id": "id"})


class PipelineAsOf(Result):
    """Every deal as it stood at one moment: a snapshot table (see :func:`pipeline_as_of`)."""

    moment: datetime


def pipeline_as_of(
    data: Any, at: date | datetime, *, process: SalesProcess | None = None
) -> PipelineAsOf:
    """Rebuild the snapshot as of ``at`` from the history table.

    The result's :meth:`~PipelineAsOf.to_frame` is a snapshot table that every
    snapshot metric accepts, e.g. ``pipeline_summary(as_of.to_frame())``.

    Args:
        data: Opportunities or :class:`~salesflow.analytics.Frames` with a history table.
        at: The moment: an aware datetime, or a date meaning the end of that day (UTC).
        process: Supplies ``is_closed`` / ``is_won`` for each stage (default: ``Frames.process``).

    Returns:
        A :class:`PipelineAsOf`: ``id``, the history columns (``owner``, ``stage``,
        ``amount``, ``currency``, ``probability``, ``forecast_category``,
        ``close_date`` ...) as of ``at``, ``is_closed``, ``is_won``; ``at`` is the
        time of the history row each deal's state comes from.

    Raises:
        ValidationError: No history table, no process, a naive datetime.

    >>> from datetime import date
    >>> from salesflow.analytics import examples
    >>> jan = pipeline_as_of(examples.opportunities(), date(2026, 1, 31), process=examples.process())
    >>> sorted((r["id"], r["stage"]) for r in jan.rows())
    [('A', 'Qualification'), ('B', 'Value Proposition'), ('C', 'Prospecting'), ('D', 'Needs Analysis')]
    """
    moment = as_utc(at, what="at")
    inputs = resolve(data)
    chosen = stage_process(process, data, "pipeline_as_of")
    table = state_at(inputs, moment, chosen).sort("id")
    result = PipelineAsOf(
        table, inputs.kind, title=f"Pipeline as of {moment.isoformat()}", policies={"at": moment}
    )
    result.moment = moment
    return result
