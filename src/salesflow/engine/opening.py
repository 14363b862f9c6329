"""Opening an opportunity in a stage: its first state and first history entry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timezone
from typing import Any

from salesflow.engine.rules import TransitionTable
from salesflow.errors import Problem, StageGateError, ValidationError
from salesflow.history import HistoryEntry
from salesflow.ids import AccountId, OpportunityId, new_id
from salesflow.line_item import LineItem, lines_total
from salesflow.money import Money
from salesflow.opportunity import Opportunity
from salesflow.probability import ProbabilitySource

__all__ = ["open_opportunity"]

_ORDINARY = frozenset({"type", "lead_source", "next_step", "owner", "description"})


def open_opportunity(
    table: TransitionTable,
    *,
    name: str,
    close_date: date,
    stage: str | None = None,
    amount: Money | None = None,
    account_id: str | None = None,
    id: str | None = None,
    at: datetime | None = None,
    by: str | None = None,
    line_items: Iterable[LineItem] = (),
    **attributes: Any,
) -> Opportunity:
    """A new opportunity in ``stage`` of ``table``'s process (default: its first open stage).

    What :meth:`salesflow.SalesProcess.open` does (its docstring has the
    arguments): the stage's probability, forecast category and flags, the
    process's custom roles, a first history entry, and the stage's gate when
    the process's ``gates_on_open`` setting is on.

    Raises:
        UnknownStageError: ``stage`` is not in the process.
        StageGateError: ``gates_on_open`` is on and the gate is not met.
        ValidationError: An argument is invalid.
    """
    target = table.first_stage if stage is None else table.stage(stage)
    created = datetime.now(timezone.utc) if at is None else at
    unknown = sorted(set(attributes) - _ORDINARY)
    if unknown:
        raise ValidationError(
            [Problem(f"unknown attribute {key!r}", f"$.{key}") for key in unknown],
            subject="Opportunity",
        )
    from_lines = table.settings.amount_from_lines
    items: Any = line_items  # anything but a list of lines is refused by the Opportunity
    if isinstance(line_items, Iterable) and not isinstance(line_items, (str, bytes, Mapping)):
        items = tuple(line_items)
    if from_lines and amount is not None:
        raise ValidationError(
            [Problem("the process computes the amount from the line items", "$.amount")],
            subject="Opportunity",
        )
    if from_lines:
        # Lines in several currencies are refused by the Opportunity itself.
        lines = items if isinstance(items, tuple) else ()
        currencies = {getattr(line, "currency", None) for line in lines}
        if len(currencies) == 1 and all(isinstance(line, LineItem) for line in lines):
            amount = lines_total(lines)
    opportunity = Opportunity(
        id=OpportunityId(id if id is not None else new_id()),
        name=name,
        account_id=None if account_id is None else AccountId(account_id),
        amount=amount,
        close_date=close_date,
        stage=target.name,
        probability=target.probability,
        probability_source=ProbabilitySource.STAGE,
        forecast_category=target.forecast_category,
        is_closed=target.is_closed,
        is_won=target.is_won,
        closed_on=created.date() if target.is_closed and isinstance(created, datetime) else None,
        process_name=table.process_name,
        custom_roles=table.custom_roles,
        created_at=created,
        last_stage_change_at=created,
        line_items=items,
        amount_from_lines=from_lines,
        **attributes,
    )
    first = HistoryEntry(
        at=created,
        by=by,
        owner=opportunity.owner,
        stage=target.name,
        amount=amount,
        probability=target.probability,
        close_date=close_date,
        forecast_category=target.forecast_category,
    )
    object.__setattr__(opportunity, "history", (first,))
    if table.settings.gates_on_open and not target.gate.is_empty:
        unmet = target.gate.unmet(opportunity, table.checks)
        if unmet:
            raise StageGateError(
                opportunity_id=opportunity.id,
                from_stage="",
                to_stage=target.name,
                reasons=unmet,
            )
    return opportunity
