"""Benchmark: the Monte Carlo revenue forecast, 100,000 draws over 100,000 open deals.

Run: python benchmarks/forecast.py [DEALS] [DRAWS]

Times ``salesflow.forecasting._montecarlo.simulate`` (the vectorised core that
``forecast_revenue`` calls) on lognormal amounts and uniform chances, checks the
mean and spread against their exact values, and prints the peak memory.
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np

from salesflow.forecasting._montecarlo import simulate


def main(deals: int = 100_000, draws: int = 100_000) -> None:
    rng = np.random.default_rng(0)
    amounts = rng.lognormal(10, 1, deals)
    chances = rng.random(deals) * 0.5
    started = time.perf_counter()
    totals = simulate(amounts, chances, draws=draws, seed=1)
    seconds = time.perf_counter() - started
    mean = float((amounts * chances).sum())
    sd = float(np.sqrt((amounts**2 * chances * (1 - chances)).sum()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cells = deals * draws
    print(f"{deals:,} deals × {draws:,} draws = {cells:,} cells in {seconds:.1f} s")
    print(f"  {cells / seconds / 1e6:,.0f} M cells/s; peak RSS {peak:,.0f} MB")
    print(
        f"  mean {totals.mean():,.0f} (exact {mean:,.0f}); sd {totals.std():,.0f} (exact {sd:,.0f})"
    )
    p10, p50, p90 = np.quantile(totals, [0.1, 0.5, 0.9])
    print(f"  P10 {p10:,.0f}  P50 {p50:,.0f}  P90 {p90:,.0f}")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
