"""The pieces of a period's attainment: owners, closings, categories, the tree, new deals."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import narwhals as nw
import numpy as np

from salesflow._decimals import widest_scale
from salesflow.analytics._hierarchy import NO_OWNER, OUTSIDE
from salesflow.analytics.coverage import Gap
from salesflow.analytics.dated_rates import DatedRates
from salesflow.analytics.rates import Rates
from salesflow.errors import CurrencyMismatchError
from salesflow.forecast import ForecastCategory
from salesflow.hierarchy import Hierarchy
from salesflow.money import Money
from salesflow.process import SalesProcess

__all__ = [
    "ATTAINMENT_COLUMNS",
    "BUCKET",
    "NO_OWNER",
    "OUTSIDE",
    "TOTAL",
    "categories",
    "closings",
    "created",
    "decimal",
    "factor",
    "goal",
    "new_deals",
    "owners",
    "roll_up",
    "table_frame",
    "tree",
]

TOTAL = "(total)"
"""The row for everything, when the tree has several top nodes (or there is no tree)."""


_WINDOWS = 8
"""How many past windows the not-yet-created deals are resampled from, at most."""

ATTAINMENT_COLUMNS = (
    "node",
    "depth",
    "parent",
    "target",
    "submitted",
    "closed",
    "attainment",
    "gap",
    "pace",
    "commit",
    "best_case",
    "pipeline",
    "open_in_period",
    "coverage",
    "coverage_needed",
    "win_rate",
    "win_rate_value",
    "p_hit",
    "p10",
    "p50",
    "p90",
    "mean",
    "expected_shortfall",
    "new_deals",
)
"""One row per node, parents first (see :class:`Attainment`)."""


def decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def factor(rates: Rates | DatedRates | None, code: str | None, target: str, day: date) -> Decimal:
    """The rate of ``code`` into ``target`` (dated rates: the one in force on ``day``)."""
    if code is None or code == target:
        return Decimal(1)
    if rates is None:
        raise CurrencyMismatchError(code, target, "sum")
    if isinstance(rates, DatedRates):
        return rates.rate(code, day)
    return rates.rate(code)


def owners(inputs: Any) -> dict[str, str]:
    """Each deal's (current) owner, by id; empty without an owner column."""
    snapshot = inputs.snapshot
    if snapshot is None or "owner" not in snapshot.collect_schema().names():
        return {}
    frame = snapshot.select(nw.col("id").cast(nw.String), nw.col("owner").cast(nw.String))
    table = frame.collect(backend="polars").to_native()
    return {
        str(i): (o if o is not None and o.strip() else NO_OWNER)
        for i, o in zip(table["id"].to_list(), table["owner"].to_list(), strict=True)
    }


def closings(inputs: Any, process: SalesProcess, until: datetime) -> list[dict[str, Any]]:
    """Each deal's first move into a closed stage by ``until``: id, at, won, amount, currency."""
    history = inputs.table("history", needs=("opportunity_id", "at", "stage"))
    names = set(history.collect_schema().names())
    closed = [s.name for s in process.closed_stages]
    won = [s.name for s in process.won_stages]
    rows = history.filter(nw.col("stage").is_in(closed) & (nw.col("at") <= until))
    first = rows.group_by("opportunity_id").agg(nw.col("at").min().alias("_first"))
    rows = rows.join(first, on="opportunity_id").filter(nw.col("at") == nw.col("_first"))
    keep = [c for c in ("amount", "currency") if c in names]
    table = (
        rows.group_by("opportunity_id")
        .agg(
            nw.col("at").min(),
            nw.col("stage").is_in(won).max().alias("won"),
            *(nw.col(c).max() for c in keep),
        )
        .collect(backend="polars")
        .to_native()
    )
    found: list[dict[str, Any]] = table.to_dicts()
    for row in found:
        row.setdefault("amount", None)
        row.setdefault("currency", None)
    return found


def created(inputs: Any) -> dict[str, datetime]:
    history = inputs.table("history", needs=("opportunity_id", "at"))
    table = (
        history.group_by("opportunity_id")
        .agg(nw.col("at").min())
        .collect(backend="polars")
        .to_native()
    )
    return {str(i): a for i, a in zip(table["opportunity_id"], table["at"], strict=True)}


