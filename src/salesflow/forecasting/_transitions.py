"""Counting stage moves on the frame door (narwhals lazy API): the only part that scales out.

Everything here is lazy until the final, small ``collect``: a history of any
size on any backend becomes a table with one row per (segment, stage, next
stage), which the fitted models read locally.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

import attrs
import narwhals as nw

from salesflow.analytics._ordered import Neighbours, in_order
from salesflow.analytics._source import Inputs
from salesflow.analytics.rates import Rates
from salesflow.errors import Problem, ValidationError
from salesflow.forecasting._bands import with_size_band
from salesflow.process import SalesProcess

__all__ = ["Counts", "Reopened", "count_moves", "stage_entries"]

Reopened = Literal["censor", "count"]
"""What a close that was later reopened means: not an outcome (``"censor"``) or an outcome."""


@attrs.frozen
class Counts:
    """Stage moves counted per segment, read back into Python.

    Attributes:
        moves: ``(segment, stage, next stage) → count``.
        entered: ``(segment, stage) → (deals that entered it, entries still unresolved)``.
        opportunities: How many opportunities the counted rows come from.
        first, last: The first and last move time counted, if any.
    """

    moves: dict[tuple[tuple[Any, ...], str, str], int]
    entered: dict[tuple[tuple[Any, ...], str], tuple[int, int]]
    opportunities: int
    first: datetime | None
    last: datetime | None


def stage_entries(inputs: Inputs, *, until: datetime | None = None) -> nw.LazyFrame[Any]:
    """One row per stage entry: ``opportunity_id``, ``at``, ``stage``, and the next two entries.

    Rows that only change the amount or close date are dropped; ``_next`` /
    ``_next_at`` are the following entry's stage and time (null while the deal
    is still in the stage, or when the move came after ``until``), ``_after``
    the stage after that. Ordered by time (then table order), never call order.
    """
    history = inputs.table("history", needs=("opportunity_id", "at", "stage"))
    order = inputs.history_order
    rows: Any = history.select("opportunity_id", *order, "stage")
    if until is not None:
        rows = rows.filter(nw.col("at") <= until)
    whole = ["opportunity_id", *order]
    ordered = in_order(rows, "opportunity_id", order) if inputs.kind.eager else None
    near = Neighbours("opportunity_id", tuple(order), ordered=ordered is not None)

    def shifted(column: str, n: int) -> nw.Expr:
        if ordered is not None:
            # In memory and already in order (an export usually is): plain shifts
            # that stop at the opportunity's boundary, no sort at all.
            return near.shift(nw.col(column), n)
        if history.implementation.is_polars():
            # Polars, in process: one window over the table ordered by opportunity
            # (2-3x less work than a partitioned one), masked where the row n away
            # is another opportunity's.
            same = nw.col("opportunity_id").shift(n).over(order_by=whole) == nw.col(
                "opportunity_id"
            )
            return nw.when(same).then(nw.col(column).shift(n).over(order_by=whole))
        # DuckDB, PySpark and other lazy engines: partitioned windows, which a
        # cluster spreads over its workers (one global window would run on one).
        return nw.col(column).shift(n).over("opportunity_id", order_by=order)

    if ordered is not None:
        rows = ordered.table
    rows = rows.with_columns(shifted("stage", 1).alias("_prev")).filter(
        nw.col("_prev").is_null() | (nw.col("stage") != nw.col("_prev"))
    )
    rows = rows.with_columns(
        shifted("stage", -1).alias("_next"),
        shifted("at", -1).alias("_next_at"),
        shifted("stage", -2).alias("_after"),
    )
    lazy: nw.LazyFrame[Any] = rows.lazy() if ordered is not None else rows
    return lazy


def count_moves(
    inputs: Inputs,
    process: SalesProcess,
    *,
    segment: Sequence[str] = (),
    since: datetime | None = None,
    until: datetime | None = None,
    reopened: Reopened = "censor",
    size_bands: Sequence[object] = (),
    rates: Rates | None = None,
) -> Counts:
    """Count the moves out of each open stage, per segment.

    A move counts when it happened in ``[since, until]``. Moves out of closed
    stages (reopening) are never moves of the chain. With ``reopened="censor"``
    a close that was later reopened is not counted either: the deal simply
    goes on from where it was reopened.

    Raises:
        ValidationError: The history names stages the process does not have, or
            a segment column is missing from the snapshot.
    """
    entries = stage_entries(inputs, until=until)
    closed = [s.name for s in process.closed_stages]
    if size_bands:
        segment = [*segment, "size_band"]
    if segment:
        snapshot = inputs.table(
            "snapshot", needs=("id", *(c for c in segment if c != "size_band"))
        )
        if size_bands:
            snapshot = with_size_band(snapshot, size_bands, rates)
        entries = entries.join(
            snapshot.select(nw.col("id").alias("opportunity_id"), *segment),
            on="opportunity_id",
            how="left",
        )
    entries = entries.filter(~nw.col("stage").is_in(closed))
    keys = list(segment)
    unresolved = nw.col("_next").is_null()
    entered = (
        entries.group_by(*keys, "stage")
        .agg(
            nw.col("opportunity_id").n_unique().alias("deals"),
            unresolved.cast(nw.Int64).sum().alias("unresolved"),
        )
        .collect(backend="polars")
    )
    known = set(process.stage_names)
    unknown = {s for s in entered["stage"].to_list() if s is not None and s not in known}
    if unknown:
        raise ValidationError(
            [
                Problem(f"stage {name!r} is not in process {process.name!r}", "$.history.stage")
                for name in sorted(map(str, unknown))
            ],
            subject="stage history",
        )
    counted = ~nw.col("_next").is_null()
    if since is not None:
        counted = counted & (nw.col("_next_at") >= since)
    if reopened == "censor":
        counted = counted & ~(nw.col("_next").is_in(closed) & ~nw.col("_after").is_null())
    moves = (
        entries.filter(counted)
        .group_by(*keys, "stage", "_next")
        .agg(
            nw.len().alias("n"),
            nw.col("_next_at").min().alias("_first"),
            nw.col("_next_at").max().alias("_last"),
        )
        .collect(backend="polars")
    )
    total = entries.select(nw.col("opportunity_id").n_unique().alias("n")).collect(
        backend="polars"
    )
    firsts = [v for v in moves["_first"].to_list() if v is not None]
    lasts = [v for v in moves["_last"].to_list() if v is not None]
    return Counts(
        moves={
            (tuple(row[k] for k in keys), row["stage"], row["_next"]): int(row["n"])
            for row in moves.iter_rows(named=True)
        },
        entered={
            (tuple(row[k] for k in keys), row["stage"]): (
                int(row["deals"]),
                int(row["unresolved"]),
            )
            for row in entered.iter_rows(named=True)
        },
        opportunities=int(total["n"][0]),
        first=min(firsts) if firsts else None,
        last=max(lasts) if lasts else None,
    )
