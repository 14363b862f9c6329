"""The line_items and installments tables: one row per line item, one per installment."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from salesflow.analytics._require import require
from salesflow.errors import Problem, ValidationError
from salesflow.opportunity import Opportunity

__all__ = [
    "INSTALLMENT_COLUMNS",
    "LINE_ITEM_COLUMNS",
    "installment_rows",
    "installments_table",
    "line_item_rows",
    "line_items_table",
]

LINE_ITEM_COLUMNS = (
    "opportunity_id",
    "line_id",
    "product",
    "product_family",
    "product_code",
    "quantity",
    "unit_price",
    "list_price",
    "discount",
    "total_price",
    "currency",
    "service_date",
    "billing_frequency",
    "term_months",
    "arr",
    "tcv",
)
"""The columns of the line_items table, in order."""

INSTALLMENT_COLUMNS = (
    "opportunity_id",
    "line_id",
    "schedule_date",
    "revenue",
    "quantity",
    "currency",
)
"""The columns of the installments table (Salesforce's ``OpportunityLineItemSchedule``), in order.

One row per installment of a line's schedule (:mod:`salesflow.schedule`):
``revenue`` is null for a quantity-only installment, ``quantity`` for a
revenue-only one; ``currency`` is the line's.
"""

_DECIMALS = ("quantity", "unit_price", "list_price", "discount", "total_price", "arr", "tcv")


def line_item_rows(opportunities: Iterable[Opportunity]) -> list[dict[str, Any]]:
    """One plain row per line item (decimals as ``Decimal``), in :data:`LINE_ITEM_COLUMNS`."""
    found = []
    for opp in opportunities:
        for line in opp.line_items:
            found.append(
                {
                    "opportunity_id": opp.id,
                    "line_id": line.id,
                    "product": line.product,
                    "product_family": line.product_family,
                    "product_code": line.product_code,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price.amount,
                    "list_price": None if line.list_price is None else line.list_price.amount,
                    "discount": line.discount,
                    "total_price": line.total_price.amount,
                    "currency": line.currency,
                    "service_date": line.service_date,
                    "billing_frequency": (
                        None if line.billing_frequency is None else line.billing_frequency.value
                    ),
                    "term_months": line.term_months,
                    "arr": line.arr.amount,
                    "tcv": line.tcv.amount,
                }
            )
    return found


def installment_rows(opportunities: Iterable[Opportunity]) -> list[dict[str, Any]]:
    """One plain row per installment of every line's schedule, in :data:`INSTALLMENT_COLUMNS`."""
    return [
        {
            "opportunity_id": opp.id,
            "line_id": line.id,
            "schedule_date": step.on,
            "revenue": None if step.revenue is None else step.revenue.amount,
            "quantity": step.quantity,
            "currency": line.currency,
        }
        for opp in opportunities
        for line in opp.line_items
        for step in line.schedule
    ]


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


def installments_table(opportunities: Iterable[Opportunity]) -> Any:
    """The installments table of ``opportunities`` as a Polars frame (exact decimal columns).

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
        raise ValidationError(problems, subject="installments_table()")
    rows = installment_rows(opps)
    schema: dict[str, Any] = dict.fromkeys(INSTALLMENT_COLUMNS, pl.String)
    schema.update({name: pl.Decimal(38, _scale(rows, name)) for name in ("revenue", "quantity")})
    schema.update(schedule_date=pl.Date)
    return pl.DataFrame(rows, schema=schema)
