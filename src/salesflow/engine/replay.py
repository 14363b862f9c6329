"""Bulk replay of stage changes through a compiled transition table.

No state machine is built per opportunity: each move is a dictionary lookup, a
set-membership test against the table compiled once from the process, and one
history entry. The semantics are exactly those of
:meth:`~salesflow.SalesProcess.move` (the test suite checks this differentially).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

import attrs

from salesflow.engine.change import Move, RefusedMove, ReplayResult
from salesflow.engine.mover import closing_reasons
from salesflow.engine.rules import TransitionTable
from salesflow.errors import Problem, ValidationError, did_you_mean, shorten
from salesflow.history import HistoryEntry
from salesflow.ids import OpportunityId
from salesflow.money import Money
from salesflow.opportunity import Opportunity, opening_name
from salesflow.probability import ProbabilitySource

__all__ = ["replay"]

_SET_BY_STAGE_CHANGE = (
    "is_closed",
    "is_won",
    "closed_on",
    "lost_reason",
    "competitor",
    "last_stage_change_at",
)

_set = object.__setattr__
_new = object.__new__
_ENTRY_FIELDS = tuple(a.name for a in attrs.fields(HistoryEntry))
_ENTRY_SETTERS = tuple(HistoryEntry.__dict__[name].__set__ for name in _ENTRY_FIELDS)
_STAGE = ProbabilitySource.STAGE

# State of one opportunity during replay, in a list for speed (see the loop).
_POS, _AMOUNT, _CLOSE, _PROB, _SOURCE, _PUSHES, _CHANGED, _ENTRIES, _BASE = range(9)
_CLOSING, _CATEGORY, _OWNER, _MOVED = range(9, 13)
_NO_CLOSE_DATE = "opportunity {} is unknown, and the move carries no close date to open it with"


def replay(
    table: TransitionTable,
    moves: Iterable[Move],
    *,
    opportunities: Mapping[str, Opportunity] | Iterable[Opportunity] = (),
) -> ReplayResult:
    """Apply ``moves`` in order; see :meth:`salesflow.SalesProcess.replay`.

    The cyclic garbage collector is paused while it runs: replay creates
    millions of acyclic objects, and collecting them as they come costs more
    than the replay itself.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _replay(table, moves, opportunities)
    finally:
        if collecting:
            gc.enable()