def categories(inputs: Any, process: SalesProcess, moment: datetime) -> dict[str, str]:
    """Each deal's forecast category at ``moment``: its latest recorded one, else its stage's."""
    default = {s.name: s.forecast_category.value for s in process.stages}
    history = inputs.table("history", needs=("opportunity_id", "at", "stage"))
    names = set(history.collect_schema().names())
    order = inputs.history_order
    past = history.filter(nw.col("at") <= moment)
    kept = ["stage"] + (["forecast_category"] if "forecast_category" in names else [])
    frame = past.select("opportunity_id", *order, *kept)
    for column in order:
        frame = frame.filter(nw.col(column) == nw.col(column).max().over("opportunity_id"))
    table = frame.select("opportunity_id", *kept).collect(backend="polars").to_native()
    result = {}
    for row in table.iter_rows(named=True):
        given = row.get("forecast_category")
        result[str(row["opportunity_id"])] = given or default.get(row["stage"], "Pipeline")
    return result


BUCKET = {
    ForecastCategory.COMMIT.value: "commit",
    ForecastCategory.MOST_LIKELY.value: "best_case",
    ForecastCategory.BEST_CASE.value: "best_case",
    ForecastCategory.PIPELINE.value: "pipeline",
}


def roll_up(
    rows: list[tuple[str, int, str | None]], totals: np.ndarray, index: dict[str, int]
) -> dict[str, np.ndarray]:
    """Each row's draws: its own owner's column (if it is an owner) plus its children's, draw by draw.

    The rows come parents first, so walking them backwards meets every child before its parent.
    """
    below: dict[str, list[str]] = {}
    for node, _, parent in rows:
        if parent is not None:
            below.setdefault(parent, []).append(node)
    found: dict[str, np.ndarray] = {}
    for node, _, _ in reversed(rows):
        children = below.get(node, [])
        own = node in index and not (node in (TOTAL, OUTSIDE) and children)
        draw = totals[:, index[node]].copy() if own else np.zeros(totals.shape[0])
        for child in children:
            draw += found[child]
        found[node] = draw
    return found


def goal(
    node: str,
    hierarchy: Hierarchy | None,
    own: dict[str, Money | int],
    summed: bool,
    members: dict[str, list[str]],
) -> Decimal | None:
    """The node's target: its own, or (``summed``) its leaves' own targets added up."""
    if node not in own and summed:
        if hierarchy is not None and node in hierarchy:
            below = [
                own[n]
                for n in hierarchy.descendants(node)
                if n in own and not hierarchy.children(n)
            ]
        else:
            below = [own[o] for o in members[node] if o in own]
        if not below:
            return None
        return sum((_amount(v) for v in below), Decimal(0))
    return _amount(own[node]) if node in own else None


def _amount(value: Money | int) -> Decimal:
    return value.amount if isinstance(value, Money) else Decimal(value)


def tree(
    hierarchy: Hierarchy | None,
    owners: list[str],
    targeted: set[str],
    gaps: list[Gap],
) -> tuple[list[tuple[str, int, str | None]], dict[str, list[str]]]:
    """The rows (node, depth, parent), parents first, and each node's owners (its subtree's)."""
    rows: list[tuple[str, int, str | None]] = []
    members: dict[str, list[str]] = {}
    if hierarchy is None:
        rows.append((TOTAL, 0, None))
        members[TOTAL] = list(owners)
        for o in owners:
            rows.append((o, 1, TOTAL))
            members[o] = [o]
        return rows, members
    outside = sorted((set(owners) | targeted) - set(hierarchy.parents))
    tops = list(hierarchy.roots) + ([OUTSIDE] if outside else [])
    shift = 1 if len(tops) > 1 else 0
    if shift:
        rows.append((TOTAL, 0, None))
        members[TOTAL] = list(owners)
    for node, depth in hierarchy.walk():
        parent = hierarchy.parents[node] or (TOTAL if shift else None)
        rows.append((node, depth + shift, parent))
        members[node] = [n for n in hierarchy.subtree(node) if n in set(owners) or n in targeted]
    if outside:
        rows.append((OUTSIDE, shift, TOTAL if shift else None))
        members[OUTSIDE] = [o for o in outside if o in owners]
        for o in outside:
            rows.append((o, shift + 1, OUTSIDE))
            members[o] = [o]
        shown = ", ".join(outside[:5]) + (", …" if len(outside) > 5 else "")
        gaps.append(
            Gap(
                "assumed",
                "owners and targets",
                f"not in the hierarchy, shown under {OUTSIDE!r}: {shown}",
                rows=len(outside),
                unit="nodes",
            )
        )
    return rows, members


