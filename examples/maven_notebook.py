"""The Maven CRM data in a notebook: funnel, bridge and calibration plots.

Run it as a script (``python examples/maven_notebook.py [FOLDER] [--out DIR]``) or
open it in an editor that runs ``# %%`` cells (VS Code, PyCharm, Jupytext). It
reads the deals with the loader of ``examples/maven_crm.py`` (the frame door,
``Columns.maven()``, history derived from the engage and close dates), then
draws three figures into ``--out`` (default: a new temporary folder) and prints
where they are. Without the data, or without the ``analytics`` and ``plots``
extras, it says that it skipped and exits 0.
"""

# %% Setup: where the data is, where the pictures go
from __future__ import annotations

import sys
import tempfile
from datetime import date, datetime, timezone
from pathlib import Path

import salesflow as sf

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parent.parent / "shared" / "data" / "maven-crm"


def main(argv: list[str]) -> int:
    """Draw the three figures; 0 when done or skipped."""
    args = list(argv)
    out = None
    if "--out" in args:
        at = args.index("--out")
        out = Path(args[at + 1])
        del args[at : at + 2]
    folder = Path(args[0]) if args else DEFAULT
    if not (folder / "sales_pipeline.csv").is_file():
        print(f"Maven CRM data not found in {folder}; skipped (pass the folder).", file=sys.stderr)
        return 0
    try:
        import matplotlib

        matplotlib.use("Agg")  # no screen needed
        import matplotlib.pyplot as plt

        from salesflow import analytics, forecasting
        from salesflow.analytics import plots
    except (ImportError, sf.MissingExtraError) as exc:
        print(f"{exc}; install salesflow[analytics,plots]. Skipped.", file=sys.stderr)
        return 0
    out = out or Path(tempfile.mkdtemp(prefix="maven-notebook-"))
    out.mkdir(parents=True, exist_ok=True)

    # %% Load: the deals as frames, through the same loader as maven_crm.py
    sys.path.insert(0, str(HERE))
    from maven_crm import load

    frames, _notes = load(folder)  # snapshot and history, Maven's own column names

    # %% Amounts in history, for the bridge. Maven records a value only at the close
    # (close_value); a policy, named: an open deal is worth its product's list price
    # (products.csv), a closed one its close_value. Maven has no forecast close
    # date, so none is invented: pulled in / pushed out stay empty.
    import polars as pl

    prices = pl.read_csv(folder / "products.csv").select(
        "product", pl.col("sales_price").cast(pl.Decimal(38, 2)).alias("list_price")
    )
    values = frames.snapshot.join(prices, on="product", how="left").select(
        "opportunity_id", "close_value", "list_price"
    )
    history = (
        frames.history.join(values, on="opportunity_id", how="left")
        .with_columns(
            pl.when(pl.col("stage") == "Engaging")
            .then(pl.col("list_price"))
            .otherwise(pl.col("close_value").cast(pl.Decimal(38, 2)))
            .alias("amount"),
            pl.lit(None, pl.Date).alias("close_date"),
        )
        .drop("list_price", "close_value")
    )
    frames = analytics.Frames(
        snapshot=frames.snapshot,
        history=history,
        columns=frames.columns,
        process=frames.process,
        currency=frames.currency,
    )

    # %% The funnel: how many deals reached each stage
    funnel = analytics.funnel(frames)
    print(funnel)
    plots.plot_funnel(funnel)
    plt.savefig(out / "funnel.png", bbox_inches="tight")
    plt.close("all")

    # %% The bridge over a quarter: what came in, what left, what was won
    start = datetime(2017, 7, 1, tzinfo=timezone.utc)
    end = datetime(2017, 10, 1, tzinfo=timezone.utc)
    bridge = analytics.bridge(frames, start, end)
    totals = bridge.totals()
    print(totals, "adds up:", totals.adds_up())
    plots.plot_bridge(bridge)
    plt.savefig(out / "bridge.png", bbox_inches="tight")
    plt.close("all")

    # %% Calibration: the learned probabilities, scored on deals that closed after the cut-off
    result = forecasting.backtest(frames, cutoff=date(2017, 6, 30))
    for calibration in result.results:
        print(f"{calibration.label}: Brier {calibration.brier:.4f} on {result.scored} deals")
    result.result("learned").plot()
    plt.savefig(out / "calibration.png", bbox_inches="tight")
    plt.close("all")

    print(f"figures in {out}: funnel.png, bridge.png, calibration.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
