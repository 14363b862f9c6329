r"""The history table from "date entered stage" columns: Maven, HubSpot, any such sheet.

Many exports have no change history, only a date per stage: Maven's
``engage_date`` (entered Engaging) and ``close_date`` (won or lost), HubSpot's
``hs_date_entered_<stage id>`` or ``Date entered "<stage> (<pipeline>)"``. From
a mapping *stage → column*, :func:`read_stage_dates` builds salesflow's history
table (one row per stage a deal entered, in time order), to give the analytics
beside the snapshot:

>>> import io, salesflow as sf
>>> from salesflow.io import read_stage_dates
>>> deals = io.StringIO(
...     "opportunity_id,deal_stage,engage_date,close_date,close_value\r\n"
...     "A1,Won,2016-10-20,2017-03-01,1054\r\n"
...     "A2,Prospecting,,,\r\n"
...     "A3,Lost,2016-11-02,2016-10-01,0\r\n")
>>> history = read_stage_dates(deals, sf.presets.maven_stage_dates(),
...     process=sf.presets.maven(), columns=sf.Columns.maven(), currency="USD")
>>> [(r["opportunity_id"], r["at"].date().isoformat(), r["stage"]) for r in history.rows]
[('A1', '2016-10-20', 'Engaging'), ('A1', '2017-03-01', 'Won')]
>>> history.read, history.taken, len(history.refused)
(3, 2, 1)
>>> print(history.refused[0])
<stream> record 3 (A3), Opportunity: entered Lost on 2016-10-01 (close_date), before Engaging on 2016-11-02 (engage_date) @ $.close_date
>>> history.notes
('1 deals have no stage date (A2): no history rows for them',)

A column named for several stages (Maven's ``close_date`` for Won and Lost)
dates only the one the deal is in now. Each row carries the deal's snapshot
amount and currency: the file does not say how they changed. Dates are ISO
8601 (``2017-03-01``, or a timestamp with or without a zone; naive means
``timezone``, by default UTC) unless ``date_formats`` lists others (Maven's
spreadsheet variant: ``"%m/%d/%Y"``). Read = taken + refused; a row is refused
(with every reason) when its id or stage is missing or unknown, a date cannot
be read, its dates contradict the process's stage order, or another row gives
its id (every row of that id is refused, each naming the others: which one is
right is unknown).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time, tzinfo
from datetime import timezone as zones
from decimal import Decimal
from importlib.util import find_spec
from typing import Any, TypeGuard, cast

from salesflow._regular_file import check_limit
from salesflow.columns import Columns
from salesflow.errors import Problem, ValidationError
from salesflow.io._history_table import HistoryTable
from salesflow.io._repeated_ids import Place, same_ids, twice
from salesflow.io._source import MAX_IMPORT_BYTES, Source, csv_rows
from salesflow.io._stage_cells import moment_of, read_amount
from salesflow.io._stage_date_frames import stage_date_frames
from salesflow.io._values import Reject
from salesflow.io.result import Refusal
from salesflow.process import SalesProcess

__all__ = ["HistoryTable", "hubspot_stage_dates", "moment_of", "read_stage_dates"]

_HUBSPOT_HEADER = re.compile(r'^Date entered "(?P<stage>.+?)(?: \((?P<pipeline>[^()]*)\))?"$')


def hubspot_stage_dates(header: Iterable[str], *, pipeline: str | None = None) -> dict[str, str]:
    """The stage → column mapping of a HubSpot deals export's "date entered" columns.

    Reads both spellings: ``Date entered "<stage> (<pipeline>)"`` (the export's
    headers) and ``hs_date_entered_<stage id>`` (the API's properties, with the
    default pipeline's stage ids).

    Args:
        header: The export's column names.
        pipeline: Only this pipeline's columns (default: every pipeline's).

    >>> hubspot_stage_dates(['Deal Name', 'Date entered "Closed won (Sales Pipeline)"',
    ...                      "hs_date_entered_qualifiedtobuy"])
    {'Closed won': 'Date entered "Closed won (Sales Pipeline)"', 'Qualified to buy': 'hs_date_entered_qualifiedtobuy'}
    """
    from salesflow.io.hubspot import HUBSPOT_STAGE_IDS

    found: dict[str, str] = {}
    for column in header:
        match = _HUBSPOT_HEADER.match(column)
        if match and (pipeline is None or match["pipeline"] == pipeline):
            found.setdefault(match["stage"], column)
        elif column.startswith("hs_date_entered_"):
            stage = HUBSPOT_STAGE_IDS.get(column.removeprefix("hs_date_entered_"))
            if stage is not None:
                found.setdefault(stage, column)
    return found


def _check(
    process: SalesProcess, stage_dates: Mapping[str, str], date_formats: Sequence[str]
) -> None:
    problems = []
    if not isinstance(stage_dates, Mapping) or not stage_dates:
        problems.append(Problem("expected a non-empty mapping stage → column", "$.stage_dates"))
    else:
        for stage, column in stage_dates.items():
            if stage not in process:
                problems.append(
                    Problem(f"the process {process.name!r} has no stage {stage!r}", f"$.{stage}")
                )
            if not isinstance(column, str) or not column:
                problems.append(Problem(f"expected a column name, got {column!r}", f"$.{stage}"))
    if isinstance(date_formats, str) or not all(isinstance(f, str) for f in date_formats):
        problems.append(Problem("expected a list of strptime formats", "$.date_formats"))
    if problems:
        raise ValidationError(problems, subject="read_stage_dates")


def _mappings(source: object) -> TypeGuard[Iterable[Mapping[str, Any]]]:
    """Whether ``source`` is rows (mappings), not a file."""
    return (
        isinstance(source, Iterable)
        and not isinstance(source, (str, bytes))
        and not hasattr(source, "read")
    )


def source_rows(
    source: Source | Iterable[Mapping[str, Any]], encoding: str, max_bytes: int = MAX_IMPORT_BYTES
) -> tuple[str, Any]:
    """A source's name and its records ``(number, row or None, problems)``: CSV or mappings.

    Raises:
        FileFormatError: A CSV file that cannot be read (see :func:`csv_rows`).
        ValidationError: ``max_bytes`` is not a whole number >= 1.
    """
    check_limit(max_bytes)
    if _mappings(source):
        rows: Iterator[tuple[int, dict[str, Any] | None, list[Problem]]] = (
            (n, dict(row) if isinstance(row, Mapping) else None, [])
            for n, row in enumerate(source, start=1)
        )
        return "<rows>", rows
    name, _, records = csv_rows(source, encoding=encoding, max_bytes=max_bytes)  # type: ignore[arg-type]
    return name, records


def _cell(row: Mapping[str, Any], column: str) -> Any:
    value = row.get(column)
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def read_stage_dates(
    source: Source | Iterable[Mapping[str, Any]],
    stage_dates: Mapping[str, str],
    *,
    process: SalesProcess,
    columns: Columns | None = None,
    currency: str | None = None,
    date_formats: Sequence[str] = (),
    timezone: tzinfo = zones.utc,
    encoding: str = "utf-8",
    max_bytes: int = MAX_IMPORT_BYTES,
) -> HistoryTable:
    """Build the history table from one date column per stage.

    Args:
        source: A CSV file (path or open file), or rows as mappings
            (``df.to_dicts()``, ``df.to_dict("records")``).
        stage_dates: Stage → the column holding the day the deal entered it.
        process: The process: stage names, their order, and which are closed.
        columns: What the source calls ``id``, ``stage``, ``amount`` and
            ``currency`` (default: salesflow's names).
        currency: The currency of amounts in rows without a currency column.
        date_formats: ``strptime`` formats to try before ISO 8601.
        timezone: The zone of timestamps written without one.
        encoding: The CSV file's encoding.
        max_bytes: The largest file to read (default
            :data:`~salesflow.io.MAX_IMPORT_BYTES`, 2 GiB); only regular files
            are read, never a FIFO or a device.

    Returns:
        A :class:`HistoryTable`: the rows, and every record refused.

    Raises:
        FileFormatError: The file is not a regular file, is larger than
            ``max_bytes``, or cannot be read as CSV.
        ValidationError: A stage the process lacks, or a bad option.
    """
    _check(process, stage_dates, date_formats)
    names = Columns.salesflow() if columns is None else columns
    if not _mappings(source) and find_spec("polars") is not None:
        return stage_date_frames(
            cast("Source", source),  # not rows: a file
            stage_dates,
            process=process,
            names=names,
            currency=currency,
            date_formats=date_formats,
            timezone=timezone,
            encoding=encoding,
            max_bytes=check_limit(max_bytes),
        )
    order = {s.name: i for i, s in enumerate(process.stages)}
    closed = {s.name for s in process.closed_stages}
    shared: dict[str, list[str]] = {}
    for stage, column in stage_dates.items():
        shared.setdefault(column, []).append(stage)
    name, records = source_rows(source, encoding, max_bytes)
    id_path = f"$.{names.source('snapshot', 'id')}"
    # Every deal first, then the ids: every deal of a repeated id is refused.
    deals: list[tuple[Place, Any, list[Problem], list[dict[str, Any]]]] = []
    for number, row, problems in records:
        found = list(problems) if row is not None else [*problems, Problem("not a record", "$")]
        entries, ident, amount = [], None, None
        if row is not None:
            ident = _cell(row, names.source("snapshot", "id"))
            stage = _cell(row, names.source("snapshot", "stage"))
            if ident is None:
                found.append(Problem("no id", id_path))
            if stage is None or stage not in order:
                what = "no stage" if stage is None else f"unknown stage {stage!r}"
                found.append(Problem(what, f"$.{names.source('snapshot', 'stage')}"))
            for column, stages in shared.items():
                value = _cell(row, column)
                if value is None:
                    continue
                dated = [s for s in stages if s == stage] if len(stages) > 1 else stages
                if not dated:
                    continue
                moment = _moment(value, date_formats, timezone)
                if moment is None:
                    found.append(Problem(f"not a date: {str(value)[:40]!r}", f"$.{column}"))
                    continue
                entries.append((moment, order[dated[0]], dated[0], column))
            found += _out_of_order(entries)
            amount, bad = _amount(row, names)
            found += bad
        deal_rows = []
        if row is not None and not found:
            money_currency = _cell(row, names.source("snapshot", "currency")) or currency
            for moment, _, stage, _ in sorted(entries):
                deal_rows.append(
                    {
                        "opportunity_id": str(ident),
                        "at": moment,
                        "stage": stage,
                        "amount": amount,
                        "currency": None if money_currency is None else str(money_currency),
                        "close_date": moment.date() if stage in closed else None,
                    }
                )
        deals.append((Place(name, number), ident, found, deal_rows))
    repeated = same_ids((_key(ident), place) for place, ident, _, _ in deals)
    rows: list[dict[str, Any]] = []
    refused: list[Refusal] = []
    undated: list[str] = []
    for place, ident, found, deal_rows in deals:
        key = _key(ident)
        held = None if key is None else repeated.get(key)
        if key is not None and held is not None:
            found = [twice(key, place, held, id_path), *found]
        if found:
            refused.append(
                Refusal(
                    source=name,
                    kind="Opportunity",
                    record=place.number,
                    id=None if ident is None else str(ident),
                    problems=found,
                )
            )
        elif deal_rows:
            rows.extend(deal_rows)
        else:
            undated.append(str(ident))
    read = len(deals)
    taken = read - len(refused)
    notes = []
    if undated:
        shown = ", ".join(undated[:5]) + (", ..." if len(undated) > 5 else "")
        notes.append(
            f"{len(undated)} deals have no stage date ({shown}): no history rows for them"
        )
    return HistoryTable(
        rows=tuple(rows), read=read, taken=taken, refused=tuple(refused), notes=tuple(notes)
    )


def _moment(value: object, formats: Sequence[str], zone: tzinfo) -> datetime | None:
    """A cell's moment in UTC: a time or a day as it is, text as :func:`moment_of` reads it."""
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=value.tzinfo or zone)
    elif isinstance(value, date):
        moment = datetime.combine(value, time.min, tzinfo=zone)
    else:
        return moment_of(str(value), formats, zone)
    try:
        return moment.astimezone(zones.utc)
    except OverflowError:  # its UTC day is not a date
        return None


def _key(ident: object) -> str | None:
    """The id as deals are compared by it: the text it becomes in the table, unspaced."""
    return None if ident is None else str(ident).strip()


def _amount(row: Mapping[str, Any], names: Columns) -> tuple[Decimal | None, list[Problem]]:
    column = names.source("snapshot", "amount")
    value = _cell(row, column)
    if value is None:
        return None, []
    try:
        return read_amount(str(value)), []
    except Reject as exc:
        return None, [Problem(str(exc), f"$.{column}")]


def _out_of_order(entries: list[tuple[datetime, int, str, str]]) -> list[Problem]:
    """A stage entered before an earlier stage of the process: a contradiction, not a guess."""
    problems = []
    for moment, rank, stage, column in entries:
        for other_moment, other_rank, other_stage, other_column in entries:
            if other_rank < rank and other_moment > moment:
                problems.append(
                    Problem(
                        f"entered {stage} on {moment.date()} ({column}), before "
                        f"{other_stage} on {other_moment.date()} ({other_column})",
                        f"$.{column}",
                    )
                )
    return problems
