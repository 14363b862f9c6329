"""Time in stage (latest and cumulative), deal age and cycle length."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timezone
from typing import Any, Literal

import narwhals as nw

from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import aggregate, as_utc, by_columns, date_days, micros_to_days
from salesflow.analytics._ordered import Neighbours, in_order, span_days, span_micros
from salesflow.analytics._source import door, resolve
from salesflow.analytics.result import Result
from salesflow.columns import Columns
from salesflow.errors import Problem, ValidationError
from salesflow.process import SalesProcess

__all__ = [
    "CycleLength",
    "DealAge",
    "TimeInStage",
    "cycle_length",
    "deal_age",
    "time_in_stage",
]


def _moment(as_of: date | datetime | None) -> datetime:
    return datetime.now(timezone.utc) if as_of is None else as_utc(as_of)


class TimeInStage(Result):
    """Per deal and stage: days in the latest stay, days over all stays (see :func:`time_in_stage`)."""

    _label = "stage"
    _value = "cumulative_days"

    def days(self, deal: str, stage: str) -> tuple[float, float]:
        """``(latest, cumulative)`` days of ``deal`` in ``stage``.

        Raises:
            KeyError: The deal never was in that stage.
        """
        for row in self.rows():
            if row["id"] == deal and row["stage"] == stage:
                return float(row["latest_days"]), float(row["cumulative_days"])
        raise KeyError((deal, stage))

    def per_stage(self) -> Result:
        """Per stage: deals that were in it, mean and median cumulative days, mean latest days.

        With ``by=``, per group and stage.
        """
        keys = [*self.policies.get("by", []), "stage"]
        table = (
            self._frame.group_by(*keys)
            .agg(
                nw.len().alias("deals"),
                nw.col("cumulative_days").mean().alias("mean_cumulative_days"),
                nw.col("cumulative_days").median().alias("median_cumulative_days"),
                nw.col("latest_days").mean().alias("mean_latest_days"),
            )
            .sort(keys)
        )
        return Result(table, self._kind, title=f"{self.title}, per stage", policies=self.policies)


@translated("time_in_stage")
def time_in_stage(
    data: Any,
    *,
    as_of: date | datetime | None = None,
    process: SalesProcess | None = None,
    by: str | Sequence[str] = (),
    columns: Columns | None = None,
    currency: str | None = None,
) -> TimeInStage:
    """How long each deal spent in each stage it entered, from the history table.

    A *stay* starts at a history row whose stage differs from the row before it
    (rows ordered by time; amount or date changes within a stage do not start
    one) and ends at the next stay's start, or at ``as_of`` for the current
    stage. *Latest* is the most recent stay; *cumulative* adds every stay (a
    deal that came back to a stage). Time in closed stages is not measured
    when ``process`` (or ``Frames.process``) says which stages are closed.

    Args:
        data: Opportunities or :class:`~salesflow.analytics.Frames` with a history table.
        as_of: The end of open stays and the cut-off for history (default: now).
        process: Names the closed stages, which are left out.
        by: Snapshot columns to carry and group by (e.g. ``"owner"``, or
            ``"buying_phase"`` through ``Frames(mapping=...)``): the deal's
            current value; :meth:`TimeInStage.per_stage` groups by them.
        columns: What a bare frame's source calls salesflow's columns (see :class:`~salesflow.Columns`).
        currency: The currency of amounts in tables without a currency column.

    Returns:
        A :class:`TimeInStage`: ``id``, ``*by``, ``stage``, ``entries``, ``latest_days``,
        ``cumulative_days`` (floats), ``current`` (the deal is in it now), sorted by
        ``id`` and ``stage``.

    >>> from datetime import date
    >>> from salesflow.analytics import examples
    >>> t = time_in_stage(examples.opportunities(), as_of=date(2026, 3, 31),
    ...                   process=examples.process())
    >>> t.days("D", "Qualification")
    (24.0, 24.0)
    >>> t.days("A", "Qualification")
    (21.0, 21.0)
    >>> per_owner = time_in_stage(examples.opportunities(), as_of=date(2026, 3, 31),
    ...                           process=examples.process(), by="owner").per_stage()
    >>> per_owner.columns[:3]
    ['owner', 'stage', 'deals']
    """
    data = door(data, columns=columns, process=process, currency=currency)
    moment = _moment(as_of)
    keys = by_columns(by)
    inputs = resolve(data)
    chosen = process if process is not None else getattr(data, "process", None)
    order = inputs.history_order
    needs = ("opportunity_id", "at", "stage")  # only: a lazy engine builds each column added
    history = inputs.table("history", needs=needs, amounts=False, reads=needs)
    rows: Any = history.filter(nw.col("at") <= nw.lit(moment)).select(
        "opportunity_id", *order, "stage"
    )
    ordered = in_order(rows, "opportunity_id", order) if inputs.kind.eager else None
    near = Neighbours("opportunity_id", tuple(order), ordered=ordered is not None)
    if ordered is not None:  # in memory and in order: plain shifts, no window
        rows = ordered.table
    previous = near.shift(nw.col("stage"), 1)
    stays = rows.filter(previous.is_null() | (previous != nw.col("stage")))
    stays = stays.with_columns(near.shift(nw.col("at"), -1).alias("_next"))
    closed: list[str] = []
    if isinstance(chosen, SalesProcess):
        closed = [s.name for s in chosen.stages if s.is_closed]
    end = nw.col("_next").fill_null(nw.lit(moment))
    measured = [
        [nw.col("_next").is_null().alias("current"), end.alias("_end")],
        # from the end as a column: Spark spells a span out field by field, the end in each
        [span_micros(stays, nw.col("_end"), nw.col("at")).alias("_micros")],
    ]
    # Stays of one deal never overlap, so its latest stay in a stage is the one
    # that starts last and also ends last: no window needed to find it.
    totals = [
        nw.len().cast(nw.Int64).alias("entries"),
        nw.col("at").max().alias("_start"),
        nw.col("_end").max().alias("_stop"),
        nw.col("_micros").sum().alias("_cumulative"),  # whole µs: exact in any order
        nw.col("current").max().alias("current"),
    ]
    if ordered is not None and ordered.sorted_keys:
        table = _totals_in_order(stays, near, closed, measured, totals)
    else:
        table = (
            stays.lazy()
            .filter(~nw.col("stage").is_in(closed))
            .with_columns(*measured[0])
            .with_columns(*measured[1])
            .group_by("opportunity_id", "stage")
            .agg(*totals)
            .sort("opportunity_id", "stage")
        )
    table = table.select(
        nw.col("opportunity_id").alias("id"),
        "stage",
        "entries",
        span_days(table, nw.col("_stop"), nw.col("_start")).alias("latest_days"),
        micros_to_days(nw.col("_cumulative")).alias("cumulative_days"),
        "current",
    )
    if keys:  # the deal's current values, from the snapshot
        picked = ("id", *keys)
        snapshot = inputs.table("snapshot", needs=picked, amounts=False, reads=picked)
        snapshot = snapshot.select(*picked)
        table = (
            table.join(snapshot, on="id", how="left")
            .select("id", *keys, *(c for c in table.columns if c != "id"))
            .sort("id", "stage")
        )
    return TimeInStage(
        table,
        inputs.kind,
        title=f"Time in stage as of {moment.date()}",
        policies={"as_of": moment, "by": keys},
    )


def _totals_in_order(
    stays: nw.DataFrame[Any],
    near: Neighbours,
    closed: list[str],
    measured: list[list[nw.Expr]],
    totals: list[nw.Expr],
) -> nw.LazyFrame[Any]:
    """Per deal and stage, ``totals`` of in-memory ``stays`` sorted by deal, sorted likewise.

    Groups and sorts on one integer instead of two strings: the deal's number
    among the runs times the number of stage names (and one), plus the stage's
    place among the names sorted (0 for a missing stage: nulls sort first). The
    deal's id comes back by its number, the stage by its place.
    """
    names = sorted(stays.get_column("stage").drop_nulls().unique().to_list())
    width = len(names) + 1
    place = (
        nw.col("stage")
        .replace_strict({n: i + 1 for i, n in enumerate(names)}, default=0, return_dtype=nw.Int64)
        .fill_null(0)
    )
    stays = stays.with_columns(near.starts().alias("_first"), place.alias("_place"))
    stays = stays.with_columns(
        (nw.col("_first").cum_sum().cast(nw.Int64) * width + nw.col("_place")).alias("_key")
    )
    deals = stays.filter(nw.col("_first")).get_column("opportunity_id")  # deal n at n - 1
    shut = [i + 1 for i, n in enumerate(names) if n in set(closed)]
    table = (
        stays.lazy()
        .filter(~nw.col("_place").is_in(shut))
        .with_columns(*measured[0])
        .with_columns(*measured[1])
        .group_by("_key")
        .agg(*totals)
        .sort("_key")
        .collect()
    )
    stage = nw.col("_key") % width
    return table.with_columns(
        deals[table.get_column("_key") // width - 1].alias("opportunity_id"),
        stage.replace_strict(
            {i + 1: n for i, n in enumerate(names)}, default=None, return_dtype=nw.String
        ).alias("stage"),
    ).lazy()


class DealAge(Result):
    """Each deal's age in days (see :func:`deal_age`)."""

    _label = "id"
    _value = "age_days"


