"""Cross-field checks of a sales process that need more than one field at a time.

:class:`~salesflow.SalesProcess` runs them on the built stages; when a process
file also has field problems (so no process can be built), :func:`raw_problems`
reads the same contradictions from the plain data, so that one error lists
everything wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from salesflow._validate import text_problem
from salesflow.errors import Problem, did_you_mean
from salesflow.role import Role
from salesflow.stage import Stage

__all__ = ["MAX_STAGES", "process_problems", "raw_problems", "undeclared_roles"]

_STANDARD = frozenset(r.value for r in Role)

MAX_STAGES = 1000
"""The most stages a process may have. Building one takes time and memory
quadratic in its stages (every pair of stages is a possible move): about 1 s
for 1,000 stages."""


def undeclared_roles(
    gates: Iterable[tuple[int, str, Iterable[object]]], custom_roles: Iterable[object]
) -> Iterator[Problem]:
    """A gate that requires a role the process never declares makes its stage unreachable.

    Args:
        gates: ``(stage index, stage name, roles its gate requires)`` triples.
        custom_roles: The process's custom roles.
    """
    declared = {r for r in custom_roles if isinstance(r, str)}
    for index, name, roles in gates:
        for k, role in enumerate(roles):
            label = role.value if isinstance(role, Role) else role
            if isinstance(label, str) and label not in _STANDARD and label not in declared:
                hint = did_you_mean(label, [*sorted(_STANDARD), *sorted(declared)])
                yield Problem(
                    f"the gate of {name!r} requires the role {label!r}, which the process "
                    f"does not declare (no contact could hold it, so {name!r} would be "
                    f"unreachable; add it to custom_roles){hint}",
                    f"$.stages[{index}].gate.roles[{k}]",
                )


def raw_problems(data: Mapping[str, Any]) -> list[Problem]:
    """The cross-field problems readable from a process document's plain data.

    Duplicate stage names and gates requiring undeclared roles; anything not
    shaped as expected is left to the field checks, which report it.
    """
    stages = data.get("stages")
    if not isinstance(stages, list):
        return []
    problems: list[Problem] = []
    seen: set[str] = set()
    gates: list[tuple[int, str, Iterable[object]]] = []
    for index, stage in enumerate(stages):
        if not isinstance(stage, Mapping):
            continue
        name = stage.get("name")
        if not isinstance(name, str):
            continue
        if name in seen:
            problems.append(Problem(f"duplicate stage name {name!r}", f"$.stages[{index}].name"))
        seen.add(name)
        gate = stage.get("gate")
        roles = gate.get("roles") if isinstance(gate, Mapping) else None
        if isinstance(roles, str):
            roles = [roles]
        if isinstance(roles, list):
            gates.append((index, name, roles))
    custom = data.get("custom_roles")
    problems.extend(undeclared_roles(gates, custom if isinstance(custom, list) else ()))
    return problems


def process_problems(
    name: object, stages: Sequence[Stage], custom_roles: Sequence[object]
) -> Iterator[Problem]:
    """What is wrong with a process built from these fields (its stages already built).

    The name, the number of stages, unique names and increasing orders, an
    open and a won stage, custom roles (non-blank, not standard, not twice),
    and gates that require a role the process never declares.
    """
    problem = text_problem(name, "$.name", blank=False, noun="name")
    if problem is not None:
        yield problem
    if len(stages) > MAX_STAGES:
        yield Problem(f"a process has at most {MAX_STAGES} stages, got {len(stages)}", "$.stages")
        return
    seen: set[str] = set()
    previous_order = 0
    for index, stage in enumerate(stages):  # all Stages: the converter checked
        if stage.name in seen:
            yield Problem(f"duplicate stage name {stage.name!r}", f"$.stages[{index}].name")
        seen.add(stage.name)
        assert stage.order is not None
        if stage.order <= previous_order:
            yield Problem(
                f"stage orders must increase, got {stage.order} after {previous_order}",
                f"$.stages[{index}].order",
            )
        previous_order = stage.order
    if not any(s.is_open for s in stages):
        yield Problem("at least one stage must be open", "$.stages")
    if not any(s.is_won for s in stages):
        yield Problem("at least one stage must be won", "$.stages")
    standard = {r.value for r in Role}
    custom_seen: set[object] = set()
    for index, role in enumerate(custom_roles):
        path = f"$.custom_roles[{index}]"
        if not isinstance(role, str) or not role.strip():
            yield Problem(f"expected a non-blank role name, got {role!r}", path)
        elif role in standard:
            yield Problem(f"{role!r} is a standard role; list only custom ones", path)
        elif role in custom_seen:
            yield Problem(f"duplicate custom role {role!r}", path)
        custom_seen.add(role)
    yield from undeclared_roles(
        ((i, s.name, s.gate.roles) for i, s in enumerate(stages)), custom_roles
    )
