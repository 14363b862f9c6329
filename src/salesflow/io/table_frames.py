r"""Importing the snapshot (and history) of any CSV file straight into frames.

:func:`read_csv_frames` reads what :func:`~salesflow.io.read_csv` reads
through the same :class:`~salesflow.Columns` mapping, refuses what it
refuses, for the same reasons at the same paths, and returns the tables
:func:`salesflow.analytics.frames` would make of the opportunities it took,
without making them: every rule is a column expression over the whole file
(Polars, the ``analytics`` extra). A property test holds the two paths to
the same records, reasons and frames.

>>> import io, salesflow as sf
>>> from salesflow.io import read_csv_frames
>>> snapshot = io.StringIO(
...     "id,name,stage,close_date,amount,currency\n"
...     "o-1,Acme,Prospecting,2026-03-31,100.5,USD\n"
...     "o-2,Initech,Nowhere,2026-03-31,200,USD\n")
>>> result = read_csv_frames(snapshot, process=sf.presets.salesforce_standard())
>>> result.frames.snapshot.select("id", "stage", "amount").rows()
[('o-1', 'Prospecting', Decimal('100.50'))]
>>> print(result.refused[0])
<stream> record 2 (o-2), Opportunity: unknown stage 'Nowhere' in process 'Salesforce standard'; its stages are ... @ $.stage
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from typing import Any

from salesflow._regular_file import check_limit
from salesflow.columns import Columns
from salesflow.columns import Table as TableName
from salesflow.io._assemble import Record, Table
from salesflow.io._cells import Options, make_options
from salesflow.io._columnar import import_files, import_frames, tabulated
from salesflow.io._source import MAX_IMPORT_BYTES, Source
from salesflow.io._typed_text import TextFile, as_text, jsonl_text
from salesflow.io.policy import CloseDatePolicy
from salesflow.io.result import ImportedFrames, ImportResult
from salesflow.io.table import (
    check_columns,
    jsonl_columns,
    jsonl_content,
    jsonl_records,
    parquet_file,
    parquet_records,
    read_records,
    source_fields,
)
from salesflow.process import SalesProcess

__all__ = ["read_csv_frames", "read_jsonl_frames", "read_parquet_frames"]


def read_csv_frames(
    snapshot: Source,
    *,
    process: SalesProcess,
    columns: Columns | None = None,
    history: Source | None = None,
    aliases: Mapping[str, str] | None = None,
    close_dates: CloseDatePolicy | None = None,
    currency: str | None = None,
    timezone: tzinfo | None = None,
    imported_at: datetime | None = None,
    encoding: str = "utf-8",
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ImportedFrames:
    """Import a CSV snapshot (and its history) as frames, at columnar speed.

    The same import as :func:`~salesflow.io.read_csv` without activities or
    contact roles: the same records are taken and refused, with the same
    reasons; the tables are those :func:`salesflow.analytics.frames` makes of
    the opportunities taken, except that ``next_gate_met`` is null (a gate is
    evaluated on an object). Needs the ``analytics`` extra (Polars).

    Args:
        snapshot: The snapshot file.
        process: The process whose stages the ``stage`` column must name.
        columns: What the files call salesflow's columns (default:
            ``Columns.salesflow()``, the exporters' names).
        history: The history file.
        aliases: Source stage name → process stage name.
        close_dates: What to do with an open deal without a close date.
        currency: The currency of amounts without a currency column.
        timezone: The zone of timestamps without an offset (read cell by
            cell in Python: slower).
        imported_at: The creation time of records whose source has none.
        encoding: The files' encoding.
        max_bytes: The largest file to read (default 2 GiB).

    Returns:
        The frames, and every record refused with its reasons.

    Raises:
        FileFormatError: A file is unreadable, not a regular file, larger than
            ``max_bytes``, empty, repeats a column, or (a text stream only)
            holds text that is not unicode.
        ValidationError: ``columns`` is no :class:`~salesflow.Columns`, an
            alias names a stage the process lacks, a bad ``max_bytes``, or an
            amount that a 38-digit decimal column cannot hold.
        MissingExtraError: Polars is not installed.
    """
    check_columns(columns)
    limit = check_limit(max_bytes)
    options = make_options(
        process,
        aliases=aliases,
        close_dates=close_dates,
        currency=currency,
        zone=timezone,
        imported_at=imported_at,
    )
    fields = source_fields(Columns.salesflow() if columns is None else columns)
    return import_frames(snapshot, history, fields, options, encoding=encoding, max_bytes=limit)


def read_parquet_frames(
    snapshot: Source,
    *,
    process: SalesProcess,
    columns: Columns | None = None,
    history: Source | None = None,
    aliases: Mapping[str, str] | None = None,
    close_dates: CloseDatePolicy | None = None,
    currency: str | None = None,
    timezone: tzinfo | None = None,
    imported_at: datetime | None = None,
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ImportedFrames:
    """Import a Parquet snapshot (and its history) as frames, at columnar speed.

    The same import as :func:`~salesflow.io.read_parquet` without activities
    or contact roles: the same records taken and refused, for the same
    reasons, and the tables :func:`salesflow.analytics.frames` makes of the
    opportunities taken (``next_gate_met`` null). Typed columns are read as
    :func:`~salesflow.io.read_parquet` reads them. A file whose columns hold
    a type no rule reads in columns (a flag where text belongs, a list, a
    date where a timestamp belongs), or one with a problem in a typed column,
    is read record by record and tabulated: the same answer, at the loop's
    speed. Needs the ``analytics`` extra (Polars).

    >>> import io, polars as pl, salesflow as sf
    >>> from decimal import Decimal
    >>> from datetime import date
    >>> from salesflow.io import read_parquet_frames
    >>> snapshot = io.BytesIO()
    >>> pl.DataFrame({"id": ["o-1", "o-2"], "stage": ["Prospecting", "Nowhere"],
    ...     "amount": [Decimal("100.50"), Decimal("200.00")], "currency": ["USD", "USD"],
    ...     "close_date": [date(2026, 3, 31)] * 2}).write_parquet(snapshot)
    >>> _ = snapshot.seek(0)
    >>> result = read_parquet_frames(snapshot, process=sf.presets.salesforce_standard())
    >>> result.frames.snapshot.select("id", "amount", "close_date").rows()
    [('o-1', Decimal('100.50'), datetime.date(2026, 3, 31))]
    >>> result.refused[0].reason
    "unknown stage 'Nowhere' in process 'Salesforce standard'; its stages are ..."

    Args:
        snapshot: The snapshot file.
        process: The process whose stages the ``stage`` column must name.
        columns: What the files call salesflow's columns (default:
            ``Columns.salesflow()``, the exporters' names).
        history: The history file.
        aliases: Source stage name → process stage name.
        close_dates: What to do with an open deal without a close date.
        currency: The currency of amounts without a currency column.
        timezone: The zone of timestamps without an offset.
        imported_at: The creation time of records whose source has none.
        max_bytes: The largest file to read (default 2 GiB).

    Returns:
        The frames, and every record refused with its reasons.

    Raises:
        FileFormatError: A file is not a regular file, is larger than
            ``max_bytes``, or cannot be read as Parquet.
        ValidationError: ``columns`` is no :class:`~salesflow.Columns`, an
            alias names a stage the process lacks, a bad ``max_bytes``, or an
            amount that a 38-digit decimal column cannot hold.
        MissingExtraError: Polars is not installed.
    """
    limit = check_limit(max_bytes)
    opps = parquet_file(snapshot, limit)
    hist = None if history is None else parquet_file(history, limit)
    keywords = _keywords(process, aliases, close_dates, currency, timezone, imported_at)
    options, fields = _prepared(columns, keywords)
    opp_text = as_text(*opps, "Opportunity", fields["Opportunity"])
    hist_text = (
        None
        if hist is None
        else as_text(*hist, "OpportunityHistory", fields["OpportunityHistory"])
    )

    loop = _loop(parquet_records, opps, hist, columns, keywords)
    return _in_columns_or_loop(opp_text, hist_text, hist is not None, fields, options, loop)


def read_jsonl_frames(
    snapshot: Source,
    *,
    process: SalesProcess,
    columns: Columns | None = None,
    history: Source | None = None,
    aliases: Mapping[str, str] | None = None,
    close_dates: CloseDatePolicy | None = None,
    currency: str | None = None,
    timezone: tzinfo | None = None,
    imported_at: datetime | None = None,
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ImportedFrames:
    r"""Import a JSON Lines snapshot (and its history) as frames, at columnar speed.

    The same import as :func:`~salesflow.io.read_jsonl` without activities or
    contact roles: the same records taken and refused, for the same reasons,
    and the tables :func:`salesflow.analytics.frames` makes of the
    opportunities taken (``next_gate_met`` null). A file whose lines all hold
    objects of the same keys, in the same order, of text, numbers, flags and
    nulls is ruled in columns; any other (a line that is no object, a key
    only some lines have, an array, a flag where text belongs), or one with a
    problem in a number or flag, is read record by record and tabulated: the
    same answer, at the loop's speed. Needs the ``analytics`` extra (Polars).

    >>> import io, salesflow as sf
    >>> from salesflow.io import read_jsonl_frames
    >>> snapshot = io.StringIO(
    ...     '{"id": "o-1", "stage": "Prospecting", "amount": 100.50, "close_date": "2026-03-31"}\n'
    ...     '{"id": "o-2", "stage": "Nowhere", "amount": 200, "close_date": "2026-03-31"}\n')
    >>> result = read_jsonl_frames(snapshot, process=sf.presets.salesforce_standard(),
    ...                            currency="USD")
    >>> result.frames.snapshot.select("id", "amount").rows()
    [('o-1', Decimal('100.50'))]
    >>> print(result.refused[0].reason)
    unknown stage 'Nowhere' in process 'Salesforce standard'; its stages are ... @ $.stage

    Args:
        snapshot: The snapshot file.
        process: The process whose stages the ``stage`` key must name.
        columns: What the files call salesflow's columns (default:
            ``Columns.salesflow()``, the exporters' names).
        history: The history file.
        aliases: Source stage name → process stage name.
        close_dates: What to do with an open deal without a close date.
        currency: The currency of amounts without a currency key.
        timezone: The zone of timestamps without an offset.
        imported_at: The creation time of records whose source has none.
        max_bytes: The largest file to read (default 2 GiB).

    Returns:
        The frames, and every record refused with its reasons.

    Raises:
        FileFormatError: A file cannot be read, is not a regular file, or is
            larger than ``max_bytes``.
        ValidationError: ``columns`` is no :class:`~salesflow.Columns`, an
            alias names a stage the process lacks, a bad ``max_bytes``, or an
            amount that a 38-digit decimal column cannot hold.
        MissingExtraError: Polars is not installed.
    """
    limit = check_limit(max_bytes)
    opps = jsonl_content(snapshot, limit)
    hist = None if history is None else jsonl_content(history, limit)
    keywords = _keywords(process, aliases, close_dates, currency, timezone, imported_at)
    options, fields = _prepared(columns, keywords)

    def text(content: tuple[str, str], kind: str) -> TextFile | None:
        found = jsonl_columns(content[1])
        return None if found is None else jsonl_text(content[0], found, kind, fields[kind])

    opp_text = text(opps, "Opportunity")
    hist_text = None if hist is None else text(hist, "OpportunityHistory")

    loop = _loop(jsonl_records, opps, hist, columns, keywords)
    return _in_columns_or_loop(opp_text, hist_text, hist is not None, fields, options, loop)


def _loop(
    read: Callable[[str, Any, TableName], list[Record]],
    snapshot: tuple[str, Any],
    history: tuple[str, Any] | None,
    columns: Columns | None,
    keywords: dict[str, Any],
) -> Callable[[], ImportResult]:
    """The object path's import of the same files, their records read one by one by ``read``."""

    def loop() -> ImportResult:
        records = {
            "snapshot": read(*snapshot, "snapshot"),
            "history": [] if history is None else read(*history, "history"),
            "activities": [],
            "contact_roles": [],
        }
        return read_records(records, columns=columns, **keywords)

    return loop


