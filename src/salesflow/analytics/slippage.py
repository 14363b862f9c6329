"""Slippage: how often and how far close dates moved later."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw

from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import aggregate, by_columns, date_days, sum0
from salesflow.analytics._source import Inputs, door, resolve
from salesflow.analytics.result import Result
from salesflow.columns import Columns
from salesflow.process import SalesProcess

__all__ = ["Slippage", "close_date_moves", "slippage"]


def _month(expr: nw.Expr) -> nw.Expr:
    return expr.dt.year().cast(nw.Int64) * 12 + expr.dt.month().cast(nw.Int64)


def close_date_moves(inputs: Inputs) -> nw.LazyFrame[Any]:
    """The history rows, each with ``_push``, ``_pull`` (booleans) and ``_slip`` (days later).

    Each row is compared with the close date before it (its ``previous_close_date``,
    else the previous row's ``close_date``, rows in time order); see :func:`slippage`.

    Raises:
        ValidationError: No history table, or it lacks ``opportunity_id``, ``at``, ``close_date``.
    """
    history = inputs.table("history", needs=("opportunity_id", "at", "close_date"))
    earlier = nw.col("close_date").shift(1).over("opportunity_id", order_by=inputs.history_order)
    if "previous_close_date" in history.columns:
        earlier = nw.col("previous_close_date").fill_null(earlier)
    rows = history.with_columns(earlier.alias("_old"))
    moved = date_days(nw.col("close_date"), nw.col("_old"))
    return rows.with_columns(
        (_month(nw.col("close_date")) > _month(nw.col("_old"))).fill_null(False).alias("_push"),
        (nw.col("close_date") < nw.col("_old")).fill_null(False).alias("_pull"),
        nw.when(moved > 0).then(moved).otherwise(0.0).fill_null(0.0).alias("_slip"),
    )


class Slippage(Result):
    """Per deal (or per group): pushes and slipped days (see :func:`slippage`)."""

    _label = "id"
    _value = "slipped_days"

    def of(self, deal: str) -> tuple[int, float]:
        """``(pushes, slipped_days)`` of ``deal`` (ungrouped results).

        Raises:
            KeyError: No such deal.
            ValueError: The result is grouped (``by=``), not per deal.
        """
        if self.policies.get("by"):
            raise ValueError(
                "a grouped slippage has no rows per deal: call slippage() without by="
            )
        for row in self.rows():
            if row["id"] == deal:
                return int(row["pushes"]), float(row["slipped_days"])
        raise KeyError(deal)


@translated("slippage")
def slippage(
    data: Any,
    *,
    by: str | Sequence[str] = (),
    process: SalesProcess | None = None,
    columns: Columns | None = None,
    currency: str | None = None,
) -> Slippage:
    """Close-date moves per deal, or per group of deals, from the history table.

    Each history row is compared with the close date before it (the row's
    ``previous_close_date``, else the previous row's ``close_date``; rows in
    time order). A **push** moves the close date into a later month (as
    ``Opportunity.push_count`` counts); **slipped days** add up every move
    later, ``Σ max(0, new − old)``; **pulls** move it earlier.

    Args:
        data: Opportunities or :class:`~salesflow.analytics.Frames` with a history table.
        by: Snapshot columns to group by (e.g. ``"owner"``, or ``"buying_phase"``
            through ``Frames(mapping=...)``): each deal is in the group of its
            current (snapshot) value, as in :func:`~salesflow.analytics.funnel`;
            every deal with history counts, open or closed.
        process: The process the deals follow (default: ``Frames.process``).
        columns: What a bare frame's source calls salesflow's columns (see :class:`~salesflow.Columns`).
        currency: The currency of amounts in tables without a currency column.

    Returns:
        A :class:`Slippage`: per deal ``id``, ``pushes``, ``pulls``,
        ``slipped_days``, ``first_close_date``, ``close_date`` (the latest);
        grouped, per group ``*by``, ``deals``, ``pushed_deals`` (pushed at
        least once), ``pushes``, ``pulls``, ``slipped_days`` (the sums) and
        ``mean_slipped_days`` (per deal).

    Raises:
        ValidationError: No history table, or a ``by`` column the snapshot lacks.

    >>> from salesflow.analytics import examples
    >>> s = slippage(examples.opportunities())
    >>> s.of("E"), s.of("B"), s.of("A")
    ((3, 133.0), (1, 62.0), (0, 0.0))
    >>> [(r["owner"], r["deals"], r["pushes"], r["slipped_days"])
    ...  for r in slippage(examples.opportunities(), by="owner").rows()]
    [('ana', 2, 0, 0.0), ('bo', 2, 1, 62.0), ('cy', 1, 3, 133.0)]
    """
    data = door(data, columns=columns, process=process, currency=currency)
    keys = by_columns(by)
    inputs = resolve(data)
    rows = close_date_moves(inputs).with_columns(
        (nw.col("at") == nw.col("at").min().over("opportunity_id")).alias("_first"),
        (nw.col("at") == nw.col("at").max().over("opportunity_id")).alias("_last"),
    )
    table = (
        rows.group_by("opportunity_id")
        .agg(
            sum0(nw.col("_push").cast(nw.Int64)).cast(nw.Int64).alias("pushes"),
            sum0(nw.col("_pull").cast(nw.Int64)).cast(nw.Int64).alias("pulls"),
            sum0(nw.col("_slip")).cast(nw.Float64).alias("slipped_days"),
            nw.when(nw.col("_first")).then(nw.col("close_date")).min().alias("first_close_date"),
            nw.when(nw.col("_last")).then(nw.col("close_date")).max().alias("close_date"),
        )
        .rename({"opportunity_id": "id"})
        .sort("id")
    )
    if keys:
        snapshot = inputs.table("snapshot", needs=("id", *keys))
        grouped = table.join(snapshot.select("id", *keys), on="id", how="left")
        table = aggregate(
            grouped,
            keys,
            [
                nw.len().cast(nw.Int64).alias("deals"),
                sum0((nw.col("pushes") > 0).cast(nw.Int64)).cast(nw.Int64).alias("pushed_deals"),
                sum0(nw.col("pushes")).cast(nw.Int64).alias("pushes"),
                sum0(nw.col("pulls")).cast(nw.Int64).alias("pulls"),
                sum0(nw.col("slipped_days")).cast(nw.Float64).alias("slipped_days"),
                nw.col("slipped_days").mean().alias("mean_slipped_days"),
            ],
        ).sort(keys)
    title = "Slippage (close-date moves)" + (f" by {', '.join(keys)}" if keys else "")
    return Slippage(table, inputs.kind, title=title, policies={"by": keys})
