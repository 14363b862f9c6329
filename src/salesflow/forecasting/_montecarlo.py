"""Monte Carlo sums of independent deals: vectorised, blocked, seeded, threaded (NumPy)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["simulate"]

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


def _default_workers() -> int:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        usable = os.cpu_count() or 1
    return max(1, min(_WORKERS, usable))
