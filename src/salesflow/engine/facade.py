"""What a sales process does with opportunities: move them, check moves, replay them.

:class:`StageEngine` is a mixin of :class:`~salesflow.SalesProcess`; the work is
done by the modules beside this one (``mover``, ``machine``, ``replay``,
``mermaid``) over the transition table compiled when the process was built.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, cast

from salesflow.engine import mover
from salesflow.engine.change import Move, ReplayResult, StageChange
from salesflow.engine.machine import OpportunityMachine, bind, machine_class
from salesflow.engine.mermaid import to_mermaid
from salesflow.engine.replay import replay
from salesflow.errors import Problem, ValidationError
from salesflow.gate import Check
from salesflow.history import HistoryEntry
from salesflow.money import Money
from salesflow.opportunity import Opportunity
from salesflow.probability import ProbabilitySource

if TYPE_CHECKING:
    from salesflow.engine.rules import TransitionTable
    from salesflow.process import SalesProcess

__all__ = ["StageEngine"]


class StageEngine:
    """The stage engine's verbs on a process (a mixin of :class:`~salesflow.SalesProcess`)."""

    __slots__ = ()

    if TYPE_CHECKING:
        _table: TransitionTable
        _checks: dict[str, Check]
        _machine: type[OpportunityMachine] | None

    @property
    def _process(self) -> SalesProcess:
        return cast("SalesProcess", self)

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
            self._process,
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
        stage = self._process.stage(opportunity.stage)
        when = opportunity._when(at, by)
        if opportunity.probability == stage.probability:
            object.__setattr__(opportunity, "probability_source", ProbabilitySource.STAGE)
            return None
        return opportunity._commit(
            {"probability": stage.probability, "probability_source": ProbabilitySource.STAGE},
            when,
            by,
        )

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
            self._process,
            opportunity,
            to_stage,
            amount=amount,
            close_date=close_date,
            lost_reason=lost_reason,
            competitor=competitor,
        )

    def allowed_moves(self, opportunity: Opportunity) -> list[str]:
        """The stages the opportunity may move to now, rules and gates considered, in order."""
        return [
            name for name in self._process.stage_names if not self.check_move(opportunity, name)
        ]

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
            object.__setattr__(self, "_machine", machine_class(self._process))
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
        >>> result = sf.presets.salesforce_standard().replay([
        ...     sf.Move("o1", t, "Prospecting", close_date=date(2026, 12, 1)),
        ...     sf.Move("o1", t, "Closed Won"),
        ...     sf.Move("o1", t, "Prospecting"),
        ... ])
        >>> result.opportunities["o1"].stage, result.refused[0].reasons
        ('Closed Won', ("'Closed Won' is closed and reopening is off",))
        """
        return replay(self._process, moves, opportunities=opportunities)

    def to_mermaid(self) -> str:
        """A Mermaid ``stateDiagram-v2`` of the stages and every allowed move."""
        return to_mermaid(self._process)

    def register_check(self, name: str, check: Check, *, replace: bool = False) -> None:
        """Register a custom gate check that stage gates may name in ``checks``.

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
        """
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(
                [Problem(f"expected a non-blank name, got {name!r}", "$.name")], subject="check"
            )
        if name in self._checks and not replace:
            raise ValidationError(
                [
                    Problem(
                        f"a check named {name!r} is already registered; pass replace=True",
                        "$.name",
                    )
                ],
                subject="check",
            )
        if not callable(check):
            raise ValidationError([Problem("expected a callable", "$.check")], subject="check")
        self._checks[name] = check

    @property
    def registered_checks(self) -> tuple[str, ...]:
        """The names of the registered custom checks."""
        return tuple(self._checks)

    @property
    def checks(self) -> Mapping[str, Check]:
        """The registered custom checks, by name (read-only view)."""
        return MappingProxyType(self._checks)