def _replay(
    table: TransitionTable,
    moves: Iterable[Move],
    opportunities: Mapping[str, Opportunity] | Iterable[Opportunity],
) -> ReplayResult:
    stages, index, allowed = table.stages, table.index, table.allowed
    gates = [None if s.gate.is_empty else s.gate for s in stages]
    checks = table.checks
    for argument, value in (("moves", moves), ("opportunities", opportunities)):
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            raise ValidationError(
                [Problem(f"expected a list of {argument}, got {type(value).__name__}", "$")],
                subject=f"replay {argument}",
            )
    given = list(opportunities.values() if isinstance(opportunities, Mapping) else opportunities)

    state: dict[str, list[Any]] = {}
    refused: list[RefusedMove] = []
    problems = [
        Problem(
            f"its stage {opp.stage!r} is not in the process {table.process_name!r}",
            f"$[{opp.id!r}].stage",
        )
        if isinstance(opp, Opportunity)
        else Problem(f"expected an Opportunity, got {type(opp).__name__}", "$")
        for opp in given
        if not isinstance(opp, Opportunity) or opp.stage not in index
    ]
    seen: dict[str, int] = {}
    for number, opp in enumerate(given):
        if not isinstance(opp, Opportunity):
            continue
        first = seen.setdefault(opp.id, number)
        if first != number:
            problems.append(
                Problem(
                    f"opportunity {shorten(opp.id)} is given twice (also at [{first}])",
                    f"$[{number}].id",
                )
            )
    if problems:
        raise ValidationError(problems, subject="opportunities to replay from")
    for opp in given:
        position = index[opp.stage]
        state[opp.id] = [
            position,
            opp.amount,
            opp.close_date,
            opp.probability,
            opp.probability_source,
            opp.push_count,
            opp.last_stage_change_at,
            list(opp.history),
            opp,
            (opp.lost_reason, opp.competitor),
            opp.forecast_category,
            opp.owner,
            False,
        ]

    # The loop below is the hot path: locals only, list indexes as literals
    # (0 stage position, 1 amount, 2 close date, 3 probability, 4 source,
    # 5 pushes, 6 last stage change, 7 history entries, 8 given opportunity,
    # 9 (lost reason, competitor), 10 forecast category, 11 owner),
    # and history entries built with slot setters instead of attrs' __init__.
    new, stage_source, move_type = _new, _STAGE, Move
    (
        s_at, s_by, s_owner, s_stage, s_amount, s_prob, s_close, s_cat, s_prev_amount,
        s_prev_close,
    ) = _ENTRY_SETTERS  # fmt: skip
    settings = table.settings
    closed_stage = [s.is_closed for s in stages]
    names = table.names
    categories = [s.forecast_category for s in stages]
    probabilities = [s.probability for s in stages]
    open_stage = [s.is_open for s in stages]
    keep_manual = table.settings.keep_manual_probability
    applied = 0
    number = -1
    for mv in moves:
        number += 1
        if type(mv) is not move_type:
            refused.append(_refusal(number, mv, [f"expected a Move, got {type(mv).__name__}"]))
            continue
        target = index.get(mv.to_stage)
        if target is None:
            refused.append(
                _refusal(
                    number,
                    mv,
                    [
                        f"the process {table.process_name!r} has no stage {mv.to_stage!r}"
                        + did_you_mean(mv.to_stage, names)
                    ],
                )
            )
            continue
        at = mv.at
        st = state.get(mv.opportunity_id)
        if st is None:
            if mv.close_date is None:
                refused.append(_refusal(number, mv, [_NO_CLOSE_DATE.format(mv.opportunity_id)]))
                continue
            if mv.lost_reason is not None or mv.competitor is not None:
                reasons = closing_reasons(
                    settings,
                    stages[target],
                    stage_changes=True,
                    lost_reason=mv.lost_reason,
                    competitor=mv.competitor,
                )
                if reasons:
                    refused.append(_refusal(number, mv, reasons))
                    continue
            entry = new(HistoryEntry)
            s_at(entry, at)
            s_by(entry, mv.by)
            s_owner(entry, None)
            s_stage(entry, names[target])
            s_amount(entry, mv.amount)
            s_prob(entry, probabilities[target])
            s_close(entry, mv.close_date)
            s_cat(entry, categories[target])
            s_prev_amount(entry, None)
            s_prev_close(entry, None)
            state[mv.opportunity_id] = [
                target, mv.amount, mv.close_date, probabilities[target], stage_source, 0, at,
                [entry], None, (mv.lost_reason, mv.competitor), categories[target], None, True,
            ]  # fmt: skip
            applied += 1
            continue
        source = st[0]
        previous_amount = st[1]
        previous_close = st[2]
        amount = mv.amount
        if amount is None:
            amount = previous_amount
        close = mv.close_date
        if close is None:
            close = previous_close
        if source == target:
            if close == previous_close and amount == previous_amount:
                refused.append(_refusal(number, mv, [f"it is already in {names[source]!r}"]))
                continue
            if mv.lost_reason is not None or mv.competitor is not None:
                reasons = closing_reasons(
                    settings,
                    stages[target],
                    stage_changes=False,
                    lost_reason=mv.lost_reason,
                    competitor=mv.competitor,
                )
                refused.append(_refusal(number, mv, reasons))
                continue
            probability = st[3]
        else:
            if target not in allowed[source]:
                refused.append(_refusal(number, mv, table.reasons(source, target)))
                continue
            if closed_stage[target] or mv.lost_reason is not None or mv.competitor is not None:
                reasons = closing_reasons(
                    settings,
                    stages[target],
                    stage_changes=True,
                    lost_reason=mv.lost_reason,
                    competitor=mv.competitor,
                )
                if reasons:
                    refused.append(_refusal(number, mv, reasons))
                    continue
            gate = gates[target]
            if gate is not None:
                unmet = gate.unmet(
                    _materialize(table, mv.opportunity_id, st, amount, close), checks
                )
                if unmet:
                    refused.append(_refusal(number, mv, unmet))
                    continue
            if keep_manual and st[4] is not stage_source and open_stage[target]:
                probability = st[3]  # a hand-set probability survives (Odoo-style)
            else:
                probability = probabilities[target]
                st[3] = probability
                st[4] = stage_source
            st[0] = target
            st[6] = at
            st[9] = (mv.lost_reason, mv.competitor)
            st[10] = categories[target]
            st[12] = True
        if close != previous_close:
            if close.year * 12 + close.month > previous_close.year * 12 + previous_close.month:
                st[5] += 1
            st[2] = close
        st[1] = amount
        position = st[0]
        entry = new(HistoryEntry)
        s_at(entry, at)
        s_by(entry, mv.by)
        s_owner(entry, st[11])
        s_stage(entry, names[position])
        s_amount(entry, amount)
        s_prob(entry, probability)
        s_close(entry, close)
        s_cat(entry, st[10])
        s_prev_amount(entry, previous_amount)
        s_prev_close(entry, previous_close)
        st[7].append(entry)
        applied += 1

    build = _builder(table)
    final = {
        OpportunityId(oid): _materialize(table, oid, st, build=build) for oid, st in state.items()
    }
    return ReplayResult(opportunities=final, refused=tuple(refused), applied=applied)


