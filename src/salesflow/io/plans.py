"""Targets and the forecast hierarchy from CSV files, as sales operations keep them.

A targets file has one row per target: ``node``, ``period`` (``FY2027 Q1``,
or a ``start`` date with a ``unit``), ``value``, and optionally ``measure``,
``currency`` and ``segment`` (Salesforce's ``ForecastingQuota`` export,
renamed). A teams file is either (node, parent) rows — ``node`` and
``parent`` columns, an empty parent at the top — or one row per leaf with its
whole path, given ``levels`` (Maven's ``sales_teams.csv``: ``sales_agent``,
``manager``, ``regional_office``). Both are checked whole; an error names the
file, the row (counting the header as line 1) and what is wrong.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
from collections.abc import Sequence
from datetime import date

from salesflow._regular_file import open_regular_file, read_limited
from salesflow.errors import FileFormatError, Problem, ValidationError
from salesflow.files import read_document
from salesflow.fiscal import FiscalCalendar
from salesflow.hierarchy import Hierarchy
from salesflow.io._source import MAX_IMPORT_BYTES
from salesflow.targets import Targets

__all__ = ["read_calendar", "read_hierarchy", "read_targets"]


def _rows(path: str | os.PathLike[str], max_bytes: int) -> list[dict[str, str]]:
    name = str(path)
    with open_regular_file(path, max_bytes=max_bytes) as handle:
        raw = read_limited(handle.read, name, max_bytes=max_bytes)
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise FileFormatError(name, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        rows = list(reader)
    except csv.Error as exc:
        raise FileFormatError(name, f"not CSV: {exc}") from exc
    if reader.fieldnames is None:
        raise FileFormatError(name, "empty: no header row")
    for i, row in enumerate(rows):
        if None in row:
            raise FileFormatError(name, f"line {i + 2} has more cells than the header")
    return rows


def _lines(exc: ValidationError, name: str) -> ValidationError:
    """The same problems, each at its file line (``$[0]`` is line 2)."""
    problems = []
    for p in exc.problems:
        path = p.path
        if path.startswith("$[") and "]" in path:
            index, rest = path[2:].split("]", 1)
            if index.isdigit():
                path = f"line {int(index) + 2}{rest.replace('.', ', column ', 1) if rest else ''}"
        problems.append(Problem(p.message, path))
    return ValidationError(problems, subject=name)


def read_targets(
    path: str | os.PathLike[str],
    *,
    calendar: FiscalCalendar | None = None,
    max_bytes: int = MAX_IMPORT_BYTES,
) -> Targets:
    """The targets in a CSV file (see the module's doc).

    Args:
        path: The file.
        calendar: The fiscal calendar the period labels are of (default: calendar years).
        max_bytes: The largest file read.

    Raises:
        FileFormatError: Not a readable CSV file.
        ValidationError: Bad rows, each named by its line; nothing is taken then.
    """
    name = str(path)
    rows: list[dict[str, object]] = []
    for row in _rows(path, max_bytes):
        given: dict[str, object] = {k: (v.strip() or None) for k, v in row.items() if k}
        start = given.get("start")
        if isinstance(start, str):
            with contextlib.suppress(ValueError):  # refused below as no period
                given["start"] = date.fromisoformat(start)
        rows.append(given)
    try:
        return Targets.from_rows(rows, calendar=calendar or FiscalCalendar.calendar_year())
    except ValidationError as exc:
        raise _lines(exc, name) from None


def read_hierarchy(
    path: str | os.PathLike[str],
    *,
    levels: Sequence[str] | None = None,
    top: str | None = None,
    max_bytes: int = MAX_IMPORT_BYTES,
) -> Hierarchy:
    """The forecast tree in a CSV file: ``node``, ``parent`` columns, or one path per row.

    Args:
        path: The file.
        levels: The columns of each row's path, leaf first (``("sales_agent",
            "manager", "regional_office")``); without them the file has
            ``node`` and ``parent`` columns.
        top: One node above every top node (``"Company"``), with ``levels``.
        max_bytes: The largest file read.

    Raises:
        FileFormatError: Not a readable CSV file, or without the columns asked for.
        ValidationError: Cycles, orphans, a node with two parents, each named by its line.
    """
    name = str(path)
    rows = _rows(path, max_bytes)
    wanted = list(levels) if levels is not None else ["node", "parent"]
    if rows:
        missing = [c for c in wanted if c not in rows[0]]
        if missing:
            present = [k for k in rows[0] if k]
            hint = (
                f"; or read each row as a path, leaf first: levels=({', '.join(map(repr, present))})"
                " (the CLI's --team-levels)"
                if levels is None and len(present) >= 2
                else ""
            )
            raise FileFormatError(
                name, f"no {', '.join(missing)} column (it has {', '.join(present)}){hint}"
            )
    try:
        if levels is not None:
            return Hierarchy.from_levels(rows, levels, top=top)
        return Hierarchy.from_pairs((r["node"], r["parent"]) for r in rows)
    except ValidationError as exc:
        raise _lines(exc, name) from None


_PERIOD_COLUMNS = {
    "type": "unit",
    "startdate": "start",
    "enddate": "end",
    "fiscalyearsettings.name": "fiscal_year",
    "fullyqualifiedlabel": "label",
}
"""Salesforce's ``Period`` export columns (any case), as :meth:`FiscalCalendar.from_dict` names them."""


def read_calendar(
    path: str | os.PathLike[str], *, max_bytes: int = MAX_IMPORT_BYTES
) -> FiscalCalendar:
    """A fiscal calendar from a settings file (YAML, JSON or TOML) or a CSV of periods.

    A settings file holds what :meth:`FiscalCalendar.from_dict` reads (``kind:
    weeks``, ``pattern: 4-4-5``, ``end_month: 12``, ``week_start: Sunday``…),
    at its top level or under a ``fiscal_calendar`` key. A CSV lists periods
    one per row: ``unit``, ``start``, ``end``, ``fiscal_year``, ``number`` and
    optionally ``label`` — or Salesforce's ``Period`` export (``Type``,
    ``StartDate``, ``EndDate``, ``Number``, ``FiscalYearSettings.Name``,
    ``FullyQualifiedLabel``).

    Raises:
        FileFormatError: Not a readable file of those kinds.
        ValidationError: A bad calendar, each problem at its key or line.
    """
    name = str(path)
    try:
        if name.lower().endswith(".csv"):
            rows = []
            for row in _rows(path, max_bytes):
                given: dict[str, object] = {}
                for key, value in row.items():
                    if not key:
                        continue
                    wanted = _PERIOD_COLUMNS.get(key.strip().lower(), key.strip().lower())
                    given[wanted] = value.strip() or None
                if isinstance(given.get("unit"), str):
                    given["unit"] = str(given["unit"]).lower()
                if given.get("label") is None:
                    given.pop("label", None)
                rows.append(given)
            return FiscalCalendar.from_dict({"kind": "listed", "periods": rows})
        document = read_document(path, max_bytes=max_bytes)
        inner = document.get("fiscal_calendar", document)
        if not isinstance(inner, dict):
            raise FileFormatError(name, "fiscal_calendar: expected a mapping")
        return FiscalCalendar.from_dict(inner)
    except ValidationError as exc:
        problems = [
            Problem(p.message, p.path.replace("$.periods[", "$[", 1)) for p in exc.problems
        ]
        if name.lower().endswith(".csv"):
            raise _lines(ValidationError(problems, subject=name), name) from None
        raise ValidationError(exc.problems, subject=name) from None
