r"""Importing the three tables from any CSV or Parquet file, through a column mapping.

A :class:`~salesflow.Columns` says what the file calls each of salesflow's
columns (``Columns.salesflow()`` for files the exporters wrote,
``Columns.salesforce()``, ``Columns.maven()``, or your own with
``Columns.replace``). The snapshot file gives the opportunities; an optional
history file gives their history (attached by ``opportunity_id``), an
optional activities file their activities. A snapshot without a ``name``
column uses each opportunity's id as its name.

>>> import io, salesflow as sf
>>> from datetime import date
>>> from salesflow.io import CloseDatePolicy, read_csv
>>> maven = sf.SalesProcess(name="Maven", stages=[
...     sf.Stage("Prospecting", 10), sf.Stage("Engaging", 50),
...     sf.Stage("Won", 100, is_closed=True, is_won=True), sf.Stage("Lost", 0, is_closed=True)])
>>> csv_text = io.StringIO(
...     "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\r\n"
...     "1C1I7A6R,Moses Frase,GTX Plus Basic,Cancity,Won,2016-10-20,2017-03-01,1054\r\n"
...     "ZNBS69V1,Moses Frase,MG Special,,Prospecting,,,\r\n")
>>> result = read_csv(csv_text, process=maven, currency="USD",
...     columns=sf.Columns.maven().replace(snapshot={"created_at": "engage_date"}),
...     close_dates=CloseDatePolicy.fixed(date(2018, 3, 31)))
>>> [(o.id, o.stage, o.closed_on, o.close_date) for o in result.opportunities]
[('1C1I7A6R', 'Won', datetime.date(2017, 3, 1), datetime.date(2017, 3, 1)), ('ZNBS69V1', 'Prospecting', None, datetime.date(2018, 3, 31))]
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, tzinfo
from decimal import Decimal
from operator import itemgetter
from typing import Any

import attrs

from salesflow._json import marked_keys
from salesflow._regular_file import check_limit
from salesflow.columns import Columns, Table
from salesflow.errors import FileFormatError, Problem, ValidationError
from salesflow.io._assemble import Record, assemble
from salesflow.io._assemble import Table as FieldTable
from salesflow.io._cells import make_options
from salesflow.io._source import (
    MAX_IMPORT_BYTES,
    Source,
    binary_file,
    csv_rows,
    fields,
    name_of,
    read_bytes,
    stem,
)
from salesflow.io.policy import CloseDatePolicy
from salesflow.io.result import ImportResult
from salesflow.process import SalesProcess
from salesflow.rows import COLUMNS

__all__ = ["read_csv", "read_jsonl", "read_parquet"]

_KIND = {
    "snapshot": "Opportunity",
    "history": "OpportunityHistory",
    "activities": "Activity",
    "contact_roles": "OpportunityContactRole",
}


def _fields(columns: Columns, table: Table) -> FieldTable:
    return {c: (columns.source(table, c),) for c in COLUMNS[table]}


def source_fields(columns: Columns) -> dict[str, FieldTable]:
    """Each kind's salesflow fields and the column that holds each in the source."""
    return {
        "Opportunity": _fields(columns, "snapshot"),
        "OpportunityHistory": _fields(columns, "history"),
        "Activity": _fields(columns, "activities"),
        "Account": {},
        "Contact": {},
        "OpportunityContactRole": _fields(columns, "contact_roles"),
    }


def check_columns(columns: object) -> None:
    """Refuse a ``columns`` argument that is not a :class:`~salesflow.Columns`."""
    if columns is not None and not isinstance(columns, Columns):
        raise ValidationError(
            [Problem(f"expected a Columns mapping, got {type(columns).__name__}", "$.columns")],
            subject="import options",
        )


def _from_csv(source: Source | None, table: Table, encoding: str, limit: int) -> list[Record]:
    if source is None:
        return []
    name, _, rows = csv_rows(source, encoding=encoding, max_bytes=limit)
    found = []
    for number, row, problems in rows:
        data, more = fields(row or {})
        spelled = {k.casefold(): k for k in row or {}}
        found.append(Record(name, _KIND[table], number, data, spelled, [*problems, *more]))
    return found


def _from_rows(
    name: str, rows: Iterable[Mapping[str, Any]], table: Table, *, start: int = 1
) -> list[Record]:
    found = []
    for number, row in enumerate(rows, start=start):
        data, problems = fields(row)
        spelled = {k.casefold(): k for k in row}
        found.append(Record(name, _KIND[table], number, data, spelled, problems))
    return found


