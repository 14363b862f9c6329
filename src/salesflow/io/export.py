"""Writing salesflow data: lossless JSON, and the tables as JSON Lines, CSV, Parquet.

JSON (:func:`write_json`) is salesflow's own document format: an object, a
list, or a :class:`DataSet`, read back exactly by :func:`read_json`. The
table writers write the rows of :func:`salesflow.io.rows`: the snapshot,
history, activity and contact-role tables, and the line item and schedule
tables of :mod:`salesflow.line_item_rows`. Write them all to keep what the
tables hold; the buyer's side of a deal (confirmed facts, initiation, warning
signs, qualification, pursuit) has no column, and a snapshot write that leaves
some out says so with a :class:`~salesflow.LossWarning`.

CSV is safe to open in a spreadsheet: a text cell beginning with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is written with a leading
``'`` so no spreadsheet runs it as a formula (``neutralise=False`` turns this
off). Numbers, dates and flags are written by salesflow and never need it.

>>> import io
>>> import salesflow as sf
>>> from datetime import date, datetime, timezone
>>> from salesflow.io import write_csv
>>> opp = sf.presets.salesforce_standard().open(
...     name="=1+1", close_date=date(2026, 3, 31), id="o-1",
...     at=datetime(2026, 1, 5, tzinfo=timezone.utc))
>>> out = io.StringIO()
>>> write_csv(out, [opp])
1
>>> out.getvalue().splitlines()[1][:18]
"o-1,'=1+1,,,Prospe"
"""

from __future__ import annotations

import csv
import json
import os
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import IO, Any

import attrs

from salesflow._atomic import atomic_file
from salesflow.account import Account
from salesflow.activity import Activity
from salesflow.contact import Contact
from salesflow.errors import (
    FileFormatError,
    LossWarning,
    MissingExtraError,
    Problem,
    ValidationError,
)
from salesflow.io._source import MAX_IMPORT_BYTES, Source, json_value, name_of
from salesflow.opportunity import Opportunity
from salesflow.rows import COLUMNS, RowTable, rows
from salesflow.serialization import SCHEMA_VERSION, dumps, from_dict, to_dict

__all__ = ["DataSet", "read_json", "write_csv", "write_json", "write_jsonl", "write_parquet"]

_RISKY = ("=", "+", "-", "@", "\t", "\r")


_BUYER_SIDE = (
    "confirmed_facts",
    "initiation",
    "warning_signs",
    "qualification",
    "pursuit",
    "custom_roles",
)
"""What an opportunity holds that no table has a column for (salesflow JSON keeps it)."""


def _listed(items: Iterable[Any]) -> Any:
    """``items`` as a list when it is a collection; anything else as it is, for rows() to refuse."""
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        return items
    return list(items)


def _warn_lost(listed: Sequence[Any], table: RowTable) -> None:
    """Warn (:class:`~salesflow.LossWarning`) when the snapshot leaves out what a deal holds."""
    if table != "snapshot":
        return
    held = {
        name: sum(1 for o in listed if getattr(o, name, None) not in (None, ()))
        for name in _BUYER_SIDE
    }
    lost = {name: count for name, count in held.items() if count}
    if lost:
        shown = ", ".join(f"{name} ({count})" for name, count in lost.items())
        warnings.warn(
            f"the snapshot table has no column for {shown} of {len(listed)} opportunities; "
            "those fields are left out (write_json keeps everything)",
            LossWarning,
            stacklevel=3,
        )


def _tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class DataSet:
    """Opportunities with their accounts, contacts and activities, written as one JSON document.

    >>> import salesflow as sf
    >>> from salesflow.io import DataSet
    >>> DataSet(accounts=[sf.Account(name="Get Cloudy West", id="a-1")])
    DataSet(opportunities=(), accounts=(Account(id='a-1', name='Get Cloudy West', industry=None, website=None, description=None),), contacts=(), activities=())
    """

    opportunities: tuple[Opportunity, ...] = attrs.field(default=(), converter=_tuple)
    accounts: tuple[Account, ...] = attrs.field(default=(), converter=_tuple)
    contacts: tuple[Contact, ...] = attrs.field(default=(), converter=_tuple)
    activities: tuple[Activity, ...] = attrs.field(default=(), converter=_tuple)


_PARTS: tuple[tuple[str, type[Any]], ...] = (
    ("opportunities", Opportunity),
    ("accounts", Account),
    ("contacts", Contact),
    ("activities", Activity),
)


def _document(data: Any) -> str:
    if isinstance(data, DataSet):
        document: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
        for part, _ in _PARTS:
            document[part] = [to_dict(item) for item in getattr(data, part)]
        return json.dumps(document, ensure_ascii=False, indent=2)
    return dumps(data)


@contextmanager
def _opened(target: Source, mode: str) -> Iterator[IO[Any]]:
    if isinstance(target, (str, os.PathLike)):
        # Atomic: the target keeps its old content until the new one is complete on disk.
        try:
            with atomic_file(target, mode) as handle:
                yield handle
        except OSError as exc:
            raise FileFormatError(str(target), f"cannot write: {exc.strerror or exc}") from exc
    elif hasattr(target, "write"):
        yield target
    else:
        raise FileFormatError(
            repr(target), f"expected a file path or an open file, got {type(target).__name__}"
        )


def write_json(target: Source, data: Any) -> None:
    """Write a salesflow object, a list of them, or a :class:`DataSet` as JSON, losslessly.

    Args:
        target: A path, or a file open for text.
        data: What to write.

    Raises:
        ValidationError: ``data`` is not salesflow data.
        FileFormatError: The file cannot be written.
    """
    text = _document(data)
    with _opened(target, "w") as handle:
        handle.write(text)


