"""The bridge's totals: start, end and each movement, over every deal or per group."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import narwhals as nw

from salesflow.analytics._expr import aggregate, sum0
from salesflow.money import Money

__all__ = ["MOVEMENTS", "BridgeTotals", "totals"]

MOVEMENTS = (
    "new",
    "reopened",
    "pulled_in",
    "increased",
    "decreased",
    "won",
    "lost",
    "pushed_out",
)
"""The movements, in the order a waterfall shows them."""

_SIGN = {m: (-1 if m in ("decreased", "won", "lost", "pushed_out") else 1) for m in MOVEMENTS}


@attrs.frozen
class BridgeTotals:
    """The bridge's totals; ``start`` plus the signed movements is ``end``.

    Attributes:
        start: The start pipeline.
        end: The end pipeline.
        movements: Each movement's total (a positive amount; see :data:`MOVEMENTS`).
        counts: Deals per movement.
    """

    start: Money | Decimal
    end: Money | Decimal
    movements: dict[str, Money | Decimal]
    counts: dict[str, int]

    def adds_up(self) -> bool:
        """Whether start + new + ... − pushed_out == end (it always should)."""
        total: Any = self.start
        for name, value in self.movements.items():
            total = total + value if _SIGN[name] > 0 else total - value
        return bool(total == self.end)


def totals(
    frame: nw.LazyFrame[Any], keys: list[str], currency: str | None
) -> dict[tuple[Any, ...], BridgeTotals]:
    """Each group's :class:`BridgeTotals` of a bridge table, keyed by its ``keys`` values.

    With no ``keys``, one entry keyed ``()``: the totals over every deal.
    """
    ends = aggregate(
        frame,
        keys,
        [
            sum0(nw.when(nw.col("in_start")).then(nw.col("start_amount"))).alias("start"),
            sum0(nw.when(nw.col("in_end")).then(nw.col("end_amount"))).alias("end"),
        ],
    ).collect(backend="polars")
    moved = (
        frame.group_by(*keys, "movement")
        .agg(sum0(nw.col("change").abs()).alias("total"), nw.len().alias("count"))
        .collect(backend="polars")
    )
    by_name: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in moved.rows(named=True):
        by_name.setdefault(tuple(row[k] for k in keys), {})[row["movement"]] = row

    def money(value: Any) -> Money | Decimal:
        exact = _dec(value)
        return exact if currency is None else Money(exact, currency)

    result = {}
    for row in ends.rows(named=True):
        key = tuple(row[k] for k in keys)
        rows = by_name.get(key, {})
        result[key] = BridgeTotals(
            money(row["start"]),
            money(row["end"]),
            {m: money(rows.get(m, {}).get("total")) for m in MOVEMENTS},
            {m: int(rows.get(m, {}).get("count", 0)) for m in MOVEMENTS},
        )
    return result


def _dec(value: Any) -> Decimal:
    return Decimal(0) if value is None else Decimal(value)
