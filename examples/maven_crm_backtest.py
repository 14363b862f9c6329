"""How good are stage probabilities on real data? A time-split backtest on the Maven CRM files.

Run: python examples/maven_crm_backtest.py [FOLDER] [--json]

``--json`` prints ``{"process": name, "runs": [...]}``, one run per cut-off with
``cutoff`` (ISO date), ``learned_from`` (words), ``open_at_cutoff`` and
``scored`` (deal counts), ``learned`` (stage → probability, ``null`` for
insufficient history), and ``brier`` / ``log_loss`` (predictor → score).

FOLDER holds Maven Analytics' "CRM Sales Opportunities" CSVs (default:
``../shared/data/maven-crm`` next to the project). Without the folder, or
without the ``analytics`` extra, it says so and exits 0.

What it does, with every policy named:

- The process is Prospecting > Engaging > Won / Lost with static defaults of
  10 % and 50 % for the open stages (salesflow's choice: Maven ships none;
  round numbers like these are what CRMs ship).
- History: a deal entered Engaging on ``engage_date`` and Won or Lost on
  ``close_date``. Prospecting rows have no dates at all, so they have no
  history: Prospecting is "insufficient history", never a number.
- Amount: the product's list price from ``products.csv`` (``close_value`` is
  revenue after the fact, 0 for every lost deal: using it would leak the outcome).
- For each cut-off, probabilities are learned only from what was written by
  then; the deals in Engaging at the cut-off are predicted and scored on how
  they ended (deals still open today are left out: their outcome is unknown).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import salesflow as sf

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "maven-crm"
CUTOFFS = (date(2017, 3, 31), date(2017, 6, 30), date(2017, 9, 30))

PROCESS = sf.SalesProcess(
    name="Maven CRM",
    stages=[
        sf.Stage("Prospecting", 10),
        sf.Stage("Engaging", 50),
        sf.Stage("Won", 100, is_closed=True, is_won=True),
        sf.Stage("Lost", 0, is_closed=True),
    ],
)


def _key(product: Any) -> Any:
    """A product name without spaces, lower case: "GTXPro" in one file is "GTX Pro" in the other."""
    return product.str.replace_all(" ", "", literal=True).str.to_lowercase()


def load(folder: Path) -> Any:
    """The Maven files as salesflow's snapshot and history tables (Polars)."""
    import polars as pl

    from salesflow.analytics import Frames
    from salesflow.io import read_stage_dates

    deals = pl.read_csv(folder / "sales_pipeline.csv", try_parse_dates=True)
    prices = pl.read_csv(folder / "products.csv").select(
        _key(pl.col("product")).alias("_key"),
        pl.col("sales_price").cast(pl.Decimal(38, 2)).alias("amount"),
    )
    deals = deals.with_columns(_key(pl.col("product")).alias("_key")).join(
        prices, on="_key", how="left"
    )
    snapshot = deals.select(
        pl.col("opportunity_id").alias("id"),
        pl.col("sales_agent").alias("owner"),
        pl.col("account").alias("account_id"),
        pl.col("product"),
        pl.col("deal_stage").alias("stage"),
        pl.col("amount"),
        pl.lit("USD").alias("currency"),
        pl.col("close_date").alias("closed_on"),
    )
    read = read_stage_dates(
        folder / "sales_pipeline.csv",
        sf.presets.maven_stage_dates(),
        process=PROCESS,
        columns=sf.Columns.maven(),
    )
    if read.refused:
        raise SystemExit(read.summary())
    # The stage moves only: amounts come from the catalogue's list prices above.
    history = read.to_polars().select("opportunity_id", "at", "stage")
    return Frames(snapshot=snapshot, history=history, process=PROCESS)


def report(folder: Path) -> dict[str, Any]:
    """The backtest at each cut-off, as plain data."""
    from salesflow.forecasting import backtest

    frames = load(folder)
    runs = []
    for cutoff in CUTOFFS:
        bt = backtest(frames, cutoff=cutoff, min_sample=30)
        runs.append(
            {
                "cutoff": cutoff.isoformat(),
                "learned_from": bt.learned.learned_from,
                "open_at_cutoff": bt.open_at_cutoff,
                "scored": bt.scored,
                "learned": {e.stage: e.probability for e in bt.learned.estimates},
                "brier": {r.label: round(r.brier, 4) for r in bt.results},
                "log_loss": {r.label: round(r.log_loss, 4) for r in bt.results},
            }
        )
    return {"process": PROCESS.name, "runs": runs}


def main(argv: list[str]) -> int:
    args = [a for a in argv if a != "--json"]
    folder = Path(args[0]) if args else DEFAULT
    if not (folder / "sales_pipeline.csv").is_file():
        print(f"Maven CRM data not found in {folder}; nothing to backtest (pass the folder).")
        return 0
    try:
        result = report(folder)
    except (sf.MissingExtraError, ImportError) as exc:
        print(f"{exc}; install salesflow[analytics] to run the backtest.")
        return 0
    if "--json" in argv:
        print(json.dumps(result, indent=2))
        return 0
    for run in result["runs"]:
        print(f"cut-off {run['cutoff']}: learned from {run['learned_from']}")
        learned = ", ".join(
            f"{stage} {'insufficient history' if p is None else f'{p:.1%}'}"
            for stage, p in run["learned"].items()
        )
        print(f"  learned: {learned}")
        print(
            f"  deals open then: {run['open_at_cutoff']}, closed since and scored: {run['scored']}"
        )
        for label, brier in run["brier"].items():
            print(f"  Brier {label:<16} {brier:.4f}   log loss {run['log_loss'][label]:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
