"""Benchmark: the Monte Carlo revenue forecast, 100,000 draws over 100,000 open deals.

Run: python benchmarks/forecast.py [DEALS] [DRAWS] [--workers N]
     [--end-to-end [--opportunities N] [--score]]
(with ``--end-to-end``, DEALS is ignored: the data decides).

Times ``salesflow.forecasting._montecarlo.simulate`` (the vectorised core that
``forecast_revenue`` calls) on lognormal amounts and uniform chances, checks the
mean and spread against their exact values, and prints the wall and CPU time
and the peak memory.

With ``--end-to-end`` it instead times ``forecast_revenue`` itself on Polars
tables from ``benchmarks/pipeline.py``'s generator (250,000 opportunities,
1,250,000 history rows; about 104,000 open on 2025-10-01), forecasting Q4 2025
from 2025-10-01 with DRAWS draws: learned stage probabilities, time-to-close
curves, the open deals' state and the simulation, each part timed.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any

import numpy as np

from salesflow.forecasting._montecarlo import simulate


def core(deals: int, draws: int, workers: int | None) -> None:
    rng = np.random.default_rng(0)
    amounts = rng.lognormal(10, 1, deals)
    chances = rng.random(deals) * 0.5
    started, cpu = time.perf_counter(), time.process_time()
    totals = simulate(amounts, chances, draws=draws, seed=1, workers=workers)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    mean = float((amounts * chances).sum())
    sd = float(np.sqrt((amounts**2 * chances * (1 - chances)).sum()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cells = deals * draws
    print(f"{deals:,} deals × {draws:,} draws = {cells:,} cells in {seconds:.2f} s")
    print(f"  {cells / seconds / 1e6:,.0f} M cells/s; CPU {cpu:.2f} s; peak RSS {peak:,.0f} MB")
    print(
        f"  mean {totals.mean():,.0f} (exact {mean:,.0f}); sd {totals.std():,.0f} (exact {sd:,.0f})"
    )
    p10, p50, p90 = np.quantile(totals, [0.1, 0.5, 0.9])
    print(f"  P10 {p10:,.0f}  P50 {p50:,.0f}  P90 {p90:,.0f}")


def _timed(module: Any, name: str, spent: dict[str, float]) -> None:
    """Wrap ``module.name`` so that its wall time adds up in ``spent[name]``."""
    inner: Callable[..., Any] = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - started

    setattr(module, name, wrapper)


def end_to_end(draws: int, opportunities: int = 250_000, score: bool = False) -> None:
    import sys
    import tempfile
    from pathlib import Path

    import polars as pl

    sys.path.insert(0, str(Path(__file__).parent))
    from pipeline import PROCESS, generate

    import salesflow.analytics as sa
    import salesflow.forecasting._open_deals as deals
    import salesflow.forecasting.revenue as revenue
    from salesflow.forecasting import forecast_revenue

    with tempfile.TemporaryDirectory() as folder:
        generate(opportunities, 5 * opportunities, 7, Path(folder))
        snapshot = pl.read_parquet(Path(folder) / "snapshot.parquet")
        history = pl.read_parquet(Path(folder) / "history.parquet")
    tables = sa.Frames(snapshot, history, None, process=PROCESS)
    spent: dict[str, float] = {}
    for module, name in (
        (deals, "learn_probabilities"),
        (deals, "_learn"),
        (deals, "open_at"),
        (revenue, "simulate"),
        (revenue, "_won_so_far"),
    ):
        _timed(module, name, spent)
    started, cpu = time.perf_counter(), time.process_time()
    found = forecast_revenue(
        tables,
        as_of=datetime(2025, 10, 1, tzinfo=timezone.utc),
        start=date(2025, 10, 1),
        end=date(2025, 12, 31),
        draws=draws,
    )
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"forecast_revenue: {found.deals:,} open deals × {draws:,} draws in {seconds:.2f} s")
    print(f"  CPU {cpu:.2f} s; peak RSS {peak:,.0f} MB")
    parts = {**spent, "rest (per-deal loop, checks)": seconds - sum(spent.values())}
    for name, part in parts.items():
        print(f"  {name:30s} {part:6.2f} s")
    print(f"  {found!r}")
    if score:
        from salesflow.forecasting import fit_deal_score

        started, cpu = time.perf_counter(), time.process_time()
        model = fit_deal_score(tables, until=datetime(2025, 10, 1, tzinfo=timezone.utc))
        fitted, cpu_fit = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        scored = forecast_revenue(
            tables,
            as_of=datetime(2025, 10, 1, tzinfo=timezone.utc),
            start=date(2025, 10, 1),
            end=date(2025, 12, 31),
            draws=draws,
            score=model,
        )
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"fit_deal_score: {fitted:.2f} s (CPU {cpu_fit:.2f} s)")
        print(f"forecast_revenue with the deal score: {seconds:.2f} s (CPU {cpu:.2f} s)")
        print(f"  {scored!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("deals", type=int, nargs="?", default=100_000)
    parser.add_argument("draws", type=int, nargs="?", default=100_000)
    parser.add_argument("--workers", type=int, help="threads (default: simulate's own)")
    parser.add_argument("--end-to-end", action="store_true", help="time forecast_revenue")
    parser.add_argument(
        "--opportunities", type=int, default=250_000, help="with --end-to-end (5 rows each)"
    )
    parser.add_argument("--score", action="store_true", help="also fit and use the deal score")
    args = parser.parse_args()
    if args.end_to_end:
        end_to_end(args.draws, args.opportunities, args.score)
    else:
        core(args.deals, args.draws, args.workers)


if __name__ == "__main__":
    main()
