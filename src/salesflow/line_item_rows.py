"""Line items as plain rows: one table of lines, one of their schedule installments, and back.

The table form of :class:`~salesflow.LineItem`, in Salesforce's shape: one row
per line (``OpportunityLineItem``, keyed by :data:`LINE_ITEM_COLUMNS`) and one
row per installment (``OpportunityLineItemSchedule``, keyed by
:data:`LINE_ITEM_SCHEDULE_COLUMNS`, joined to its line by ``opportunity_id``
and ``line_id``). Rows hold Python values: ``Decimal`` amounts, ``date`` s,
text, ``int`` s, ``None``. :func:`line_items_from_rows` reads them back into
equal lines, so any table library or file format can carry line items without
loss; :func:`salesflow.analytics.frames` builds its ``line_items`` table from
these rows.

>>> import salesflow as sf
>>> from datetime import date
>>> deal = sf.presets.salesforce_standard().open(
...     name="Sneakers", close_date=date(2026, 6, 30), id="o-1")
>>> line = sf.LineItem(product="Custom Sneakers", quantity=35,
...     unit_price=sf.Money("108.00", "USD"), discount="5", id="l-1",
...     ).with_revenue_schedule(start=date(2026, 7, 1), installments=2)
>>> _ = deal.add_line_item(line)
>>> row = line_item_rows([deal])[0]
>>> row["line_id"], row["total_price"], row["currency"]
('l-1', Decimal('3591.00'), 'USD')
>>> [(r["sequence"], r["revenue"]) for r in line_item_rows([deal], table="schedules")]
[(1, Decimal('1795.50')), (2, Decimal('1795.50'))]
>>> line_items_from_rows(line_item_rows([deal]), line_item_rows([deal], table="schedules"))
[('o-1', LineItem(id='l-1', product='Custom Sneakers', quantity=35, unit_price=Money('108.00', 'USD'), total_price=Money('3591.00', 'USD')))]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

import attrs

from salesflow.errors import Problem, ValidationError
from salesflow.line_item import LineItem
from salesflow.money import Money, to_decimal
from salesflow.opportunity import Opportunity
from salesflow.schedule import Installment

__all__ = [
    "LINE_ITEM_COLUMNS",
    "LINE_ITEM_SCHEDULE_COLUMNS",
    "LineItemTable",
    "line_item_rows",
    "line_items_from_rows",
]

LineItemTable = Literal["line_items", "schedules"]
"""The name of one of the two line item tables."""

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
"""The line items table's columns: one row per line (Salesforce's OpportunityLineItem shape).

``discount`` is a percentage; ``total_price``, ``arr`` and ``tcv`` are
derived (exact), written for analytics and checked when read back.
"""

LINE_ITEM_SCHEDULE_COLUMNS = (
    "opportunity_id",
    "line_id",
    "sequence",
    "schedule_date",
    "revenue",
    "quantity",
    "currency",
)
"""The schedules table's columns: one row per installment (OpportunityLineItemSchedule's shape).

