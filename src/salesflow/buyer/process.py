"""Buyer processes: the buyer's side of a deal, defined as data."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import ClassVar

import attrs

from salesflow._document import Document
from salesflow._validate import sequence
from salesflow.buyer.phase import BuyingPhase
from salesflow.errors import Problem, UnknownPhaseError, ValidationError

__all__ = ["BuyerProcess"]


def _phases(value: Iterable[BuyingPhase]) -> tuple[BuyingPhase, ...]:
    return sequence(value, of=BuyingPhase, what="buying phases")


@attrs.frozen(kw_only=True)
class BuyerProcess(Document):
    """A named buyer process: the phases (or "jobs") a buying group goes through.

    A *linear* process goes through its phases in order (Liferay's Solution
    Development → Evaluation → Commitment). A non-linear one lists its phases
    in their typical order, but buyers revisit them, and phases marked
    ``runs_throughout`` have no place in the sequence at all (Gartner's buying
    jobs).

    Validated on construction, every problem reported at once: a non-blank
    name, at least one phase, unique phase names, no phase that runs
    throughout in a linear process, and at least one phase that does not.

    Attributes:
        name: The process's name.
        phases: The phases, in (typical) order.
        linear: Whether the phases happen one after another, in order.
        description: What the process is and where it comes from.

    >>> p = BuyerProcess(name="Tiny", phases=[BuyingPhase("Explore"), BuyingPhase("Decide")])
    >>> p.phase_names
    ('Explore', 'Decide')
    >>> BuyerProcess(name="Bad", phases=[BuyingPhase("A", runs_throughout=True), BuyingPhase("A")])
    Traceback (most recent call last):
    ...
    salesflow.errors.ValidationError: invalid buyer process 'Bad': 2 problems
      - a linear process has no phase that runs throughout; set linear to false @ $.phases[0].runs_throughout
      - duplicate phase name 'A' @ $.phases[1].name
    """

    document_name: ClassVar[str] = "buyer process"
    schema_file: ClassVar[str] = "buyer-process.schema.json"

    name: str
    phases: tuple[BuyingPhase, ...] = attrs.field(converter=_phases)
    linear: bool = True
    description: str | None = None
    _by_name: dict[str, BuyingPhase] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        problems = list(self._problems())
        if problems:
            raise ValidationError(problems, subject=f"buyer process {self.name!r}")
        object.__setattr__(self, "_by_name", {p.name: p for p in self.phases})

    def _problems(self) -> Iterable[Problem]:
        if not isinstance(self.name, str) or not self.name.strip():
            yield Problem(f"expected a non-blank name, got {self.name!r}", "$.name")
        if not isinstance(self.linear, bool):
            yield Problem(f"expected true or false, got {self.linear!r}", "$.linear")
        if not self.phases:
            yield Problem("at least one phase is required", "$.phases")
        seen: set[str] = set()
        for index, phase in enumerate(self.phases):
            if not isinstance(phase, BuyingPhase):
                yield Problem(
                    f"expected a BuyingPhase, got {type(phase).__name__}", f"$.phases[{index}]"
                )
                continue
            if phase.runs_throughout and self.linear is True:
                yield Problem(
                    "a linear process has no phase that runs throughout; set linear to false",
                    f"$.phases[{index}].runs_throughout",
                )
            if phase.name in seen:
                yield Problem(f"duplicate phase name {phase.name!r}", f"$.phases[{index}].name")
            seen.add(phase.name)
        phases = [p for p in self.phases if isinstance(p, BuyingPhase)]
        if phases and all(p.runs_throughout for p in phases):
            yield Problem("at least one phase must not run throughout", "$.phases")

    # --------------------------------------------------------------- lookup

    def phase(self, name: str | BuyingPhase) -> BuyingPhase:
        """The phase called ``name`` (a phase of this process is returned as is).

        Raises:
            UnknownPhaseError: The process has no such phase.
        """
        key = name.name if isinstance(name, BuyingPhase) else name
        try:
            return self._by_name[key]
        except (KeyError, TypeError):
            raise UnknownPhaseError(str(key), self.name, self.phase_names) from None

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    @property
    def phase_names(self) -> tuple[str, ...]:
        """The phases' names, in (typical) order."""
        return tuple(p.name for p in self.phases)

    def index(self, name: str | BuyingPhase) -> int:
        """The 0-based position of a phase.

        Raises:
            UnknownPhaseError: The process has no such phase.
        """
        return self.phase_names.index(self.phase(name).name)

    @property
    def sequential_phases(self) -> tuple[BuyingPhase, ...]:
        """The phases that have a place in the sequence (all but those that run throughout)."""
        return tuple(p for p in self.phases if not p.runs_throughout)

    def duration_share(self, name: str | BuyingPhase) -> Decimal | None:
        """A sequential phase's share of the whole buying time, from 0 to 1.

        Returns:
            ``relative_duration`` divided by the sum over the sequential
            phases, or ``None`` when a duration is unknown, the sum is zero,
            or the phase runs throughout.

        Raises:
            UnknownPhaseError: The process has no such phase.

        >>> import salesflow as sf
        >>> sf.presets.liferay_buying_phases().duration_share("Solution Development")
        Decimal('0.6')
        """
        phase = self.phase(name)
        durations = [p.relative_duration for p in self.sequential_phases]
        if phase.runs_throughout or phase.relative_duration is None or None in durations:
            return None
        total = sum((d for d in durations if d is not None), Decimal(0))
        if total == 0:
            return None
        return phase.relative_duration / total
