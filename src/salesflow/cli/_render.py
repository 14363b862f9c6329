"""The report as terminal tables, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rich.table import Table
from rich.text import Text

from salesflow.cli._output import Output
from salesflow.cli._report import Report, Section
from salesflow.cli._terminal import safe_json, safe_text
from salesflow.money import Money

__all__ = ["as_csv", "as_json", "cell", "json_value", "print_report"]

_RISKY = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run these as formulas


_RATIOS = frozenset(
    {"conversion", "from_first", "win_rate", "attainment", "p_hit", "pace", "win_chance", "fit"}
)


def cell(value: Any, column: str = "") -> str:
    """A value as people read it: money with its currency, ratios as percentages.

    >>> cell(0.74534, "conversion"), cell(Decimal("1234.5")), cell(None)
    ('74.5 %', '1,234.50', '-')
    """
    if value is None:
        return "-"
    if column in _RATIOS and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{100 * value:.1f} %"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Money):
        return str(value)
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _header(name: str) -> str:
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]


def _table(section: Section) -> Table:
    table = Table()
    rows = section.rows if section.shown is None else section.rows[: section.shown]
    for column in section.columns:
        numeric = any(
            isinstance(row.get(column), (int, float, Decimal, Money))
            and not isinstance(row.get(column), bool)
            for row in rows
        )
        table.add_column(_header(column), justify="right" if numeric else "left")
    for row in rows:
        table.add_row(*(Text(safe_text(cell(row.get(c), c))) for c in section.columns))
    return table


def print_report(out: Output, report: Report) -> None:
    """Every section as a table, its notes under it."""
    out.line(f"{report.title}, as of {report.as_of:%Y-%m-%d %H:%M} UTC", style="bold")
    for section in report.sections:
        out.print()
        out.line(section.title, style="bold")
        if section.rows:
            out.print(_table(section))
        else:
            out.line("  (none)")
        hidden = len(section.rows) - (section.shown or len(section.rows))
        if hidden > 0:
            out.line(f"  ... and {hidden} more (--format json or csv lists them all)")
        for note in section.notes:
            out.line(f"  {note}", style="dim")


def json_value(value: Any) -> Any:
    """A value as exact JSON: decimals and money as text, dates in ISO 8601."""
    if isinstance(value, Money):
        return {"amount": str(value.amount), "currency": value.currency}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def as_json(report: Report) -> str:
    """The whole report as one JSON document (every row, not only those a table shows)."""
    document = {
        "title": report.title,
        "as_of": report.as_of.isoformat(),
        "sections": {
            section.key: {
                "title": section.title,
                "columns": list(section.columns),
                "rows": [{k: json_value(v) for k, v in row.items()} for row in section.rows],
                "notes": list(section.notes),
                "complete": section.complete,
                "empty": section.empty,
            }
            for section in report.sections
        },
    }
    return safe_json(json.dumps(document, ensure_ascii=False, indent=2))


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Money):
        return f"{value.amount} {value.currency}"
    text = str(json_value(value))
    return "'" + text if isinstance(value, str) and text.startswith(_RISKY) else text


def as_csv(report: Report) -> str:
    """The report in long form: one row per cell (``section,row,column,value``).

    Every section fits one table that way; pivot it back with
    ``df.pivot(on="column", index=["section", "row"], values="value")``. Text
    that a spreadsheet would run as a formula gets a leading ``'``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", "row", "column", "value"])
    for section in report.sections:
        for number, row in enumerate(section.rows, start=1):
            for column in section.columns:
                writer.writerow([section.key, number, column, _csv_text(row.get(column))])
    return buffer.getvalue()
