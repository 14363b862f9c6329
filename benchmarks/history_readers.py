"""The history readers of exports without a history: in columns, by their loops, and the floor.

    python benchmarks/history_readers.py [--seed 5] [--skip-loop]

Writes (seeded, in a temporary folder) three CSV files of 1,000,000 records each:

- a Maven-shaped sheet of stage dates (``opportunity_id, deal_stage, engage_date,
  close_date, close_value``; 1,000,000 deals) for ``read_stage_dates``;
- an ``OpportunityFieldHistory`` export (100,000 deals, ten changes each, Data
  Loader times) for ``read_field_history``;
- dbt-snapshot versions (200,000 deals, five versions each, ``2025-01-01 00:00:00``
  times) for ``read_versions``;

and, beside the field history, its ``OpportunityHistory`` export (a row at each deal's
creation and stage change, agreeing with it), merged in by ``read_field_history(...,
stage_history=)`` ("changes+stages": both files' records counted).

Then times, in this one process (wall clock and CPU, after one untimed call):
``polars.read_csv`` of each file (the floor), each reader in columns (its table
and frame), and each reader's record-at-a-time loop (its table, then
``to_polars()``). The two paths' tables are compared (read, taken, refusals,
notes, the frame), so neither is faster by doing less.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import polars as pl

import salesflow as sf
from salesflow.io import field_history, read_field_history, read_stage_dates, read_versions
from salesflow.io import stage_dates as stage_dates_module
from salesflow.io import versions as versions_module

N = 1_000_000
SALESFORCE = sf.presets.salesforce_standard()
STAGES = SALESFORCE.stage_names


def stage_dates(path: Path, rng: np.random.Generator) -> None:
    """Maven's columns: a day engaged, a day closed for the closed ones."""
    engaged = np.datetime64("2016-10-20") + rng.integers(0, 400, N).astype("timedelta64[D]")
    closed = engaged + rng.integers(1, 120, N).astype("timedelta64[D]")
    stage = np.array(["Prospecting", "Engaging", "Won", "Lost"])[rng.integers(0, 4, N)]
    frame = pl.DataFrame(
        {
            "opportunity_id": [f"D{n:07d}" for n in range(N)],
            "deal_stage": stage,
            "engage_date": engaged.astype(str),
            "close_date": closed.astype(str),
            "close_value": rng.integers(0, 30_000, N).astype(str),
        }
    )
    stage_now = pl.col("deal_stage")
    frame.with_columns(
        engage_date=pl.when(stage_now != "Prospecting").then("engage_date"),
        close_date=pl.when(stage_now.is_in(["Won", "Lost"])).then("close_date"),
    ).write_csv(path)


def changes(path: Path, rng: np.random.Generator) -> None:
    """Ten changes per deal: its creation, then stages, amounts, close dates, probabilities."""
    deals, per = N // 10, 10
    deal = np.repeat(np.arange(deals), per)
    step = np.tile(np.arange(per), deals)
    seconds = rng.integers(0, 300 * 86400, deals)[deal] + step * 3 * 86400
    seconds = seconds + rng.integers(0, 3600, N)
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    kinds = np.array(["StageName", "Amount", "CloseDate", "Probability", "Description"])
    field = np.where(step == 0, "created", kinds[rng.integers(0, 5, N)])
    old = {"StageName": STAGES[0], "Amount": "1000", "CloseDate": "2026-03-31"}
    new = {"StageName": STAGES[1], "Amount": "1500", "CloseDate": "2026-04-30"}
    pl.DataFrame(
        {
            "OpportunityId": [f"006{d:012d}" for d in deal],
            "Field": field,
            "OldValue": [old.get(f, "10" if f == "Probability" else "") for f in field],
            "NewValue": [new.get(f, "20" if f == "Probability" else "") for f in field],
            "CreatedDate": [
                (start + timedelta(seconds=int(s))).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
                for s in seconds
            ],
        }
    ).write_csv(path)


def stage_rows(path: Path, changes_path: Path) -> int:
    """The ``OpportunityHistory`` export beside the field history: a row at each deal's creation
    and at each of its stage changes, agreeing with the field history; the rows written."""
    changes = pl.read_csv(changes_path, infer_schema=False)
    rows = changes.filter(pl.col("Field").is_in(["created", "StageName"])).select(
        "OpportunityId",
        "CreatedDate",
        StageName=pl.when(pl.col("Field") == "created")
        .then(pl.lit(STAGES[0]))
        .otherwise(pl.col("NewValue")),
        Amount=pl.lit("1000.00"),
        CloseDate=pl.lit("2026-03-31"),
        Probability=pl.lit("10"),
        ForecastCategoryName=pl.lit("Pipeline"),
    )
    rows.write_csv(path)
    return rows.height