def _refusal(position: int, move: Any, reasons: list[str]) -> RefusedMove:
    return RefusedMove(position=position, move=move, reasons=tuple(reasons))


def _builder(table: TransitionTable) -> Callable[[dict[str, Any]], Opportunity]:
    """A constructor for opportunities whose values replay already guarantees.

    It fills the slots directly, with the defaults of a template built (and
    validated) the ordinary way, skipping attrs' per-field validation.
    """
    first = table.stages[0]
    template = Opportunity(
        name="template",
        close_date=date(2000, 1, 1),
        stage=first.name,
        probability=first.probability,
        forecast_category=first.forecast_category,
        process_name=table.process_name,
        custom_roles=table.custom_roles,
    )
    plan = [
        (Opportunity.__dict__[a.name].__set__, a.name, getattr(template, a.name))
        for a in attrs.fields(Opportunity)
    ]

    def build(values: dict[str, Any]) -> Opportunity:
        opp = _new(Opportunity)
        get = values.get
        for setter, name, default in plan:
            setter(opp, get(name, default))
        return opp

    return build


def _materialize(
    table: TransitionTable,
    oid: str,
    st: list[Any],
    amount: Money | None = None,
    close: date | None = None,
    *,
    build: Callable[[dict[str, Any]], Opportunity] | None = None,
) -> Opportunity:
    """An Opportunity for one replay state (optionally with a prospective amount/close date)."""
    stage = table.stages[st[_POS]]
    base: Opportunity | None = st[_BASE]
    entries: list[HistoryEntry] = st[_ENTRIES]
    changed = st[_CHANGED]
    lost_reason, competitor = st[_CLOSING]
    fields: dict[str, Any] = {
        "amount": st[_AMOUNT] if amount is None else amount,
        "close_date": st[_CLOSE] if close is None else close,
        "stage": stage.name,
        "probability": st[_PROB],
        "probability_source": st[_SOURCE],
        "forecast_category": st[_CATEGORY],
        "is_closed": stage.is_closed,
        "is_won": stage.is_won,
        "closed_on": changed.date() if stage.is_closed and changed is not None else None,
        "lost_reason": lost_reason,
        "competitor": competitor,
        "last_stage_change_at": changed,
        "push_count": st[_PUSHES],
        "history": tuple(entries),
    }
    if base is not None:
        if not st[_MOVED]:
            # No stage change here: what a stage change sets stays as given,
            # exactly as move() leaves it on a same-stage update.
            for name in _SET_BY_STAGE_CHANGE:
                del fields[name]
        return attrs.evolve(base, **fields)
    fields.update(id=OpportunityId(oid), name=opening_name(oid), created_at=entries[0].at)
    if build is None:
        fields.update(process_name=table.process_name, custom_roles=table.custom_roles)
        return Opportunity(**fields)
    return build(fields)
