"""The line_items table: one row per line item of every opportunity.

Its columns and rows are :mod:`salesflow.line_item_rows`' (the table form of line items).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from salesflow.analytics._require import require
from salesflow.errors import Problem, ValidationError
from salesflow.line_item_rows import (
    LINE_ITEM_COLUMNS,
    LINE_ITEM_SCHEDULE_COLUMNS,
    line_item_rows,
)
from salesflow.opportunity import Opportunity

__all__ = [
    "LINE_ITEM_COLUMNS",
    "line_item_rows",
    "line_item_schedules_table",
    "line_items_table",
]

_DECIMALS = ("quantity", "unit_price", "list_price", "discount", "total_price", "arr", "tcv")


def _scale(rows: list[dict[str, Any]], name: str) -> int:
    scale = 0
    for row in rows:
        value = row[name]
        if value is not None:
            exponent = value.as_tuple().exponent
            if isinstance(exponent, int):
                scale = max(scale, -exponent)
    return min(scale, 38)


def line_items_table(opportunities: Iterable[Opportunity]) -> Any:
    """The line_items table of ``opportunities`` as a Polars frame (exact decimal columns).

    Raises:
        ValidationError: Something that is not an Opportunity (with its place).
    """
    pl = require("polars")
    opps = list(opportunities)
    problems = [
        Problem(f"expected an Opportunity, got {type(o).__name__}", f"$.opportunities[{i}]")
        for i, o in enumerate(opps)
        if not isinstance(o, Opportunity)
    ]
    if problems:
        raise ValidationError(problems, subject="line_items_table()")
    rows = line_item_rows(opps)
    schema: dict[str, Any] = dict.fromkeys(LINE_ITEM_COLUMNS, pl.String)
    schema.update({name: pl.Decimal(38, _scale(rows, name)) for name in _DECIMALS})
    schema.update(service_date=pl.Date, term_months=pl.Int64)
    return pl.DataFrame(rows, schema=schema)


def line_item_schedules_table(opportunities: Iterable[Opportunity]) -> Any:
    """The installments of ``opportunities``' lines as a Polars frame (one row each, exact decimals).

    Raises:
        ValidationError: Something that is not an Opportunity (with its place).
    """
    pl = require("polars")
    rows = line_item_rows(opportunities, table="schedules")
    schema: dict[str, Any] = dict.fromkeys(LINE_ITEM_SCHEDULE_COLUMNS, pl.String)
    schema.update({name: pl.Decimal(38, _scale(rows, name)) for name in ("revenue", "quantity")})
    schema.update(sequence=pl.Int64, schedule_date=pl.Date)
    return pl.DataFrame(rows, schema=schema)
