"""Slippage: how often and how far close dates moved later."""

from __future__ import annotations

from typing import Any

import narwhals as nw

from salesflow.analytics._expr import date_days, sum0
from salesflow.analytics._source import resolve
from salesflow.analytics.result import Result

__all__ = ["Slippage", "slippage"]


def _month(expr: nw.Expr) -> nw.Expr:
    return expr.dt.year().cast(nw.Int64) * 12 + expr.dt.month().cast(nw.Int64)


class Slippage(Result):
    """Per deal: pushes and slipped days (see :func:`slippage`)."""

    def of(self, deal: str) -> tuple[int, float]:
        """``(pushes, slipped_days)`` of ``deal``.

        Raises:
            KeyError: No such deal.
        """
        for row in self.rows():
            if row["id"] == deal:
                return int(row["pushes"]), float(row["slipped_days"])
        raise KeyError(deal)


def slippage(data: Any) -> Slippage:
    """Close-date moves per deal, from the history table.

    Each history row is compared with the close date before it (the row's
    ``previous_close_date``, else the previous row's ``close_date``; rows in
    time order). A **push** moves the close date into a later month (as
    ``Opportunity.push_count`` counts); **slipped days** add up every move
    later, ``Σ max(0, new − old)``; **pulls** move it earlier.

    Returns:
        A :class:`Slippage`: ``id``, ``pushes``, ``pulls``, ``slipped_days``,
        ``first_close_date``, ``close_date`` (the latest).

    >>> from salesflow.analytics import examples
    >>> s = slippage(examples.opportunities())
    >>> s.of("E"), s.of("B"), s.of("A")
    ((3, 133.0), (1, 62.0), (0, 0.0))
    """
    inputs = resolve(data)
    order = inputs.history_order
    history = inputs.table("history", needs=("opportunity_id", "at", "close_date"))
    earlier = nw.col("close_date").shift(1).over("opportunity_id", order_by=order)
    if "previous_close_date" in history.collect_schema().names():
        earlier = nw.col("previous_close_date").fill_null(earlier)
    rows = history.with_columns(earlier.alias("_old"))
    moved = date_days(nw.col("close_date"), nw.col("_old"))
    rows = rows.with_columns(
        (_month(nw.col("close_date")) > _month(nw.col("_old"))).fill_null(False).alias("_push"),
        (nw.col("close_date") < nw.col("_old")).fill_null(False).alias("_pull"),
        nw.when(moved > 0).then(moved).otherwise(0.0).fill_null(0.0).alias("_slip"),
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
    return Slippage(table, inputs.kind, title="Slippage (close-date moves)", policies={})
