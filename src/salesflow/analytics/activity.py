"""Activity per deal: the last one, how many lately, days since."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import narwhals as nw

from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import as_utc, days, sum0
from salesflow.analytics._source import door, resolve
from salesflow.analytics.result import Result
from salesflow.columns import Columns
from salesflow.process import SalesProcess

__all__ = ["ActivitySummary", "activity_summary"]


class ActivitySummary(Result):
    """Per deal: last activity, counts in the last 7 and 30 days (see :func:`activity_summary`)."""

    _label = "id"
    _value = "days_since_last"

    def of(self, deal: str) -> dict[str, Any]:
        """The row of ``deal``.

        Raises:
            KeyError: No such deal.
        """
        for row in self.rows():
            if row["id"] == deal:
                return row
        raise KeyError(deal)


@translated("activity_summary")
def activity_summary(
    data: Any,
    *,
    as_of: date | datetime | None = None,
    include_open_tasks: bool = False,
    process: SalesProcess | None = None,
    columns: Columns | None = None,
    currency: str | None = None,
) -> ActivitySummary:
    """Each deal's activity as of ``as_of``, from the activity table.

    Every deal of the snapshot gets a row (0 activities when it has none).
    Activities after ``as_of`` are ignored. Open tasks (``done`` false) are
    plans, not contact: they count only with ``include_open_tasks=True``.

    Args:
        data: Opportunities with activities (as :class:`~salesflow.analytics.Frames`
            from :func:`~salesflow.analytics.frames`), or frames with both tables.
        as_of: The moment (default: now); a date means the end of that day.
        include_open_tasks: Count activities whose ``done`` is false.
        process: The process the deals follow (default: ``Frames.process``).
        columns: What a bare frame's source calls salesflow's columns (see :class:`~salesflow.Columns`).
        currency: The currency of amounts in tables without a currency column.

    Returns:
        An :class:`ActivitySummary`: ``id``, ``last_activity_at``,
        ``activities_7d``, ``activities_30d`` (in the 7 / 30 days up to
        ``as_of``), ``days_since_last`` (a float, null without activity).

    >>> from datetime import date
    >>> from salesflow.analytics import examples, frames
    >>> tables = frames(examples.opportunities(), examples.activities())
    >>> a = activity_summary(tables, as_of=date(2026, 3, 31))
    >>> row = a.of("A")
    >>> row["activities_7d"], row["activities_30d"], round(row["days_since_last"], 2)
    (1, 2, 1.62)
    >>> a.of("E")["activities_30d"], a.of("E")["days_since_last"]
    (0, None)
    """
    data = door(data, columns=columns, process=process, currency=currency)
    moment = datetime.now(timezone.utc) if as_of is None else as_utc(as_of)
    inputs = resolve(data)
    snapshot = inputs.table("snapshot", needs=("id",))
    acts = inputs.table("activities", needs=("opportunity_id", "at"))
    acts = acts.filter(nw.col("at") <= nw.lit(moment))
    if not include_open_tasks and "done" in acts.columns:
        acts = acts.filter(nw.col("done").fill_null(True))
    week, month = moment - timedelta(days=7), moment - timedelta(days=30)
    per_deal = acts.group_by("opportunity_id").agg(
        nw.col("at").max().alias("last_activity_at"),
        sum0((nw.col("at") > nw.lit(week)).cast(nw.Int64)).alias("_7"),
        sum0((nw.col("at") > nw.lit(month)).cast(nw.Int64)).alias("_30"),
    )
    table = (
        snapshot.select("id")
        .join(per_deal.rename({"opportunity_id": "id"}), on="id", how="left")
        .select(
            "id",
            "last_activity_at",
            nw.col("_7").fill_null(0).cast(nw.Int64).alias("activities_7d"),
            nw.col("_30").fill_null(0).cast(nw.Int64).alias("activities_30d"),
            days(nw.lit(moment), nw.col("last_activity_at")).alias("days_since_last"),
        )
        .sort("id")
    )
    return ActivitySummary(
        table,
        inputs.kind,
        title=f"Activity as of {moment.date()}",
        policies={"as_of": moment, "include_open_tasks": include_open_tasks},
    )
