"""Importing Salesforce data: CLI tree-import JSON and report / Data Loader CSV.

Field names are Salesforce's API names (``StageName``, ``CloseDate``) or the
labels of a report export (``Stage``, ``Close Date``), matched ignoring case,
so ``closedate`` finds ``CloseDate``. Timestamps are ISO 8601 with ``Z`` or an
offset (``+0000`` as Data Loader writes it). Stages resolve against the
process by name, or through the caller's ``aliases``; unknown ones are refused
with a "did you mean". JSON numbers are read as the decimal text written
(``parse_float=Decimal``), never through a float.

>>> import io, salesflow as sf
>>> from salesflow.io import read_salesforce_json
>>> tree = io.StringIO('''{"records": [
...   {"attributes": {"type": "Account", "referenceId": "AccRef1"}, "Name": "Get Cloudy West"},
...   {"attributes": {"type": "Opportunity", "referenceId": "OppRef1"}, "AccountId": "@AccRef1",
...    "Name": "35 Custom Sneakers", "amount": 4200.50, "CloseDate": "2026-07-01",
...    "StageName": "Needs Analysis", "CreatedDate": "2026-05-04T09:30:00Z"},
...   {"attributes": {"type": "Opportunity", "referenceId": "OppRef2"},
...    "Name": "Laces", "CloseDate": "2026-07-01", "StageName": "Closed/Won",
...    "CreatedDate": "2026-05-04T09:30:00Z"}]}''')
>>> result = read_salesforce_json(tree, process=sf.presets.salesforce_standard(), currency="USD")
>>> result.opportunities[0].amount, result.opportunities[0].account_id
(Money('4200.50', 'USD'), 'AccRef1')
>>> print(result.refused[0])
<stream> record 3 (OppRef2), Opportunity: unknown stage 'Closed/Won' in process 'Salesforce standard'; did you mean 'Closed Won'? (pass an alias to map it) @ $.StageName
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from salesflow._json import RepeatedKeys
from salesflow._regular_file import check_limit
from salesflow.errors import FileFormatError, Problem
from salesflow.io._assemble import Record, assemble
from salesflow.io._cells import Options, make_options
from salesflow.io._salesforce_fields import KINDS, SALESFORCE_FIELDS
from salesflow.io._source import MAX_IMPORT_BYTES, Source, csv_rows, fields, json_value, stem
from salesflow.io.policy import CloseDatePolicy
from salesflow.io.result import ImportResult
from salesflow.process import SalesProcess

__all__ = ["SALESFORCE_FIELDS", "read_salesforce_csv", "read_salesforce_json"]


def _tree_records(name: str, value: Any, repeats: bool = True) -> list[Record]:
    if not isinstance(value, Mapping) or not isinstance(value.get("records"), list):
        raise FileFormatError(name, 'expected a tree-import file: {"records": [...]}')
    records = []
    for number, item in enumerate(value["records"], start=1):
        if not isinstance(item, Mapping):
            records.append(
                Record(
                    name,
                    "?",
                    number,
                    {},
                    {},
                    [Problem(f"expected an object, got {type(item).__name__}", "$")],
                )
            )
            continue
        data, problems = fields(item, repeats=repeats)
        attributes = data.pop("attributes", None)
        kind: str = "?"
        ref: str | None = None
        if isinstance(attributes, Mapping):
            if isinstance(attributes.get("type"), str):
                kind = attributes["type"]
            if isinstance(attributes.get("referenceId"), str):
                ref = attributes["referenceId"]
        if kind == "?":
            problems.append(Problem("no attributes.type: which object is this?", "$.attributes"))
        elif kind not in KINDS:
            problems.append(
                Problem(f"salesflow does not import {kind} records", "$.attributes.type")
            )
        records.append(
            Record(
                name,
                kind,
                number,
                data,
                {k.casefold(): k for k in item if isinstance(k, str)},
                problems,
                ref,
            )
        )
    return records


def _parsed(source: Source, limit: int) -> tuple[str, Any, bool]:
    """A file's name and value, and whether any object in it repeats a key."""
    before = RepeatedKeys.made
    name, value = json_value(source, max_bytes=limit)
    return name, value, RepeatedKeys.made != before


def _expand(files: tuple[Source, ...], limit: int) -> list[tuple[str, Any, bool]]:
    """Parsed files (:func:`_parsed`), a data plan (``data-plan.json``) replaced by the files it lists."""
    parsed: list[tuple[str, Any, bool]] = []
    for source in files:
        name, value, repeats = _parsed(source, limit)
        if isinstance(value, list) and isinstance(source, (str, os.PathLike)):
            folder = Path(source).parent
            for step in value:
                listed = step.get("files") if isinstance(step, Mapping) else None
                if not isinstance(listed, list) or not all(isinstance(f, str) for f in listed):
                    raise FileFormatError(
                        name, 'expected a data plan: [{"sobject": ..., "files": [...]}]'
                    )
                parsed.extend(_parsed(folder / f, limit) for f in listed)
        else:
            parsed.append((name, value, repeats))
    return parsed


