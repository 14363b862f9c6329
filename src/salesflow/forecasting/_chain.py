"""Win probabilities of an absorbing chain fitted to counted moves, with posterior draws (NumPy)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from salesflow.process import SalesProcess

__all__ = ["ChainFit", "fit_chain"]

PRIOR = 0.5
"""The pseudo-count added to each next stage seen, and to winning and losing, in the draws."""


class ChainFit:
    """Point estimates and posterior draws of ``P(won | stage)`` for one segment.

    Attributes:
        point: Stage → the win probability from the observed move frequencies
            (``nan`` when the stage, or a stage it leads to, has no observed moves).
        draws: Stage → sorted posterior draws of the same (empty when ``nan``).
        exits: Stage → how many moves out of it were counted.
    """

    def __init__(
        self,
        point: dict[str, float],
        draws: dict[str, np.ndarray],
        exits: dict[str, int],
    ) -> None:
        self.point, self.draws, self.exits = point, draws, exits


def _solvable(stages: list[str], rows: Mapping[str, Mapping[str, int]]) -> list[str]:
    """Open stages whose every reachable open stage has observed moves."""
    bad = {s for s in stages if not rows.get(s)}
    changed = True
    while changed:
        changed = False
        for s in stages:
            if s not in bad and any(t in bad for t in rows.get(s, {})):
                bad.add(s)
                changed = True
    return [s for s in stages if s not in bad]


def _solve(q: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve ``(I - Q) v = b`` for a batch (leading axis) or a single system."""
    eye = np.eye(q.shape[-1])
    return np.linalg.solve(eye - q, b[..., None])[..., 0]


def fit_chain(
    process: SalesProcess,
    rows: Mapping[str, Mapping[str, int]],
    *,
    draws: int,
    rng: np.random.Generator,
) -> ChainFit:
    """Fit the chain from ``rows`` (stage → next stage → count) and draw from its posterior.

    The posterior of each stage's row is Dirichlet(counts + ½) over the next
    stages seen and the first won and lost stages (so 30 wins in 30 moves do
    not claim certainty). Each draw solves the whole chain, so the interval of
    an early stage carries the uncertainty of every stage after it.
    """
    opens = [s.name for s in process.open_stages]
    value = {s.name: 1.0 if s.is_won else 0.0 for s in process.closed_stages}
    stages = _solvable(opens, rows)
    index = {s: i for i, s in enumerate(stages)}
    m = len(stages)
    exits = {s: sum(rows.get(s, {}).values()) for s in opens}
    point = {s: float("nan") for s in opens}
    samples: dict[str, np.ndarray] = {s: np.empty(0) for s in opens}
    if m == 0:
        return ChainFit(point, samples, exits)
    won = process.won_stages[0].name
    lost = process.lost_stages[0].name if process.lost_stages else None
    q_hat, b_hat = np.zeros((m, m)), np.zeros(m)
    q_draw, b_draw = np.zeros((draws, m, m)), np.zeros((draws, m))
    for s in stages:
        i = index[s]
        observed = dict(rows[s])
        total = sum(observed.values())
        support = dict(observed)
        for extra in (won, lost):
            if extra is not None:
                support.setdefault(extra, 0)
        targets = sorted(support, key=process.stage_names.index)  # draws independent of row order
        alpha = np.array([support[t] + PRIOR for t in targets])
        sample = rng.dirichlet(alpha, size=draws)
        for k, t in enumerate(targets):
            share = observed.get(t, 0) / total
            if t in index:
                q_hat[i, index[t]] += share
                q_draw[:, i, index[t]] += sample[:, k]
            else:
                b_hat[i] += share * value[t]
                b_draw[:, i] += sample[:, k] * value[t]
    solved = _solve(q_hat, b_hat)
    batch = np.sort(np.clip(_solve(q_draw, b_draw), 0.0, 1.0), axis=0)
    for s in stages:
        point[s] = float(np.clip(solved[index[s]], 0.0, 1.0))
        samples[s] = batch[:, index[s]]
    return ChainFit(point, samples, exits)
