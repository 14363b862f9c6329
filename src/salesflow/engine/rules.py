"""Transition rules compiled once per process into a table.

The table answers "may an opportunity move from stage *a* to stage *b*?" with a
set lookup, and says why not in plain words when it may not. It is the single
source of truth for :meth:`~salesflow.SalesProcess.move`, the
python-statemachine machines and :meth:`~salesflow.SalesProcess.replay`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from itertools import pairwise

from salesflow.errors import Problem, UnknownStageError, did_you_mean
from salesflow.gate import Check
from salesflow.settings import ProcessSettings, TransitionPolicy
from salesflow.stage import Stage

__all__ = ["TransitionTable"]


class TransitionTable:
    """The legal moves of a process, by stage position, and what the engine needs besides.

    The engine (:mod:`salesflow.engine`) works on this table, never on the
    process class above it.

    Attributes:
        names: Stage names, in order.
        index: Stage name → position.
        allowed: For each position, the positions it may move to.
        process_name: The process's name (for messages and new opportunities).
        custom_roles: The process's custom contact roles.
        checks: The process's registered gate checks (the process's own mapping).
    """

    __slots__ = (
        "_open_positions",
        "allowed",
        "checks",
        "custom_roles",
        "index",
        "names",
        "process_name",
        "settings",
        "stages",
    )

    def __init__(
        self,
        stages: Sequence[Stage],
        settings: ProcessSettings,
        *,
        process_name: str = "",
        custom_roles: tuple[str, ...] = (),
        checks: Mapping[str, Check] | None = None,
    ) -> None:
        self.stages = tuple(stages)
        self.settings = settings
        self.process_name = process_name
        self.custom_roles = custom_roles
        self.checks: Mapping[str, Check] = {} if checks is None else checks
        self.names = tuple(s.name for s in self.stages)
        self.index = {name: i for i, name in enumerate(self.names)}
        self._open_positions = [i for i, s in enumerate(self.stages) if s.is_open]
        self.allowed: tuple[frozenset[int], ...] = self._compile()

    def _compile(self) -> tuple[frozenset[int], ...]:
        """Every allowed move, in O(stages²): :meth:`reasons` without its words."""
        stages, settings = self.stages, self.settings
        count = len(stages)
        orders = [s.order for s in stages]
        increasing = all(
            a is not None and b is not None and a < b for a, b in pairwise(orders)
        ) and (not orders or orders[0] is not None)
        if not increasing:
            # Not a valid process (reported elsewhere): the slow, literal way.
            return tuple(
                frozenset(j for j in range(count) if not self.reasons(i, j)) for i in range(count)
            )
        open_before = [0]  # open_before[k]: open stages at positions < k
        for stage in stages:
            open_before.append(open_before[-1] + stage.is_open)
        listed: list[set[int] | None] = [
            None
            if s.transitions is None
            else {self.index[n] for n in s.transitions if n in self.index}
            for s in stages
        ]
        policy = settings.policy
        everything = range(count)
        allowed: list[frozenset[int]] = []
        for i, here in enumerate(stages):
            targets: set[int]
            if here.is_closed:
                targets = (
                    set()
                    if not settings.allow_reopen
                    else set(everything)
                    if listed[i] is None
                    else set(listed[i] or ())
                )
            elif listed[i] is not None or policy is TransitionPolicy.EXPLICIT:
                targets = set(listed[i] or ())
                if settings.close_from_any_stage:
                    targets.update(j for j in everything if stages[j].is_closed)
            else:
                targets = set()
                for j in everything:
                    there = stages[j]
                    if there.is_closed and settings.close_from_any_stage:
                        targets.add(j)
                        continue
                    if j < i and (
                        policy is TransitionPolicy.FORWARD_ONLY or not settings.allow_backward
                    ):
                        continue
                    lo, hi = (j, i) if j < i else (i, j)
                    skips = open_before[hi] - open_before[lo + 1] > 0 if hi > lo else False
                    if skips and (
                        policy is TransitionPolicy.ADJACENT_ONLY
                        or (j > i and not settings.allow_skip)
                    ):
                        continue
                    targets.add(j)
            targets.discard(i)
            allowed.append(frozenset(targets))
        return tuple(allowed)

    def stage(self, name: str) -> Stage:
        """The stage called ``name``.

        Raises:
            UnknownStageError: The process has no such stage.
        """
        try:
            return self.stages[self.index[name]]
        except (KeyError, TypeError):
            raise UnknownStageError(name, self.process_name, self.names) from None

    @property
    def first_stage(self) -> Stage:
        """The first open stage."""
        return self.stages[self._open_positions[0]]

    def reasons(self, source: int, target: int) -> list[str]:
        """Why a move from ``source`` to ``target`` (positions) is not allowed; empty if it is."""
        settings, here, there = self.settings, self.stages[source], self.stages[target]
        if source == target:
            return [f"it is already in {here.name!r}"]
        if here.is_closed:
            if not settings.allow_reopen:
                return [f"{here.name!r} is closed and reopening is off"]
            return self._listed(here, there)
        if there.is_closed and settings.close_from_any_stage:
            return []
        if here.transitions is not None:
            return self._listed(here, there)
        if settings.policy is TransitionPolicy.EXPLICIT:
            return [f"the process allows only listed moves, and {here.name!r} lists none"]
        return self._ordered(here, there)

    def _listed(self, here: Stage, there: Stage) -> list[str]:
        listed = here.transitions
        if listed is None or there.name in listed:
            return []
        allowed = ", ".join(repr(n) for n in listed) or "none"
        return [f"{there.name!r} is not among the moves {here.name!r} lists ({allowed})"]

    def _ordered(self, here: Stage, there: Stage) -> list[str]:
        settings = self.settings
        policy = settings.policy
        assert here.order is not None and there.order is not None
        lo, hi = sorted((here.order, there.order))
        skipped = [s.name for s in self.stages if s.is_open and lo < (s.order or 0) < hi]
        reasons: list[str] = []
        if there.order < here.order:
            if policy is TransitionPolicy.FORWARD_ONLY:
                reasons.append("the process moves only forward")
            elif not settings.allow_backward:
                reasons.append("moving backward is off")
        skipping = ", ".join(repr(n) for n in skipped)
        if skipped and policy is TransitionPolicy.ADJACENT_ONLY:
            reasons.append(f"the process moves only to adjacent stages (this skips {skipping})")
        elif skipped and there.order > here.order and not settings.allow_skip:
            reasons.append(f"skipping stages is off (this skips {skipping})")
        return reasons

    def targets(self, source: int) -> list[str]:
        """The names of the stages ``source`` may move to, in process order."""
        return [self.names[j] for j in sorted(self.allowed[source])]

    def problems(self) -> Iterator[Problem]:
        """What is wrong with the rules: unknown stages, unreachable stages, dead ends."""
        for i, stage in enumerate(self.stages):
            for k, name in enumerate(stage.transitions or ()):
                if name not in self.index:
                    yield Problem(
                        f"unknown stage {name!r} in the moves of {stage.name!r}"
                        + did_you_mean(name, self.names),
                        f"$.stages[{i}].transitions[{k}]",
                    )
                elif name == stage.name:
                    yield Problem(
                        f"{stage.name!r} lists a move to itself",
                        f"$.stages[{i}].transitions[{k}]",
                    )
        if not self.settings.allow_reopen:
            for i, stage in enumerate(self.stages):
                if stage.is_closed and stage.transitions:
                    yield Problem(
                        f"closed stage {stage.name!r} lists moves, but reopening is off",
                        f"$.stages[{i}].transitions",
                    )
        first_open = self._open_positions[0] if self._open_positions else None
        reached = set().union(*self.allowed)
        for i, stage in enumerate(self.stages):
            if stage.is_open and not self.allowed[i]:
                yield Problem(f"open stage {stage.name!r} has no way out", f"$.stages[{i}]")
            if i != first_open and i not in reached:
                yield Problem(f"no stage can move to {stage.name!r}", f"$.stages[{i}]")