def read_records(
    records: dict[str, list[Record]],
    *,
    process: SalesProcess,
    columns: Columns | None,
    aliases: Mapping[str, str] | None,
    close_dates: CloseDatePolicy | None,
    currency: str | None,
    timezone: tzinfo | None,
    imported_at: datetime | None,
) -> ImportResult:
    """The records of the four tables, taken and refused as every table reader does."""
    check_columns(columns)
    options = make_options(
        process,
        aliases=aliases,
        close_dates=close_dates,
        currency=currency,
        zone=timezone,
        imported_at=imported_at,
    )
    return assemble(
        options,
        opportunities=records["snapshot"],
        history=records["history"],
        activities=records["activities"],
        contact_roles=records["contact_roles"],
        tables=source_fields(Columns.salesflow() if columns is None else columns),
        default_id=lambda r: f"{stem(r.source)}-{r.number}",
    )


def read_csv(
    snapshot: Source,
    *,
    process: SalesProcess,
    columns: Columns | None = None,
    history: Source | None = None,
    activities: Source | None = None,
    contact_roles: Source | None = None,
    aliases: Mapping[str, str] | None = None,
    close_dates: CloseDatePolicy | None = None,
    currency: str | None = None,
    timezone: tzinfo | None = None,
    imported_at: datetime | None = None,
    encoding: str = "utf-8",
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ImportResult:
    """Import the tables from CSV files, through a column mapping.

    Args:
        snapshot: The opportunities, one row each.
        process: The process whose stages the ``stage`` column must name.
        columns: What the files call salesflow's columns (default: salesflow's
            own names, as :func:`write_csv` writes them).
        history: The history table, attached to the opportunities.
        activities: The activity table.
        contact_roles: The contact-role table (what :func:`write_csv` writes
            with ``table="contact_roles"``), attached to the opportunities.
        aliases: Source stage name → process stage name.
        close_dates: What to do with an open deal without a close date
            (default: refuse it).
        currency: The currency of amounts in rows without a currency.
        timezone: The zone of timestamps without an offset.
        imported_at: The creation time of rows without one (default: now).
        encoding: The files' encoding.
        max_bytes: The largest file to read (default
            :data:`~salesflow.io.MAX_IMPORT_BYTES`, 2 GiB); only regular files
            are read, never a FIFO or a device.

    Returns:
        Opportunities (history attached) and activities, and every row refused.

    Raises:
        FileFormatError: A file is unreadable, not a regular file, larger than
            ``max_bytes``, empty, or repeats a column.
        ValidationError: An alias names a stage the process lacks, or a bad ``max_bytes``.
    """
    limit = check_limit(max_bytes)
    return read_records(
        {
            "snapshot": _from_csv(snapshot, "snapshot", encoding, limit),
            "history": _from_csv(history, "history", encoding, limit),
            "activities": _from_csv(activities, "activities", encoding, limit),
            "contact_roles": _from_csv(contact_roles, "contact_roles", encoding, limit),
        },
        process=process,
        columns=columns,
        aliases=aliases,
        close_dates=close_dates,
        currency=currency,
        timezone=timezone,
        imported_at=imported_at,
    )


def jsonl_content(source: Source, limit: int) -> tuple[str, str]:
    """A JSON Lines file's name and text (bytes that do not decode kept as surrogates)."""
    name = name_of(source)
    content = read_bytes(source, max_bytes=limit)
    text = (
        content.decode("utf-8", errors="surrogateescape")
        if isinstance(content, bytes)
        else content
    )
    return name, text


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """The non-blank lines, with their numbers."""
    for number, line in enumerate(text.removeprefix("\ufeff").split("\n"), start=1):
        if line.strip():
            yield number, line


def jsonl_records(name: str, text: str, table: Table) -> list[Record]:
    """One record per non-blank line; a line that is not a JSON object is refused."""
    found = []
    for number, line in _lines(text):
        try:
            value = json.loads(line, parse_float=Decimal, object_pairs_hook=marked_keys)
        except (ValueError, RecursionError) as exc:
            value = Problem(f"not JSON: {exc}", "$")
        if isinstance(value, dict):
            found.extend(_from_rows(name, [value], table, start=number))
        else:
            bad = value if isinstance(value, Problem) else Problem("expected an object", "$")
            found.append(Record(name, _KIND[table], number, {}, {}, [bad]))
    return found


@attrs.frozen
class JsonColumns:
    """JSON Lines records as columns: keys (one order for all), line numbers, values, types."""

    header: tuple[str, ...]
    numbers: list[int]
    values: list[tuple[Any, ...]]
    types: list[set[type]]


_DECODER = json.JSONDecoder(parse_float=Decimal)
_SPACED_KEY_END = re.compile(r'"[ \t\r]+:')
"""A key's end with JSON whitespace before its colon (``"key" : 1``)."""


def jsonl_columns(text: str) -> JsonColumns | None:
    """Every line's object as columns, or ``None`` where only the loop can say what it is.

    ``None`` when there is no line, a line is not a JSON object, lines name
    other keys or another order, a key repeats (a line with more key ends
    than its object has keys, counting conservatively), or a value is an
    array or an object: :func:`jsonl_records` words those. The lines are
    decoded as one array, joined by ``,`` and a line break: a line break
    cannot stand inside a JSON string, and without arrays and objects a
    separator can only fall between the lines' objects, so ``n`` lines give
    ``n`` items only if each line is one object.
    """
    numbered = list(_lines(text))
    if not numbered:
        return None
    lines = [line for _, line in numbered]
    try:
        items = _DECODER.decode("[" + ",\n".join(lines) + "]")
    except (ValueError, RecursionError):
        return None
    if len(items) != len(lines) or set(map(type, items)) != {dict}:
        return None
    header = tuple(items[0])
    if not header or any(tuple(item) != header for item in items):
        return None
    # every line wrote each key at least once: as many key ends as keys on every line
    ends = text.count('":') + len(_SPACED_KEY_END.findall(text))  # a string may hold more
    if ends != len(header) * len(lines):
        return None  # a key written twice, or a string holding a key's end: the loop decides
    values = [tuple(map(itemgetter(key), items)) for key in header]
    types = [set(map(type, column)) for column in values]
    if any({list, dict} & found for found in types):
        return None
    return JsonColumns(header, [number for number, _ in numbered], values, types)


def _jsonl_rows(source: Source | None, table: Table, limit: int) -> list[Record]:
    if source is None:
        return []
    return jsonl_records(*jsonl_content(source, limit), table)


def read_jsonl(
    snapshot: Source,
    *,
    process: SalesProcess,
    columns: Columns | None = None,
    history: Source | None = None,
    activities: Source | None = None,
    contact_roles: Source | None = None,
    aliases: Mapping[str, str] | None = None,
    close_dates: CloseDatePolicy | None = None,
    currency: str | None = None,
    timezone: tzinfo | None = None,
    imported_at: datetime | None = None,
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ImportResult:
    """Import the tables from JSON Lines files (one object per line); see :func:`read_csv`.

    Numbers are read as the decimal text written; a record's number is its line number.

    Raises:
        FileFormatError: A file cannot be read, is not a regular file, or is
            larger than ``max_bytes``.
    """
    limit = check_limit(max_bytes)
    return read_records(
        {
            "snapshot": _jsonl_rows(snapshot, "snapshot", limit),
            "history": _jsonl_rows(history, "history", limit),
            "activities": _jsonl_rows(activities, "activities", limit),
            "contact_roles": _jsonl_rows(contact_roles, "contact_roles", limit),
        },
        process=process,
        columns=columns,
        aliases=aliases,
        close_dates=close_dates,
        currency=currency,
        timezone=timezone,
        imported_at=imported_at,
    )


def parquet_file(source: Source, limit: int) -> tuple[str, Any]:
    """A Parquet file's name and its Polars frame; a path is checked before Polars opens it."""
    from salesflow.analytics._require import require

    pl = require("polars")
    name = name_of(source)
    with binary_file(source, max_bytes=limit) as handle:  # checked before Polars sees it
        try:
            frame = pl.read_parquet(handle)
        except Exception as exc:  # polars raises many kinds; all mean "not readable"
            raise FileFormatError(name, f"cannot read as Parquet: {exc}") from exc
    return name, frame


def parquet_records(name: str, frame: Any, table: Table) -> list[Record]:
    """A Parquet frame's rows as records of ``table``, numbered from 1."""
    return _from_rows(name, frame.iter_rows(named=True), table)


def _parquet_rows(source: Source | None, table: Table, limit: int) -> list[Record]:
    if source is None:
        return []
    return parquet_records(*parquet_file(source, limit), table)


def read_parquet(
    snapshot: Source,
    *,
    process: SalesProcess,
    columns: Columns | None = None,
    history: Source | None = None,
    activities: Source | None = None,
    contact_roles: Source | None = None,
    aliases: Mapping[str, str] | None = None,
    close_dates: CloseDatePolicy | None = None,
    currency: str | None = None,
    timezone: tzinfo | None = None,
    imported_at: datetime | None = None,
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ImportResult:
    """Import the tables from Parquet files; see :func:`read_csv`.

    Typed columns are read as they are (decimals, dates, times, flags); a
    float column's values are read as their shortest decimal text. Needs the
    ``analytics`` extra (Polars). A path is checked (a regular file of at
    most ``max_bytes``) before Polars opens it.

    Raises:
        MissingExtraError: Polars is not installed.
        FileFormatError: A file is not a regular file, is larger than
            ``max_bytes``, or cannot be read as Parquet.
    """
    limit = check_limit(max_bytes)
    return read_records(
        {
            "snapshot": _parquet_rows(snapshot, "snapshot", limit),
            "history": _parquet_rows(history, "history", limit),
            "activities": _parquet_rows(activities, "activities", limit),
            "contact_roles": _parquet_rows(contact_roles, "contact_roles", limit),
        },
        process=process,
        columns=columns,
        aliases=aliases,
        close_dates=close_dates,
        currency=currency,
        timezone=timezone,
        imported_at=imported_at,
    )
