"""Cross-field checks of a sales process that need more than one field at a time.

:class:`~salesflow.SalesProcess` runs them on the built stages; when a process
file also has field problems (so no process can be built), :func:`raw_problems`
reads the same contradictions from the plain data, so that one error lists
everything wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from salesflow.errors import Problem, did_you_mean
from salesflow.role import Role

__all__ = ["raw_problems", "undeclared_roles"]

_STANDARD = frozenset(r.value for r in Role)


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
