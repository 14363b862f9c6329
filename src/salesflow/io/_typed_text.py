"""Typed tables (Parquet, JSON Lines) as text cells the columnar rules read as the loop reads values.

The record loop (:func:`~salesflow.io.read_parquet`) reads each typed value
with the cell readers of :mod:`salesflow.io._values`; the columnar rules read
text. A typed column is written as text only where, for every value it can
hold, the text is taken (and gives the same value) exactly when the typed
value is, for the reader of the field the column fills: an integer as its
digits (not for a flag: ``1`` reads as true, the integer ``1`` does not; a
record whose id is an integer is refused without naming it, as the loop
names a refusal by a text id only), a decimal as
its digits, a float as its shortest text (not for text: a float is none), a
flag as ``true``/``false`` (not for text), a date as ``YYYY-MM-DD``, a
timestamp as ISO 8601 in UTC, or without an offset when it has no zone (for
a date: the day it names in its own zone, as written). Any other type in a
column the import reads leaves the file to the loop; so does a reader's
refusal of a typed column's cell (the loop words it: it names the value, not
its text), which :func:`~salesflow.io._columnar.import_files` reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from salesflow.io._assemble import Table
from salesflow.io._csv_frame import CsvFrame, emptied

__all__ = ["TextFile", "as_text", "jsonl_text"]

_TEXT, _NUMBER, _FLAG, _DAY, _TIME = "text", "number", "flag", "day", "time"

KINDS: dict[str, dict[str, str]] = {
    "Opportunity": {
        "amount": _NUMBER,
        "probability": _NUMBER,
        "push_count": _NUMBER,
        "is_closed": _FLAG,
        "is_won": _FLAG,
        "close_date": _DAY,
        "closed_on": _DAY,
        "created_at": _TIME,
        "last_stage_change_at": _TIME,
    },
    "OpportunityHistory": {
        "amount": _NUMBER,
        "previous_amount": _NUMBER,
        "probability": _NUMBER,
        "sequence": _NUMBER,
        "close_date": _DAY,
        "previous_close_date": _DAY,
        "at": _TIME,
    },
}
"""The reader of each field the loop does not read as text."""

_WRITES: dict[str, frozenset[str]] = {
    "integer": frozenset({_TEXT, _NUMBER, _DAY, _TIME}),
    "decimal": frozenset({_NUMBER, _DAY, _TIME}),
    "float": frozenset({_NUMBER, _FLAG, _DAY, _TIME}),
    "flag": frozenset({_NUMBER, _FLAG, _DAY, _TIME}),
    "day": frozenset({_NUMBER, _FLAG, _DAY, _TIME}),
    "time": frozenset({_NUMBER, _FLAG, _DAY, _TIME}),
}
"""The readers for which a typed column's text reads as its values do."""


@attrs.frozen
class TextFile:
    """A typed table (Parquet, JSON Lines) as text cells, and the header names whose cells were typed."""

    file: CsvFrame
    typed: frozenset[str]


def _type(pl: Any, dtype: Any) -> str | None:
    """The column's type as :data:`_WRITES` knows it; ``"text"`` for text; ``None``: unknown."""
    if dtype in (pl.String, pl.Null) or isinstance(dtype, (pl.Categorical, pl.Enum)):
        return "text"
    if dtype.is_integer():
        return "integer"
    if isinstance(dtype, pl.Decimal):
        return "decimal"
    if dtype.is_float():
        return "float"
    if dtype == pl.Boolean:
        return "flag"
    if dtype == pl.Date:
        return "day"
    if isinstance(dtype, pl.Datetime):
        return "time"
    return None


def _readers(header: list[str], table: Table, kinds: Mapping[str, str]) -> dict[str, set[str]]:
    """Each header name the import reads, and the readers of the fields it fills.

    A field is found as the rules find it: its first source name in the
    header, matched without case; of names differing only in case, the last.
    """
    last = {name.casefold(): name for name in header}
    found: dict[str, set[str]] = {}
    for field, names in table.items():
        for name in names:
            if name.casefold() in last:
                found.setdefault(last[name.casefold()], set()).add(kinds.get(field, _TEXT))
                break
    return found