def versions(path: Path, rng: np.random.Generator) -> None:
    """Five versions per deal, most of them changing the stage or the amount."""
    deals, per = N // 5, 5
    deal = np.repeat(np.arange(deals), per)
    step = np.tile(np.arange(per), deals)
    seconds = rng.integers(0, 300 * 86400, deals)[deal] + step * 4 * 86400
    seconds = seconds + rng.integers(0, 3600, N)
    valid = np.datetime64("2025-01-01T00:00:00") + seconds.astype("timedelta64[s]")
    names = np.array(STAGES[:5])
    pl.DataFrame(
        {
            "id": [f"o{d}" for d in deal],
            "stage": names[np.minimum(step + rng.integers(0, 2, N), 4)],
            "amount": (1000 + rng.integers(0, 3, N) * 100).astype(str),
            "close_date": "2026-03-31",
            "description": "x",
            "dbt_valid_from": pl.Series(valid.astype(str)).str.replace("T", " "),
        }
    ).write_csv(path)


def _timed(call: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _loop(module: Any, call: Callable[[], Any]) -> Callable[[], Any]:
    def run() -> Any:
        with mock.patch.object(module, "find_spec", return_value=None):
            table = call()
            return table, table.to_polars()

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--skip-loop", action="store_true", help="time only the columnar path")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        paths = {name: Path(folder) / f"{name}.csv" for name in ("dates", "changes", "versions")}
        stage_dates(paths["dates"], rng)
        changes(paths["changes"], rng)
        versions(paths["versions"], rng)
        paths["stages"] = Path(folder) / "stages.csv"
        merged = N + stage_rows(paths["stages"], paths["changes"])
        readers = {
            "dates": (
                stage_dates_module,
                lambda: read_stage_dates(
                    paths["dates"],
                    sf.presets.maven_stage_dates(),
                    process=sf.presets.maven(),
                    columns=sf.Columns.maven(),
                    currency="USD",
                ),
            ),
            "changes": (
                field_history,
                lambda: read_field_history(paths["changes"], process=SALESFORCE, currency="USD"),
            ),
            "changes+stages": (
                field_history,
                lambda: read_field_history(
                    paths["changes"],
                    process=SALESFORCE,
                    stage_history=paths["stages"],
                    currency="USD",
                ),
            ),
            "versions": (
                versions_module,
                lambda: read_versions(paths["versions"], process=SALESFORCE, currency="USD"),
            ),
        }
        print("| file | path | records | wall s | CPU s | records / s | ÷ polars.read_csv |")
        print("|---|---|---|---|---|---|---|")
        for name, (module, read) in readers.items():
            files = [paths[n] for n in name.split("+")]
            n = merged if len(files) > 1 else N

            def floor_read(files: list[Path] = files) -> None:
                for path in files:
                    pl.read_csv(path, infer_schema=False)

            _, floor, floor_cpu = _timed(floor_read)
            print(f"| {name} | polars.read_csv | {n:,} | {floor:.2f} | {floor_cpu:.2f} | "
                  f"{n / floor / 1e6:.1f} M | 1× |")  # fmt: skip
            read()  # imports, compiled expressions
            table, wall, cpu = _timed(lambda: (t := read(), t.to_polars()))  # noqa: B023
            print(f"| {name} | columns | {n:,} | {wall:.2f} | {cpu:.2f} | "
                  f"{n / wall / 1e3:.0f} k | {wall / floor:.1f}× |")  # fmt: skip
            if args.skip_loop:
                continue
            loop, wall, cpu = _timed(_loop(module, read))
            print(f"| {name} | loop + to_polars | {n:,} | {wall:.2f} | {cpu:.2f} | "
                  f"{n / wall / 1e3:.0f} k | {wall / floor:.1f}× |")  # fmt: skip
            same = (table[0].read, table[0].taken, table[0].refused, table[0].notes) == (
                loop[0].read,
                loop[0].taken,
                loop[0].refused,
                loop[0].notes,
            ) and table[1].equals(loop[1])
            assert same, f"{name}: the two paths differ"


if __name__ == "__main__":
    main()
