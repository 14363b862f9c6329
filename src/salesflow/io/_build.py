"""Building opportunities and history entries from one record's cells.

Every importer turns a source record into cells keyed by salesflow's column
names (the snapshot and history tables of the contract) and hands them here.
All problems with a record are collected, each under the source's own column
name, and the record is refused as a whole; nothing is half-built.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from salesflow.errors import ValidationError
from salesflow.forecast import ForecastCategory
from salesflow.history import HistoryEntry
from salesflow.ids import OpportunityId
from salesflow.io._cells import Cells, Options, category, count, money, probability
from salesflow.io._values import Reject, read_bool, read_date
from salesflow.io.result import Note
from salesflow.opportunity import Opportunity
from salesflow.probability import ProbabilitySource

__all__ = ["build_history", "build_opportunity", "day", "last_stage_change"]


def build_opportunity(
    cells: Cells,
    options: Options,
    *,
    default_id: str,
    history: tuple[HistoryEntry, ...] = (),
    notes: list[Note],
    source: str,
    record: int,
) -> Opportunity | None:
    """An opportunity from snapshot cells, or ``None`` with ``cells.problems`` said why."""
    process = options.stages.process
    found: dict[str, Any] = {}
    ident = cells.text("id") if cells.has("id") else default_id
    if ident is None or not ident.strip():
        cells.problem("id", "no id")
    name = cells.text("name") if cells.has("name") else ident
    if cells.has("name") and name is None:
        cells.problem("name", "no name")
    stage = None
    raw_stage = cells.values.get("stage")
    if raw_stage is None or raw_stage == "":
        cells.problem("stage", "no stage")
    else:
        stage = cells.read("stage", options.stages.resolve)
    for field in ("account_id", "owner", "type", "lead_source", "next_step", "description"):
        found[field] = cells.text(field)
    for field in ("lost_reason", "competitor"):
        if cells.has(field):
            found[field] = cells.text(field)
    amount = money(cells, "amount", options, cells.text("currency"))
    chance = probability(cells)
    forecast = cells.read("forecast_category", category)
    is_closed = cells.read("is_closed", read_bool)
    is_won = cells.read("is_won", read_bool)
    close_date = cells.read("close_date", read_date)
    closed_on = cells.read("closed_on", read_date)
    created = cells.when("created_at", options.zone)
    changed = cells.when("last_stage_change_at", options.zone)
    pushes = cells.read("push_count", count)
    process_name = cells.text("process_name")
    if process_name is not None and process_name != process.name:
        cells.problem(
            "process_name", f"exported from process {process_name!r}, not {process.name!r}"
        )
    if stage is None:
        return None
    target = process.stage(stage)
    if is_closed is not None and is_closed != target.is_closed:
        cells.problem(
            "is_closed",
            f"says {is_closed}, but stage {stage!r} is {'closed' if target.is_closed else 'open'}",
        )
    if is_won is not None and is_won != target.is_won:
        cells.problem(
            "is_won",
            f"says {is_won}, but stage {stage!r} is {'won' if target.is_won else 'not won'}",
        )
    if forecast is ForecastCategory.CLOSED and target.is_open:
        cells.problem("forecast_category", f"'Closed' on a deal in the open stage {stage!r}")
    if closed_on is not None and target.is_open:
        cells.problem("closed_on", f"a closing day on a deal in the open stage {stage!r}")
    if created is None:
        created = options.imported_at
        notes.append(
            Note(
                source=source,
                record=record,
                field="created_at",
                message="not in the source: set to the import time",
            )
        )
    if close_date is None:
        if target.is_closed and closed_on is not None:
            close_date = closed_on
        elif target.is_closed:
            if cells.values.get("closed_on") in (None, ""):  # else: already reported
                cells.problem("close_date", "a closed deal without a close date")
        else:
            try:
                close_date = options.close_dates.fill(created=created.date())
            except Reject as exc:
                cells.problem("close_date", str(exc))
            else:
                notes.append(
                    Note(
                        source=source,
                        record=record,
                        field="close_date",
                        message=f"not in the source: filled by {options.close_dates!r}",
                    )
                )
    if closed_on is None and target.is_closed and not cells.has("closed_on"):
        closed_on = _entered_on(history, stage)
    if closed_on is not None:
        found["closed_on"] = closed_on
    if cells.problems or close_date is None or ident is None or name is None:
        return None
    if changed is None:
        changed = last_stage_change(history)
    manual = chance is not None and chance != target.probability
    try:
        return Opportunity(
            id=OpportunityId(ident),
            name=name,
            amount=amount,
            close_date=close_date,
            stage=stage,
            probability=target.probability if chance is None else chance,
            probability_source=ProbabilitySource.MANUAL if manual else ProbabilitySource.STAGE,
            forecast_category=target.forecast_category if forecast is None else forecast,
            is_closed=target.is_closed,
            is_won=target.is_won,
            process_name=process.name,
            custom_roles=process.custom_roles,
            created_at=created,
            last_stage_change_at=changed,
            push_count=0 if pushes is None else pushes,
            history=history,
            **found,
        )
    except ValidationError as exc:
        cells.adopt(exc)
        return None


def build_history(
    cells: Cells, options: Options, *, currency: str | None = None
) -> tuple[int | None, HistoryEntry | None]:
    """A history entry from history cells, with its ``sequence`` (ties at one instant)."""
    opportunity_id = cells.text("opportunity_id")
    if opportunity_id is None:
        cells.problem("opportunity_id", "no opportunity id")
    at = cells.when("at", options.zone)
    if at is None and not any(p.path == cells.path("at") for p in cells.problems):
        cells.problem("at", "no time")
    stage = None
    if cells.values.get("stage") in (None, ""):
        cells.problem("stage", "no stage")
    else:
        stage = cells.read("stage", options.stages.resolve)
    code = cells.text("currency") or currency
    amount = money(cells, "amount", options, code)
    previous = money(cells, "previous_amount", options, code)
    chance = probability(cells)
    forecast = cells.read("forecast_category", category)
    close_date = cells.read("close_date", read_date)
    if close_date is None and not cells.problems:
        cells.problem("close_date", "no close date")
    previous_close = cells.read("previous_close_date", read_date)
    sequence = cells.read("sequence", count)
    extra: dict[str, Any] = {}
    if cells.has("owner"):
        extra["owner"] = cells.text("owner")
    if cells.problems or stage is None or at is None or close_date is None:
        return sequence, None
    target = options.stages.process.stage(stage)
    try:
        entry = HistoryEntry(
            at=at,
            by=cells.text("by"),
            stage=stage,
            amount=amount,
            probability=target.probability if chance is None else chance,
            close_date=close_date,
            forecast_category=target.forecast_category if forecast is None else forecast,
            previous_amount=previous,
            previous_close_date=previous_close,
            **extra,
        )
    except ValidationError as exc:
        cells.adopt(exc)
        return sequence, None
    return sequence, entry


def _entered_on(history: tuple[HistoryEntry, ...], stage: str) -> date | None:
    """The (UTC) day the history last entered ``stage``, if it shows that."""
    found = None
    previous = None
    for entry in history:
        if entry.stage == stage and previous != stage:
            found = entry.at.astimezone(timezone.utc).date()
        previous = entry.stage
    return found


def last_stage_change(history: tuple[HistoryEntry, ...]) -> datetime | None:
    """When the stage last changed, from the history (its first entry counts)."""
    found = None
    previous = None
    for entry in history:
        if entry.stage != previous:
            found = entry.at
        previous = entry.stage
    return found


def day(value: datetime | None) -> date | None:
    """The UTC date of a timestamp."""
    return None if value is None else value.date()
