r"""HubSpot's line item export, read onto the deals it belongs to.

Columns may carry HubSpot's internal property names (``quantity``,
``price``, ``hs_recurring_billing_period``) or the export's labels
(``Unit price``, ``Term``, ``Billing frequency``), matched ignoring case; see
:data:`HUBSPOT_LINE_ITEM_FIELDS`. Each line is attached to the deal named in
its association column (``Associated Deal IDs`` by default).

>>> import io, salesflow as sf
>>> from datetime import date
>>> from salesflow.io import read_hubspot_line_items
>>> deal = sf.presets.hubspot_default().open(name="Sneakers", id="101", close_date=date(2026, 6, 30))
>>> export = io.StringIO(
...     "hs_object_id,name,quantity,price,discount,amount,hs_line_item_currency_code,"
...     "recurringbillingfrequency,hs_recurring_billing_period,Associated Deal IDs\n"
...     "9001,Custom Sneakers,35,120.00,12.00,3780.00,USD,,,101\n"
...     "9002,Sneaker Care,35,2,,70,USD,monthly,P24M,101\n")
>>> result = read_hubspot_line_items(export, opportunities=[deal])
>>> sneakers, care = result.opportunities[0].line_items
>>> sneakers.unit_price, sneakers.list_price, sneakers.total_price
(Money('108.00', 'USD'), Money('120.00', 'USD'), Money('3780.00', 'USD'))
>>> care.billing_frequency, care.term_months, care.tcv
(<BillingFrequency.MONTHLY: 'monthly'>, 24, Money('1680', 'USD'))
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import attrs

from salesflow.errors import FileFormatError, Problem, ValidationError, shorten
from salesflow.io._cell_reader import CellReader
from salesflow.io._source import MAX_IMPORT_BYTES, Source, csv_rows
from salesflow.io.result import ImportResult, Refusal
from salesflow.line_item import BillingFrequency, LineItem
from salesflow.money import Money
from salesflow.opportunity import Opportunity

__all__ = ["HUBSPOT_DEAL_COLUMNS", "HUBSPOT_LINE_ITEM_FIELDS", "read_hubspot_line_items"]

_KIND = "LineItem"

HUBSPOT_LINE_ITEM_FIELDS: Mapping[str, tuple[str, ...]] = {
    "id": ("hs_object_id", "Record ID"),
    "product": ("name", "hs_product_id", "Product ID"),
    "product_code": ("hs_sku", "SKU"),
    "quantity": ("quantity",),
    "price": ("price", "Unit price"),
    "amount": ("amount", "Net price"),
    "unit_discount": ("discount", "Unit discount"),
    "discount_percentage": ("hs_discount_percentage", "Discount percentage"),
    "term": ("hs_recurring_billing_period", "Term"),
    "term_months": ("hs_term_in_months", "Term (months)"),
    "billing_frequency": ("recurringbillingfrequency", "Billing frequency"),
    "service_date": ("hs_recurring_billing_start_date", "Billing start date"),
    "currency": ("hs_line_item_currency_code", "Currency"),
}
"""The line item properties read: what salesflow reads → HubSpot names, preferred first."""

HUBSPOT_DEAL_COLUMNS = ("Associated Deal IDs", "Associated Deal", "deal_id")
"""The association columns tried, in order, when no ``deal_column`` is given."""

_PERIOD = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?", re.IGNORECASE)
_FREQUENCIES = {member.value: member for member in BillingFrequency}


class _Cells(CellReader):
    """One record's cells, looked up by any spelling of a property, and its problems."""

    def __init__(self, row: Mapping[str, str]) -> None:
        super().__init__()
        self.row = {k.casefold().strip(): (k, v) for k, v in row.items()}

    def column(self, *fields: str) -> tuple[str, str | None]:
        """The first non-empty cell of a field (and its column), or its first name and None."""
        (field,) = fields
        return self.first(*HUBSPOT_LINE_ITEM_FIELDS[field])

    def first(self, *names: str) -> tuple[str, str | None]:
        for name in names:
            spelled, value = self.row.get(name.casefold(), (name, ""))
            if value.strip():
                return spelled, value.strip()
        return names[0], None

    def frequency(self) -> BillingFrequency | None:
        column, value = self.column("billing_frequency")
        if value is None:
            return None
        found = _FREQUENCIES.get(re.sub(r"[\s-]+", "_", value.casefold()))
        if found is None:
            allowed = ", ".join(_FREQUENCIES)
            self.problems.append(
                Problem(f"expected one of {allowed}, got {shorten(value)}", f"$.{column}")
            )
        return found

    def term(self) -> int | None:
        """The term in months: ``hs_recurring_billing_period`` (ISO 8601), else ``hs_term_in_months``."""
        column, value = self.column("term")
        months = None
        if value is not None:
            match = _PERIOD.fullmatch(value)
            if value.isdigit():
                months = int(value)
            elif match is None or value.upper() == "P":
                self.problems.append(
                    Problem(
                        f"expected an ISO 8601 period (P12M), got {shorten(value)}", f"$.{column}"
                    )
                )
                return None
            elif int(match.group(3) or 0) or int(match.group(4) or 0):
                self.problems.append(
                    Problem(f"a term of {value} is not a whole number of months", f"$.{column}")
                )
                return None
            else:
                months = 12 * int(match.group(1) or 0) + int(match.group(2) or 0)
        older, given = self.column("term_months")
        stated = self.decimal("term_months")
        if stated is None:
            return months
        if stated != stated.to_integral_value():
            self.problems.append(
                Problem(f"expected a whole number of months, got {given}", f"$.{older}")
            )
            return None
        if months is not None and months != stated:
            self.problems.append(
                Problem(f"{older} is {given} but {column} is {value}", f"$.{older}")
            )
            return None
        return int(stated)


