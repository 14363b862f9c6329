"""Salesforce's OpportunityLineItem (and OpportunityLineItemSchedule) exports, read onto opportunities."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import attrs

from salesflow.errors import Problem, ValidationError
from salesflow.io._cell_reader import CellReader
from salesflow.io._source import MAX_IMPORT_BYTES, Source, csv_rows
from salesflow.io.result import ImportResult, Refusal
from salesflow.line_item import LineItem
from salesflow.money import Money
from salesflow.opportunity import Opportunity
from salesflow.schedule import Installment

__all__ = ["read_salesforce_line_items"]

_LINE = "OpportunityLineItem"
_SCHEDULE = "OpportunityLineItemSchedule"


class _Cells(CellReader):
    """One record's cells, by their exact column names."""

    def __init__(self, cells: dict[str, str]) -> None:
        super().__init__()
        self.cells = cells

    def column(self, *names: str) -> tuple[str, str | None]:
        for name in names:
            value = self.cells.get(name, "").strip()
            if value:
                return name, value
        return names[0], None


def _schedules(
    source: Source, currencies: dict[str, str], encoding: str, max_bytes: int
) -> tuple[dict[str, list[Installment]], list[Refusal], int]:
    """Installments by line id, refusals, records read."""
    name, _, records = csv_rows(source, encoding=encoding, max_bytes=max_bytes)
    found: dict[str, list[Installment]] = {}
    refused: list[Refusal] = []
    count = 0
    for number, row, problems in records:
        count += 1
        cells = _Cells(row or {})
        cells.problems.extend(problems)
        line_id = cells.text("OpportunityLineItemId")
        on = cells.day("ScheduleDate", required=True)
        revenue = cells.decimal("Revenue")
        quantity = cells.decimal("Quantity")
        if line_id is None:
            cells.problems.append(Problem("required field missing", "$.OpportunityLineItemId"))
        elif line_id not in currencies:
            cells.problems.append(
                Problem(f"no line item {line_id!r} was taken", "$.OpportunityLineItemId")
            )
        if revenue is None and quantity is None and not cells.problems:
            cells.problems.append(Problem("neither Revenue nor Quantity", "$"))
        if cells.problems or line_id is None or on is None:
            refused.append(
                Refusal(
                    source=name,
                    kind=_SCHEDULE,
                    record=number,
                    id=cells.text("Id"),
                    problems=cells.problems,
                )
            )
            continue
        money = None if revenue is None else Money(revenue, currencies[line_id])
        found.setdefault(line_id, []).append(Installment(on=on, revenue=money, quantity=quantity))
    return found, refused, count


