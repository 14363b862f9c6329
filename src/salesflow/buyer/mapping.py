"""Mapping a seller's stages onto the buyer's phases.

Rules (checked on construction, every problem reported at once):

- every **open** seller stage maps to exactly one buying phase; unknown stage
  and phase names are refused;
- a **won** stage closes the final phase (the phase of the last open stage):
  it need not be listed, and if it is, it must name that phase;
- a **closed, not won** stage (lost, walked away) is not listed: it closes
  whichever phase the opportunity was in, which :meth:`ProcessMapping.phase_of`
  reads from the opportunity's history;
- every phase is covered by some open stage, except phases that run
  throughout (a non-linear process's Validation, say), which may be mapped or not;
- for a **linear** buyer process the map is monotone: a later stage never maps
  to an earlier phase. A non-linear process may be mapped in any order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType

import attrs

from salesflow._validate import sequence
from salesflow.buyer._rules import mapping_problems
from salesflow.buyer.concern import Concern
from salesflow.buyer.phase import BuyingPhase
from salesflow.buyer.process import BuyerProcess
from salesflow.errors import Problem, ValidationError
from salesflow.opportunity import Opportunity
from salesflow.process import SalesProcess
from salesflow.stage import Stage

__all__ = ["ProcessMapping"]


def _frozen(value: Mapping[str, str]) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise ValidationError(
            [
                Problem(
                    f"expected an object of stage: phase, got {type(value).__name__}", "$.phases"
                )
            ],
            subject="process mapping",
        )
    return MappingProxyType(dict(value))


@attrs.frozen(repr=False)
class ProcessMapping:
    """Which buying phase the buyer is in at each stage of a seller process.

    Args:
        seller_process: The seller's :class:`~salesflow.SalesProcess`.
        buyer_process: The buyer's :class:`~salesflow.buyer.BuyerProcess`.
        phases: Seller stage name → buying-phase name, for every open stage
            (and optionally the won stages); see the module's rules.

    Raises:
        ValidationError: Every problem with the mapping, each with its path.

    >>> import salesflow as sf
    >>> m = sf.presets.liferay_mapping()
    >>> m.phase_of("Proving Business Value").name
    'Evaluation'
    >>> [s.name for s in m.stages_in("Commitment")]
    ['Negotiation', 'Contracts', 'Closed Won']
    >>> m.dominant_concern("Goal Confirmation"), m.next_concern("Goal Confirmation")
    (<Concern.NEEDS: 'needs'>, <Concern.PROOF: 'proof'>)
    """

    seller_process: SalesProcess
    buyer_process: BuyerProcess
    phases: Mapping[str, str] = attrs.field(converter=_frozen, hash=False)
    _by_stage: dict[str, BuyingPhase] = attrs.field(init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        problems = list(mapping_problems(self.seller_process, self.buyer_process, self.phases))
        if problems:
            raise ValidationError(problems, subject="process mapping")
        seller, buyer = self.seller_process, self.buyer_process
        by_stage = {s.name: buyer.phase(self.phases[s.name]) for s in seller.open_stages}
        final = by_stage[seller.open_stages[-1].name]
        by_stage.update({s.name: final for s in seller.won_stages})
        object.__setattr__(self, "_by_stage", by_stage)

    def __repr__(self) -> str:
        return (
            f"ProcessMapping(seller_process={self.seller_process.name!r}, "
            f"buyer_process={self.buyer_process.name!r}, phases={dict(self.phases)!r})"
        )

    # -------------------------------------------------------------- queries

    def _stage(self, subject: str | Stage | Opportunity) -> Stage:
        if isinstance(subject, Stage):
            return self.seller_process.stage(subject.name)
        if isinstance(subject, str):
            return self.seller_process.stage(subject)
        if not isinstance(subject, Opportunity):
            raise ValidationError(
                [
                    Problem(
                        "expected a stage name, a Stage or an Opportunity, "
                        f"got {type(subject).__name__}",
                        "$",
                    )
                ],
                subject="process mapping query",
            )
        process = getattr(subject, "process_name", None)
        if process is not None and process != self.seller_process.name:
            raise ValidationError(
                [
                    Problem(
                        f"the opportunity follows the process {process!r}; this mapping is for "
                        f"{self.seller_process.name!r}",
                        "$.process_name",
                    )
                ],
                subject=f"opportunity {getattr(subject, 'id', '?')}",
            )
        return self.seller_process.stage(subject.stage)

    def _current(self, subject: str | Stage | Opportunity) -> Stage:
        """The stage that places the buyer: a lost opportunity's last open stage."""
        stage = self._stage(subject)
        if not stage.is_lost:
            return stage
        if isinstance(subject, (str, Stage)):
            raise ValidationError(
                [
                    Problem(
                        f"closed stage {stage.name!r} is not won and has no fixed phase; "
                        "pass the opportunity to get the phase it closed",
                        "$.stage",
                    )
                ],
                subject="process mapping",
            )
        for entry in reversed(subject.history):
            if entry.stage in self.seller_process:
                earlier = self.seller_process.stage(entry.stage)
                if earlier.is_open:
                    return earlier
        return self.seller_process.first_stage

    def phase_of(self, subject: str | Stage | Opportunity) -> BuyingPhase:
        """The buying phase the buyer is in at a stage, or for an opportunity.

        An open stage gives its mapped phase, a won stage the final phase. A
        lost (or walked-away) opportunity gives the phase of the last open
        stage in its history, i.e. the phase it closed (the first phase if it
        never was in an open stage).

        Args:
            subject: A stage name, a :class:`~salesflow.Stage`, or an opportunity.

        Returns:
            The buying phase.

        Raises:
            UnknownStageError: The seller process has no such stage.
            ValidationError: A lost stage given by name (it has no fixed
                phase: pass the opportunity), or an opportunity of another process.
        """
        return self._by_stage[self._current(subject).name]

    def stages_in(self, phase: str | BuyingPhase) -> tuple[Stage, ...]:
        """The seller stages at which the buyer is in ``phase`` (won stages in the final one).

        Raises:
            UnknownPhaseError: The buyer process has no such phase.
        """
        wanted = self.buyer_process.phase(phase)
        return tuple(s for s in self.seller_process.stages if self._by_stage.get(s.name) == wanted)

    def exit_criterion(self, subject: str | Stage | Opportunity) -> str | None:
        """What the buyer must have done before the opportunity may leave its current phase."""
        return self.phase_of(subject).exit_criterion

    def next_phase(self, subject: str | Stage | Opportunity) -> BuyingPhase | None:
        """The phase of the first later open stage mapped to another phase, if any.

        Phases that run throughout are never "next". ``None`` for the last
        phase and for closed opportunities and stages.
        """
        stage = self._stage(subject)
        if stage.is_closed:
            return None
        current = self._by_stage[stage.name]
        opens = self.seller_process.open_stages
        position = [s.name for s in opens].index(stage.name)
        for later in opens[position + 1 :]:
            phase = self._by_stage[later.name]
            if phase != current and not phase.runs_throughout:
                return phase
        return None

    def passed_phases(self, subject: str | Stage | Opportunity) -> tuple[BuyingPhase, ...]:
        """The phases the buyer should have left behind at a stage, in order.

        For an open stage: the phases of the earlier open stages, except its
        own phase and phases that run throughout. For a won stage: every
        sequential phase (the final one too). A lost opportunity counts from
        the stage it was lost in. Their exit criteria are what
        :meth:`with_exit_gates` requires.

        >>> import salesflow as sf
        >>> [p.name for p in sf.presets.liferay_mapping().passed_phases("Negotiation")]
        ['Solution Development', 'Evaluation']
        """
        stage = self._current(subject)
        if stage.is_won:
            return tuple(self._sequence())
        current = self._by_stage[stage.name]
        passed: list[BuyingPhase] = []
        for earlier in self.seller_process.open_stages:
            if earlier.name == stage.name:
                break
            phase = self._by_stage[earlier.name]
            if phase != current and not phase.runs_throughout and phase not in passed:
                passed.append(phase)
        return tuple(passed)

    def dominant_concern(self, subject: str | Stage | Opportunity) -> Concern | None:
        """The buyer's most important concern now (``None`` if the phase has no profile)."""
        return self.phase_of(subject).dominant_concern

    def next_concern(self, subject: str | Stage | Opportunity) -> Concern | None:
        """The buyer's most important concern in the next phase, if there is one."""
        phase = self.next_phase(subject)
        return None if phase is None else phase.dominant_concern

    def progress(self, subject: str | Stage | Opportunity) -> Decimal:
        """How much of the buying journey lies behind, from 0 to 1.

        Within the current phase, an opportunity counts as halfway through its
        stage. When every sequential phase has a relative duration, the phases
        are weighted by it (Liferay: 6 + 2 + 2); otherwise every open stage
        weighs the same. Won is 1; a lost opportunity is where it was lost.

        >>> import salesflow as sf
        >>> sf.presets.liferay_mapping().progress("Proving Business Value")
        Decimal('0.65')
        """
        stage = self._current(subject)
        if stage.is_won:
            return Decimal(1)
        half = Decimal("0.5")
        opens = [s.name for s in self.seller_process.open_stages]
        phase = self._by_stage[stage.name]
        sequence = self._sequence()
        shares = [self.buyer_process.duration_share(p) for p in sequence]
        known = [share for share in shares if share is not None]
        if phase.runs_throughout or len(known) != len(shares):
            return ((opens.index(stage.name) + half) / len(opens)).normalize()
        position = sequence.index(phase)
        siblings = [name for name in opens if self._by_stage[name] == phase]
        within = (siblings.index(stage.name) + half) / len(siblings)
        elapsed = sum(known[:position], Decimal(0)) + known[position] * within
        return min(elapsed, Decimal(1)).normalize()  # shares are rounded to 28 digits

    def _sequence(self) -> list[BuyingPhase]:
        """The sequential phases in the order the open stages first reach them."""
        seen: list[BuyingPhase] = []
        for stage in self.seller_process.open_stages:
            phase = self._by_stage[stage.name]
            if not phase.runs_throughout and phase not in seen:
                seen.append(phase)
        return seen

    # ---------------------------------------------------------------- gates

    def with_exit_gates(
        self, *, qualified: Mapping[str, Iterable[str]] | None = None
    ) -> SalesProcess:
        """A new seller process whose gates require the buyer's phase exits.

        Every stage past a phase requires that phase's exit criterion as a
        confirmed fact (:meth:`~salesflow.Opportunity.confirm_fact`): the
        first stage of each phase gets the previous phase's exit, later stages
        keep requiring it (so skipping a stage does not skip the criterion),
        and won stages also require the final phase's exit. Phases that run
        throughout, and phases without an exit criterion, add nothing. Lost
        stages get no gate: walking away is never blocked. Existing gates and
        registered checks are kept.

        Args:
            qualified: Phase name → qualification elements that must be
                validated on the opportunity's scorecard before it may enter a
                stage of that phase or any later stage, e.g.
                ``{"Evaluation": ["Champion", "Identify pain"]}``.

        Returns:
            The gated process (same name, so existing opportunities fit it).

        Raises:
            UnknownPhaseError: ``qualified`` names an unknown phase.
            ValidationError: ``qualified`` is not a mapping of phase names to
                lists of element names (a single string is refused, not split
                into letters).

        >>> import salesflow as sf
        >>> gated = sf.presets.liferay_mapping().with_exit_gates()
        >>> gated.stage("Proving Business Value").gate.confirmed[-1]
        'buyer team has clear requirements and understands the high-level cost'
        >>> gated.stage("Walked Away").gate.is_empty
        True
        """
        if qualified is not None and not isinstance(qualified, Mapping):
            raise ValidationError(
                [
                    Problem(
                        f"expected phase name → list of elements, got {type(qualified).__name__}",
                        "$.qualified",
                    )
                ],
                subject="exit gates",
            )
        wanted = {
            self.buyer_process.phase(name).name: sequence(
                elements, of=str, what=f"qualification elements for {name!r}"
            )
            for name, elements in (qualified or {}).items()
        }
        seller = self.seller_process
        stages: list[Stage] = []
        for stage in seller.stages:
            if stage.is_lost:
                stages.append(stage)
                continue
            passed = self.passed_phases(stage)
            confirmed = [p.exit_criterion for p in passed if p.exit_criterion is not None]
            reached = dict.fromkeys((*passed, self._by_stage[stage.name]))
            elements = [e for p in reached for e in wanted.get(p.name, ())]
            stages.append(_gated(stage, confirmed, elements))
        process = attrs.evolve(seller, stages=stages)
        for name, check in seller.checks.items():
            process.register_check(name, check)
        return process


def _gated(stage: Stage, confirmed: Iterable[str], qualified: Iterable[str]) -> Stage:
    gate = stage.gate
    facts = tuple(dict.fromkeys((*gate.confirmed, *confirmed)))
    elements = tuple(dict.fromkeys((*gate.qualified, *qualified)))
    if facts == gate.confirmed and elements == gate.qualified:
        return stage
    return attrs.evolve(stage, gate=attrs.evolve(gate, confirmed=facts, qualified=elements))
