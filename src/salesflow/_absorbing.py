"""Absorbing Markov chains over stages: where a deal in a stage ends up.

A deal in an open stage moves to another stage with a known probability; closed
stages absorb it. The probability of ending in a won stage solves
``v[s] = Σ_t P[s][t] · v[t]`` with ``v = 1`` on won and ``0`` on lost stages.
The chains here have a handful of stages, so a plain Gaussian elimination is
all it takes (no NumPy in the core).

>>> absorption({"A": {"B": 0.5, "Lost": 0.5}, "B": {"Won": 0.8, "Lost": 0.2}}, {"Won": 1.0, "Lost": 0.0})
{'A': 0.4, 'B': 0.8}
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["absorption"]


def absorption(
    transitions: Mapping[str, Mapping[str, float]], absorbing: Mapping[str, float]
) -> dict[str, float]:
    """The value each transient stage ends with: ``v[s] = Σ_t P[s][t] · v[t]``.

    Args:
        transitions: From each transient stage, the probability of each next
            stage (rows sum to at most 1; a missing remainder leaks to value 0).
        absorbing: The value of each absorbing stage (1 for won, 0 for lost).

    Returns:
        The value of every transient stage, in the order of ``transitions``.

    Raises:
        ValueError: A transient stage can never be absorbed (a closed loop),
            or a next stage is neither transient nor absorbing.
    """
    states = list(transitions)
    index = {s: i for i, s in enumerate(states)}
    size = len(states)
    # (I - Q) v = R·a, rows augmented with the right-hand side.
    rows = [[0.0] * (size + 1) for _ in range(size)]
    for i, state in enumerate(states):
        rows[i][i] = 1.0
        for target, p in transitions[state].items():
            if target in index:
                rows[i][index[target]] -= p
            elif target in absorbing:
                rows[i][size] += p * absorbing[target]
            else:
                raise ValueError(f"{target!r} is neither transient nor absorbing")
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(rows[r][col]))
        if abs(rows[pivot][col]) < 1e-12:
            raise ValueError(f"{states[col]!r} is never absorbed")
        rows[col], rows[pivot] = rows[pivot], rows[col]
        head = rows[col]
        for r in range(size):
            if r != col and rows[r][col] != 0.0:
                factor = rows[r][col] / head[col]
                rows[r] = [x - factor * y for x, y in zip(rows[r], head, strict=True)]
    return {s: round(rows[i][size] / rows[i][i], 12) for i, s in enumerate(states)}