``sequence`` orders one line's installments (1, 2, ...); ``currency`` is the line's.
"""

_DERIVED = ("total_price", "arr", "tcv")

_FIELDS = {
    "product": "product",
    "quantity": "quantity",
    "discount": "discount",
    "product_family": "product_family",
    "product_code": "product_code",
    "service_date": "service_date",
    "billing_frequency": "billing_frequency",
    "term_months": "term_months",
    "id": "line_id",
    "list_price": "list_price",
    "unit_price": "unit_price",
}
"""LineItem attribute → the column it is read from (for the problems' paths)."""


def _line(opportunity_id: str, line: LineItem) -> dict[str, Any]:
    return {
        "opportunity_id": opportunity_id,
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


def _installments(opportunity_id: str, line: LineItem) -> list[dict[str, Any]]:
    return [
        {
            "opportunity_id": opportunity_id,
            "line_id": line.id,
            "sequence": number,
            "schedule_date": step.on,
            "revenue": None if step.revenue is None else step.revenue.amount,
            "quantity": step.quantity,
            "currency": line.currency,
        }
        for number, step in enumerate(line.schedule, start=1)
    ]


def line_item_rows(
    opportunities: Iterable[Opportunity], *, table: LineItemTable = "line_items"
) -> list[dict[str, Any]]:
    """One line item table's rows: ``"line_items"`` (one per line) or ``"schedules"``.

    Lines keep each opportunity's order; installments keep each line's order
    (``sequence`` 1, 2, ...).

    Args:
        opportunities: The opportunities whose line items to write.
        table: ``"line_items"`` or ``"schedules"``.

    Returns:
        The rows, each with every column of the table, in order.

    Raises:
        ValidationError: An unknown table, or an item that is not an Opportunity.
    """
    if table not in ("line_items", "schedules"):
        raise ValidationError(
            [Problem(f"expected 'line_items' or 'schedules', got {table!r}", "$.table")],
            subject="line item rows",
        )
    if isinstance(opportunities, (str, bytes)) or not isinstance(opportunities, Iterable):
        raise ValidationError(
            [
                Problem(
                    f"expected a list of opportunities, got {type(opportunities).__name__}", "$"
                )
            ],
            subject="line item rows",
        )
    listed = list(opportunities)
    problems = [
        Problem(f"expected Opportunity, got {type(item).__name__}", f"$[{index}]")
        for index, item in enumerate(listed)
        if not isinstance(item, Opportunity)
    ]
    if problems:
        raise ValidationError(problems, subject="line item rows")
    if table == "line_items":
        return [_line(str(o.id), line) for o in listed for line in o.line_items]
    return [row for o in listed for line in o.line_items for row in _installments(str(o.id), line)]


def line_items_from_rows(
    lines: Iterable[Mapping[str, Any]], schedules: Iterable[Mapping[str, Any]] = ()
) -> list[tuple[str, LineItem]]:
    """``(opportunity_id, line)`` pairs from the rows of :func:`line_item_rows`, in row order.

    Installments are attached to their line by ``opportunity_id`` and
    ``line_id``, in ``sequence`` order. Missing optional columns are ``None``;
    ``total_price``, ``arr`` and ``tcv``, when given, must be the line's
    exactly, and a schedule row's ``currency``, when given, the line's.

    Args:
        lines: The line items table's rows.
        schedules: The schedules table's rows.

    Returns:
        Each line with the id of its opportunity.

    Raises:
        ValidationError: Every problem of every row, with its place
            (``$.line_items[3].discount``, ``$.schedules[7].line_id``).
    """
    problems: list[Problem] = []
    steps: dict[tuple[str, str], list[tuple[int, Mapping[str, Any]]]] = {}
    for index, row in enumerate(schedules):
        key = (str(row.get("opportunity_id")), str(row.get("line_id")))
        steps.setdefault(key, []).append((index, row))
    result: list[tuple[str, LineItem]] = []
    seen: set[tuple[str, str]] = set()
    for index, row in enumerate(lines):
        where = f"$.line_items[{index}]"
        owner = row.get("opportunity_id")
        if not isinstance(owner, str) or not owner.strip():
            problems.append(
                Problem(f"expected an opportunity id, got {owner!r}", f"{where}.opportunity_id")
            )
        line = _read_line(row, where, problems)
        if line is None or not isinstance(owner, str):
            steps.pop((str(owner), str(row.get("line_id"))), None)
            continue
        key = (owner, line.id)
        if key in seen:
            problems.append(
                Problem(
                    f"line {line.id!r} of opportunity {owner!r} given twice", f"{where}.line_id"
                )
            )
            continue
        seen.add(key)
        schedule = _read_schedule(line, steps.pop(key, []), problems)
        if schedule:
            line = attrs.evolve(line, schedule=schedule)
        result.append((owner, line))
    for (owner, line_id), orphans in steps.items():
        problems.extend(
            Problem(
                f"an installment of line {line_id!r} of opportunity {owner!r}, "
                "which is not in the line items table",
                f"$.schedules[{index}].line_id",
            )
            for index, _ in orphans
        )
    if problems:
        raise ValidationError(problems, subject="line item rows")
    return result


def _money(amount: Any, currency: Any, column: str, where: str, problems: list[Problem]) -> Any:
    if amount is None:
        return None
    try:
        return Money(amount, currency)
    except ValidationError as exc:
        for p in exc.problems:
            named = "currency" if p.path == "$.currency" else column
            problems.append(Problem(p.message, f"{where}.{named}"))
        return None


def _read_line(row: Mapping[str, Any], where: str, problems: list[Problem]) -> LineItem | None:
    """The line of one row, or ``None`` with its problems added to ``problems``."""
    found: list[Problem] = []
    currency = row.get("currency")
    unit = row.get("unit_price")
    if unit is None:
        found.append(Problem("required field missing", f"{where}.unit_price"))
    values: dict[str, Any] = {
        name: row.get(column)
        for name, column in _FIELDS.items()
        if name not in ("id", "unit_price", "list_price")
    }
    values["unit_price"] = _money(unit, currency, "unit_price", where, found)
    values["list_price"] = _money(row.get("list_price"), currency, "list_price", where, found)
    if row.get("line_id") is not None:
        values["id"] = row.get("line_id")
    if found:
        problems.extend(found)
        return None
    try:
        line = LineItem(**values)
    except ValidationError as exc:
        problems.extend(_located(exc, where))
        return None
    derived = {"total_price": line.total_price, "arr": line.arr, "tcv": line.tcv}
    for column in _DERIVED:
        given = row.get(column)
        if given is None:
            continue
        try:
            value = to_decimal(given, path=f"{where}.{column}")
        except ValidationError as exc:
            found.extend(exc.problems)
            continue
        if value != derived[column].amount:
            found.append(
                Problem(
                    f"{column} is {value} but the line's is {derived[column].amount}",
                    f"{where}.{column}",
                )
            )
    problems.extend(found)
    return None if found else line


def _read_schedule(
    line: LineItem, rows: list[tuple[int, Mapping[str, Any]]], problems: list[Problem]
) -> tuple[Installment, ...]:
    """The line's installments, in ``sequence`` order (row order without one)."""
    found: list[tuple[int, int, Installment]] = []
    numbers: set[int] = set()
    for index, row in rows:
        where = f"$.schedules[{index}]"
        before = len(problems)
        sequence = row.get("sequence")
        if sequence is not None and (isinstance(sequence, bool) or not isinstance(sequence, int)):
            problems.append(
                Problem(f"expected a whole number, got {sequence!r}", f"{where}.sequence")
            )
        elif sequence is not None and sequence in numbers:
            problems.append(Problem(f"installment {sequence} given twice", f"{where}.sequence"))
        currency = row.get("currency")
        if currency is not None and currency != line.currency:
            problems.append(
                Problem(f"the line is in {line.currency}, not {currency!r}", f"{where}.currency")
            )
        revenue = _money(row.get("revenue"), line.currency, "revenue", where, problems)
        if len(problems) > before:
            continue
        on: Any = row.get("schedule_date")  # checked by Installment
        try:
            step = Installment(on=on, revenue=revenue, quantity=row.get("quantity"))
        except ValidationError as exc:
            problems.extend(
                Problem(p.message, where + (".schedule_date" if p.path == "$.on" else p.path[1:]))
                for p in exc.problems
            )
            continue
        if sequence is not None:
            numbers.add(sequence)
        found.append((index if sequence is None else sequence, index, step))
    return tuple(step for _, _, step in sorted(found, key=lambda f: (f[0], f[1])))


def _located(exc: ValidationError, where: str) -> list[Problem]:
    located = []
    for p in exc.problems:
        head, dot, rest = p.path[2:].partition(".")
        name, bracket, tail = head.partition("[")
        column = _FIELDS.get(name)
        path = p.path[1:] if column is None else f".{column}{bracket}{tail}{dot}{rest}"
        located.append(Problem(p.message, where + ("" if path == "" else path)))
    return located
