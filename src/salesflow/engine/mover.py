"""Moving one opportunity: the rules, the gates, and what a stage change implies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import attrs

from salesflow._locks import exclusive
from salesflow._validate import text_problem
from salesflow.engine.change import StageChange
from salesflow.engine.rules import TransitionTable
from salesflow.errors import (
    Problem,
    StageGateError,
    StageTransitionError,
    UnknownStageError,
    ValidationError,
    did_you_mean,
)
from salesflow.history import HistoryEntry
from salesflow.money import Money
from salesflow.opportunity import Opportunity
from salesflow.probability import ProbabilitySource
from salesflow.settings import ProcessSettings
from salesflow.stage import Stage

__all__ = ["check_move", "closing_reasons", "move", "preflight", "refusal", "reset_probability"]


def _is_update(opp: Opportunity, amount: Money | None, close_date: date | None) -> bool:
    """Whether a move to the current stage changes the amount or close date."""
    return (amount is not None and amount != opp.amount) or (
        close_date is not None and close_date != opp.close_date
    )


def _rule_reasons(
    table: TransitionTable,
    opp: Opportunity,
    to_stage: str,
    amount: Money | None,
    close_date: date | None,
) -> list[str]:
    source = table.index.get(opp.stage)
    if source is None:
        return [f"its stage {opp.stage!r} is not in the process {table.process_name!r}"]
    if not isinstance(to_stage, str):
        return [f"expected a stage name, got {type(to_stage).__name__}"]
    target = table.index.get(to_stage)
    if target is None:
        hint = did_you_mean(to_stage, table.names)
        return [f"the process {table.process_name!r} has no stage {to_stage!r}{hint}"]
    if source == target and _is_update(opp, amount, close_date):
        return []
    return table.reasons(source, target)


def closing_reasons(
    settings: ProcessSettings,
    target: Stage,
    *,
    stage_changes: bool,
    lost_reason: str | None,
    competitor: str | None,
) -> list[str]:
    """Why a move's closing facts (lost reason, competitor) are refused; empty if fine.

    A lost reason belongs to a move into a lost stage, a competitor to a move
    into any closed stage; a process may list the allowed lost reasons and
    require one.
    """
    reasons = []
    lost = stage_changes and target.is_closed and not target.is_won
    if lost_reason is not None:
        if not lost:
            reasons.append("a lost reason is given only with a move to a lost stage")
        elif settings.lost_reasons and lost_reason not in settings.lost_reasons:
            allowed = ", ".join(repr(r) for r in settings.lost_reasons)
            reasons.append(f"{lost_reason!r} is not a lost reason of the process ({allowed})")
    elif lost and settings.require_lost_reason:
        reasons.append(f"the process requires a lost reason to move to {target.name!r}")
    if competitor is not None and not (stage_changes and target.is_closed):
        reasons.append("a competitor is given only with a move to a closed stage")
    return reasons


def _gate_reasons(
    table: TransitionTable,
    opp: Opportunity,
    to_stage: str,
    amount: Money | None,
    close_date: date | None,
) -> list[str]:
    gate = table.stage(to_stage).gate
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
    return gate.unmet(view, table.checks)


def _keeps_manual(table: TransitionTable, source: ProbabilitySource, target_is_open: bool) -> bool:
    """Whether a stage change keeps a hand-set probability (an Odoo-style process)."""
    return (
        table.settings.keep_manual_probability
        and source is ProbabilitySource.MANUAL
        and target_is_open
    )


def refusal(
    table: TransitionTable,
    opp: Opportunity,
    to_stage: str,
    *,
    amount: Money | None = None,
    close_date: date | None = None,
    lost_reason: str | None = None,
    competitor: str | None = None,
) -> StageTransitionError | None:
    """The error a move would raise (rules first, then gates), or ``None`` if it is allowed.

    Raises:
        ValidationError: ``opp`` is not an :class:`~salesflow.Opportunity`.
    """
    if not isinstance(opp, Opportunity):
        raise ValidationError(
            [Problem(f"expected an Opportunity, got {type(opp).__name__}", "$")], subject="move"
        )
    reasons = _rule_reasons(table, opp, to_stage, amount, close_date)
    if not reasons:
        reasons = closing_reasons(
            table.settings,
            table.stage(to_stage),
            stage_changes=to_stage != opp.stage,
            lost_reason=lost_reason,
            competitor=competitor,
        )
    error: type[StageTransitionError] = StageTransitionError
    if not reasons:
        reasons = _gate_reasons(table, opp, to_stage, amount, close_date)
        error = StageGateError
    if not reasons:
        return None
    return error(opportunity_id=opp.id, from_stage=opp.stage, to_stage=to_stage, reasons=reasons)


def check_move(
    table: TransitionTable,
    opp: Opportunity,
    to_stage: str,
    *,
    amount: Money | None = None,
    close_date: date | None = None,
    lost_reason: str | None = None,
    competitor: str | None = None,
) -> list[str]:
    """Every reason the move would be refused (rules first, then gates); empty if allowed."""
    if not (
        isinstance(opp, Opportunity) and isinstance(to_stage, str) and to_stage not in table.index
    ):
        # As move(): an unknown stage is answered first (move() raises UnknownStageError).
        _check_arguments(
            opp,
            amount=amount,
            close_date=close_date,
            lost_reason=lost_reason,
            competitor=competitor,
        )
    error = refusal(
        table,
        opp,
        to_stage,
        amount=amount,
        close_date=close_date,
        lost_reason=lost_reason,
        competitor=competitor,
    )
    return [] if error is None else list(error.reasons)


def _check_arguments(
    opp: Opportunity,
    *,
    amount: Money | None,
    close_date: date | None,
    lost_reason: str | None,
    competitor: str | None,
) -> None:
    """The argument checks of a move, before any rule: the same for check_move() and move()."""
    if not isinstance(opp, Opportunity):
        raise ValidationError(
            [Problem(f"expected an Opportunity, got {type(opp).__name__}", "$")], subject="move"
        )
    _check_texts(opp, lost_reason=lost_reason, competitor=competitor)
    opp._check_change(amount=amount, close_date=close_date)


def preflight(
    table: TransitionTable,
    opp: Opportunity,
    to_stage: str,
    *,
    at: datetime | None,
    by: str | None,
    amount: Money | None,
    close_date: date | None,
    lost_reason: str | None = None,
    competitor: str | None = None,
) -> datetime:
    """Everything a move checks before it changes anything; returns the move's time.

    Raises:
        UnknownStageError: ``to_stage`` is not a stage of the process (the
            message suggests the closest name).
        StageTransitionError: The rules or the gates refuse the move.
        ValidationError: ``at``, ``by``, ``amount``, ``close_date``, ``lost_reason``
            or ``competitor`` is invalid.
    """
    if isinstance(opp, Opportunity) and isinstance(to_stage, str) and to_stage not in table.index:
        raise UnknownStageError(to_stage, table.process_name, table.names)
    _check_arguments(
        opp, amount=amount, close_date=close_date, lost_reason=lost_reason, competitor=competitor
    )
    when = opp._when(at, by)
    error = refusal(
        table,
        opp,
        to_stage,
        amount=amount,
        close_date=close_date,
        lost_reason=lost_reason,
        competitor=competitor,
    )
    if error is not None:
        raise error
    return when


def _check_texts(opp: Opportunity, **texts: str | None) -> None:
    problems = [
        problem
        for name, value in texts.items()
        if value is not None
        and (problem := text_problem(value, f"$.{name}", blank=False)) is not None
    ]
    if problems:
        raise ValidationError(problems, subject=f"move of opportunity {opp.id}")


def move(
    table: TransitionTable,
    opp: Opportunity,
    to_stage: str,
    *,
    at: datetime | None = None,
    by: str | None = None,
    amount: Money | None = None,
    close_date: date | None = None,
    lost_reason: str | None = None,
    competitor: str | None = None,
) -> StageChange:
    """Move ``opp`` to ``to_stage`` under ``table``'s rules and gates, or raise and change nothing.

    The check and the change are one step: concurrent callers on one
    opportunity take turns (see :mod:`salesflow._locks`).
    """
    with exclusive(opp):
        return _move(
            table,
            opp,
            to_stage,
            at=at,
            by=by,
            amount=amount,
            close_date=close_date,
            lost_reason=lost_reason,
            competitor=competitor,
        )


def _move(
    table: TransitionTable,
    opp: Opportunity,
    to_stage: str,
    *,
    at: datetime | None,
    by: str | None,
    amount: Money | None,
    close_date: date | None,
    lost_reason: str | None,
    competitor: str | None,
) -> StageChange:
    when = preflight(
        table,
        opp,
        to_stage,
        at=at,
        by=by,
        amount=amount,
        close_date=close_date,
        lost_reason=lost_reason,
        competitor=competitor,
    )
    from_stage = opp.stage
    changes: dict[str, Any] = {}
    if to_stage != from_stage:
        stage = table.stage(to_stage)
        changes = {
            "stage": stage.name,
            "probability": stage.probability,
            "probability_source": ProbabilitySource.STAGE,
            "forecast_category": stage.forecast_category,
            "is_closed": stage.is_closed,
            "is_won": stage.is_won,
            "last_stage_change_at": when,
            # Closing facts: the day it closed (close_date stays the last forecast).
            "closed_on": when.date() if stage.is_closed else None,
            "lost_reason": lost_reason,
            "competitor": competitor,
        }
        if _keeps_manual(table, opp.probability_source, stage.is_open):
            del changes["probability"], changes["probability_source"]
    if amount is not None:
        changes["amount"] = amount
    if close_date is not None:
        changes["close_date"] = close_date
    opp._commit(changes, when, by)
    return StageChange(
        opportunity_id=opp.id, from_stage=from_stage, to_stage=to_stage, at=when, by=by
    )


def reset_probability(
    table: TransitionTable, opp: Opportunity, *, at: datetime | None, by: str | None
) -> HistoryEntry | None:
    """Put a hand-set probability back to the stage's default; ``None`` if it already was."""
    if not isinstance(opp, Opportunity):
        raise ValidationError(
            [Problem(f"expected an Opportunity, got {type(opp).__name__}", "$")],
            subject="reset_probability",
        )
    with exclusive(opp):
        return _reset_probability(table, opp, at=at, by=by)


def _reset_probability(
    table: TransitionTable, opp: Opportunity, *, at: datetime | None, by: str | None
) -> HistoryEntry | None:
    stage = table.stage(opp.stage)
    when = opp._when(at, by)
    if opp.probability == stage.probability:
        object.__setattr__(opp, "probability_source", ProbabilitySource.STAGE)
        return None
    return opp._commit(
        {"probability": stage.probability, "probability_source": ProbabilitySource.STAGE},
        when,
        by,
    )
