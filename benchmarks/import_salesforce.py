"""Importing Salesforce CSV exports: the object path, the columnar path and ``polars.read_csv``.

    python benchmarks/import_salesforce.py [--seed 7] [--skip-objects]

Writes (seeded, in a temporary folder) Data Loader-style exports, every field
quoted: a 200,000-row and a 2,000,000-row Opportunity CSV (0.5 % of rows with
a stage the process lacks, 0.5 % with an amount that is no number), and a
1,000,000-row OpportunityHistory CSV (five rows for each of the 200,000
opportunities). Then times, in this one process, wall clock and CPU:

- ``polars.read_csv`` of each file (all columns as text): the floor;
- ``read_salesforce_csv`` on the 200,000-row file (the object path);
- ``read_salesforce_frames`` on each Opportunity file, and on the 200,000-row
  file with the history (after one untimed call, so that imports and compiled
  regular expressions are not counted against the first);
- ``read_csv_frames`` on the 2,000,000-row file through ``Columns.salesforce()``.

History rows per second are the history's rows over the time the history adds.
The object path's and the columnar path's results on the 200,000-row file
(with history) are compared (refusals, and the frames against
``salesflow.analytics.frames`` of the objects), so neither is faster by doing less.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import polars as pl

import salesflow as sf
from salesflow.io import read_csv_frames, read_salesforce_csv, read_salesforce_frames

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._timing import timed

PROCESS = sf.presets.salesforce_standard()
STAGES = PROCESS.stage_names
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _quoted(frame: pl.DataFrame, path: Path) -> None:
    frame.write_csv(path, quote_style="always")


def opportunities(n: int, seed: int) -> pl.DataFrame:
    """``n`` opportunities in Data Loader's columns, a few of them refused."""
    rng = np.random.default_rng(seed)
    stage = np.array(STAGES, dtype=object)[rng.integers(0, len(STAGES), n)]
    stage[rng.random(n) < 0.005] = "Closed/Won"
    cents = rng.integers(1_000, 50_000_000, n)
    amount = np.char.add(np.char.add((cents // 100).astype(str), "."), (cents % 100).astype(str))
    amount = amount.astype(object)
    amount[rng.random(n) < 0.005] = "12,5"
    created = rng.integers(0, 365 * 86400, n)
    return pl.DataFrame(
        {
            "Id": [f"006{i:012d}" for i in range(n)],
            "Name": [f"Deal {i}" for i in range(n)],
            "AccountId": [f"001{i % 5000:012d}" for i in range(n)],
            "OwnerId": [f"005{i % 200:012d}" for i in range(n)],
            "StageName": stage.tolist(),
            "Amount": amount.tolist(),
            "CurrencyIsoCode": ["USD"] * n,
            "Probability": [""] * n,
            "CloseDate": (pl.Series(rng.integers(0, 700, n)).cast(pl.Int32) + 20454)
            .cast(pl.Date)
            .cast(pl.String),
            "CreatedDate": (pl.Series(created) * 1_000_000 + 1_735_689_600_000_000)
            .cast(pl.Datetime("us"))
            .dt.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "Type": ["New Business"] * n,
            "LeadSource": ["Web"] * n,
        }
    )


def history(opps: pl.DataFrame, per: int, seed: int) -> pl.DataFrame:
    """``per`` rows for each opportunity, walking up its stages."""
    rng = np.random.default_rng(seed + 1)
    n = opps.height * per
    ids = np.repeat(opps["Id"].to_numpy(), per)
    step = np.tile(np.arange(per), opps.height)
    stage = np.array(STAGES[:7], dtype=object)[np.minimum(step, 6)]
    seconds = 1_735_689_600 + rng.integers(0, 300 * 86400, opps.height).repeat(per) + step * 86400
    return pl.DataFrame(
        {
            "OpportunityId": ids,
            "CreatedDate": (pl.Series(seconds) * 1_000_000)
            .cast(pl.Datetime("us"))
            .dt.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "StageName": stage.tolist(),
            "Amount": (rng.integers(1_000, 5_000_000, n)).astype(str).tolist(),
            "CloseDate": ["2026-06-30"] * n,
            "CreatedById": ["005000000000001"] * n,
        }
    )


def main() -> None:
    """Generate the files and print one line per measurement."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-objects", action="store_true")
    args = parser.parse_args()
    print(f"load: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as folder:
        small_path = Path(folder) / "Opportunity-200k.csv"
        large_path = Path(folder) / "Opportunity-2M.csv"
        history_path = Path(folder) / "OpportunityHistory-1M.csv"
        small = opportunities(200_000, args.seed)
        _quoted(small, small_path)
        _quoted(opportunities(2_000_000, args.seed), large_path)
        _quoted(history(small, 5, args.seed), history_path)

        def report(label: str, rows: int, wall: float, cpu: float) -> None:
            print(
                f"{label:<46} {rows:>9,} rows {wall:7.2f} s wall {cpu:7.2f} s CPU "
                f"{rows / wall:>12,.0f} rows/s"
            )

        for path, rows in (
            (small_path, 200_000),
            (large_path, 2_000_000),
            (history_path, 1_000_000),
        ):
            _, wall, cpu = timed(lambda p=path: pl.read_csv(p, infer_schema=False))
            report(f"polars.read_csv {path.name}", rows, wall, cpu)
        read_salesforce_frames(
            small_path, process=PROCESS, imported_at=T0
        )  # warm: imports, regexes
        columns, wall_s, cpu_s = timed(
            lambda: read_salesforce_frames(small_path, process=PROCESS, imported_at=T0)
        )
        report("read_salesforce_frames 200k", 200_000, wall_s, cpu_s)
        _, wall, cpu = timed(
            lambda: read_salesforce_frames(large_path, process=PROCESS, imported_at=T0)
        )
        report("read_salesforce_frames 2M", 2_000_000, wall, cpu)
        both, wall_h, cpu_h = timed(
            lambda: read_salesforce_frames(
                small_path, history=history_path, process=PROCESS, imported_at=T0
            )
        )
        report("read_salesforce_frames 200k + history 1M", 1_200_000, wall_h, cpu_h)
        report(
            "  of which the history (the time it adds)", 1_000_000, wall_h - wall_s, cpu_h - cpu_s
        )
        print(f"  refused: {len(both.refused):,}")
        generic = sf.Columns.salesforce()
        _, wall, cpu = timed(
            lambda: read_csv_frames(large_path, columns=generic, process=PROCESS, imported_at=T0)
        )
        report("read_csv_frames 2M (Columns.salesforce())", 2_000_000, wall, cpu)
        if args.skip_objects:
            return
        objects, wall, cpu = timed(
            lambda: read_salesforce_csv(small_path, process=PROCESS, imported_at=T0)
        )
        report("read_salesforce_csv 200k (objects)", 200_000, wall, cpu)
        from polars.testing import assert_frame_equal

        expected = sf.analytics.frames(objects.opportunities)
        assert_frame_equal(columns.frames.snapshot, expected.snapshot)
        assert sorted((r.record, r.reason) for r in objects.refused) == sorted(
            (r.record, r.reason) for r in columns.refused
        )
        print("  the object path's frames and refusals are the columnar path's")


if __name__ == "__main__":
    main()
