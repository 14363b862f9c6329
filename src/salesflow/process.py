"""Sales processes: named, ordered stage lists, defined as data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from salesflow._document import Document
from salesflow._html import table_html
from salesflow._process_checks import MAX_STAGES, process_problems, raw_problems
from salesflow._validate import kind, names, sequence
from salesflow.engine import mover
from salesflow.engine.change import Move, ReplayResult, StageChange
from salesflow.engine.machine import OpportunityMachine, bind, machine_class
from salesflow.engine.mermaid import to_mermaid
from salesflow.engine.opening import open_opportunity
from salesflow.engine.replay import replay
from salesflow.engine.rules import TransitionTable
from salesflow.errors import (
    Problem,
    UnknownStageError,
    ValidationError,
    did_you_mean,
)
from salesflow.gate import Check, register_check
from salesflow.history import HistoryEntry
from salesflow.line_item import LineItem
from salesflow.money import Money
from salesflow.opportunity import Opportunity
from salesflow.probability import to_probability
from salesflow.settings import ProcessSettings
from salesflow.stage import Stage

__all__ = ["MAX_STAGES", "SalesProcess"]


def _number(stages: Iterable[Stage]) -> tuple[Stage, ...]:
    """Fill in missing stage orders with the 1-based position."""
    result = []
    for position, stage in enumerate(sequence(stages, of=Stage, what="stages"), start=1):
        if stage.order is None:
            stage = attrs.evolve(stage, order=position)
        result.append(stage)
    return tuple(result)


@attrs.frozen(kw_only=True, repr=False)
class SalesProcess(Document):
    """A named sales process: ordered stages, custom contact roles, settings.

    Validated on construction, every problem reported at once: unique stage
    names, at least one open stage, at least one won stage, increasing orders,
    custom roles that do not repeat a standard one, at most
    :data:`MAX_STAGES` stages (building is quadratic in the stage count).

    >>> p = SalesProcess(name="Tiny", stages=[Stage("Talking", 30), Stage("Won", 100, is_closed=True, is_won=True)])
    >>> [s.order for s in p.stages]
    [1, 2]
    >>> SalesProcess(name="Bad", stages=[Stage("A", 10), Stage("A", 20)])
    Traceback (most recent call last):
    ...
    salesflow.errors.ValidationError: invalid sales process 'Bad': 2 problems
      - duplicate stage name 'A' @ $.stages[1].name
      - at least one stage must be won @ $.stages
    """

    document_name: ClassVar[str] = "sales process"
    schema_file: ClassVar[str] = "sales-process.schema.json"

    name: str
    stages: tuple[Stage, ...] = attrs.field(converter=_number)
    custom_roles: tuple[str, ...] = attrs.field(default=(), converter=names)
    settings: ProcessSettings = attrs.field(
        factory=ProcessSettings, validator=kind(ProcessSettings)
    )
    description: str | None = None
    _by_name: dict[str, Stage] = attrs.field(init=False, eq=False, repr=False)
    _checks: dict[str, Check] = attrs.field(init=False, eq=False, repr=False, factory=dict)
    _table: TransitionTable = attrs.field(init=False, eq=False, repr=False)
    _machine: type[OpportunityMachine] | None = attrs.field(
        init=False, eq=False, repr=False, default=None
    )

    def __attrs_post_init__(self) -> None:
        problems = list(self._problems())
        if not problems:
            table = TransitionTable(
                self.stages,
                self.settings,
                process_name=self.name,
                custom_roles=self.custom_roles,
                checks=self._checks,
            )
            problems.extend(table.problems())
            object.__setattr__(self, "_table", table)
        if problems:
            raise ValidationError(problems, subject=f"sales process {self.name!r}")
        object.__setattr__(self, "_by_name", {s.name: s for s in self.stages})

    def _problems(self) -> Iterable[Problem]:
        return process_problems(self.name, self.stages, self.custom_roles)

    @classmethod
    def _document_problems(cls, data: Mapping[str, Any]) -> list[Problem]:
        """Cross-field problems of a document that also has field problems."""
        return raw_problems(data)

    def __repr__(self) -> str:
        parts = [f"name={self.name!r}", f"stages=[{', '.join(map(repr, self.stage_names))}]"]
        if self.custom_roles:
            parts.append(f"custom_roles={self.custom_roles!r}")
        if self.settings != ProcessSettings():
            parts.append(f"settings={self.settings!r}")
        if self._checks:  # not part of the value (see register_check), but worth seeing
            parts.append(f"registered_checks={tuple(self._checks)!r}")
        return f"SalesProcess({', '.join(parts)})"

    def _repr_html_(self) -> str:
        body = [
            (
                s.name,
                s.probability,
                s.forecast_category.value,
                "yes" if s.is_closed else "no",
                "yes" if s.is_won else "no",
                s.rot_days,
            )
            for s in self.stages
        ]
        names = ["stage", "probability %", "forecast category", "closed", "won", "rot days"]
        return table_html(f"Sales process {self.name}", names, body)

    # --------------------------------------------------------------- lookup

    def stage(self, name: str) -> Stage:
        """The stage called ``name``.

        Raises:
            UnknownStageError: The process has no such stage.
        """
        try:
            return self._by_name[name]
        except (KeyError, TypeError):
            raise UnknownStageError(name, self.name, self.stage_names) from None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._by_name

    @property
    def stage_names(self) -> tuple[str, ...]:
        """The stages' names, in order."""
        return tuple(s.name for s in self.stages)

    @property
    def open_stages(self) -> tuple[Stage, ...]:
        """The open stages, in order."""
        return tuple(s for s in self.stages if s.is_open)

    @property
    def closed_stages(self) -> tuple[Stage, ...]:
        """The closed stages (won and lost), in order."""
        return tuple(s for s in self.stages if s.is_closed)

    @property
    def won_stages(self) -> tuple[Stage, ...]:
        """The won stages, in order."""
        return tuple(s for s in self.stages if s.is_won)

    @property
    def lost_stages(self) -> tuple[Stage, ...]:
        """The closed stages that are not won, in order."""
        return tuple(s for s in self.stages if s.is_lost)

    @property
    def first_stage(self) -> Stage:
        """The first open stage, where :meth:`open` starts by default."""
        return self.open_stages[0]

    def with_probabilities(self, learned: object) -> SalesProcess:
        """A new process whose stage default probabilities are ``learned``.

        The engine then gives every opportunity entering a stage the learned
        value (its source is still ``ProbabilitySource.STAGE``: the stage's
        default, which is now a learned one). Stages ``learned`` leaves out
        (e.g. with too little history) keep their default. Registered checks
        carry over; the new process's description says where the
        probabilities came from.

        Args:
            learned: A mapping of stage name to percentage (0..100), or a
                result of :func:`salesflow.forecasting.learn_probabilities`
                (anything with ``percentages`` and ``learned_from``).

        Returns:
            A new process; this one is unchanged.

        Raises:
            ValidationError: An unknown stage or a percentage outside 0..100
                (every problem listed), or a segmented result.

        >>> import salesflow as sf
        >>> p = sf.presets.trailhead_simple().with_probabilities({"Prospecting": "7.5"})
        >>> p.stage("Prospecting").probability, p.stage("Qualification").probability
        (Decimal('7.5'), Decimal('10'))
        """
        percentages = getattr(learned, "percentages", learned)
        source = getattr(learned, "learned_from", None)
        if not isinstance(percentages, Mapping):
            raise ValidationError(
                [Problem(f"expected stage: percentage pairs, got {type(learned).__name__}", "$")],
                subject="learned probabilities",
            )
        problems: list[Problem] = []
        values: dict[str, Decimal] = {}
        for name, value in percentages.items():
            path = f"$[{name!r}]"
            if name not in self:
                hint = did_you_mean(name, self.stage_names)
                problems.append(Problem(f"no stage {name!r} in process {self.name!r}{hint}", path))
                continue
            try:
                values[name] = to_probability(value, path=path)
            except ValidationError as exc:
                problems.extend(exc.problems)
        if problems:
            raise ValidationError(problems, subject="learned probabilities")
        stages = [
            attrs.evolve(s, probability=values[s.name]) if s.name in values else s
            for s in self.stages
        ]
        note = "Stage probabilities learned from history"
        note += f": {source}." if isinstance(source, str) and source else "."
        description = f"{self.description} {note}" if self.description else note
        process = attrs.evolve(self, stages=stages, description=description)
        process._checks.update(self._checks)  # registered checks carry over
        return process

    # ---------------------------------------------------------- opportunities

    def open(
        self,
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
        """Create an opportunity in ``stage`` (default: the first open stage).

        It gets the stage's probability, forecast category and flags, the
        process's custom roles, and a first history entry. The stage's gate is
        checked only when the process's ``gates_on_open`` setting is on (off by
        default: opening records where a deal stands; every later move is gated).

        Args:
            name: The opportunity's name (at most 120 characters).
            close_date: The expected close date.
            stage: The stage to start in.
            amount: The deal's value.
            account_id: The buying account.
            id: The opportunity's id (default: a new one).
            at: When it was created (default: now), timezone-aware.
            by: Who created it.
            line_items: Its products (:class:`~salesflow.LineItem`). When the
                process's ``amount_from_lines`` setting is on, the amount is
                their sum (and may not be given); otherwise it is as entered.
            **attributes: Ordinary attributes: ``type``, ``lead_source``,
                ``next_step``, ``owner``, ``description``.

        Returns:
            The new opportunity.

        Raises:
            UnknownStageError: ``stage`` is not in this process.
            StageGateError: ``gates_on_open`` is on and the new opportunity
                does not meet the stage's gate (every unmet requirement listed).
            ValidationError: An argument is invalid.
        """
        return open_opportunity(
            self._table,
            name=name,
            close_date=close_date,
            stage=stage,
            amount=amount,
            account_id=account_id,
            id=id,
            at=at,
            by=by,
            line_items=line_items,
            **attributes,
        )

    # ---------------------------------------------------------------- engine

    @property
    def transition_table(self) -> TransitionTable:
        """The moves this process allows, compiled once when it was built."""
        return self._table

    def move(
        self,
        opportunity: Opportunity,
        to_stage: str,
        *,
        at: datetime | None = None,
        by: str | None = None,
        amount: Money | None = None,
        close_date: date | None = None,
        lost_reason: str | None = None,
        competitor: str | None = None,
    ) -> StageChange:
        """Move an opportunity to another stage, with everything the stage implies.

        Probability goes back to the new stage's default (a manual override is
        reset, as in Salesforce); forecast category, ``is_closed`` and
        ``is_won`` follow the stage; a history entry is appended. An amount or
        close date given here changes in the same step (one history entry); a
        move to the current stage with a new amount or close date is an update.

        Args:
            opportunity: The opportunity to move.
            to_stage: The target stage's name.
            at: When (default: now); timezone-aware (a backdated change is recorded
                in the order it was made).
            by: Who made the change.
            amount: A new amount, changed in the same step.
            close_date: A new close date, changed in the same step.
            lost_reason: Why the deal was lost (a move to a lost stage only; one
                of the process's ``lost_reasons`` when it lists them; required
                when the process's ``require_lost_reason`` is on).
            competitor: Who the deal was lost to or won against (closing moves only).

        Moving into a closed stage records the day it closed in ``closed_on``;
        ``close_date`` keeps the last forecast (give ``close_date`` to change
        it too). Moving back to an open stage (where reopening is allowed) clears
        ``closed_on``, ``lost_reason`` and ``competitor``.

        Returns:
            The change that was made.

        Raises:
            UnknownStageError: ``to_stage`` is not a stage of this process (the
                message suggests the closest name, e.g. "did you mean
                'Discovery'?"); nothing changes.
            StageTransitionError: The rules forbid the move (the message says
                why); the opportunity is left exactly as it was.
            StageGateError: The target stage's entry criteria are unmet (every
                unmet requirement is listed).
            ValidationError: ``at``, ``amount`` or ``close_date`` is invalid.

        >>> import salesflow as sf
        >>> from datetime import date
        >>> p = sf.presets.salesforce_standard()
        >>> opp = p.open(name="Deal", close_date=date(2026, 12, 1))
        >>> p.move(opp, "Closed Won").to_stage, opp.probability, opp.is_won
        ('Closed Won', Decimal('100'), True)
        """
        return mover.move(
            self._table,
            opportunity,
            to_stage,
            at=at,
            by=by,
            amount=amount,
            close_date=close_date,
            lost_reason=lost_reason,
            competitor=competitor,
        )

    def reset_probability(
        self, opportunity: Opportunity, *, at: datetime | None = None, by: str | None = None
    ) -> HistoryEntry | None:
        """Put a hand-set probability back to the stage's default.

        Returns:
            The history entry written, or ``None`` if the probability was already
            the default (its source becomes ``STAGE`` either way).

        Raises:
            UnknownStageError: The opportunity's stage is not in this process.
            ValidationError: A bad ``at`` or ``by``.

        >>> import salesflow as sf
        >>> from datetime import date
        >>> p = sf.presets.odoo_classic()
        >>> lead = p.open(name="Lead", close_date=date(2026, 12, 1))
        >>> _ = lead.set_probability(55)
        >>> _ = p.reset_probability(lead)
        >>> lead.probability, lead.probability_source.value
        (Decimal('10'), 'stage')
        """
        return mover.reset_probability(self._table, opportunity, at=at, by=by)

    def check_move(
        self,
        opportunity: Opportunity,
        to_stage: str,
        *,
        amount: Money | None = None,
        close_date: date | None = None,
        lost_reason: str | None = None,
        competitor: str | None = None,
    ) -> list[str]:
        """The reasons :meth:`move` would refuse this move, without raising; empty if allowed."""
        return mover.check_move(
            self._table,
            opportunity,
            to_stage,
            amount=amount,
            close_date=close_date,
            lost_reason=lost_reason,
            competitor=competitor,
        )

    def allowed_moves(self, opportunity: Opportunity) -> list[str]:
        """The stages the opportunity may move to now, rules and gates considered, in order."""
        return [name for name in self.stage_names if not self.check_move(opportunity, name)]

    def machine(
        self, opportunity: Opportunity, *, listeners: Sequence[object] = ()
    ) -> OpportunityMachine:
        """A python-statemachine machine bound to ``opportunity``.

        Its events (``to_<stage id>``, or ``machine.move_to(stage_name)``) move
        the opportunity with exactly the rules, gates and history of
        :meth:`move`; a refused event raises the same salesflow error.
        Listeners receive ``source`` and ``target`` states (e.g. in
        ``after_transition(self, event, source, target)``); async listeners
        work. The machine class is generated once per process and cached.

        >>> import salesflow as sf
        >>> from datetime import date
        >>> p = sf.presets.hubspot_default()
        >>> sm = p.machine(p.open(name="Deal", close_date=date(2026, 12, 1)))
        >>> _ = sm.to_qualified_to_buy()
        >>> sm.opportunity.stage, sm.current_state_value
        ('Qualified to buy', 'Qualified to buy')
        """
        if self._machine is None:
            object.__setattr__(self, "_machine", machine_class(self._table, self))
        assert self._machine is not None
        return bind(self._machine, opportunity, listeners)

    def replay(
        self,
        moves: Iterable[Move],
        *,
        opportunities: Mapping[str, Opportunity] | Iterable[Opportunity] = (),
    ) -> ReplayResult:
        """Apply a stream of moves for many opportunities, in order, in bulk.

        Uses the compiled transition table, not a state machine per
        opportunity. The first move of an unknown opportunity opens it in the
        move's stage (it must carry a close date), named by its id (cut to 120
        characters). Given ``opportunities`` are
        not changed; the result holds new ones.

        Args:
            moves: The moves, in time order per opportunity.
            opportunities: Existing opportunities the moves continue from.

        Returns:
            The final opportunities with full history, and every refused move
            with its reasons: nothing is silently dropped.

        Raises:
            ValidationError: A given opportunity is not an Opportunity or is in
                a stage this process does not have (all are listed; nothing is replayed).

        >>> import salesflow as sf
        >>> from datetime import date, datetime, timezone
        >>> t = datetime(2026, 11, 2, tzinfo=timezone.utc)
        >>> result = sf.presets.trailhead_simple().replay([
        ...     sf.Move("o1", t, "Prospecting", close_date=date(2026, 12, 1)),
        ...     sf.Move("o1", t, "Closed Won"),
        ...     sf.Move("o1", t, "Prospecting"),
        ... ])
        >>> result.opportunities["o1"].stage, result.refused[0].reasons
        ('Closed Won', ("'Closed Won' is closed and reopening is off",))
        """
        return replay(self._table, moves, opportunities=opportunities)

    def to_mermaid(self) -> str:
        """A Mermaid ``stateDiagram-v2`` of the stages and every allowed move."""
        return to_mermaid(self._table)

    def register_check(self, name: str, check: Check, *, replace: bool = False) -> None:
        """Register a custom gate check that stage gates may name in ``checks``.

        The check registry is Python code attached to this process object, not
        part of the process's definition: a process is otherwise frozen data,
        but its registry can grow. The registry is therefore *excluded* from
        equality, hashing and serialization: two processes with the same
        definition are equal whatever checks they hold, and ``to_dict``,
        ``dumps`` and ``to_file`` write only the check *names* the gates use.
        After ``loads`` or ``from_file``, register the checks again; a gate
        naming an unregistered check refuses the move and says so.
        :meth:`with_probabilities` carries the registry over; ``attrs.evolve``
        does not. The repr lists the registered names.

        Args:
            name: The name gates use.
            check: Called with the opportunity about to enter the stage; returns
                why it may not, or ``None`` if it may.
            replace: Allow replacing a check registered under the same name.

        Raises:
            ValidationError: ``name`` is blank or already taken (without ``replace``).

        >>> import salesflow as sf
        >>> p = sf.presets.salesforce_standard()
        >>> p.register_check("has_owner", lambda opp: None if opp.owner else "no owner")
        >>> p.registered_checks
        ('has_owner',)
        >>> copy = sf.loads(sf.dumps(p), sf.SalesProcess)
        >>> copy == p, copy.registered_checks
        (True, ())
        """
        register_check(self._checks, name, check, replace=replace)

    @property
    def registered_checks(self) -> tuple[str, ...]:
        """The names of the registered custom checks."""
        return tuple(self._checks)

    @property
    def checks(self) -> Mapping[str, Check]:
        """The registered custom checks, by name (read-only view)."""
        return MappingProxyType(self._checks)
