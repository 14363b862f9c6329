r"""Importing HubSpot deals from a CSV export.

Columns may carry HubSpot's internal property names (``dealname``,
``dealstage``, ``closedate``, ``hs_date_entered_closedwon``) or the export's
labels (``Deal Name``, ``Deal Stage``, ``Close Date``), matched ignoring case.
A stage may be written as its internal id (``appointmentscheduled``) or its
label; the default pipeline's ids map to
:func:`salesflow.presets.hubspot_default`'s stages, other pipelines' ids need
``aliases``. Each ``hs_date_entered_<stage id>`` value becomes a history entry.

>>> import io, salesflow as sf
>>> from salesflow.io import read_hubspot_csv
>>> export = io.StringIO(
...     "Record ID,Deal Name,Deal Stage,Amount,Close Date,Pipeline,Create Date,"
...     "hs_date_entered_appointmentscheduled,hs_date_entered_qualifiedtobuy\n"
...     "101,Sneakers,qualifiedtobuy,4200,2026-06-30,default,2026-05-01T09:00:00Z,"
...     "2026-05-01T09:00:00Z,2026-05-08T12:00:00Z\n")
>>> result = read_hubspot_csv(export, process=sf.presets.hubspot_default(), currency="USD")
>>> deal = result.opportunities[0]
>>> deal.stage, [h.stage for h in deal.history]
('Qualified to buy', ['Appointment scheduled', 'Qualified to buy'])
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, tzinfo

import attrs

from salesflow._regular_file import check_limit
from salesflow.errors import Problem
from salesflow.history import HistoryEntry
from salesflow.io._assemble import Record, Table
from salesflow.io._build import build_opportunity
from salesflow.io._cells import Cells, Options, make_options
from salesflow.io._repeated_ids import Place, id_key, same_ids, twice
from salesflow.io._source import MAX_IMPORT_BYTES, Source, csv_rows, fields
from salesflow.io._stages import StageMap
from salesflow.io._values import Reject, read_decimal
from salesflow.io.policy import CloseDatePolicy
from salesflow.io.result import ImportResult, Note, Refusal
from salesflow.opportunity import Opportunity
from salesflow.process import SalesProcess

__all__ = ["HUBSPOT_FIELDS", "HUBSPOT_STAGE_IDS", "read_hubspot_csv"]

HUBSPOT_STAGE_IDS: Mapping[str, str] = {
    "appointmentscheduled": "Appointment scheduled",
    "qualifiedtobuy": "Qualified to buy",
    "presentationscheduled": "Presentation scheduled",
    "decisionmakerboughtin": "Decision maker bought-in",
    "contractsent": "Contract sent",
    "closedwon": "Closed won",
    "closedlost": "Closed lost",
}
"""HubSpot's default pipeline: internal stage id → stage label."""

HUBSPOT_FIELDS: Table = {
    "id": ("hs_object_id", "Record ID", "Deal ID"),
    "name": ("dealname", "Deal Name"),
    "account_id": (
        "associatedcompanyid",
        "Associated Company IDs (Primary)",
        "Associated Company",
    ),
    "owner": ("hubspot_owner_id", "Deal owner", "Deal Owner"),
    "stage": ("dealstage", "Deal Stage"),
    "amount": ("amount", "Amount"),
    "currency": ("deal_currency_code", "Currency"),
    "probability": ("hs_deal_stage_probability", "Deal probability", "Deal Stage Probability"),
    "close_date": ("closedate", "Close Date"),
    "created_at": ("createdate", "Create Date"),
    "type": ("dealtype", "Deal Type"),
    "description": ("description", "Deal Description"),
    "lost_reason": ("closed_lost_reason", "Closed Lost Reason"),
}
"""The deal properties read: salesflow field → HubSpot names, preferred first."""

_PIPELINE = ("pipeline", "Pipeline")
_ENTERED = re.compile(r"hs_(?:v2_)?date_entered_(.+)", re.IGNORECASE)
_ENTERED_LABEL = re.compile(r"date entered [\"'](.+) \((.+)\)[\"']", re.IGNORECASE)


