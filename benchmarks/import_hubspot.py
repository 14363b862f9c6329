"""Importing a HubSpot deals export: the object path, the columnar path and ``polars.read_csv``.

    python benchmarks/import_hubspot.py [--deals 100000] [--seed 3] [--skip-objects]

Writes (seeded, in a temporary folder) a HubSpot deals CSV: labelled columns, API
times (``2025-02-24T18:26:41.000Z``), seven ``hs_date_entered_<stage id>`` columns
filled up to each deal's stage, 0.5 % of deals in a stage the process lacks and
0.5 % with an amount that is no number. Then times, in this one process, wall
clock and CPU: ``polars.read_csv`` (all columns as text: the floor),
``read_hubspot_frames`` (twice, after one untimed call), and ``read_hubspot_csv``
plus ``salesflow.analytics.frames`` of its deals (the object path). The two
imports are compared (refusals, counts, notes, frames), so neither is faster by
doing less.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

import salesflow as sf
from salesflow.io import read_hubspot_csv, read_hubspot_frames

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._timing import timed

PROCESS = sf.presets.hubspot_default()
IDS = [
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
]


def generate(path: Path, deals: int, seed: int) -> None:
    """The export: each deal entered the open stages up to its own, then maybe closed."""
    rng = np.random.default_rng(seed)
    reach = rng.integers(0, 5, deals)
    fate = rng.integers(0, 3, deals)  # open, won, lost
    start = np.datetime64("2025-01-01T00:00:00") + rng.integers(0, 300 * 86400, deals).astype(
        "timedelta64[s]"
    )

    def stamp(moment: Any) -> Any:
        return np.char.add(np.datetime_as_string(moment, unit="ms"), "Z")

    entered = {}
    for index, stage in enumerate(IDS[:5]):
        moment = start + (index * 5 * 86400 + rng.integers(0, 86400, deals)).astype(
            "timedelta64[s]"
        )
        entered[f"hs_date_entered_{stage}"] = np.where(reach >= index, stamp(moment), "")
    end = start + (30 * 86400 + rng.integers(0, 86400, deals)).astype("timedelta64[s]")
    entered["hs_date_entered_closedwon"] = np.where(fate == 1, stamp(end), "")
    entered["hs_date_entered_closedlost"] = np.where(fate == 2, stamp(end), "")
    stage = np.where(
        fate == 1, "closedwon", np.where(fate == 2, "closedlost", np.array(IDS)[reach])
    )
    odd = rng.random(deals)
    stage = np.where(odd < 0.005, "nosuchstage", stage)
    amount = rng.integers(100, 100_000, deals).astype(str)
    amount = np.where((odd >= 0.005) & (odd < 0.01), "n/a", amount)
    pl.DataFrame(
        {
            "Record ID": [str(1000 + n) for n in range(deals)],
            "Deal Name": [f"Deal {n}" for n in range(deals)],
            "Deal Stage": stage,
            "Amount": amount,
            "Close Date": "2026-06-30",
            "Pipeline": "default",
            "Deal probability": rng.choice(["0.1", "0.2", "0.6", ""], deals),
            "Create Date": stamp(start),
            **entered,
        }
    ).write_csv(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--skip-objects", action="store_true")
    args = parser.parse_args()
    from tests._same_import import assert_same_import

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "deals.csv"
        generate(path, args.deals, args.seed)
        size = path.stat().st_size / 2**20
        print(f"{args.deals:,} deals, {size:.1f} MB, salesflow {sf.__version__}")
        read_hubspot_frames(path, process=PROCESS, currency="USD")  # imports, regexes
        _, wall, cpu = timed(lambda: pl.read_csv(path, infer_schema=False))
        print(f"polars.read_csv        {wall:7.2f} s wall {cpu:7.2f} s CPU")
        floor = wall
        for run in (1, 2):
            columns, wall, cpu = timed(
                lambda: read_hubspot_frames(path, process=PROCESS, currency="USD")
            )
            print(
                f"read_hubspot_frames #{run} {wall:7.2f} s wall {cpu:7.2f} s CPU  "
                f"{args.deals / wall:,.0f} deals/s, {wall / floor:.1f}× polars.read_csv"
            )
        print(
            f"  taken {dict(columns.taken)}, refused {len(columns.refused)}, "
            f"history rows {columns.frames.history.height:,}"
        )
        if args.skip_objects:
            return
        objects, wall, cpu = timed(lambda: read_hubspot_csv(path, process=PROCESS, currency="USD"))
        print(f"read_hubspot_csv       {wall:7.2f} s wall {cpu:7.2f} s CPU")
        from salesflow.analytics import frames

        _, wall2, cpu2 = timed(lambda: frames(objects.opportunities))
        print(f"  + frames()           {wall2:7.2f} s wall {cpu2:7.2f} s CPU")
        assert_same_import(objects, columns)
        print("the two imports are the same (refusals, counts, notes, frames)")


if __name__ == "__main__":
    main()