def _keywords(
    process: SalesProcess,
    aliases: Mapping[str, str] | None,
    close_dates: CloseDatePolicy | None,
    currency: str | None,
    timezone: tzinfo | None,
    imported_at: datetime | None,
) -> dict[str, Any]:
    """The reader's options, as :func:`~salesflow.io.table.read_records` takes them."""
    return {
        "process": process,
        "aliases": aliases,
        "close_dates": close_dates,
        "currency": currency,
        "timezone": timezone,
        "imported_at": imported_at,
    }


def _prepared(
    columns: Columns | None, keywords: dict[str, Any]
) -> tuple[Options, dict[str, Table]]:
    """The checked options, and each kind's fields through ``columns``."""
    check_columns(columns)
    options = make_options(
        keywords["process"],
        aliases=keywords["aliases"],
        close_dates=keywords["close_dates"],
        currency=keywords["currency"],
        zone=keywords["timezone"],
        imported_at=keywords["imported_at"],
    )
    return options, source_fields(Columns.salesflow() if columns is None else columns)


def _in_columns_or_loop(
    opp_text: TextFile | None,
    hist_text: TextFile | None,
    has_history: bool,
    fields: Mapping[str, Table],
    options: Options,
    loop: Callable[[], ImportResult],
) -> ImportedFrames:
    """The files' import in columns, else the record loop's, tabulated."""
    if opp_text is not None and (not has_history or hist_text is not None):
        found = import_files(
            opp_text.file,
            None if hist_text is None else hist_text.file,
            fields,
            options,
            typed={
                "Opportunity": opp_text.typed,
                "OpportunityHistory": () if hist_text is None else hist_text.typed,
            },
        )
        if found is not None:
            return found
    return tabulated(loop(), options.stages.process)