def read_hubspot_line_items(
    source: Source,
    *,
    opportunities: Iterable[Opportunity],
    deal_column: str | None = None,
    currency: str | None = None,
    encoding: str = "utf-8",
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ImportResult:
    """Read a HubSpot line item CSV export onto ``opportunities`` (the deals).

    Properties (internal name or label, any case; :data:`HUBSPOT_LINE_ITEM_FIELDS`):
    ``hs_object_id`` (the line's id), ``name`` (else ``hs_product_id``),
    ``hs_sku``, ``quantity``, ``price`` (the unit price), ``discount`` (an
    amount off each unit) or ``hs_discount_percentage`` (a percentage off the
    total; not both), ``amount`` (checked: it must be the line's exact total,
    or that total rounded half-up to cents), ``recurringbillingfrequency``
    (``monthly``, ``quarterly``, ``per_six_months``, ``annually``),
    ``hs_recurring_billing_period`` (the term, an ISO 8601 period such as
    ``P12M`` or ``P2Y``; weeks and days are refused) or the older
    ``hs_term_in_months``, ``hs_recurring_billing_start_date`` (the service
    date), ``hs_line_item_currency_code`` (else ``currency``, else the deal's).

    A unit discount is kept exactly: the line's unit price is ``price −
    discount`` and its list price is ``price``. A recurring line's total is
    what one billing period costs, as in HubSpot; it needs a term (a line that
    renews until cancelled has none, and is refused).

    Args:
        source: The line item CSV.
        opportunities: The deals the lines belong to (e.g. from
            :func:`read_hubspot_csv`); they are not changed.
        deal_column: The column holding the line's deal id. Default: the first
            of :data:`HUBSPOT_DEAL_COLUMNS` (``Associated Deal IDs``,
            ``Associated Deal``, ``deal_id``) the file has. Several ids in the
            cell (``;``-separated) are refused: a line item belongs to one deal.
        currency: The currency of lines without ``hs_line_item_currency_code``.
        encoding: The file's encoding.
        max_bytes: The largest file read.

    Returns:
        The opportunities (copies, with their ``line_items``), and every line
        refused with its record number, field and reason:
        ``read["LineItem"] == taken["LineItem"] + refused_count("LineItem")``.

    Raises:
        FileFormatError: The file cannot be read as CSV, or has no deal column.
    """
    opps: dict[str, Opportunity] = {opp.id: opp for opp in opportunities}
    name, header, records = csv_rows(source, encoding=encoding, max_bytes=max_bytes)
    deal = _deal_column(name, header, deal_column)
    lines: dict[str, list[tuple[Refusal, LineItem]]] = {}
    refused: list[Refusal] = []
    read = 0
    for number, row, problems in records:
        read += 1
        cells = _Cells(row or {})
        cells.problems.extend(problems)
        named = _deal_id(cells, deal)
        found = (
            None if named is None else _line(cells, opps, named, lines.get(named[1], []), currency)
        )
        if found is None:
            refused.append(refusal(name, number, cells))
        else:
            lines.setdefault(found[0], []).append((refusal(name, number, cells), found[1]))
    result = []
    for oid, opp in opps.items():
        mine = lines.pop(oid, [])
        if not mine:
            result.append(opp)
            continue
        try:
            result.append(attrs.evolve(opp, line_items=(*opp.line_items, *(x for _, x in mine))))
        except ValidationError as exc:  # e.g. a deal whose amount is computed from its lines
            reason = "; ".join(p.message for p in exc.problems)
            problem = Problem(f"deal {oid!r} cannot take its lines: {reason}", f"$.{deal}")
            refused.extend(attrs.evolve(r, problems=(problem,)) for r, _ in mine)
            result.append(opp)
    taken = read - len(refused)
    refused.sort(key=lambda r: r.record)
    return ImportResult(
        opportunities=tuple(result),
        refused=tuple(refused),
        read={_KIND: read},
        taken={_KIND: taken},
    )


def refusal(source: str, number: int, cells: _Cells) -> Refusal:
    """The refusal of one record (its problems so far)."""
    return Refusal(
        source=source, kind=_KIND, record=number, id=cells.text("id"), problems=cells.problems
    )


def _deal_column(name: str, header: list[str], deal_column: str | None) -> str:
    spelled = {column.casefold().strip(): column for column in header}
    wanted = (deal_column,) if deal_column is not None else HUBSPOT_DEAL_COLUMNS
    for column in wanted:
        if column.casefold().strip() in spelled:
            return spelled[column.casefold().strip()]
    raise FileFormatError(
        name, f"no deal column: expected one of {', '.join(map(repr, wanted))} (deal_column=)"
    )


def _deal_id(cells: _Cells, column: str) -> tuple[str, str] | None:
    """The deal column's spelling and the deal id, or ``None`` with a problem."""
    spelled, value = cells.first(column)
    ids = sorted({part.strip() for part in (value or "").split(";") if part.strip()})
    if not ids:
        cells.problems.append(Problem("required field missing", f"$.{spelled}"))
        return None
    if len(ids) > 1:
        cells.problems.append(
            Problem(f"a line item belongs to one deal, got {len(ids)}: {value}", f"$.{spelled}")
        )
        return None
    return spelled, ids[0]


def _prices(cells: _Cells) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """The unit price as sold, the list price (with a unit discount), the discount percentage."""
    price = cells.decimal("price", required=True)
    off = cells.decimal("unit_discount")
    percentage = cells.decimal("discount_percentage")
    if off and percentage:
        cells.problems.append(
            Problem(
                "both a unit discount and a discount percentage; HubSpot applies one",
                f"$.{cells.column('unit_discount')[0]}",
            )
        )
        return None, None, None
    if price is None or not off:
        return price, None, percentage or None
    return price - off, price, None


def _line(
    cells: _Cells,
    opps: Mapping[str, Opportunity],
    deal: tuple[str, str],
    taken: list[tuple[Refusal, LineItem]],
    currency: str | None,
) -> tuple[str, LineItem] | None:
    """The deal id and line of one record, or ``None`` with its problems in ``cells.problems``."""
    column, oid = deal
    opp = opps.get(oid)
    if opp is None:
        cells.problems.append(Problem(f"no deal {oid!r} was given", f"$.{column}"))
    currency_column, code = cells.column("currency")
    code = code or currency or (None if opp is None or opp.amount is None else opp.amount.currency)
    if code is None:
        cells.problems.append(Problem("no currency: give currency=", f"$.{currency_column}"))
    unit, listed, percentage = _prices(cells)
    values: dict[str, Any] = {
        "product": cells.text("product"),
        "product_code": cells.text("product_code"),
        "quantity": cells.decimal("quantity", required=True),
        "discount": percentage,
        "service_date": cells.day("service_date"),
        "billing_frequency": cells.frequency(),
        "term_months": cells.term(),
    }
    amount = cells.decimal("amount")
    line_id = cells.text("id")
    if values["product"] is None:
        cells.problems.append(Problem("required field missing", "$.name"))
    if cells.problems or code is None or unit is None or opp is None:
        return None
    try:
        values["unit_price"] = Money(unit, code)
        values["list_price"] = None if listed is None else Money(listed, code)
        if line_id is not None:
            values["id"] = line_id
        line = LineItem(**values)
    except ValidationError as exc:
        cells.problems.extend(Problem(p.message, _renamed(cells, p.path)) for p in exc.problems)
        return None
    exact = line.total_price.amount
    if (
        amount is not None
        and amount != exact
        and exact.quantize(Decimal("0.01"), ROUND_HALF_UP) != amount
    ):
        column = cells.column("amount")[0]
        cells.problems.append(
            Problem(f"{column} {amount} is not the line's total {exact}", f"$.{column}")
        )
        return None
    others = [*opp.line_items, *(x for _, x in taken)]
    if any(x.id == line.id for x in others):
        cells.problems.append(
            Problem(f"line item {line.id!r} appears twice", f"$.{cells.column('id')[0]}")
        )
    elif any(x.currency != line.currency for x in others):
        cells.problems.append(
            Problem(f"the deal's other lines are not in {code}", f"$.{currency_column}")
        )
    return None if cells.problems else (oid, line)


_FIELDS = {
    "$.amount": "price",
    "$.quantity": "quantity",
    "$.discount": "discount_percentage",
    "$.unit_price": "price",
    "$.list_price": "price",
    "$.product": "product",
    "$.product_code": "product_code",
    "$.term_months": "term",
    "$.billing_frequency": "billing_frequency",
    "$.id": "id",
}


def _renamed(cells: _Cells, path: str) -> str:
    """A LineItem problem's path as the column read (``$.term_months`` → ``$.hs_recurring_billing_period``)."""
    if path == "$.currency" or path.endswith(".currency"):
        return f"$.{cells.column('currency')[0]}"
    field = _FIELDS.get(path)
    return path if field is None else f"$.{cells.column(field)[0]}"