def read_json(source: Source, *, max_bytes: int = MAX_IMPORT_BYTES) -> DataSet:
    """Read what :func:`write_json` wrote: a data set, a list of opportunities, or one.

    Args:
        source: A path or an open file.
        max_bytes: The largest file to read (default
            :data:`~salesflow.io.MAX_IMPORT_BYTES`, 2 GiB); only regular files
            are read, never a FIFO or a device.

    Raises:
        FileFormatError: Not a regular file, larger than ``max_bytes``, or not JSON.
        ValidationError: Not a salesflow document; every problem with its path.
    """
    # documents hold decimals as text
    name, value = json_value(source, exact=False, strict=True, max_bytes=max_bytes)
    if isinstance(value, list):
        return DataSet(opportunities=_strict(value, list[Opportunity], name))
    if isinstance(value, dict) and not any(part in value for part, _ in _PARTS):
        return DataSet(opportunities=[_strict(value, Opportunity, name)])
    if not isinstance(value, dict):
        raise ValidationError([Problem("expected a salesflow JSON document", "$")], subject=name)
    problems: list[Problem] = []
    parts: dict[str, Any] = {}
    extra = set(value) - {"schema_version", *(p for p, _ in _PARTS)}
    problems.extend(Problem(f"unknown key {k!r}", f"$.{k}") for k in sorted(extra))
    for part, cls in _PARTS:
        try:
            parts[part] = from_dict(value.get(part, []), list[cls])  # type: ignore[valid-type]
        except ValidationError as exc:
            problems.extend(Problem(p.message, f"$.{part}{p.path[1:]}") for p in exc.problems)
    if problems:
        raise ValidationError(problems, subject=name)
    return DataSet(**parts)


def _strict(value: object, cls: Any, name: str) -> Any:
    return from_dict(value, cls, subject=name)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _safe(value: Any, *, neutralise: bool) -> str:
    text = _text(value)
    if neutralise and isinstance(value, str) and text.startswith(_RISKY):
        return "'" + text
    return text


def write_csv(
    target: Source, items: Iterable[Any], *, table: RowTable = "snapshot", neutralise: bool = True
) -> int:
    """Write one of the tables as CSV (UTF-8, a header row, CRLF line ends).

    Args:
        target: A path, or a file open for text (open it with ``newline=""``).
        items: Opportunities (``snapshot``, ``history``, ``contact_roles``,
            ``line_items``, ``line_item_schedules``) or activities.
        table: Which table; write ``line_items`` and ``line_item_schedules``
            beside the snapshot to keep the deals' products (one row per line,
            one per installment keyed by ``opportunity_id`` and ``line_id``).
        neutralise: Prefix text cells that a spreadsheet would run as a formula with ``'``.

    Returns:
        The number of rows written.

    Raises:
        ValidationError: An unknown table or an item of the wrong type.
        FileFormatError: The file cannot be written.
    """
    listed = _listed(items)
    found = rows(listed, table=table)
    _warn_lost(listed, table)
    columns: Sequence[str] = COLUMNS[table]
    with _opened(target, "w") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in found:
            writer.writerow([_safe(row[c], neutralise=neutralise) for c in columns])
    return len(found)


def _json_default(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)  # Decimal: its exact text


def write_jsonl(target: Source, items: Iterable[Any], *, table: RowTable = "snapshot") -> int:
    """Write one of the tables as JSON Lines: one object per row.

    Decimals are written as strings (exact), dates and times in ISO 8601.

    Returns:
        The number of rows written.
    """
    listed = _listed(items)
    found = rows(listed, table=table)
    _warn_lost(listed, table)
    with _opened(target, "w") as handle:
        for row in found:
            handle.write(json.dumps(row, ensure_ascii=False, default=_json_default) + "\n")
    return len(found)


def _frame(listed: list[Any], table: RowTable) -> Any:
    from salesflow.analytics.frames import frames
    from salesflow.analytics.line_items import installments_table, line_items_table

    if table == "line_items":
        return line_items_table(listed)
    if table == "line_item_schedules":
        return installments_table(listed)
    tables = frames([], listed) if table == "activities" else frames(listed)
    return getattr(tables, table)


def write_parquet(
    target: str | os.PathLike[str] | IO[bytes],
    items: Iterable[Any],
    *,
    table: RowTable = "snapshot",
) -> int:
    """Write one of the tables as Parquet, typed (decimals, dates, UTC times).

    Needs the ``analytics`` extra (Polars): ``pip install 'salesflow[analytics]'``.

    Returns:
        The number of rows written.

    Raises:
        MissingExtraError: Polars is not installed.
        ValidationError: An item of the wrong type, or a value Parquet cannot
            hold (a decimal with more than 38 digits).
        FileFormatError: The file cannot be written.
    """
    from salesflow.analytics._require import require

    require("polars")
    listed = _listed(items)
    rows(listed, table=table)  # the same checks as the other writers
    _warn_lost(listed, table)
    try:
        frame = _frame(listed, table)
        if isinstance(target, (str, os.PathLike)):
            with atomic_file(target, "wb") as handle:
                frame.write_parquet(handle)
        else:
            frame.write_parquet(target)
    except (ValidationError, MissingExtraError):
        raise
    except OSError as exc:
        raise FileFormatError(name_of(target), f"cannot write: {exc}") from exc
    except Exception as exc:  # Polars: e.g. a decimal with more than 38 digits
        raise ValidationError(
            [Problem(f"cannot be written as Parquet: {exc}", "$")], subject=f"{table} table"
        ) from exc
    return int(frame.height)