def new_deals(
    inputs: Any,
    process: SalesProcess,
    moment: datetime,
    finish: datetime,
    begin: datetime,
    owners: list[str],
    owner: Any,
    value: Any,
    measure: str,
    draws: int,
    seed: int,
    keep: Any = None,
) -> tuple[np.ndarray, Gap]:
    """Per draw and owner, what the deals not yet created will bring in the rest of the period.

    That is what they will win (or, for ``created_deals``, how many will be
    created); ``keep(id)`` says which deals count.
    """
    fresh = np.zeros((draws, len(owners)))
    start = max(moment, begin)
    length = finish - start
    if length <= timedelta(0):
        return fresh, Gap("off", "new deals", "the period is over at as_of")
    born_at = created(inputs)
    if not born_at:
        return fresh, Gap("no_data", "new deals", "no history")
    first_seen = min(born_at.values())
    windows = [
        (moment - length * (k + 1), moment - length * k)
        for k in range(_WINDOWS)
        if moment - length * (k + 1) >= first_seen
    ]
    if not windows:
        return fresh, Gap(
            "no_data",
            "new deals",
            f"the history ({first_seen.date()} on) is shorter than the rest of the period "
            f"({_span(length)}): deals not yet created are not forecast",
        )
    index = {o: i for i, o in enumerate(owners)}
    per_window = np.zeros((len(windows), len(owners)))
    if measure == "created_deals":
        for deal, born in born_at.items():
            who = owner(deal)
            if who not in index or (keep is not None and not keep(deal)):
                continue
            for w, (lo, hi) in enumerate(windows):
                if lo <= born < hi:
                    per_window[w, index[who]] += 1
    for row in closings(inputs, process, moment) if measure != "created_deals" else []:
        if not row["won"] or (row["amount"] is None and measure == "amount"):
            continue
        deal = str(row["opportunity_id"])
        seen = born_at.get(deal)
        who = owner(deal)
        if seen is None or who not in index or (keep is not None and not keep(deal)):
            continue
        for w, (lo, hi) in enumerate(windows):
            if lo <= seen and row["at"] < hi:
                worth = value(row["amount"], row["currency"], row["at"].date())
                per_window[w, index[who]] += float(worth)
    picks = np.random.default_rng(np.random.SeedSequence([seed, 1])).integers(
        0, len(windows), size=draws
    )
    fresh = per_window[picks]
    what = "created" if measure == "created_deals" else "created and won"
    return fresh, Gap(
        "assumed",
        "new deals",
        f"deals not yet created: resampled from what was {what} inside each of the "
        f"last {len(windows)} windows of {_span(length)} (one window per draw, shared by "
        f"every owner)",
    )


def _span(length: timedelta) -> str:
    """A window's length as people say it: days, or hours when it is shorter than a day."""
    if length >= timedelta(days=1):
        return f"{length.days} days" if length.days != 1 else "1 day"
    hours = length.total_seconds() / 3600
    return f"{hours:.0f} hours" if round(hours) != 1 else "1 hour"


def table_frame(table: dict[str, list[Any]], measure: str) -> nw.LazyFrame[Any]:
    import polars as pl

    money = (
        "target",
        "submitted",
        "closed",
        "gap",
        "commit",
        "best_case",
        "pipeline",
        "open_in_period",
    )
    schema: dict[str, Any] = dict.fromkeys(ATTAINMENT_COLUMNS, pl.Float64)
    schema.update(node=pl.String, depth=pl.Int64, parent=pl.String)
    scale = widest_scale(v for c in money for v in table[c]) if measure == "amount" else 0
    for c in money:
        schema[c] = pl.Decimal(38, scale)
    frame = pl.DataFrame(table, schema=schema)
    return nw.from_native(frame).lazy()
