r"""The history table from row-versioned snapshots: dbt snapshots, Fivetran history mode, any SCD2.

A warehouse keeps every version of an opportunity row with the time it became
valid (``dbt_valid_from``, ``_fivetran_start``, or a column you name).
:func:`read_versions` turns the versions into salesflow's history table: one row
per version that changed the stage, amount, close date, probability, forecast
category or owner (a version that changed something else, such as the
description, gives no row).

>>> import io, salesflow as sf
>>> from salesflow.io import read_versions
>>> snapshot = io.StringIO(
...     "id,stage,amount,close_date,description,dbt_valid_from,dbt_valid_to\n"
...     "o1,Prospecting,100,2026-03-31,first,2026-01-05 09:00:00,2026-01-09 10:00:00\n"
...     "o1,Prospecting,100,2026-03-31,typo fixed,2026-01-09 10:00:00,2026-02-01 08:00:00\n"
...     "o1,Qualification,150,2026-04-30,typo fixed,2026-02-01 08:00:00,\n")
>>> history = read_versions(snapshot, process=sf.presets.salesforce_standard(), valid_from="dbt",
...                         currency="USD")
>>> [(r["at"].date().isoformat(), r["stage"], str(r["amount"]), str(r["previous_amount"]))
...  for r in history.rows]
[('2026-01-05', 'Prospecting', '100', 'None'), ('2026-02-01', 'Qualification', '150', '100')]
>>> history.read, history.taken, len(history.refused)
(3, 3, 0)

Versions are ordered by their valid-from time per deal; two versions of one
deal valid from the same moment are refused (naming both), as is a version
with an unknown stage, an unreadable time, amount or date. The snapshot's
column names come from ``columns`` (default: salesflow's own).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, tzinfo
from datetime import timezone as zones
from importlib.util import find_spec
from itertools import pairwise
from typing import Any, cast

from salesflow._regular_file import check_limit
from salesflow.columns import Columns
from salesflow.errors import Problem, ValidationError
from salesflow.io._history_columns import CHANGE_KEYS
from salesflow.io._history_columns import TRACKED as TRACKED
from salesflow.io._source import MAX_IMPORT_BYTES, Source
from salesflow.io._stage_cells import typed_value
from salesflow.io._version_frames import version_frames
from salesflow.io.result import Refusal
from salesflow.io.stage_dates import HistoryTable, _mappings, moment_of, source_rows
from salesflow.process import SalesProcess

__all__ = ["VALID_FROM", "read_versions", "typed_value"]

VALID_FROM: Mapping[str, str] = {"dbt": "dbt_valid_from", "fivetran": "_fivetran_start"}
"""The valid-from column of the warehouse tools salesflow knows, by name."""


def read_versions(
    source: Source | Iterable[Mapping[str, Any]],
    *,
    process: SalesProcess,
    valid_from: str = "dbt",
    columns: Columns | None = None,
    currency: str | None = None,
    timezone: tzinfo = zones.utc,
    encoding: str = "utf-8",
    max_bytes: int = MAX_IMPORT_BYTES,
) -> HistoryTable:
    """Build the history table from the versions of each opportunity row.

    Args:
        source: A CSV file (path or open file), or rows as mappings.
        process: The process the ``stage`` column must name.
        valid_from: ``"dbt"`` (``dbt_valid_from``), ``"fivetran"``
            (``_fivetran_start``), or the name of your valid-from column.
        columns: What the table calls salesflow's snapshot columns.
        currency: The currency of amounts in rows without a currency column.
        timezone: The zone of times written without one.
        encoding: The CSV file's encoding.
        max_bytes: The largest file to read (default
            :data:`~salesflow.io.MAX_IMPORT_BYTES`, 2 GiB); only regular files
            are read, never a FIFO or a device.

    Returns:
        A :class:`~salesflow.io.HistoryTable`: ``opportunity_id``, ``at`` (valid
        from), the tracked values and ``previous_amount`` /
        ``previous_close_date``; and every version refused.

    Raises:
        FileFormatError: The file is not a regular file, is larger than
            ``max_bytes``, or cannot be read as CSV.
        ValidationError: A bad option.
    """
    if not isinstance(valid_from, str) or not valid_from:
        raise ValidationError(
            [Problem(f"expected a column name, got {valid_from!r}", "$.valid_from")],
            subject="read_versions",
        )
    start_column = VALID_FROM.get(valid_from, valid_from)
    names = Columns.salesflow() if columns is None else columns
    if not _mappings(source) and find_spec("polars") is not None:
        return version_frames(
            cast("Source", source),  # not rows: a file
            process=process,
            start=start_column,
            names=names,
            keys=CHANGE_KEYS,
            currency=currency,
            timezone=timezone,
            encoding=encoding,
            max_bytes=check_limit(max_bytes),
        )
    name, records = source_rows(source, encoding, max_bytes)
    refused: list[Refusal] = []
    versions: dict[str, list[tuple[datetime, int, dict[str, Any]]]] = {}
    read = 0
    for number, row, problems in records:
        read += 1
        found = list(problems) if row is not None else [*problems, Problem("not a record", "$")]
        ident = None
        when: datetime | None = None
        state: dict[str, Any] = {}
        if row is not None:
            ident = row.get(names.source("snapshot", "id"))
            ident = None if ident is None or not str(ident).strip() else str(ident)
            if ident is None:
                found.append(Problem("no id", f"$.{names.source('snapshot', 'id')}"))
            start = row.get(start_column)
            when = start if isinstance(start, datetime) else None
            if when is None and start is not None and str(start).strip():
                when = moment_of(str(start), (), timezone)
            if when is None:
                found.append(Problem(f"no readable {start_column}", f"$.{start_column}"))
            elif when.tzinfo is None:
                when = when.replace(tzinfo=timezone)
            for column in (*TRACKED, "currency"):
                value, problem = typed_value(
                    column, row.get(names.source("snapshot", column)), timezone
                )
                if problem:
                    found.append(Problem(problem, f"$.{names.source('snapshot', column)}"))
                state[column] = value
            if state["stage"] is None or state["stage"] not in process:
                what = (
                    "no stage" if state["stage"] is None else f"unknown stage {state['stage']!r}"
                )
                found.append(Problem(what, f"$.{names.source('snapshot', 'stage')}"))
        if found or ident is None or when is None:
            refused.append(
                Refusal(source=name, kind="Opportunity", record=number, id=ident, problems=found)
            )
            continue
        versions.setdefault(ident, []).append((when.astimezone(zones.utc), number, state))
    rows: list[dict[str, Any]] = []
    for ident, found_versions in versions.items():
        found_versions.sort(key=lambda v: (v[0], v[1]))
        clash = _same_moment(found_versions)
        if clash:
            for _, number, _ in found_versions:
                refused.append(
                    Refusal(
                        source=name, kind="Opportunity", record=number, id=ident, problems=clash
                    )
                )
            continue
        previous: dict[str, Any] | None = None
        for moment, _, state in found_versions:
            if previous is not None and all(state[k] == previous[k] for k in TRACKED):
                continue
            rows.append(
                {
                    "opportunity_id": ident,
                    "at": moment,
                    **{k: state[k] for k in TRACKED},
                    "currency": state["currency"] or currency,
                    "previous_amount": None if previous is None else previous["amount"],
                    "previous_close_date": None if previous is None else previous["close_date"],
                }
            )
            previous = state
    rows.sort(key=lambda r: (r["opportunity_id"], r["at"]))
    taken = read - len(refused)
    return HistoryTable(rows=tuple(rows), read=read, taken=taken, refused=tuple(refused))


def _same_moment(found: list[tuple[datetime, int, dict[str, Any]]]) -> list[Problem]:
    for (first, one, _), (second, other, _) in pairwise(found):
        if first == second:
            return [
                Problem(
                    f"records {one} and {other} are versions valid from the same moment "
                    f"{first.isoformat()}: their order is unknown",
                    "$",
                )
            ]
    return []
