"""The deals open at one moment, as they stood then, and what became of them (lazy until collected)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import narwhals as nw

from salesflow.analytics._source import Inputs
from salesflow.forecasting._transitions import stage_entries
from salesflow.process import SalesProcess

__all__ = ["STATE_COLUMNS", "open_at"]

STATE_COLUMNS = (
    "id",
    "stage",
    "entered_at",
    "created_at",
    "pushes",
    "amount",
    "currency",
    "close_date",
    "last_activity_at",
    "activities_30d",
    "is_closed",
    "is_won",
    "closed_at",
)
"""What :func:`open_at` returns, one row per deal open at the moment."""


def _latest(frame: nw.LazyFrame[Any], order: list[str]) -> nw.LazyFrame[Any]:
    for column in order:
        frame = frame.filter(nw.col(column) == nw.col(column).max().over("opportunity_id"))
    return frame


def open_at(inputs: Inputs, process: SalesProcess, moment: datetime) -> Any:
    """Every deal in an open stage at ``moment``, with what was known then and its outcome now.

    Columns: see :data:`STATE_COLUMNS`. ``pushes`` counts close-date moves to a
    later month up to ``moment`` (null without close dates in the history);
    ``amount`` / ``currency`` / ``close_date`` are the latest values then;
    ``is_closed`` / ``is_won`` come from the snapshot (what happened since);
    ``closed_at`` is the first move into a closed stage after ``moment``.

    Returns:
        A Polars DataFrame (the deals open at one moment are few enough to fit).
    """
    history = inputs.table("history", needs=("opportunity_id", "at", "stage"))
    names = set(history.collect_schema().names())
    order = inputs.history_order
    closed = [s.name for s in process.closed_stages]
    entries = stage_entries(inputs, until=moment).filter(nw.col("_next").is_null())
    state = entries.select(
        nw.col("opportunity_id"), nw.col("stage"), nw.col("at").alias("entered_at")
    ).filter(~nw.col("stage").is_in(closed))
    past = history.filter(nw.col("at") <= moment)
    aggregates = [nw.col("at").min().alias("created_at")]
    if {"close_date", "previous_close_date"} <= names:
        later = (nw.col("close_date").dt.year() * 12 + nw.col("close_date").dt.month()) > (
            nw.col("previous_close_date").dt.year() * 12 + nw.col("previous_close_date").dt.month()
        )
        aggregates.append(later.fill_null(False).cast(nw.Int64).sum().alias("pushes"))
    else:
        aggregates.append(nw.lit(None, dtype=nw.Int64).alias("pushes"))
    state = state.join(past.group_by("opportunity_id").agg(*aggregates), on="opportunity_id")
    kept = [c for c in ("amount", "currency", "close_date") if c in names]
    latest = _latest(past.select("opportunity_id", *order, *kept), order).select(
        "opportunity_id", *kept
    )
    state = state.join(latest, on="opportunity_id", how="left")
    for column in ("amount", "currency", "close_date"):
        if column not in kept:
            state = state.with_columns(nw.lit(None).alias(column))
    future = (
        history.filter((nw.col("at") > moment) & nw.col("stage").is_in(closed))
        .group_by("opportunity_id")
        .agg(nw.col("at").min().alias("closed_at"))
    )
    state = state.join(future, on="opportunity_id", how="left")
    if inputs.activities is not None:
        acts = inputs.table("activities", needs=("opportunity_id", "at")).filter(
            nw.col("at") <= moment
        )
        recent = (nw.col("at") > moment - timedelta(days=30)).cast(nw.Int64).sum()
        summary = acts.group_by("opportunity_id").agg(
            nw.col("at").max().alias("last_activity_at"), recent.alias("activities_30d")
        )
        state = state.join(summary, on="opportunity_id", how="left").with_columns(
            nw.col("activities_30d").fill_null(0)
        )
    else:
        state = state.with_columns(
            nw.lit(None).alias("last_activity_at"), nw.lit(None).alias("activities_30d")
        )
    snapshot = inputs.table("snapshot", needs=("id", "is_closed", "is_won")).select(
        nw.col("id").alias("opportunity_id"), "is_closed", "is_won"
    )
    state = state.join(snapshot, on="opportunity_id", how="left").rename({"opportunity_id": "id"})
    result = state.select(*STATE_COLUMNS).collect(backend="polars").to_native()
    return result.sort("id")
