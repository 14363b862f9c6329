"""What the deal panel shows: each deal's history, activities and contact roles.

Only what was known at the report's moment: history rows and activities
after it are left out, so a report rebuilt for a past date shows that date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timezone
from typing import Any

import narwhals as nw

from salesflow.analytics._source import Inputs
from salesflow.cli._page._deals import cents

__all__ = ["ACTIVITIES_SHOWN", "activities", "contact_roles", "furthest_steps", "timelines"]

ACTIVITIES_SHOWN = 20
"""The deal panel lists a deal's latest activities, up to this many."""

_TRACKED = ("stage", "amount", "currency", "forecast_category", "close_date", "owner")


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return None if value is None else str(value)


def timelines(inputs: Inputs, moment: datetime) -> dict[str, list[list[Any]]]:
    """Per deal, its history rows that changed something, in time order.

    Each row: ``[at (UTC), stage, cents, currency, category, close date, owner]``;
    the first is the deal's start.
    """
    if inputs.history is None:
        return {}
    history = inputs.table("history", needs=("opportunity_id", "at"))
    names = history.collect_schema().names()
    tracked = [c for c in _TRACKED if c in names]
    rows = (
        history.filter(nw.col("at") <= nw.lit(moment))
        .select("opportunity_id", *inputs.history_order, *tracked)
        .sort(["opportunity_id", *inputs.history_order])
        .collect(backend="polars")
    )
    result: dict[str, list[list[Any]]] = {}
    last: dict[str, tuple[Any, ...]] = {}
    for row in rows.iter_rows(named=True):
        deal = str(row["opportunity_id"])
        values = tuple(row.get(c) for c in _TRACKED)
        if last.get(deal) == values:
            continue
        last[deal] = values
        result.setdefault(deal, []).append(
            [
                _iso(row["at"]),
                row.get("stage"),
                cents(row.get("amount")),
                row.get("currency"),
                row.get("forecast_category"),
                _iso(row.get("close_date")),
                row.get("owner"),
            ]
        )
    return result


def activities(
    inputs: Inputs, moment: datetime
) -> tuple[dict[str, list[list[Any]]], dict[str, int], dict[str, str]]:
    """Per deal: its latest activities, how many it has in all, and the day of the latest.

    Activities are ``[at (UTC), kind, subject, done]``, newest first, up to
    :data:`ACTIVITIES_SHOWN`.
    """
    if inputs.activities is None:
        return {}, {}, {}
    table = inputs.table("activities", needs=("opportunity_id", "at"))
    names = table.collect_schema().names()
    wanted = [c for c in ("kind", "subject", "done") if c in names]
    rows = (
        table.filter(~nw.col("at").is_null() & (nw.col("at") <= nw.lit(moment)))
        .select("opportunity_id", "at", *wanted)
        .sort(["opportunity_id", "at"], descending=[False, True])
        .collect(backend="polars")
    )
    shown: dict[str, list[list[Any]]] = {}
    counts: dict[str, int] = {}
    latest: dict[str, str] = {}
    for row in rows.iter_rows(named=True):
        if row["opportunity_id"] is None:
            continue
        deal = str(row["opportunity_id"])
        counts[deal] = counts.get(deal, 0) + 1
        if deal not in latest:
            latest[deal] = row["at"].date().isoformat()
        if counts[deal] <= ACTIVITIES_SHOWN:
            shown.setdefault(deal, []).append(
                [_iso(row["at"]), row.get("kind"), row.get("subject"), row.get("done")]
            )
    return shown, counts, latest


def contact_roles(inputs: Inputs) -> dict[str, list[list[Any]]]:
    """Per deal: ``[contact, role, primary]``, the primary contact first."""
    if inputs.contact_roles is None:
        return {}
    table = inputs.table("contact_roles", needs=("opportunity_id", "contact_id"))
    result: dict[str, list[list[Any]]] = {}
    for row in table.collect(backend="polars").iter_rows(named=True):
        entry = [row["contact_id"], row.get("role"), bool(row.get("primary"))]
        result.setdefault(str(row["opportunity_id"]), []).append(entry)
    for entries in result.values():
        entries.sort(key=lambda entry: not entry[2])
    return result


def furthest_steps(inputs: Inputs, steps: Sequence[str], now: dict[str, str]) -> dict[str, int]:
    """Per deal, the index of the furthest funnel step it reached (its history and ``now``).

    With the funnel's default policies (a later step implies the earlier ones;
    moving back keeps what was reached), a deal reached step *k* when this
    index is at least *k*; like :func:`~salesflow.analytics.funnel`, it reads
    the whole history table.
    """
    order = {name: i for i, name in enumerate(steps)}
    furthest: dict[str, int] = {}

    def reach(deal: str, stage: Any) -> None:
        index = order.get(stage)
        if index is not None and index > furthest.get(deal, -1):
            furthest[deal] = index

    if inputs.history is not None:
        history = inputs.table("history", needs=("opportunity_id", "at", "stage"))
        rows = history.select("opportunity_id", "stage").unique().collect(backend="polars")
        for row in rows.iter_rows(named=True):
            reach(str(row["opportunity_id"]), row["stage"])
    for deal, stage in now.items():
        reach(deal, stage)
    return furthest
