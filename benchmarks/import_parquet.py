"""Importing Parquet tables: the object path, the columnar path and ``polars.read_parquet``.

    python benchmarks/import_parquet.py [--opportunities 200000] [--rows 1000000] [--seed 7]
                                        [--skip-objects]

Writes (seeded, in a temporary folder) the snapshot and history tables that
``benchmarks/pipeline.py`` makes, typed as salesflow's exporters type them
(decimal amounts and probabilities, ``Date`` close dates, UTC ``Datetime``s,
``Boolean`` flags). Then times, in this one process, wall clock and CPU:
``polars.read_parquet`` of both files (the floor), ``read_parquet_frames``
(twice, after one untimed call on a small slice) and ``read_parquet`` plus
``salesflow.analytics.frames`` of its deals (the object path). The two imports
are compared (refusals, counts, notes, frames), so neither is faster by doing
less.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import polars as pl

import salesflow as sf
from salesflow.io import read_parquet, read_parquet_frames

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._timing import timed
from benchmarks.pipeline import generate

PROCESS = sf.presets.salesforce_standard()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=200_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-objects", action="store_true")
    args = parser.parse_args()
    from tests._same_import import assert_same_import

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        generate(args.opportunities, args.rows, args.seed, folder)
        snapshot, history = folder / "snapshot.parquet", folder / "history.parquet"
        size = (snapshot.stat().st_size + history.stat().st_size) / 2**20
        print(
            f"{args.opportunities:,} deals, {args.rows:,} history rows, {size:.1f} MB, "
            f"salesflow {sf.__version__}"
        )
        small = folder / "small.parquet"
        pl.read_parquet(snapshot).head(100).write_parquet(small)
        read_parquet_frames(small, process=PROCESS)  # imports, regexes
        _, wall, cpu = timed(lambda: (pl.read_parquet(snapshot), pl.read_parquet(history)))
        print(f"polars.read_parquet    {wall:7.2f} s wall {cpu:7.2f} s CPU")
        floor = wall
        rows = args.opportunities + args.rows
        for run in (1, 2):
            columns, wall, cpu = timed(
                lambda: read_parquet_frames(snapshot, history=history, process=PROCESS)
            )
            print(
                f"read_parquet_frames #{run} {wall:7.2f} s wall {cpu:7.2f} s CPU  "
                f"{rows / wall:,.0f} rows/s, {wall / floor:.1f}× polars.read_parquet"
            )
        print(f"  taken {dict(columns.taken)}, refused {len(columns.refused)}")
        if args.skip_objects:
            return
        objects, wall, cpu = timed(
            lambda: read_parquet(snapshot, history=history, process=PROCESS)
        )
        print(f"read_parquet           {wall:7.2f} s wall {cpu:7.2f} s CPU")
        from salesflow.analytics import frames

        _, wall2, cpu2 = timed(lambda: frames(objects.opportunities))
        print(f"  + frames()           {wall2:7.2f} s wall {cpu2:7.2f} s CPU")
        assert_same_import(objects, columns)
        print("the two imports are the same (refusals, counts, notes, frames)")


if __name__ == "__main__":
    main()