def read_salesforce_line_items(
    source: Source,
    *,
    opportunities: Iterable[Opportunity],
    schedules: Source | None = None,
    currency: str | None = None,
    encoding: str = "utf-8",
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ImportResult:
    """Read an OpportunityLineItem CSV export onto ``opportunities``.

    Columns: ``Id``, ``OpportunityId``, the product (``Product2.Name``,
    ``ProductName`` or ``Name``; ``Product2Id`` as a last resort),
    ``Product2.Family`` or ``Family``, ``ProductCode``, ``Quantity``,
    ``UnitPrice``, ``ListPrice``, ``Discount`` (a percentage), ``TotalPrice``
    (checked against the line's exact total rounded to cents, as Salesforce
    rounds it), ``ServiceDate``, ``CurrencyIsoCode`` (else ``currency``, else
    the opportunity's). ``schedules``, an OpportunityLineItemSchedule export
    (``OpportunityLineItemId``, ``ScheduleDate``, ``Revenue``, ``Quantity``),
    adds the installments to their lines.

    Args:
        source: The OpportunityLineItem CSV.
        opportunities: The opportunities the lines belong to (e.g. from
            :func:`read_salesforce_csv`); they are not changed.
        schedules: The OpportunityLineItemSchedule CSV, if any.
        currency: The currency of lines without ``CurrencyIsoCode``.
        encoding: The files' encoding.
        max_bytes: The largest file read.

    Returns:
        The opportunities (copies, with their ``line_items``), and every line
        or installment refused with its record number, field and reason:
        ``read == taken + refused`` for both kinds. Amounts stay as imported.

    Raises:
        FileFormatError: A file cannot be read as CSV.
    """
    opps: dict[str, Opportunity] = {opp.id: opp for opp in opportunities}
    lines: dict[str, list[LineItem]] = {}
    refused: list[Refusal] = []
    name, _, records = csv_rows(source, encoding=encoding, max_bytes=max_bytes)
    read = 0
    currencies: dict[str, str] = {}
    owner: dict[str, str] = {}
    records_of: dict[str, list[Refusal]] = {}
    for number, row, problems in records:
        read += 1
        cells = _Cells(row or {})
        cells.problems.extend(problems)
        line = _line(cells, opps, lines, currency)
        record = Refusal(
            source=name, kind=_LINE, record=number, id=cells.text("Id"), problems=cells.problems
        )
        if line is None:
            refused.append(record)
            continue
        oid = cells.text("OpportunityId") or ""
        lines.setdefault(oid, []).append(line)
        records_of.setdefault(oid, []).append(record)
        currencies[line.id] = line.currency
        owner[line.id] = oid
    for oid in list(lines):  # a deal that cannot take its lines refuses them, naming why
        try:
            attrs.evolve(opps[oid], line_items=(*opps[oid].line_items, *lines[oid]))
        except ValidationError as exc:  # e.g. a deal whose amount is computed from its lines
            reason = "; ".join(p.message for p in exc.problems)
            problem = Problem(f"deal {oid!r} cannot take its lines: {reason}", "$.OpportunityId")
            refused.extend(attrs.evolve(r, problems=[problem]) for r in records_of[oid])
            for line in lines.pop(oid):
                del currencies[line.id], owner[line.id]
    refused.sort(key=lambda r: r.record)
    read_counts = {_LINE: read}
    taken = {_LINE: sum(len(v) for v in lines.values())}
    if schedules is not None:
        found, more, count = _schedules(schedules, currencies, encoding, max_bytes)
        refused.extend(more)
        read_counts[_SCHEDULE] = count
        taken[_SCHEDULE] = sum(len(v) for v in found.values())
        for line_id, steps in found.items():
            oid = owner[line_id]
            lines[oid] = [
                attrs.evolve(x, schedule=(*x.schedule, *steps)) if x.id == line_id else x
                for x in lines[oid]
            ]
    result = [
        attrs.evolve(opp, line_items=(*opp.line_items, *lines[oid])) if oid in lines else opp
        for oid, opp in opps.items()
    ]
    return ImportResult(
        opportunities=tuple(result), refused=tuple(refused), read=read_counts, taken=taken
    )


def _line(
    cells: _Cells,
    opps: dict[str, Opportunity],
    lines: dict[str, list[LineItem]],
    currency: str | None,
) -> LineItem | None:
    """The line of one record, or ``None`` with its problems in ``cells.problems``."""
    oid = cells.text("OpportunityId")
    opp = None if oid is None else opps.get(oid)
    if oid is None:
        cells.problems.append(Problem("required field missing", "$.OpportunityId"))
    elif opp is None:
        cells.problems.append(Problem(f"no opportunity {oid!r} was given", "$.OpportunityId"))
    code = cells.text("CurrencyIsoCode") or currency
    if code is None and opp is not None and opp.amount is not None:
        code = opp.amount.currency
    if code is None:
        cells.problems.append(Problem("no currency: give currency=", "$.CurrencyIsoCode"))
    values: dict[str, Any] = {
        "product": cells.text("Product2.Name", "ProductName", "Name", "Product2Id"),
        "quantity": cells.decimal("Quantity", required=True),
        "discount": cells.decimal("Discount"),
        "product_family": cells.text("Product2.Family", "Family"),
        "product_code": cells.text("ProductCode"),
        "service_date": cells.day("ServiceDate"),
    }
    unit = cells.decimal("UnitPrice", required=True)
    listed = cells.decimal("ListPrice")
    total = cells.decimal("TotalPrice")
    line_id = cells.text("Id")
    if values["product"] is None:
        cells.problems.append(Problem("required field missing", "$.Product2.Name"))
    if cells.problems or code is None or unit is None:
        return None
    values["unit_price"] = Money(unit, code)
    values["list_price"] = None if listed is None else Money(listed, code)
    if line_id is not None:
        values["id"] = line_id
    try:
        line = LineItem(**values)
    except ValidationError as exc:
        cells.problems.extend(_renamed(p) for p in exc.problems)
        return None
    exact = line.total_price.amount
    if total is not None and exact.quantize(Decimal("0.01"), ROUND_HALF_UP) != total:
        cells.problems.append(
            Problem(f"TotalPrice {total} is not the line's total {exact}", "$.TotalPrice")
        )
        return None
    assert oid is not None and opp is not None
    taken = [*opp.line_items, *lines.get(oid, [])]
    if any(x.id == line.id for x in taken):
        cells.problems.append(Problem(f"line item {line.id!r} appears twice", "$.Id"))
    elif any(x.currency != line.currency for x in taken):
        cells.problems.append(
            Problem(f"the opportunity's other lines are not in {code}", "$.CurrencyIsoCode")
        )
    return None if cells.problems else line


_COLUMNS = {
    "$.quantity": "$.Quantity",
    "$.discount": "$.Discount",
    "$.list_price": "$.ListPrice",
    "$.product": "$.Product2.Name",
}


def _renamed(problem: Problem) -> Problem:
    return Problem(problem.message, _COLUMNS.get(problem.path, problem.path))