def _entered(record: Record) -> list[tuple[str, str, object]]:
    """(column, stage id or label, value) of every date-entered column with a value."""
    found = []
    for key, value in record.data.items():
        if value in (None, ""):
            continue
        match = _ENTERED.fullmatch(key) or _ENTERED_LABEL.fullmatch(key)
        if match:
            spelled = record.spelled.get(key, key)
            stage = _ENTERED.fullmatch(spelled) or _ENTERED_LABEL.fullmatch(spelled)
            assert stage is not None
            found.append((spelled, stage.group(1), value))
    return found


def _history(
    record: Record, cells: Cells, options: Options, stages: StageMap
) -> list[tuple[datetime, str, str]]:
    """(when, stage, column) for each stage the deal entered, oldest first."""
    entered = []
    for column, stage_id, value in _entered(record):
        probe = Cells({"at": value, "stage": stage_id}, {"at": column, "stage": column})
        at = probe.when("at", options.zone)
        stage = probe.read("stage", stages.resolve)
        cells.problems.extend(probe.problems)
        if at is not None and stage is not None:
            entered.append((at, stage, column))
    return sorted(entered)


def read_hubspot_csv(
    deals: Source,
    *,
    process: SalesProcess,
    pipeline: str | None = None,
    aliases: Mapping[str, str] | None = None,
    close_dates: CloseDatePolicy | None = None,
    currency: str | None = None,
    timezone: tzinfo | None = None,
    imported_at: datetime | None = None,
    encoding: str = "utf-8",
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ImportResult:
    """Import a HubSpot deals export.

    History: each ``hs_date_entered_<stage id>`` (``hs_v2_date_entered_...``,
    or ``Date entered "Label (Pipeline)"``) value is an entry in that stage, at
    that time, with the stage's probability and category. HubSpot keeps only
    the latest entry into each stage. The export holds only today's amount and
    close date, so every entry carries those; the first entry has no previous
    values. A deal in a closed stage closed on the (UTC) day it last entered it.
    ``hs_deal_stage_probability`` is 0..1 in HubSpot and is read as a percentage.

    Args:
        deals: The deals CSV.
        process: The pipeline as a process (e.g. ``presets.hubspot_default()``).
        pipeline: Take only deals whose ``pipeline`` is this (id or label);
            others are refused. Default: every deal.
        aliases: Source stage id or label → process stage name (other pipelines' ids).
        close_dates: What to do with an open deal without a close date.
        currency: The currency of amounts without ``deal_currency_code``.
        timezone: The zone of timestamps without an offset (HubSpot's UI
            exports write the portal's local time); without it they are refused.
        imported_at: The creation time of deals whose row has none.
        encoding: The file's encoding.
        max_bytes: The largest file to read (default
            :data:`~salesflow.io.MAX_IMPORT_BYTES`, 2 GiB); only regular files
            are read, never a FIFO or a device.

    Returns:
        The deals as opportunities with their history, and every row refused.

    Raises:
        FileFormatError: The file is unreadable, not a regular file, larger
            than ``max_bytes``, empty, or repeats a column.
        ValidationError: An alias names a stage the process lacks, or a bad ``max_bytes``.
    """
    limit = check_limit(max_bytes)
    options = hubspot_options(
        process,
        aliases=aliases,
        close_dates=close_dates,
        currency=currency,
        timezone=timezone,
        imported_at=imported_at,
    )
    stages = options.stages
    name, _, rows = csv_rows(deals, encoding=encoding, max_bytes=limit)
    # Every row first (taken or not), then the ids: a repeated id refuses all its rows.
    done: list[tuple[Place, str | None, str, Refusal, Opportunity | None, list[Note]]] = []
    for number, row, problems in rows:
        data, more = fields(row or {})
        record = Record(name, "Deal", number, data, {k.casefold(): k for k in row or {}})
        cells = record.cells(HUBSPOT_FIELDS)
        cells.problems.extend([*problems, *more])
        _scale_probability(cells)
        _check_pipeline(record, cells, pipeline)
        entered = _history(record, cells, options, stages)
        if entered:
            cells.values = {**cells.values, **_closing(cells, entered, stages)}
        mine: list[Note] = []
        opp = build_opportunity(
            cells, options, default_id=f"deal-{number}", notes=mine, source=name, record=number
        )
        if opp is not None and entered:
            opp = _with_history(opp, entered, stages)
        # Kept: where the row is and what is wrong with it, not its cells.
        refusal = record.refusal(cells.problems, cells.values.get("id"))
        key = id_key(cells.values.get("id"))
        done.append((Place(name, number), key, cells.path("id"), refusal, opp, mine))
    repeated = same_ids((key, where) for where, key, *_ in done)
    taken: list[Opportunity] = []
    refused: list[Refusal] = []
    notes: list[Note] = []
    for where, key, path, refusal, opp, mine in done:
        held = None if key is None else repeated.get(key)
        if key is not None and held is not None:  # which of them is right is unknown
            first = twice(key, where, held, path)
            refused.append(attrs.evolve(refusal, problems=(first, *refusal.problems)))
        elif opp is None:
            refused.append(refusal)
        else:
            taken.append(opp)
            notes.extend(mine)
    return ImportResult(
        opportunities=tuple(taken),
        refused=tuple(refused),
        notes=tuple(notes),
        read={"Deal": len(done)},
        taken={"Deal": len(taken)},
    )


def hubspot_options(
    process: SalesProcess,
    *,
    aliases: Mapping[str, str] | None,
    close_dates: CloseDatePolicy | None,
    currency: str | None,
    timezone: tzinfo | None,
    imported_at: datetime | None,
) -> Options:
    """The import's options: HubSpot's default stage ids name the process's stages."""
    return make_options(
        process,
        aliases=aliases,
        close_dates=close_dates,
        currency=currency,
        zone=timezone,
        imported_at=imported_at,
        api_names={k: v for k, v in HUBSPOT_STAGE_IDS.items() if v in process},
    )


def entered_stage(column: str) -> str | None:
    """The stage id or label a date-entered column names (as spelled), or ``None``."""
    match = _ENTERED.fullmatch(column) or _ENTERED_LABEL.fullmatch(column)
    return None if match is None else match.group(1)


def scaled_probability(text: object) -> object:
    """HubSpot's 0..1 probability as the percentage salesflow reads; other cells as written."""
    try:
        number = read_decimal(text)
    except Reject:
        return text  # reported when the probability is read
    return text if number is None else str(number * 100)


def _scale_probability(cells: Cells) -> None:
    if "probability" in cells.values:
        scaled = scaled_probability(cells.values["probability"])
        cells.values = {**cells.values, "probability": scaled}


def _check_pipeline(record: Record, cells: Cells, pipeline: str | None) -> None:
    if pipeline is None:
        return
    found = next(
        (record.data[p.casefold()] for p in _PIPELINE if p.casefold() in record.data), None
    )
    if found != pipeline:
        cells.problems.append(
            Problem(f"the deal is in pipeline {found!r}, not {pipeline!r}", "$.pipeline")
        )


def _closing(
    cells: Cells, entered: list[tuple[datetime, str, str]], stages: StageMap
) -> dict[str, object]:
    """The closing day of a closed deal: when it last entered its current, closed stage."""
    try:
        current = stages.resolve(cells.values.get("stage"))
    except Reject:
        return {}  # reported when the stage is read
    if not stages.process.stage(current).is_closed:
        return {}
    times = [(when, column) for when, stage, column in entered if stage == current]
    if not times:
        return {}
    when, column = times[-1]
    cells.where = {**cells.where, "closed_on": column}
    return {"closed_on": when.date().isoformat()}


def _with_history(
    opp: Opportunity, entered: list[tuple[datetime, str, str]], stages: StageMap
) -> Opportunity:
    """The deal with one history entry per stage entered (today's amount and close date)."""
    entries = []
    for index, (when, stage, _) in enumerate(entered):
        target = stages.process.stage(stage)
        entries.append(
            HistoryEntry(
                at=when,
                stage=stage,
                amount=opp.amount,
                probability=target.probability,
                close_date=opp.close_date,
                forecast_category=target.forecast_category,
                previous_amount=opp.amount if index else None,
                previous_close_date=opp.close_date if index else None,
            )
        )
    return attrs.evolve(
        opp,
        history=tuple(entries),
        last_stage_change_at=opp.last_stage_change_at or entered[-1][0],
    )
