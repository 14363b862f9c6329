"""Monte Carlo sums of independent deals: vectorised, chunked, seeded (NumPy)."""

from __future__ import annotations

import numpy as np

__all__ = ["simulate"]

_CELLS = 4_000_000
"""Deal × draw cells per chunk (16 MB of float32): memory stays flat at any size."""

_LEVELS = 65536
"""Chances are compared on 16 random bits: resolved to 1/65,536."""


def simulate(amounts: np.ndarray, chances: np.ndarray, *, draws: int, seed: int) -> np.ndarray:
    """Per draw, the sum of the amounts of the deals that come in.

    Deal *i* comes in with probability ``chances[i]``, independently of the
    others and of the draw. Each 64-bit random word gives four 16-bit
    uniforms, so a chance is resolved to 1/65,536; deals that are certain
    (chance 1) are added to every draw, impossible ones skipped.

    Returns:
        One total per draw.

    >>> totals = simulate(np.array([100.0, 50.0, 7.0]), np.array([1.0, 0.0, 0.5]), draws=4, seed=1)
    >>> sorted(set(totals.tolist())) in ([100.0, 107.0], [100.0], [107.0])
    True
    """
    generator = np.random.default_rng(seed).bit_generator
    certain = chances >= 1
    totals = np.full(draws, float(amounts[certain].sum()))
    maybe = (chances > 0) & ~certain
    amounts32 = amounts[maybe].astype(np.float32)
    thresholds = np.round(chances[maybe] * _LEVELS).astype(np.uint16)
    m = len(amounts32)
    step = max(1, min(m, _CELLS // max(draws, 1)))
    buffer = np.empty((draws, step), dtype=np.float32)
    for i in range(0, m, step):
        width = min(step, m - i)
        cells = draws * width
        bits = generator.random_raw((cells + 3) // 4).view(np.uint16)[:cells]
        came = buffer[:, :width]
        np.less(bits.reshape(draws, width), thresholds[i : i + width], out=came, casting="unsafe")
        totals += came @ amounts32[i : i + width]
    return totals
