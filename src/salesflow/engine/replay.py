"""Bulk replay of stage changes through a compiled transition table.

No state machine is built per opportunity: each move is a dictionary lookup, a
set-membership test against the table compiled once from the process, and one
history entry. The semantics are exactly those of
:meth:`~salesflow.SalesProcess.move` (the test suite checks this differentially).
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from itertools import repeat
from operator import attrgetter
from typing import Any

import attrs

from salesflow.engine.change import Move, RefusedMove, ReplayResult
from salesflow.engine.mover import closing_reasons
from salesflow.engine.rules import TransitionTable
from salesflow.errors import Problem, ValidationError, did_you_mean, shorten
from salesflow.forecast import ForecastCategory
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

_new = object.__new__
_consume: Callable[[Iterable[Any]], None] = deque(maxlen=0).extend


class _Entry:
    """A history entry while replay fills it in: HistoryEntry's slots, no frozen ``__setattr__``.

    Replay sets its slots with plain attribute stores, then assigns it the
    class HistoryEntry, which has the same layout (CPython allows that, and
    checks the layouts are equal); afterwards it is an ordinary, frozen
    HistoryEntry. Setting a frozen class's slots one by one through their
    descriptors costs about three times as much, and entries are most of
    replay's work.
    """

    __slots__ = tuple(a.name for a in attrs.fields(HistoryEntry))

    at: datetime
    by: str | None
    owner: str | None
    stage: str
    amount: Money | None
    probability: Decimal
    close_date: date
    forecast_category: ForecastCategory
    previous_amount: Money | None
    previous_close_date: date | None


def _check_entry_layout() -> None:
    """Fail at import, not mid-replay, if HistoryEntry's layout ever stops matching _Entry's."""
    probe: Any = _new(_Entry)
    try:
        probe.__class__ = HistoryEntry
    except TypeError as exc:  # pragma: no cover - a change to HistoryEntry's slots
        raise ImportError(f"salesflow.engine.replay: {exc}") from exc


_check_entry_layout()


class _State:
    """One opportunity's state during replay: its fields in one slotted object.

    ``last`` is the move that last changed its stage (when, and the lost
    reason and competitor it carried), or None while a given opportunity
    (``base``) has not changed stage; ``entries`` its history so far.
    """

    __slots__ = (
        "amount",
        "base",
        "category",
        "close",
        "entries",
        "last",
        "owner",
        "position",
        "probability",
        "pushes",
        "source",
    )

    def __init__(
        self,
        position: int,
        amount: Money | None,
        close: date,
        probability: Decimal,
        source: ProbabilitySource,
        pushes: int,
        entries: list[HistoryEntry],
        base: Opportunity | None,
        last: Move | None,
        category: ForecastCategory,
        owner: str | None,
    ) -> None:
        self.position = position
        self.amount = amount
        self.close = close
        self.probability = probability
        self.source = source
        self.pushes = pushes
        self.entries = entries
        self.base = base
        self.last = last
        self.category = category
        self.owner = owner


_STAGE = ProbabilitySource.STAGE

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

    state: dict[str, _State] = {}
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
        state[opp.id] = _State(
            index[opp.stage],
            opp.amount,
            opp.close_date,
            opp.probability,
            opp.probability_source,
            opp.push_count,
            list(opp.history),
            opp,
            None,
            opp.forecast_category,
            opp.owner,
        )

    # The loop below is the hot path: locals only, what is constant per stage
    # looked up by position, and history entries filled in as _Entry (see there)
    # instead of through attrs' __init__. Every move is either refused or
    # applied, so applied moves are counted at the end.
    new, stage_source, move_type, blank = _new, _STAGE, Move, _Entry
    entry_class: Any = HistoryEntry
    entry: Any
    settings = table.settings
    names = table.names
    categories = [s.forecast_category for s in stages]
    probabilities = [s.probability for s in stages]
    open_stage = [s.is_open for s in stages]
    # Moves into these stages need more than the table: a gate, or closing
    # facts even when the move carries none (a required lost reason). A move
    # into another stage that carries no closing facts passes both checks.
    guarded = [
        gates[i] is not None
        or bool(
            closing_reasons(settings, s, stage_changes=True, lost_reason=None, competitor=None)
        )
        for i, s in enumerate(stages)
    ]
    keep_manual = settings.keep_manual_probability
    number = -1
    for number, mv in enumerate(moves):
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
            entry = new(blank)
            entry.at = mv.at
            entry.by = mv.by
            entry.owner = None
            entry.stage = names[target]
            entry.amount = mv.amount
            entry.probability = probabilities[target]
            entry.close_date = mv.close_date
            entry.forecast_category = categories[target]
            entry.previous_amount = None
            entry.previous_close_date = None
            entry.__class__ = entry_class
            state[mv.opportunity_id] = _State(
                target, mv.amount, mv.close_date, probabilities[target], stage_source, 0, [entry],
                None, mv, categories[target], None,
            )  # fmt: skip
            continue
        source = st.position
        previous_amount = st.amount
        previous_close = st.close
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
            probability = st.probability
        else:
            if target not in allowed[source]:
                refused.append(_refusal(number, mv, table.reasons(source, target)))
                continue
            if guarded[target] or mv.lost_reason is not None or mv.competitor is not None:
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
            if keep_manual and st.source is not stage_source and open_stage[target]:
                probability = st.probability  # a hand-set probability survives (Odoo-style)
            else:
                probability = probabilities[target]
                st.probability = probability
                st.source = stage_source
            st.position = target
            st.last = mv
            st.category = categories[target]
        # Most moves keep the close date: the same object, no comparison needed.
        if close is not previous_close and close != previous_close:
            if close.year * 12 + close.month > previous_close.year * 12 + previous_close.month:
                st.pushes += 1
            st.close = close
        st.amount = amount
        entry = new(blank)
        entry.at = mv.at
        entry.by = mv.by
        entry.owner = st.owner
        entry.stage = names[target]
        entry.amount = amount
        entry.probability = probability
        entry.close_date = close
        entry.forecast_category = st.category
        entry.previous_amount = previous_amount
        entry.previous_close_date = previous_close
        entry.__class__ = entry_class
        st.entries.append(entry)

    # The opened ones come out of _open_all in the order of the state.
    opened = iter(_open_all(table, [st for st in state.values() if st.base is None]))
    final = {
        OpportunityId(oid): next(opened) if st.base is None else _materialize(table, oid, st)
        for oid, st in state.items()
    }
    return ReplayResult(
        opportunities=final, refused=tuple(refused), applied=number + 1 - len(refused)
    )


def _refusal(position: int, move: Any, reasons: list[str]) -> RefusedMove:
    return RefusedMove(position=position, move=move, reasons=tuple(reasons))


def _open_all(table: TransitionTable, states: list[_State]) -> list[Opportunity]:
    """The opportunities replay opened, from their states, built a field at a time.

    Replay already guarantees every value, so the slots are filled directly,
    skipping attrs' per-field validation: each field's values for all the
    opportunities at once (a ``map`` over the slot's setter, no Python loop
    per field and opportunity), and what replay does not set from the
    defaults of a template built (and validated) the ordinary way.
    """
    stages = table.stages
    first = stages[0]
    template = Opportunity(
        name="template",
        close_date=date(2000, 1, 1),
        stage=first.name,
        probability=first.probability,
        forecast_category=first.forecast_category,
        process_name=table.process_name,
        custom_roles=table.custom_roles,
    )
    positions = [st.position for st in states]
    lasts: list[Any] = [st.last for st in states]  # never None for an opened state
    closed = [stages[p].is_closed for p in positions]
    oids = [last.opportunity_id for last in lasts]
    entries = list(map(attrgetter("entries"), states))
    columns: dict[str, Iterator[Any]] = {
        "id": iter(oids),
        "name": map(opening_name, oids),
        "amount": map(attrgetter("amount"), states),
        "close_date": map(attrgetter("close"), states),
        "stage": map(table.names.__getitem__, positions),
        "probability": map(attrgetter("probability"), states),
        "probability_source": map(attrgetter("source"), states),
        "forecast_category": map(attrgetter("category"), states),
        "is_closed": iter(closed),
        "is_won": (stages[p].is_won for p in positions),
        "closed_on": (m.at.date() if c else None for m, c in zip(lasts, closed, strict=True)),
        "lost_reason": map(attrgetter("lost_reason"), lasts),
        "competitor": map(attrgetter("competitor"), lasts),
        "created_at": (e[0].at for e in entries),
        "last_stage_change_at": map(attrgetter("at"), lasts),
        "push_count": map(attrgetter("pushes"), states),
        "history": map(tuple, entries),
    }
    made = [_new(Opportunity) for _ in states]
    for field in attrs.fields(Opportunity):
        setter = Opportunity.__dict__[field.name].__set__
        column = columns.pop(field.name, None)
        _consume(
            map(setter, made, repeat(getattr(template, field.name)) if column is None else column)
        )
    if columns:  # pragma: no cover - a field renamed in Opportunity but not here
        raise AssertionError(f"not fields of Opportunity: {sorted(columns)}")
    return made


def _materialize(
    table: TransitionTable,
    oid: str,
    st: _State,
    amount: Money | None = None,
    close: date | None = None,
) -> Opportunity:
    """An Opportunity for one replay state (optionally with a prospective amount/close date)."""
    stage = table.stages[st.position]
    base: Opportunity | None = st.base
    entries: list[HistoryEntry] = st.entries
    fields: dict[str, Any] = {
        "amount": st.amount if amount is None else amount,
        "close_date": st.close if close is None else close,
        "stage": stage.name,
        "probability": st.probability,
        "probability_source": st.source,
        "forecast_category": st.category,
        "push_count": st.pushes,
        "history": tuple(entries),
    }
    last: Move | None = st.last
    if last is not None:
        # What a stage change sets; without one it stays as given, exactly as
        # move() leaves it on a same-stage update.
        fields.update(
            is_closed=stage.is_closed,
            is_won=stage.is_won,
            closed_on=last.at.date() if stage.is_closed else None,
            lost_reason=last.lost_reason,
            competitor=last.competitor,
            last_stage_change_at=last.at,
        )
    if base is not None:
        return attrs.evolve(base, **fields)
    fields.update(
        id=OpportunityId(oid),
        name=opening_name(oid),
        created_at=entries[0].at,
        process_name=table.process_name,
        custom_roles=table.custom_roles,
    )
    return Opportunity(**fields)