def _written(pl: Any, column: Any, kind: str, readers: set[str]) -> Any:
    """A typed column as the text its values read as."""
    if kind == "float":
        return pl.Series(
            column.name, [None if x is None else repr(x) for x in column.to_list()], pl.String
        )
    if kind == "time" and _DAY in readers:  # the day as written, in the column's own zone
        return column.dt.to_string("%Y-%m-%d")
    if kind == "time":
        zone = column.dtype.time_zone
        moments = column if zone is None else column.dt.convert_time_zone("UTC")
        shape = "%Y-%m-%dT%H:%M:%S%.6f" + ("" if zone is None else "+00:00")
        return moments.dt.to_string(shape)
    return column.cast(pl.String)


def as_text(name: str, frame: Any, kind: str, table: Table) -> TextFile | None:
    """``frame`` (a Parquet file's) as a :class:`CsvFrame`, or ``None`` if the loop must read it.

    Columns the import does not read are kept by name only (their cells null).
    """
    from salesflow.analytics._require import require

    pl = require("polars")
    header = list(frame.columns)
    if not header:
        return None
    readers = _readers(header, table, KINDS.get(kind, {}))
    cells = [pl.int_range(1, frame.height + 1, eager=True, dtype=pl.Int64).alias("record")]
    typed = set()
    for index, column_name in enumerate(header):
        column = frame.get_column(column_name)
        if column_name not in readers:
            text = pl.repeat(None, frame.height, dtype=pl.String, eager=True)
        elif (found := _type(pl, column.dtype)) is None:
            return None
        elif found == "text":
            text = column.cast(pl.String)
        elif readers[column_name] <= _WRITES[found] and not {_DAY, _TIME} <= readers[column_name]:
            text = _written(pl, column, found, readers[column_name])
            typed.add(column_name)
        else:
            return None
        cells.append(text.alias(f"c{index}"))
    body = emptied(pl, pl.DataFrame(cells), header)
    return TextFile(CsvFrame(name, tuple(header), body, {}), frozenset(typed))


_JSON_WRITES: dict[type, frozenset[str]] = {
    int: frozenset({_TEXT, _NUMBER, _DAY, _TIME}),
    Decimal: frozenset({_TEXT, _NUMBER, _DAY, _TIME}),
    bool: frozenset({_NUMBER, _FLAG, _DAY, _TIME}),
}
"""The readers for which a JSON value's text reads as the value does (see :data:`_WRITES`).

A JSON number is its digits as written (``str`` of the exact decimal the
loop reads: ``1.50`` stays ``1.50``), where text belongs too (the loop keeps
a number's written digits there); ``true``/``false`` for a flag.
"""


def jsonl_text(name: str, records: Any, kind: str, table: Table) -> TextFile | None:
    """JSON Lines records (a :class:`~salesflow.io.table.JsonColumns`) as a :class:`CsvFrame`.

    ``None`` if a column the import reads holds a value whose text would not
    read as the value does, or text and numbers in one text column.
    """
    from salesflow.analytics._require import require

    pl = require("polars")
    header = list(records.header)
    height = len(records.numbers)
    readers = _readers(header, table, KINDS.get(kind, {}))
    cells = [pl.Series("record", records.numbers, pl.Int64)]
    typed = set()
    columns = zip(header, records.values, records.types, strict=True)
    for index, (column_name, values, types) in enumerate(columns):
        if column_name not in readers:
            cells.append(pl.repeat(None, height, dtype=pl.String, eager=True).alias(f"c{index}"))
            continue
        kinds = types - {str, type(None)}
        texts: Any = values
        if kinds:
            allowed = [_JSON_WRITES.get(k) for k in kinds]
            wanted = readers[column_name]
            if any(a is None or not wanted <= a for a in allowed):
                return None
            if _TEXT in wanted and str in types:
                return None  # text and numbers in one id column: the loop names refusals by text
            typed.add(column_name)
            texts = [
                v if v is None else ("true" if v else "false") if type(v) is bool else str(v)
                for v in values
            ]
        try:
            cells.append(pl.Series(f"c{index}", texts, pl.String))
        except Exception:  # text a frame cannot hold (a lone surrogate): the loop reads it
            return None
    body = emptied(pl, pl.DataFrame(cells), header)
    return TextFile(CsvFrame(name, tuple(header), body, {}), frozenset(typed))