@translated("deal_age")
def deal_age(
    data: Any,
    *,
    as_of: date | datetime | None = None,
    process: SalesProcess | None = None,
    columns: Columns | None = None,
    currency: str | None = None,
) -> DealAge:
    """Days from creation to ``as_of`` for open deals, to the day they closed for closed ones.

    A closed deal's end is ``closed_on`` when the table has it, else its
    ``close_date`` (which Salesforce sets to the day of closing).

    Returns:
        A :class:`DealAge`: ``id``, ``is_closed``, ``age_days`` (a float).

    >>> from datetime import date
    >>> from salesflow.analytics import examples
    >>> ages = {r["id"]: r["age_days"] for r in deal_age(examples.opportunities(),
    ...         as_of=date(2026, 3, 31)).rows()}
    >>> ages["C"], ages["E"]
    (31.0, 58.0)
    """
    data = door(data, columns=columns, process=process, currency=currency)
    moment = _moment(as_of)
    inputs = resolve(data)
    needs = ("id", "created_at", "is_closed")
    snapshot = inputs.table("snapshot", needs=needs, amounts=False, reads=needs)
    names = snapshot.columns
    end = nw.col("closed_on") if "closed_on" in names else nw.col("close_date")
    created = nw.col("created_at").dt.date()
    today = nw.lit(moment.date())
    table = snapshot.select(
        "id",
        "is_closed",
        nw.when(nw.col("is_closed"))
        .then(date_days(end.fill_null(today), created))
        .otherwise(date_days(today, created))
        .alias("age_days"),
    ).sort("id")
    return DealAge(
        table, inputs.kind, title=f"Deal age as of {moment.date()}", policies={"as_of": moment}
    )


