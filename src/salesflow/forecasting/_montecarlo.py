"""Monte Carlo sums of independent deals: vectorised, blocked, seeded, threaded (NumPy)."""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from statistics import NormalDist

import numpy as np

__all__ = ["simulate", "simulate_groups"]

_LEVELS = 65536
"""Chances are compared on 16 random bits: resolved to 1/65,536."""

_BLOCK = 1024
"""Draws per block; each block has its own generator, so the result is the same on any threads."""

_CELLS = 1 << 18
"""Deal × draw cells per chunk: 1.5 MB of working memory (the fastest of 2^16..2^18 measured;
see benchmarks/README.md), and a matrix–vector product small enough that OpenBLAS runs it on
the calling thread (it splits larger ones over its own threads, which then fight the pool's
and other processes' for the cores)."""

_WIDTH = 1024
"""At most this many deals per chunk, so that a chunk's float32 sums stay short."""

_WORKERS = 4
"""At most this many threads by default."""


def simulate(
    amounts: np.ndarray,
    chances: np.ndarray,
    *,
    draws: int,
    seed: int,
    workers: int | None = None,
) -> np.ndarray:
    """Per draw, the sum of the amounts of the deals that come in.

    Deal *i* comes in with probability ``chances[i]``, independently of the
    others and of the draw: every deal × draw cell is its own Bernoulli
    trial on 16 random bits, so a chance is resolved to 1/65,536 (rounded to
    the nearest multiple: below 1/131,072 a deal never comes in, above
    1 − 1/131,072 it always does). Certain deals are added to every draw,
    impossible ones skipped. Amounts are summed as float32 (seven
    significant digits) in groups of at most 1,024 deals, then in float64.

    The draws are split into fixed blocks of 1,024, each with its own SFC64
    generator spawned from ``np.random.SeedSequence(seed)``, and the blocks
    run on a small thread pool: the same seed gives the same totals, bit for
    bit, whatever ``workers`` is.

    Args:
        amounts: One amount per deal.
        chances: One chance per deal, in 0..1.
        draws: How many draws.
        seed: The seed.
        workers: Threads to run the blocks on (default: the usable cores, at most 4).

    Returns:
        One total per draw.

    >>> totals = simulate(np.array([100.0, 50.0, 7.0]), np.array([1.0, 0.0, 0.5]), draws=4, seed=1)
    >>> sorted(set(totals.tolist())) in ([100.0, 107.0], [100.0], [107.0])
    True
    """
    levels = np.round(np.asarray(chances, dtype=np.float64) * _LEVELS)
    certain = levels >= _LEVELS
    maybe = (levels > 0) & ~certain
    fixed = float(np.asarray(amounts, dtype=np.float64)[certain].sum())
    amounts32 = np.asarray(amounts)[maybe].astype(np.float32)
    thresholds = levels[maybe].astype(np.uint16)
    blocks = -(-draws // _BLOCK)
    seeds = np.random.SeedSequence(seed).spawn(blocks)

    def run(block: int) -> np.ndarray:
        size = min(_BLOCK, draws - block * _BLOCK)
        return _block(amounts32, thresholds, np.random.SFC64(seeds[block]), size)

    threads = min(blocks, _default_workers() if workers is None else max(1, workers))
    if threads <= 1 or not len(amounts32):
        parts = [run(b) for b in range(blocks)]
    else:
        with ThreadPoolExecutor(threads, thread_name_prefix="salesflow-mc") as pool:
            parts = list(pool.map(run, range(blocks)))
    totals = np.concatenate(parts) if parts else np.zeros(0)
    return totals + fixed


def _block(
    amounts: np.ndarray, thresholds: np.ndarray, generator: np.random.SFC64, draws: int
) -> np.ndarray:
    """One block of draws: chunks of deals, compared, converted and summed in cache."""
    totals = np.zeros(draws)
    m = len(amounts)
    if not m:
        return totals
    step = max(1, min(m, _WIDTH, _CELLS // draws))
    came = np.empty((draws, step), dtype=np.float32)
    part = np.empty(draws, dtype=np.float32)
    for i in range(0, m, step):
        width = min(step, m - i)
        cells = draws * width
        bits = generator.random_raw((cells + 3) // 4).view(np.uint16)[:cells]
        chunk = came if width == step else np.empty((draws, width), dtype=np.float32)
        np.less(bits.reshape(draws, width), thresholds[i : i + width], out=chunk, casting="unsafe")
        np.matmul(chunk, amounts[i : i + width], out=part)
        totals += part
    return totals


def simulate_groups(
    amounts: np.ndarray,
    chances: np.ndarray,
    groups: np.ndarray,
    *,
    count: int,
    draws: int,
    seed: int,
    correlation: float = 0.0,
    workers: int | None = None,
) -> np.ndarray:
    """Per draw and group, the sum of the amounts of the group's deals that come in.

    As :func:`simulate`, but the sums are kept per group (an owner): the
    result has one row per draw and one column per group, so that any
    rollup of groups is summed draw by draw. Deal *i* belongs to group
    ``groups[i]`` (``0 <= groups[i] < count``).

    With ``correlation`` ρ > 0 the deals are no longer independent: a
    one-factor Gaussian copula (the Vasicek model) gives every draw one
    shared shock *Z* and every deal its own ε, and deal *i* comes in when
    √ρ·Z + √(1 − ρ)·ε < Φ⁻¹(p_i). Each deal still comes in with its own
    chance p_i; ρ is the correlation of the deals' latent variables (a good
    or a bad quarter for everyone). ρ = 0 is independence.

    >>> totals = simulate_groups(np.array([100.0, 50.0, 7.0]), np.array([1.0, 0.0, 1.0]),
    ...                          np.array([0, 1, 1]), count=2, draws=3, seed=1)
    >>> totals.tolist()
    [[100.0, 7.0], [100.0, 7.0], [100.0, 7.0]]
    """
    amounts = np.asarray(amounts, dtype=np.float64)
    chances = np.asarray(chances, dtype=np.float64)
    groups = np.asarray(groups, dtype=np.int64)
    order = np.argsort(groups, kind="stable")
    amounts, chances, groups = amounts[order], chances[order], groups[order]
    if correlation > 0:
        certain = chances >= 1.0
        maybe = (chances > 0) & ~certain
        cuts = np.array([_NORMAL.inv_cdf(float(p)) for p in chances[maybe]], dtype=np.float32)
    else:
        levels = np.round(chances * _LEVELS)
        certain = levels >= _LEVELS
        maybe = (levels > 0) & ~certain
        cuts = levels[maybe].astype(np.uint16)
    fixed = np.bincount(groups[certain], weights=amounts[certain], minlength=count)
    amounts32 = amounts[maybe].astype(np.float32)
    members = groups[maybe]
    blocks = -(-draws // _BLOCK)
    seeds = np.random.SeedSequence(seed).spawn(blocks)
    shared, own = math.sqrt(correlation), math.sqrt(1.0 - correlation)

    def run(block: int) -> np.ndarray:
        size = min(_BLOCK, draws - block * _BLOCK)
        generator = np.random.Generator(np.random.SFC64(seeds[block]))
        totals = np.zeros((size, count))
        m = len(amounts32)
        if not m:
            return totals
        step = max(1, min(m, _WIDTH, _CELLS // size))
        shock = generator.standard_normal(size, dtype=np.float32) * shared if correlation else None
        for i in range(0, m, step):
            width = min(step, m - i)
            if shock is None:
                cells = size * width
                bits = generator.bit_generator.random_raw((cells + 3) // 4).view(np.uint16)[:cells]
                came = (bits.reshape(size, width) < cuts[i : i + width]).astype(np.float32)
            else:
                latent = generator.standard_normal((size, width), dtype=np.float32) * own
                latent += shock[:, None]
                came = (latent < cuts[i : i + width]).astype(np.float32)
            came *= amounts32[i : i + width]
            part = members[i : i + width]
            starts = np.flatnonzero(np.r_[True, part[1:] != part[:-1]])
            totals[:, part[starts]] += np.add.reduceat(came, starts, axis=1)
        return totals

    threads = min(blocks, _default_workers() if workers is None else max(1, workers))
    if threads <= 1 or not len(amounts32):
        parts = [run(b) for b in range(blocks)]
    else:
        with ThreadPoolExecutor(threads, thread_name_prefix="salesflow-mc") as pool:
            parts = list(pool.map(run, range(blocks)))
    totals = np.concatenate(parts) if parts else np.zeros((0, count))
    return totals + fixed


_NORMAL = NormalDist()


def _default_workers() -> int:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        usable = os.cpu_count() or 1
    return max(1, min(_WORKERS, usable))
