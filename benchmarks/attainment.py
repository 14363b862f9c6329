"""Benchmark: P(hit) for 1,000 owners in a 4-level hierarchy over ~100,000 open deals, 10,000 draws.

Run: python benchmarks/attainment.py [DRAWS] [--correlation RHO]

Generates ``benchmarks/pipeline.py``'s tables (250,000 opportunities, 1,250,000
history rows; about 104,000 open on 2025-10-01), deals them to 1,000 reps under
40 managers under 4 regions under one company, gives every rep a target for
FY2025 Q4, and times ``salesflow.forecasting.attainment`` for that quarter
as of 2025-10-01 — learned probabilities, timings, the open deals' state, the
per-owner Monte Carlo and the rollup of 1,045 nodes draw by draw — with its
parts, the wall and CPU time and the peak memory. It then checks that every
parent's draws are the sum of its children's.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("draws", type=int, nargs="?", default=10_000)
    parser.add_argument("--correlation", type=float, default=0.0)
    args = parser.parse_args()

    import polars as pl

    sys.path.insert(0, str(Path(__file__).parent))
    from pipeline import PROCESS, generate

    import salesflow as sf
    import salesflow.analytics as sa
    import salesflow.forecasting

    module = sys.modules["salesflow.forecasting.attainment"]

    with tempfile.TemporaryDirectory() as folder:
        generate(250_000, 1_250_000, 7, Path(folder))
        snapshot = pl.read_parquet(Path(folder) / "snapshot.parquet")
        history = pl.read_parquet(Path(folder) / "history.parquet")
    reps = [f"rep-{i:04d}" for i in range(1000)]
    rng = np.random.default_rng(3)
    owner = pl.Series("owner", np.array(reps)[rng.integers(0, 1000, snapshot.height)])
    snapshot = snapshot.with_columns(owner)
    pairs: dict[str, str | None] = {"company": None}
    for r in range(4):
        pairs[f"region-{r}"] = "company"
    for m in range(40):
        pairs[f"manager-{m:02d}"] = f"region-{m // 10}"
    for i, rep in enumerate(reps):
        pairs[rep] = f"manager-{i // 25:02d}"
    tree = sf.Hierarchy(pairs)
    calendar = sf.FiscalCalendar.calendar_year()
    q4 = calendar.period("FY2025 Q4")
    targets = sf.Targets.from_rows(
        {"node": rep, "period": q4, "value": "9500000", "currency": "USD"} for rep in reps
    )
    tables = sa.Frames(snapshot, history, None, process=PROCESS)
    pieces = sys.modules["salesflow.forecasting._period_parts"]
    spent: dict[str, float] = {}
    for owner_module, name in (
        (module, "open_deals"),
        (module, "simulate_groups"),
        (pieces, "closings"),
        (pieces, "categories"),
        (pieces, "new_deals"),
        (pieces, "roll_up"),
    ):
        inner: Any = getattr(owner_module, name)

        def wrapper(*a: Any, _inner: Any = inner, _name: str = name, **k: Any) -> Any:
            started = time.perf_counter()
            try:
                return _inner(*a, **k)
            finally:
                spent[_name] = spent.get(_name, 0.0) + time.perf_counter() - started

        setattr(owner_module, name, wrapper)
    started, cpu = time.perf_counter(), time.process_time()
    result = module.attainment(
        tables,
        targets=targets,
        hierarchy=tree,
        period=q4,
        as_of=datetime(2025, 10, 1, tzinfo=timezone.utc),
        draws=args.draws,
        correlation=args.correlation,
    )
    rows = result.rows()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    deals = result.policies["learned_from"]
    print(
        f"attainment: {len(rows):,} nodes (1,000 reps, 4 levels), {args.draws:,} draws, "
        f"correlation {args.correlation}: {seconds:.2f} s; CPU {cpu:.2f} s; peak RSS {peak:,.0f} MB"
    )
    parts = {**spent, "rest (rollup, table, checks)": seconds - sum(spent.values())}
    for name, part in parts.items():
        print(f"  {name:30s} {part:6.2f} s")
    company = next(r for r in rows if r["node"] == "company")
    print(
        f"  company: P50 {company['p50']:,.0f}, P10 {company['p10']:,.0f}, "
        f"P90 {company['p90']:,.0f}; reps hitting 9.5 M: "
        f"{np.mean([r['p_hit'] for r in rows if r['node'].startswith('rep-')]):.1%} on average"
    )
    worst = 0.0
    for node in tree:
        children = tree.children(node)
        if children:
            summed = sum(result.draws(c) for c in children)
            worst = max(worst, float(np.abs(result.draws(node) - summed).max()))
    print(f"  rollup check: largest |parent − Σ children| over all draws = {worst:.3g}")
    print(f"  learned from: {deals}")


if __name__ == "__main__":
    main()