class CycleLength(Result):
    """Mean and median days from a start to closing (see :func:`cycle_length`)."""

    _value = "median_days"

    @property
    def median(self) -> float | None:
        """The median of an ungrouped result."""
        value = self.rows()[0]["median_days"]
        return None if value is None else float(value)

    @property
    def mean(self) -> float | None:
        """The mean of an ungrouped result."""
        value = self.rows()[0]["mean_days"]
        return None if value is None else float(value)


@translated("cycle_length")
def cycle_length(
    data: Any,
    *,
    start: str = "created_at",
    outcome: Literal["won", "closed"] = "won",
    by: str | Sequence[str] = (),
    process: SalesProcess | None = None,
    columns: Columns | None = None,
    currency: str | None = None,
) -> CycleLength:
    """Days from ``start`` to the day a deal closed, over won (or all closed) deals.

    Args:
        data: Opportunities, a snapshot frame, or :class:`~salesflow.analytics.Frames`.
        start: The snapshot column the cycle starts at: ``created_at`` (default)
            or another date column (e.g. an engage date).
        outcome: ``"won"`` (default) or ``"closed"`` (won and lost).
        by: Columns to group by.
        process: The process the deals follow (default: ``Frames.process``).
        columns: What a bare frame's source calls salesflow's columns (see :class:`~salesflow.Columns`).
        currency: The currency of amounts in tables without a currency column.

    Returns:
        A :class:`CycleLength`: ``*by``, ``deals``, ``mean_days``, ``median_days``.
        The end is ``closed_on``, else ``close_date``; deals without one are left out.

    Raises:
        ValidationError: An unknown outcome, or a missing column.

    >>> from salesflow.analytics import examples
    >>> cycle_length(examples.opportunities(), outcome="closed").mean
    38.0
    """
    data = door(data, columns=columns, process=process, currency=currency)
    if outcome not in ("won", "closed"):
        raise ValidationError(
            [Problem(f"expected 'won' or 'closed', got {outcome!r}", "$.outcome")],
            subject="cycle_length",
        )
    keys = by_columns(by)
    inputs = resolve(data)
    needs = (start, "is_closed", "is_won", *keys)
    snapshot = inputs.table("snapshot", needs=needs, amounts=False, reads=needs)
    schema = snapshot.collect_schema()
    end = nw.col("closed_on") if "closed_on" in schema else nw.col("close_date")
    begin = nw.col(start).dt.date() if isinstance(schema[start], nw.Datetime) else nw.col(start)
    chosen = snapshot.filter(nw.col("is_won") if outcome == "won" else nw.col("is_closed"))
    lengths = chosen.with_columns(date_days(end, begin).alias("_days")).filter(
        ~nw.col("_days").is_null()
    )
    table = aggregate(
        lengths,
        keys,
        [
            nw.len().cast(nw.Int64).alias("deals"),
            nw.col("_days").mean().alias("mean_days"),
            nw.col("_days").median().alias("median_days"),
        ],
    )
    if keys:
        table = table.sort(keys)
    return CycleLength(
        table,
        inputs.kind,
        title=f"Cycle length ({start} → closed, {outcome} deals)",
        policies={"start": start, "outcome": outcome, "by": keys},
    )
