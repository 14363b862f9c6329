"""The line_items and installments tables: one row per line item, one per installment.

Their columns and rows are :mod:`salesflow.line_item_rows`' (the table form of
line items): the tables analytics read are the tables the writers write.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from salesflow._decimals import widest_scale
from salesflow.analytics._require import require
from salesflow.errors import Problem, ValidationError
from salesflow.line_item_rows import (
    LINE_ITEM_COLUMNS,
    LINE_ITEM_SCHEDULE_COLUMNS,
    line_item_rows,
)
from salesflow.opportunity import Opportunity

__all__ = [
    "INSTALLMENT_COLUMNS",
    "LINE_ITEM_COLUMNS",
    "installments_table",
    "line_item_rows",
    "line_items_table",
]

INSTALLMENT_COLUMNS = LINE_ITEM_SCHEDULE_COLUMNS
"""The columns of the installments table (Salesforce's ``OpportunityLineItemSchedule``), in order.

One row per installment of a line's schedule (:mod:`salesflow.schedule`),
numbered by ``sequence`` within its line: ``revenue`` is null for a
quantity-only installment, ``quantity`` for a revenue-only one; ``currency``
is the line's.
"""

_DECIMALS = ("quantity", "unit_price", "list_price", "discount", "total_price", "arr", "tcv")


def _checked(opportunities: Iterable[Opportunity], where: str) -> list[Opportunity]:
    opps = list(opportunities)
    problems = [
        Problem(f"expected an Opportunity, got {type(o).__name__}", f"$.opportunities[{i}]")
        for i, o in enumerate(opps)
        if not isinstance(o, Opportunity)
    ]
    if problems:
        raise ValidationError(problems, subject=where)
    return opps


def line_items_table(opportunities: Iterable[Opportunity]) -> Any:
    """The line_items table of ``opportunities`` as a Polars frame (exact decimal columns).

    Raises:
        ValidationError: Something that is not an Opportunity (with its place).
    """
    pl = require("polars")
    rows = line_item_rows(_checked(opportunities, "line_items_table()"))
    schema: dict[str, Any] = dict.fromkeys(LINE_ITEM_COLUMNS, pl.String)
    schema.update(
        {name: pl.Decimal(38, min(widest_scale(r[name] for r in rows), 38)) for name in _DECIMALS}
    )
    schema.update(service_date=pl.Date, term_months=pl.Int64)
    return pl.DataFrame(rows, schema=schema)


def installments_table(opportunities: Iterable[Opportunity]) -> Any:
    """The installments of ``opportunities``' lines as a Polars frame (one row each, exact decimals).

    Raises:
        ValidationError: Something that is not an Opportunity (with its place).
    """
    pl = require("polars")
    rows = line_item_rows(_checked(opportunities, "installments_table()"), table="schedules")
    schema: dict[str, Any] = dict.fromkeys(INSTALLMENT_COLUMNS, pl.String)
    schema.update(
        {
            name: pl.Decimal(38, min(widest_scale(r[name] for r in rows), 38))
            for name in ("revenue", "quantity")
        }
    )
    schema.update(sequence=pl.Int64, schedule_date=pl.Date)
    return pl.DataFrame(rows, schema=schema)
