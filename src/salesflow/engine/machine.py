"""python-statemachine machines generated from a process, for interactive use.

One machine class is generated per process and cached. Each stage is a state;
each stage is also the target of one event, ``to_<stage id>``. Every event is
defined from every state, and a validator applies the process's own rules and
gates, so the machine accepts and refuses exactly what
:meth:`~salesflow.SalesProcess.move` does, raises the same salesflow errors
(never a python-statemachine exception for a refused move), and writes the same
history.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from statemachine import Event, State, StateMachine

from salesflow.engine.change import StageChange
from salesflow.engine.mover import move, preflight
from salesflow.engine.rules import TransitionTable
from salesflow.errors import Problem, StageTransitionError, UnknownStageError, ValidationError
from salesflow.money import Money
from salesflow.opportunity import Opportunity

if TYPE_CHECKING:
    from collections.abc import Sequence


__all__ = ["OpportunityMachine", "machine_class"]


class _Model:
    """Binds a machine to an opportunity: the machine reads the stage, never writes it."""

    __slots__ = ("opportunity",)

    def __init__(self, opportunity: Opportunity) -> None:
        self.opportunity = opportunity

    @property
    def stage(self) -> str:
        return self.opportunity.stage

    @stage.setter
    def stage(self, value: str) -> None:
        # The transition's action has already moved the opportunity.
        pass


class OpportunityMachine(StateMachine):
    """Base of the generated machines; use :meth:`salesflow.SalesProcess.machine`.

    Attributes:
        opportunity: The bound opportunity.
        process: The process whose rules apply (a :class:`~salesflow.SalesProcess`;
            the engine sits below the process class and does not name it).
    """

    process: Any
    _table: TransitionTable
    stage_events: dict[str, str]

    @property
    def opportunity(self) -> Opportunity:
        """The opportunity this machine moves."""
        opp: Opportunity = self.model.opportunity
        return opp

    def __setattr__(self, name: str, value: Any) -> None:
        # python-statemachine refuses to set any attribute named like a state
        # *value*; here values are stage names, which may be "model" or
        # "configuration", the machine's own attributes.
        if name in _OWN_ATTRIBUTES:
            object.__setattr__(self, name, value)
        else:
            super().__setattr__(name, value)  # type: ignore[no-untyped-call]

    def move_to(self, stage: str, **kwargs: Any) -> Any:
        """Send the event that moves to ``stage`` (``at``, ``by``, ``amount``, ``close_date``, ``lost_reason``, ``competitor`` pass through).

        Raises:
            UnknownStageError: The process has no such stage (the message
                suggests the closest name).
            StageTransitionError: The move is refused.
        """
        if not isinstance(stage, str):
            raise ValidationError(
                [Problem(f"expected a stage name, got {type(stage).__name__}", "$.stage")],
                subject="move_to",
            )
        event = self.stage_events.get(stage)
        if event is None:
            raise UnknownStageError(stage, self._table.process_name, self._table.names)
        return self.send(event, **kwargs)

    def _refused(self, to_stage: str, reason: str) -> StageTransitionError:
        opp = self.opportunity
        return StageTransitionError(
            opportunity_id=opp.id, from_stage=opp.stage, to_stage=to_stage, reasons=[reason]
        )

    def send(self, event: str, *args: Any, **kwargs: Any) -> Any:
        """Send an event; an event that moves to no stage raises a salesflow error.

        Raises:
            StageTransitionError: ``event`` is not one of this machine's
                ``to_<stage id>`` events, or the move is refused.
        """
        if event not in self.stage_events.values():
            known = ", ".join(sorted(self.stage_events.values()))
            raise self._refused(
                str(event), f"{event!r} is not an event of this machine; its events are {known}"
            )
        return super().send(event, *args, **kwargs)

    def _salesflow_check(
        self,
        target: State,
        at: datetime | None = None,
        by: str | None = None,
        amount: Money | None = None,
        close_date: date | None = None,
        lost_reason: str | None = None,
        competitor: str | None = None,
    ) -> None:
        # The same checks move() makes, before python-statemachine changes any state.
        preflight(
            self._table,
            self.opportunity,
            target.value,
            at=at,
            by=by,
            amount=amount,
            close_date=close_date,
            lost_reason=lost_reason,
            competitor=competitor,
        )

    def _salesflow_apply(
        self,
        target: State,
        at: datetime | None = None,
        by: str | None = None,
        amount: Money | None = None,
        close_date: date | None = None,
        lost_reason: str | None = None,
        competitor: str | None = None,
    ) -> StageChange:
        return move(
            self._table,
            self.opportunity,
            target.value,
            at=at,
            by=by,
            amount=amount,
            close_date=close_date,
            lost_reason=lost_reason,
            competitor=competitor,
        )


def _instance_names() -> set[str]:
    """Attributes python-statemachine sets on an instance (not visible on the class)."""

    class _Probe(StateMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)

    return set(vars(_Probe()))


# Names python-statemachine reads from the class or the instance without defining
# them on StateMachine (found by tests/test_reliability.py, which tries every name
# in its source as a stage name), and the names machine_class() puts in the namespace.
_READ_BY_STATEMACHINE = frozenset(
    {
        "listeners",
        "configuration",
        "configuration_values",
        "model",
        "state_field",
        "start_value",
        "history_values",
        "start_configuration_values",
        "allow_event_without_transition",
        "catch_errors_as_events",
        "enable_self_transition_entries",
        "atomic_configuration_update",
        "validate_disconnected_states",
        "validate_trap_states",
        "validate_final_reachability",
        "process",
        "stage_events",
    }
)
_OWN_ATTRIBUTES = frozenset({*_instance_names(), *_READ_BY_STATEMACHINE})
_RESERVED = frozenset(
    {
        *dir(OpportunityMachine),
        *dir(type(OpportunityMachine)),  # the metaclass's methods (add_state ...)
        *_instance_names(),
        *_READ_BY_STATEMACHINE,
    }
    | {name.lstrip("_") for name in dir(OpportunityMachine)}
)


def _identifier(name: str, taken: set[str]) -> str:
    base = re.sub(r"\W+", "_", name.casefold()).strip("_") or "stage"
    if base[0].isdigit() or keyword.iskeyword(base):
        base = f"s_{base}"
    candidate, n = base, 2
    while candidate in taken or candidate in _RESERVED or f"to_{candidate}" in _RESERVED:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    return candidate


def _class_name(process_name: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", process_name)
    name = "".join(w[:1].upper() + w[1:] for w in words) + "Machine"
    return name if name[0].isalpha() else f"Process{name}"


def machine_class(table: TransitionTable, process: object) -> type[OpportunityMachine]:
    """Generate the machine class for ``table`` (callers cache it); ``process`` is its owner."""
    taken: set[str] = set()
    ids = {stage.name: _identifier(stage.name, taken) for stage in table.stages}
    first = table.first_stage.name
    states = {name: State(name=name, value=name, initial=(name == first)) for name in table.names}
    namespace: dict[str, Any] = {ids[name]: state for name, state in states.items()}
    events: dict[str, str] = {}
    for target_name, target in states.items():
        transitions = None
        for source in states.values():
            t = source.to(target, validators="_salesflow_check", on="_salesflow_apply")
            transitions = t if transitions is None else transitions | t
        event_id = f"to_{ids[target_name]}"
        namespace[event_id] = Event(transitions, id=event_id, name=f"to {target_name}")
        events[target_name] = event_id
    namespace.update(
        process=process,
        _table=table,
        stage_events=events,
        # Strict, whatever python-statemachine's defaults become: an event with no
        # transition raises, and an exception in a callback reaches the caller.
        allow_event_without_transition=False,
        catch_errors_as_events=False,
        validate_disconnected_states=False,
        validate_trap_states=False,
        validate_final_reachability=False,
        __module__=__name__,
        __doc__=f"Moves opportunities through the stages of {table.process_name!r}.",
    )
    metaclass: Any = type(OpportunityMachine)
    cls: type[OpportunityMachine] = metaclass(
        _class_name(table.process_name), (OpportunityMachine,), namespace
    )
    return cls


def bind(
    cls: type[OpportunityMachine], opportunity: Opportunity, listeners: Sequence[object]
) -> OpportunityMachine:
    """Instantiate ``cls`` bound to ``opportunity`` in its current stage.

    Raises:
        ValidationError: ``opportunity`` is not an Opportunity, or ``listeners``
            is not a list of objects.
    """
    problems = []
    if not isinstance(opportunity, Opportunity):
        problems.append(Problem(f"expected an Opportunity, got {type(opportunity).__name__}", "$"))
    if isinstance(listeners, (str, bytes)) or not isinstance(listeners, Iterable):
        problems.append(
            Problem(f"expected a list of listeners, got {type(listeners).__name__}", "$.listeners")
        )
    if problems:
        raise ValidationError(problems, subject="machine")
    return cls(_Model(opportunity), state_field="stage", listeners=list(listeners))
