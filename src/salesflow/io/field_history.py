r"""The history table from Salesforce's ``OpportunityFieldHistory`` export.

Each row of that export is one change of one field: ``OpportunityId, Field,
OldValue, NewValue, CreatedDate`` (and a ``created`` row when the opportunity
was created). :func:`read_field_history` replays the changes of the tracked
fields (``StageName``, ``Amount``, ``CloseDate``, ``Probability``,
``ForecastCategoryName``, ``Owner`` / ``OwnerId``) into salesflow's history
table: one row per moment at which one of them changed, with the values after
the change and the amount and close date before it.

>>> import io, salesflow as sf
>>> from salesflow.io import read_field_history
>>> export = io.StringIO(
...     "OpportunityId,Field,OldValue,NewValue,CreatedDate\n"
...     "006A,created,,,2026-01-05T09:00:00.000+0000\n"
...     "006A,StageName,Prospecting,Qualification,2026-01-20T10:00:00.000+0000\n"
...     "006A,Amount,1000,1500,2026-01-20T10:00:00.000+0000\n"
...     "006A,Description,a,b,2026-01-21T10:00:00.000+0000\n")
>>> history = read_field_history(export, process=sf.presets.salesforce_standard(), currency="USD")
>>> [(r["at"].date().isoformat(), r["stage"], str(r["amount"])) for r in history.rows]
[('2026-01-05', 'Prospecting', '1000'), ('2026-01-20', 'Qualification', '1500')]
>>> history.read, history.taken, len(history.refused)
(4, 4, 0)

The state at creation is each field's value before its first change. Without
a ``created`` row, a deal's history starts at its first change (the notes say
for how many deals). Changes of fields that are not tracked are read and
taken, and give no row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, tzinfo
from datetime import timezone as zones
from importlib.util import find_spec
from typing import Any, cast

from salesflow._regular_file import check_limit
from salesflow.errors import Problem
from salesflow.io._field_history_frames import field_history_frames
from salesflow.io._history_columns import (
    CHANGE_KEYS,
    STAGE_HISTORY_FIELDS,
    STAGE_HISTORY_RECORDS,
)
from salesflow.io._history_columns import TRACKED as TRACKED
from salesflow.io._source import MAX_IMPORT_BYTES, Source
from salesflow.io._stage_cells import typed_value
from salesflow.io.result import Refusal
from salesflow.io.stage_dates import HistoryTable, _mappings, moment_of, source_rows
from salesflow.process import SalesProcess

__all__ = ["FIELD_NAMES", "read_field_history"]

FIELD_NAMES: Mapping[str, str] = {
    "StageName": "stage",
    "Amount": "amount",
    "CloseDate": "close_date",
    "Probability": "probability",
    "ForecastCategoryName": "forecast_category",
    "Owner": "owner",
    "OwnerId": "owner",
}
"""Salesforce field name → salesflow history column, for the fields replayed."""


def read_field_history(
    source: Source | Iterable[Mapping[str, Any]],
    *,
    process: SalesProcess,
    opportunities: Source | Iterable[Mapping[str, Any]] | None = None,
    stage_history: Source | Iterable[Mapping[str, Any]] | None = None,
    currency: str | None = None,
    timezone: tzinfo = zones.utc,
    encoding: str = "utf-8",
    max_bytes: int = MAX_IMPORT_BYTES,
) -> HistoryTable:
    """Replay an ``OpportunityFieldHistory`` export into the history table.

    Args:
        source: The export as CSV (path or open file), or rows as mappings.
        process: The process the stage values must name.
        opportunities: The ``Opportunity`` export (``Id``, ``CreatedDate`` and
            the tracked fields): a field never changed has its value there
            throughout, a deal without a ``created`` row starts at its
            ``CreatedDate``, and a deal without any change has one row.
        stage_history: The ``OpportunityHistory`` export (``OpportunityId``,
            ``CreatedDate``, ``StageName``, ``Amount``, ``CloseDate``,
            ``Probability``, ``ForecastCategory``), merged in: each of its rows
            sets those fields at its time. Where both exports say what a field
            became at one moment they must agree; an ``OpportunityHistory``
            row that contradicts the field history is refused, naming the
            field-history record.
        currency: The currency of the amounts (the export has none).
        timezone: The zone of times written without one.
        encoding: The CSV file's encoding.
        max_bytes: The largest file to read, each of ``source`` and
            ``opportunities`` (default :data:`~salesflow.io.MAX_IMPORT_BYTES`,
            2 GiB); only regular files are read, never a FIFO or a device.

    Returns:
        A :class:`~salesflow.io.HistoryTable`, and every change refused.

    Raises:
        FileFormatError: A file is not a regular file, is larger than
            ``max_bytes``, or cannot be read as CSV.
        ValidationError: A bad ``max_bytes``.
    """
    if (
        not _mappings(source)
        and all(s is None or not _mappings(s) for s in (opportunities, stage_history))
        and find_spec("polars") is not None
    ):
        return field_history_frames(
            cast("Source", source),  # not rows: files
            process=process,
            opportunities=cast("Source | None", opportunities),
            stage_history=cast("Source | None", stage_history),
            fields=FIELD_NAMES,
            keys=CHANGE_KEYS,
            currency=currency,
            timezone=timezone,
            encoding=encoding,
            max_bytes=check_limit(max_bytes),
        )
    name, records = source_rows(source, encoding, max_bytes)
    refused: list[Refusal] = []
    changes: dict[str, list[tuple[datetime, int, str, Any, Any]]] = {}
    read = 0
    for number, row, problems in records:
        read += 1
        found = list(problems) if row is not None else [*problems, Problem("not a record", "$")]
        ident = None
        if row is not None:
            ident = str(row.get("OpportunityId") or "").strip() or None
            field = str(row.get("Field") or "").strip()
            when = moment_of(str(row.get("CreatedDate") or ""), (), timezone)
            if ident is None:
                found.append(Problem("no OpportunityId", "$.OpportunityId"))
            if when is None:
                found.append(Problem("no readable CreatedDate", "$.CreatedDate"))
            column = FIELD_NAMES.get(field)
            old = new = None
            if column is not None:
                old, bad_old = typed_value(column, row.get("OldValue"), timezone)
                new, bad_new = typed_value(column, row.get("NewValue"), timezone)
                found += [
                    Problem(p, f"$.{w}")
                    for p, w in ((bad_old, "OldValue"), (bad_new, "NewValue"))
                    if p
                ]
                if column == "stage":
                    found += [
                        Problem(f"unknown stage {v!r}", "$.NewValue")
                        for v in (old, new)
                        if v is not None and v not in process
                    ]
            if not found and ident is not None and when is not None:
                key = column or ("created" if field.lower() == "created" else "")
                if key:
                    changes.setdefault(ident, []).append((when, number, key, old, new))
        if found:
            refused.append(
                Refusal(
                    source=name,
                    kind="OpportunityFieldHistory",
                    record=number,
                    id=ident,
                    problems=found,
                )
            )
    if stage_history is not None:
        read += _merge_stage_history(
            stage_history, process, timezone, encoding, changes, refused, max_bytes
        )
    current = (
        {} if opportunities is None else _current(opportunities, timezone, encoding, max_bytes)
    )
    for ident in current:
        changes.setdefault(ident, [])
    rows: list[dict[str, Any]] = []
    undated = 0
    for ident, events in changes.items():
        events.sort(key=lambda e: (e[0], e[1]))
        now, born = current.get(ident, ({}, None))
        changed = {e[2] for e in events}
        state: dict[str, Any] = {k: (None if k in changed else now.get(k)) for k in TRACKED}
        for _, _, key, old, _ in events:  # each field's value before its first change
            if key != "created" and state[key] is None:
                state[key] = old
        created = next((e[0] for e in events if e[2] == "created"), born)
        if created is None and events and events[0][1] >= STAGE_HISTORY_RECORDS:
            created = events[0][0]  # an OpportunityHistory row first: the deal's creation
        for when, _, key, _, new in events:  # what is set at creation is the first state
            if created is not None and when <= created and key != "created":
                state[key] = new
        if created is None:
            undated += 1
        else:
            rows.append(_row(ident, created, state, None, currency))
        by_moment: dict[datetime, list[tuple[str, Any]]] = {}
        for when, _, key, _, new in events:
            if key != "created" and (created is None or when > created):
                by_moment.setdefault(when, []).append((key, new))
        for when in sorted(by_moment):
            before = dict(state)
            for key, new in by_moment[when]:
                state[key] = new
            rows.append(_row(ident, when, state, before, currency))
    notes: tuple[str, ...] = ()
    if undated:
        notes = (
            f"{undated} deals have no 'created' row: their history starts at their first change",
        )
    taken = read - len(refused)
    return HistoryTable(
        rows=tuple(rows), read=read, taken=taken, refused=tuple(refused), notes=notes
    )


def _merge_stage_history(
    source: Source | Iterable[Mapping[str, Any]],
    process: SalesProcess,
    zone: tzinfo,
    encoding: str,
    changes: dict[str, list[tuple[datetime, int, str, Any, Any]]],
    refused: list[Refusal],
    max_bytes: int,
) -> int:
    """Add an ``OpportunityHistory`` export's rows to ``changes``; the rows read.

    Its records are numbered after the field history's (from
    ``STAGE_HISTORY_RECORDS``) so that, at one moment, the field history's
    changes come first.
    """
    name, records = source_rows(source, encoding, max_bytes)
    said = {
        (ident, when, key): (number, new)
        for ident, events in changes.items()
        for when, number, key, _, new in events
    }
    read = 0
    for number, row, problems in records:
        read += 1
        found = list(problems) if row is not None else [*problems, Problem("not a record", "$")]
        ident = None
        events = []
        if row is not None:
            ident = str(row.get("OpportunityId") or "").strip() or None
            when = moment_of(str(row.get("CreatedDate") or ""), (), zone)
            if ident is None:
                found.append(Problem("no OpportunityId", "$.OpportunityId"))
            if when is None:
                found.append(Problem("no readable CreatedDate", "$.CreatedDate"))
            for field, column in STAGE_HISTORY_FIELDS.items():
                if field not in row:
                    continue
                value, bad = typed_value(column, row.get(field), zone)
                if bad:
                    found.append(Problem(bad, f"$.{field}"))
                elif column == "stage" and value is not None and value not in process:
                    found.append(Problem(f"unknown stage {value!r}", f"$.{field}"))
                elif value is not None and when is not None and ident is not None:
                    other = said.get((ident, when, column))
                    if other is not None and other[1] != value:
                        found.append(
                            Problem(
                                f"{column} {value!r} contradicts the field history's "
                                f"{other[1]!r} (record {other[0]}) at the same moment",
                                f"$.{field}",
                            )
                        )
                    events.append((when, STAGE_HISTORY_RECORDS + number, column, None, value))
        if found:
            refused.append(
                Refusal(
                    source=name, kind="OpportunityHistory", record=number, id=ident, problems=found
                )
            )
        elif ident is not None:
            changes.setdefault(ident, []).extend(events)
    return read


def _current(
    source: Source | Iterable[Mapping[str, Any]], zone: tzinfo, encoding: str, max_bytes: int
) -> dict[str, tuple[dict[str, Any], datetime | None]]:
    """Each opportunity's tracked values now, and when it was created, from its export."""
    _, records = source_rows(source, encoding, max_bytes)
    found: dict[str, tuple[dict[str, Any], datetime | None]] = {}
    for _, row, _ in records:
        ident = None if row is None else str(row.get("Id") or "").strip()
        if not ident or row is None:
            continue
        values = {}
        for field, column in FIELD_NAMES.items():
            if field in row:
                values[column], _ = typed_value(column, row.get(field), zone)
        found[ident] = (values, moment_of(str(row.get("CreatedDate") or ""), (), zone))
    return found


def _row(
    ident: str,
    when: datetime,
    state: Mapping[str, Any],
    before: Mapping[str, Any] | None,
    currency: str | None,
) -> dict[str, Any]:
    return {
        "opportunity_id": ident,
        "at": when,
        **state,
        "currency": currency,
        "previous_amount": None if before is None else before["amount"],
        "previous_close_date": None if before is None else before["close_date"],
    }
