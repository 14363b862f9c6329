"""Gaps of the metrics that rebuild the past from history: dates before the data, deals without it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import narwhals as nw

from salesflow.analytics._source import Inputs
from salesflow.analytics.coverage import Gap, Pending

__all__ = ["before_history", "no_amount", "no_deals", "without_history"]


def _first_row(inputs: Inputs) -> datetime | None:
    history = inputs.history
    if history is None or "at" not in history.columns:
        return None
    first = history.select(nw.col("at").min()).collect(backend="polars").item()
    return first if isinstance(first, datetime) else None


def before_history(inputs: Inputs, moments: Sequence[datetime], what: str) -> Pending:
    """``no_data`` when every moment is before the first history row, ``left_out`` when some are.

    A pipeline rebuilt as of a moment before any deal was recorded is empty
    because there is no data, not because the pipeline was zero.
    """

    def check() -> Gap | None:
        if inputs.history is None:
            return None
        first = _first_row(inputs)
        if first is None:
            return Gap("no_data", what, "the history table has no rows")
        early = [m for m in moments if m < first]
        when = first.date().isoformat()
        if len(early) == len(moments):
            day = max(moments).date().isoformat()
            reason = f"as of {day} is before the first history row ({when}): no deal existed yet"
            return Gap("no_data", what, reason)
        if early:
            reason = f"before the first history row ({when}), so their pipeline is empty"
            return Gap("left_out", "dates", reason, rows=len(early))
        return None

    return check


def without_history(inputs: Inputs, what: str = "deals") -> Pending:
    """``left_out``: snapshot deals without any history row (absent from every rebuilt moment)."""

    def check() -> Gap | None:
        snapshot, history = inputs.snapshot, inputs.history
        if snapshot is None or history is None or "id" not in snapshot.columns:
            return None
        seen = history.select(nw.col("opportunity_id").alias("id")).unique()
        missing: Any = snapshot.select("id").join(seen, on="id", how="anti")
        count = int(missing.select(nw.len()).collect(backend="polars").item())
        if not count:
            return None
        reason = "no history rows, so they are in no pipeline rebuilt from the history"
        return Gap("left_out", what, reason, rows=count)

    return check


def no_amount(frame: nw.LazyFrame[Any]) -> Pending:
    """``left_out``: deals counted but not summed, because they have no amount."""

    def check() -> Gap | None:
        if "amount" not in frame.columns:
            return Gap("not_checked", "amounts", "the snapshot has no amount column")
        count = _count(frame.filter(nw.col("amount").is_null()))
        if not count:
            return None
        return Gap(
            "left_out", "deals from the amounts", "no amount (they are in the counts)", rows=count
        )

    return check


def no_deals(frame: nw.LazyFrame[Any], what: str) -> Pending:
    """``no_data``: the snapshot has no deal at all."""

    def check() -> Gap | None:
        return None if _count(frame) else Gap("no_data", what, "the snapshot has no deal")

    return check


def _count(frame: nw.LazyFrame[Any]) -> int:
    return int(frame.select(nw.len()).collect(backend="polars").item())
