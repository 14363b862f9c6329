"""Analytics by product and product family, over the line_items table."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import narwhals as nw

from salesflow._html import table_html
from salesflow.analytics.frames import Frames, frames
from salesflow.analytics.line_items import line_items_table
from salesflow.errors import Problem, ValidationError
from salesflow.opportunity import Opportunity

__all__ = ["ProductTotals", "by_product"]


@attrs.frozen
class ProductTotals:
    """Lines, quantity, total price, ARR and TCV per product (or product family).

    Attributes:
        by: The column grouped by (``product`` or ``product_family``).
        rows: One dict per group and currency: the group's value, ``currency``,
            ``lines``, ``quantity``, ``total_price``, ``arr``, ``tcv``; largest
            total price first.
    """

    by: str
    rows: tuple[dict[str, Any], ...]

    def _repr_html_(self) -> str:
        names = [self.by, "currency", "lines", "quantity", "total_price", "arr", "tcv"]
        body = [[row[n] for n in names] for row in self.rows]
        return table_html(f"Line items by {self.by}", names, body)


def _lines_of(source: Any) -> Any:
    if isinstance(source, Frames):
        if source.line_items is None:
            raise ValidationError(
                [Problem("these Frames have no line_items table", "$.line_items")],
                subject="line items",
            )
        return source.line_items
    if isinstance(source, (list, tuple)) and all(isinstance(o, Opportunity) for o in source):
        return line_items_table(source)
    return source


def by_product(
    source: Any, *, by: str = "product", open_only: bool = False, snapshot: Any = None
) -> ProductTotals:
    """Totals of the line items per product or product family.

    Args:
        source: Opportunities, :class:`~salesflow.analytics.Frames` (its
            ``line_items`` table), or a line_items frame of any library
            narwhals reads (columns as :data:`LINE_ITEM_COLUMNS`).
        by: ``"product"`` or ``"product_family"`` (lines without a family are
            under ``None``).
        open_only: Only lines of open opportunities (needs ``snapshot``, or
            opportunities or Frames, for ``is_closed``).
        snapshot: The snapshot table, when ``source`` is a bare line_items frame.

    Returns:
        The totals, one row per group and currency.

    Raises:
        ValidationError: ``by`` is not a product column, or the table lacks a column.
    """
    if by not in ("product", "product_family"):
        raise ValidationError(
            [Problem(f"expected 'product' or 'product_family', got {by!r}", "$.by")],
            subject="by_product()",
        )
    if open_only and snapshot is None:
        if isinstance(source, Frames):
            snapshot = source.snapshot
        elif isinstance(source, (list, tuple)):
            snapshot = frames(source).snapshot
    lines = nw.from_native(_lines_of(source)).lazy()
    missing = {by, "currency", "quantity", "total_price", "arr", "tcv"} - set(lines.columns)
    if missing:
        raise ValidationError(
            [Problem(f"the line_items table has no column {m!r}", "$") for m in sorted(missing)],
            subject="by_product()",
        )
    if open_only:
        if snapshot is None:
            raise ValidationError(
                [Problem("open_only needs the snapshot table", "$.snapshot")],
                subject="by_product()",
            )
        open_ids = (
            nw.from_native(snapshot)
            .lazy()
            .filter(~nw.col("is_closed"))
            .select(nw.col("id").alias("opportunity_id"))
        )
        lines = lines.join(open_ids, on="opportunity_id", how="semi")
    grouped = (
        lines.group_by(by, "currency")
        .agg(
            nw.len().alias("lines"),
            nw.col("quantity").sum(),
            nw.col("total_price").sum(),
            nw.col("arr").sum(),
            nw.col("tcv").sum(),
        )
        .collect()
    )
    found = [
        {k: (Decimal(str(v)) if isinstance(v, float) else v) for k, v in row.items()}
        for row in grouped.rows(named=True)
    ]
    found.sort(key=lambda r: (-(r["total_price"] or 0), str(r[by]), r["currency"]))
    return ProductTotals(by=by, rows=tuple(found))