def read_salesforce_json(
    *files: Source,
    process: SalesProcess,
    aliases: Mapping[str, str] | None = None,
    close_dates: CloseDatePolicy | None = None,
    currency: str | None = None,
    timezone: tzinfo | None = None,
    imported_at: datetime | None = None,
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ImportResult:
    """Import Salesforce CLI tree-import files (``sf data import tree``).

    Records of every file are read together, so ``"AccountId": "@AccountRef1"``
    finds the account whose ``attributes.referenceId`` is ``AccountRef1`` in
    another file; the reference id becomes the salesflow id.

    Args:
        *files: Tree files (``{"records": [...]}``), or a ``data-plan.json``
            path, which stands for the files it lists.
        process: The process whose stages ``StageName`` must name.
        aliases: Source stage name → process stage name, for names the process lacks.
        close_dates: What to do with an open deal without a close date
            (default: :meth:`CloseDatePolicy.refuse`).
        currency: The currency of amounts without ``CurrencyIsoCode``
            (single-currency orgs export none); without it such amounts are refused.
        timezone: The zone of timestamps written without an offset; without
            it they are refused.
        imported_at: The creation time of records whose source has none
            (default: now); each use is noted in the result.
        max_bytes: The largest file to read (default
            :data:`~salesflow.io.MAX_IMPORT_BYTES`, 2 GiB); only regular files
            are read, never a FIFO or a device.

    Returns:
        The opportunities (contact roles and history attached), accounts,
        contacts, and every record refused with its reasons.

    Raises:
        FileFormatError: A file is unreadable, not a regular file, larger than
            ``max_bytes``, not JSON, or not a tree file.
        ValidationError: An alias names a stage the process lacks, or a bad ``max_bytes``.
    """
    limit = check_limit(max_bytes)
    options = make_options(
        process,
        aliases=aliases,
        close_dates=close_dates,
        currency=currency,
        zone=timezone,
        imported_at=imported_at,
    )
    return assembled(tree_records(files, limit), options)


def assembled(records: list[Record], options: Options) -> ImportResult:
    """The tree files' records (:func:`tree_records`) imported one by one."""
    refs = {r.ref for r in records if r.ref is not None}
    by_kind: dict[str, list[Record]] = {kind: [] for kind in KINDS}
    unknown = [r for r in records if r.kind not in by_kind]
    for record in records:
        if record.kind == "Event":
            record.default_kind = "meeting"
        if record.kind in by_kind:
            by_kind[record.kind].append(record)
    return assemble(
        options,
        opportunities=by_kind["Opportunity"] + unknown,
        accounts=by_kind["Account"],
        contacts=by_kind["Contact"],
        history=by_kind["OpportunityHistory"],
        contact_roles=by_kind["OpportunityContactRole"],
        activities=by_kind["Task"] + by_kind["Event"],
        tables=SALESFORCE_FIELDS,
        refs=refs,
        default_id=lambda r: r.ref or f"{stem(r.source)}-{r.number}",
    )


def tree_records(files: tuple[Source, ...], limit: int) -> list[Record]:
    """Every record of the tree files (a data plan: of the files it lists), in file order."""
    return [r for found in _expand(files, limit) for r in _tree_records(*found)]


def _csv_records(source: Source | None, kind: str, encoding: str, limit: int) -> list[Record]:
    if source is None:
        return []
    name, _, rows = csv_rows(source, encoding=encoding, max_bytes=limit)
    records = []
    for number, row, problems in rows:
        data, more = fields(row or {})
        spelled = {k.casefold(): k for k in (row or {})}
        record = Record(name, kind, number, data, spelled, [*problems, *more])
        record.default_kind = "meeting" if kind == "Event" else "task"
        records.append(record)
    return records


def read_salesforce_csv(
    opportunities: Source,
    *,
    process: SalesProcess,
    history: Source | None = None,
    contact_roles: Source | None = None,
    accounts: Source | None = None,
    contacts: Source | None = None,
    tasks: Source | None = None,
    events: Source | None = None,
    aliases: Mapping[str, str] | None = None,
    close_dates: CloseDatePolicy | None = None,
    currency: str | None = None,
    timezone: tzinfo | None = None,
    imported_at: datetime | None = None,
    encoding: str = "utf-8",
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ImportResult:
    """Import Salesforce CSV exports (Data Loader, or reports with standard columns).

    Args:
        opportunities: The Opportunity export.
        process: The process whose stages ``StageName`` must name.
        history: An OpportunityHistory export, attached to the opportunities
            (``OpportunityId``), in time order.
        contact_roles: An OpportunityContactRole export.
        accounts: An Account export.
        contacts: A Contact export.
        tasks: A Task export: calls, emails and tasks (``TaskSubtype``), tied
            to opportunities by ``WhatId``.
        events: An Event export: meetings.
        aliases: Source stage name → process stage name.
        close_dates: What to do with an open deal without a close date.
        currency: The currency of amounts without ``CurrencyIsoCode``.
        timezone: The zone of timestamps without an offset (report exports
            write local time); without it they are refused.
        imported_at: The creation time of records whose source has none.
        encoding: The files' encoding; a cell that does not decode refuses its row.
        max_bytes: The largest file to read (default 2 GiB); see
            :func:`read_salesforce_json`.

    Returns:
        See :func:`read_salesforce_json`. A file without an ``Id`` column gets
        ids made of its name and the record number (``Opportunities-7``).

    Raises:
        FileFormatError: A file is unreadable, not a regular file, larger than
            ``max_bytes``, empty, or repeats a column.
        ValidationError: An alias names a stage the process lacks, or a bad ``max_bytes``.
    """
    limit = check_limit(max_bytes)
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
        opportunities=_csv_records(opportunities, "Opportunity", encoding, limit),
        accounts=_csv_records(accounts, "Account", encoding, limit),
        contacts=_csv_records(contacts, "Contact", encoding, limit),
        history=_csv_records(history, "OpportunityHistory", encoding, limit),
        contact_roles=_csv_records(contact_roles, "OpportunityContactRole", encoding, limit),
        activities=[
            *_csv_records(tasks, "Task", encoding, limit),
            *_csv_records(events, "Event", encoding, limit),
        ],
        tables=SALESFORCE_FIELDS,
        default_id=lambda r: f"{stem(r.source)}-{r.number}",
    )
