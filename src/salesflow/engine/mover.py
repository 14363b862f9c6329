"""Moving one opportunity: the rules, the gates, and what a stage change implies."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import attrs

from salesflow.engine.change import StageChange
from salesflow.errors import Problem, StageGateError, StageTransitionError, ValidationError
from salesflow.money import Money
from salesflow.opportunity import Opportunity
from salesflow.probability import ProbabilitySource

if TYPE_CHECKING:
    from salesflow.process import SalesProcess

__all__ = ["check_move", "move", "preflight", "refusal"]


def _is_update(opp: Opportunity, amount: Money | None, close_date: date | None) -> bool:
    """Whether a move to the current stage changes the amount or close date."""
    return (amount is not None and amount != opp.amount) or (
        close_date is not None and close_date != opp.close_date
    )


def _rule_reasons(
    process: SalesProcess,
    opp: Opportunity,
    to_stage: str,
    amount: Money | None,
    close_date: date | None,
) -> list[str]:
    table = process.transition_table
    source = table.index.get(opp.stage)
    if source is None:
        return [f"its stage {opp.stage!r} is not in the process {process.name!r}"]
    if not isinstance(to_stage, str):
        return [f"expected a stage name, got {type(to_stage).__name__}"]
    target = table.index.get(to_stage)
    if target is None:
        return [f"the process {process.name!r} has no stage {to_stage!r}"]
    if source == target and _is_update(opp, amount, close_date):
        return []
    return table.reasons(source, target)


def _gate_reasons(
    process: SalesProcess,
    opp: Opportunity,
    to_stage: str,
    amount: Money | None,
    close_date: date | None,
) -> list[str]:
    gate = process.stage(to_stage).gate
    if gate.is_empty or to_stage == opp.stage:
        return []
    view = opp
    if amount is not None or close_date is not None:
        # Judge the opportunity as it would be after the move's own changes.
        view = attrs.evolve(
            opp,
            amount=opp.amount if amount is None else amount,
            close_date=opp.close_date if close_date is None else close_date,
        )
    return gate.unmet(view, process.checks)


def _keeps_manual(process: SalesProcess, source: ProbabilitySource, target_is_open: bool) -> bool:
    """Whether a stage change keeps a hand-set probability (an Odoo-style process)."""
    return (
        process.settings.keep_manual_probability
        and source is ProbabilitySource.MANUAL
        and target_is_open
    )


def refusal(
    process: SalesProcess,
    opp: Opportunity,
    to_stage: str,
    *,
    amount: Money | None = None,
    close_date: date | None = None,
) -> StageTransitionError | None:
    """The error a move would raise (rules first, then gates), or ``None`` if it is allowed.

    Raises:
        ValidationError: ``opp`` is not an :class:`~salesflow.Opportunity`.
    """
    if not isinstance(opp, Opportunity):
        raise ValidationError(
            [Problem(f"expected an Opportunity, got {type(opp).__name__}", "$")], subject="move"
        )
    reasons = _rule_reasons(process, opp, to_stage, amount, close_date)
    error: type[StageTransitionError] = StageTransitionError
    if not reasons:
        reasons = _gate_reasons(process, opp, to_stage, amount, close_date)
        error = StageGateError
    if not reasons:
        return None
    return error(opportunity_id=opp.id, from_stage=opp.stage, to_stage=to_stage, reasons=reasons)


def check_move(
    process: SalesProcess,
    opp: Opportunity,
    to_stage: str,
    *,
    amount: Money | None = None,
    close_date: date | None = None,
) -> list[str]:
    """Every reason the move would be refused (rules first, then gates); empty if allowed."""
    error = refusal(process, opp, to_stage, amount=amount, close_date=close_date)
    return [] if error is None else list(error.reasons)


def preflight(
    process: SalesProcess,
    opp: Opportunity,
    to_stage: str,
    *,
    at: datetime | None,
    by: str | None,
    amount: Money | None,
    close_date: date | None,
) -> datetime:
    """Everything a move checks before it changes anything; returns the move's time.

    Raises:
        StageTransitionError: The rules or the gates refuse the move.
        ValidationError: ``at``, ``by``, ``amount`` or ``close_date`` is invalid.
    """
    error = refusal(process, opp, to_stage, amount=amount, close_date=close_date)
    if error is not None:
        raise error
    opp._check_change(amount=amount, close_date=close_date)
    return opp._when(at, by)


def move(
    process: SalesProcess,
    opp: Opportunity,
    to_stage: str,
    *,
    at: datetime | None = None,
    by: str | None = None,
    amount: Money | None = None,
    close_date: date | None = None,
) -> StageChange:
    """Move ``opp`` to ``to_stage`` under ``process``'s rules and gates, or raise and change nothing."""
    when = preflight(process, opp, to_stage, at=at, by=by, amount=amount, close_date=close_date)
    from_stage = opp.stage
    changes: dict[str, Any] = {}
    if to_stage != from_stage:
        stage = process.stage(to_stage)
        changes = {
            "stage": stage.name,
            "probability": stage.probability,
            "probability_source": ProbabilitySource.STAGE,
            "forecast_category": stage.forecast_category,
            "is_closed": stage.is_closed,
            "is_won": stage.is_won,
            "last_stage_change_at": when,
        }
        if _keeps_manual(process, opp.probability_source, stage.is_open):
            del changes["probability"], changes["probability_source"]
    if amount is not None:
        changes["amount"] = amount
    if close_date is not None:
        changes["close_date"] = close_date
    opp._commit(changes, when, by)
    return StageChange(
        opportunity_id=opp.id, from_stage=from_stage, to_stage=to_stage, at=when, by=by
    )
