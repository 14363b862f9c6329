"""A pipeline report on real data: Maven Analytics' "CRM Sales Opportunities" files.

Run: python examples/maven_crm.py [FOLDER] [--pipeline FILE] [--json]

FOLDER holds the CSVs (default: ``../shared/data/maven-crm`` next to the
project); ``--pipeline`` reads another deals file, e.g. the spreadsheet-saved
``variants/sales_pipeline_excel_mdy_dates.csv``. Without the data (or without
the ``analytics`` extra) it says that it skipped, on stderr, and exits 0.

Everything goes through salesflow's frame door: the deals file is read as it
is, its columns found with ``Columns.maven()``, and every figure is a
``salesflow.analytics`` metric on those frames.

Policies, each named:

- **Process**: Prospecting > Engaging > Won / Lost; the open stages get 10 %
  and 50 % (salesflow's choice: Maven ships no probabilities).
- **Dates** are ISO (``2016-10-20``) or M/D/YYYY (``10/20/2016``), per value;
  anything else stops the report with the rows at fault. CRLF line ends are read as such.
- **History** is built by ``salesflow.io.read_stage_dates``: a deal entered Engaging on ``engage_date`` and Won or
  Lost on ``close_date``. Prospecting deals have no dates, so no history.
- **Open deals** (``OPEN_DEALS = "no-close-date"``): Prospecting and Engaging
  deals have no close date in the file and get none: no forecast close date and
  no ``closed_on`` is invented. They count in the stage counts and in the
  won / all denominator, never in revenue or cycle times.
- **Products** are matched to ``products.csv`` ignoring spaces and case
  ("GTXPro" in the deals file is "GTX Pro" there) and reported under the
  catalogue's name; a product not in the catalogue is reported, never dropped.
- **Accounts**: deals with an empty account are kept (counted in
  ``data_quality``); no table here groups by account.
- **Amounts** are ``close_value`` in USD: the revenue of a won deal, 0 for a
  lost one, empty while open.

``--json`` prints one object with these keys:

- ``source``: the folder; ``pipeline_file``: the deals file read;
- ``policies``: the policies above, as short strings;
- ``deals``: how many deals; ``by_stage``: deals per current stage;
- ``win_rate``: ``won``, ``lost``, ``open``, ``won_over_closed`` and
  ``won_over_all`` (floats, null when the denominator is 0);
- ``won_revenue`` and ``average_won_deal``: decimal strings, USD;
- ``days_engaging_to_close``: for won deals, ``deals``, ``median`` and ``mean`` days;
- ``by_product``, ``by_manager``, ``by_region``: lists of rows with the group's
  name (``product``, ``manager`` or ``region``), ``deals``, ``won``, ``lost``,
  ``open``, ``win_rate`` (won / closed), ``won_revenue``, ``average_won_deal``,
  ``median_days`` and ``mean_days`` (won deals, engaging to close);
- ``data_quality``: ``deals_without_account``, ``renamed_products`` (deals file
  name → catalogue name), ``unknown_products``, ``agents_without_deals``,
  ``history_rows`` and ``illegal_history_rows`` (``check_history`` against the process).
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import salesflow as sf

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "maven-crm"
OPEN_DEALS = "no-close-date"
PROCESS = sf.presets.maven()
CENT = Decimal("0.01")


def _key(expr: Any) -> Any:
    """A product name without spaces, lower case."""
    return expr.str.replace_all(" ", "", literal=True).str.to_lowercase()


def _date(pl: Any, column: str) -> Any:
    """ISO or M/D/YYYY, whichever the value is in."""
    text = pl.col(column).str.strip_chars()
    return pl.coalesce(
        text.str.to_date("%Y-%m-%d", strict=False), text.str.to_date("%m/%d/%Y", strict=False)
    ).alias(column)


def load(folder: Path, pipeline: Path | None = None) -> tuple[Any, dict[str, Any]]:
    """The deals as :class:`salesflow.analytics.Frames` (Maven's own columns), and data notes.

    Raises:
        SystemExit: A date in neither format (the rows are named).
    """
    import polars as pl

    from salesflow.analytics import Columns, Frames
    from salesflow.io import read_stage_dates

    path = pipeline or folder / "sales_pipeline.csv"
    raw = pl.read_csv(path, infer_schema=False)
    deals = raw.with_columns(_date(pl, "engage_date"), _date(pl, "close_date"))
    for column in ("engage_date", "close_date"):
        bad = deals.with_row_index("row", offset=2).filter(
            pl.col(column).is_null() & raw[column].is_not_null() & (raw[column] != "")
        )
        if bad.height:
            rows = ", ".join(str(r) for r in bad["row"].head(5))
            raise SystemExit(f"{path}: {column} is neither YYYY-MM-DD nor M/D/YYYY on line {rows}")
    catalogue = pl.read_csv(folder / "products.csv", infer_schema=False)
    teams = pl.read_csv(folder / "sales_teams.csv", infer_schema=False)
    catalogue = catalogue.select(
        _key(pl.col("product")).alias("_key"),
        pl.col("product").alias("_catalogue"),
        "series",
    )
    deals = (
        deals.with_columns(
            pl.col("close_value").cast(pl.Decimal(18, 2)),
            _key(pl.col("product")).alias("_key"),
        )
        .join(catalogue, on="_key", how="left")
        .join(teams, on="sales_agent", how="left")
    )
    renamed = (
        deals.filter(
            pl.col("_catalogue").is_not_null() & (pl.col("product") != pl.col("_catalogue"))
        )
        .select("product", "_catalogue")
        .unique()
        .sort("product")
    )
    unknown = deals.filter(pl.col("_catalogue").is_null())["product"].unique().sort().to_list()
    snapshot = deals.with_columns(
        pl.coalesce("_catalogue", "product").alias("product"),
        pl.col("regional_office").alias("region"),
        pl.col("engage_date").alias("engaged_on"),
    ).drop("_key", "_catalogue", "regional_office")
    # The history, from the stage dates, by salesflow's reader (every refusal reported).
    read = read_stage_dates(
        path,
        sf.presets.maven_stage_dates(),
        process=PROCESS,
        columns=Columns.maven(),
        currency="USD",
        date_formats=["%m/%d/%Y"],
    )
    if read.refused:
        raise SystemExit(f"{path}: {len(read.refused)} deals refused\n{read.summary()}")
    history = read.to_polars()
    frames = Frames(
        snapshot=snapshot,
        history=history,
        columns=Columns.maven(),
        process=PROCESS,
        currency="USD",
    )
    agents = set(teams["sales_agent"].to_list()) - set(deals["sales_agent"].to_list())
    notes = {
        "pipeline_file": str(path),
        "deals_without_account": deals.filter(
            pl.col("account").is_null() | (pl.col("account").str.strip_chars() == "")
        ).height,
        "renamed_products": dict(renamed.rows()),
        "unknown_products": unknown,
        "agents_without_deals": sorted(agents),
        "history": history,
    }
    return frames, notes


def _money(value: Any) -> str | None:
    return None if value is None else str(Decimal(value).quantize(CENT))


def _average(total: Any, count: int) -> str | None:
    return None if not count or total is None else _money(Decimal(total) / count)


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 4)


def _groups(frames: Any, column: str, label: str) -> list[dict[str, Any]]:
    from salesflow.analytics import cycle_length, pipeline_summary, win_rate

    rates = {r[column]: r for r in win_rate(frames, by=column).rows()}
    won = {
        r[column]: r
        for r in pipeline_summary(frames, by=column).rows()
        if r["line"] == "Closed Won"
    }
    cycles = {r[column]: r for r in cycle_length(frames, start="engaged_on", by=column).rows()}
    rows = []
    for name in sorted(rates, key=lambda n: (n is None, n or "")):
        rate, revenue, cycle = rates[name], won.get(name, {}), cycles.get(name, {})
        rows.append(
            {
                label: name,
                "deals": rate["total"],
                "won": rate["won"],
                "lost": rate["lost"],
                "open": rate["open"],
                "win_rate": _round(rate["win_rate"]),
                "won_revenue": _money(revenue.get("amount") or 0),
                "average_won_deal": _average(revenue.get("amount"), rate["won"]),
                "median_days": _round(cycle.get("median_days")),
                "mean_days": _round(cycle.get("mean_days")),
            }
        )
    return rows


def _teams(folder: Path, frames: Any) -> list[dict[str, Any]]:
    """Q4 2017 up sales_teams.csv's tree (offices and managers): won revenue and win rate.

    The win rate is by count: Maven records a lost deal's close_value as 0, so by value
    every team would win 100 %.
    """
    from salesflow.forecasting import attainment
    from salesflow.io import read_hierarchy

    tree = read_hierarchy(
        folder / "sales_teams.csv",
        levels=("sales_agent", "manager", "regional_office"),
        top="Company",
    )
    q4 = attainment(frames, hierarchy=tree, period="FY2017 Q4", draws=1000, new_deals=False)
    return [
        {
            "node": "  " * r["depth"] + r["node"],
            "won": _money(r["closed"]),
            "win_rate": _round(r["win_rate"]),
        }
        for r in q4.rows()
        if r["depth"] <= 2
    ]


def report(folder: Path, pipeline: Path | None = None) -> dict[str, Any]:
    """The pipeline report as plain data (see the module docstring for the keys)."""
    from salesflow.analytics import check_history, cycle_length, pipeline_summary, win_rate

    frames, notes = load(folder, pipeline)
    by_stage = {
        r["stage"]: r["count"]
        for r in pipeline_summary(frames, by="stage").rows()
        if r["line"] == "Total"
    }
    closed = win_rate(frames)
    overall = win_rate(frames, denominator="all")
    won_line = pipeline_summary(frames).line("Closed Won")
    revenue = won_line.amount.amount if won_line.amount is not None else Decimal(0)
    cycle = cycle_length(frames, start="engaged_on").rows()[0]
    history = notes.pop("history")
    # Maven records no forecast close date before a deal closes: the moves are checked, the
    # close dates are not (a history without the column skips that check).
    illegal = check_history(history.drop("close_date"), PROCESS, only_illegal=True).height
    return {
        "source": str(folder),
        "pipeline_file": notes.pop("pipeline_file"),
        "policies": {
            "process": "Prospecting > Engaging > Won / Lost (10 %, 50 %, 100 %, 0 %)",
            "dates": "ISO or M/D/YYYY per value",
            "history": "Engaging on engage_date; Won or Lost on close_date",
            "open_deals": OPEN_DEALS,
            "products": "matched to products.csv ignoring spaces and case",
            "amounts": "close_value, USD",
        },
        "deals": sum(by_stage.values()),
        "by_stage": {s: by_stage.get(s, 0) for s in PROCESS.stage_names},
        "win_rate": {
            "won": closed.count("won"),
            "lost": closed.count("lost"),
            "open": closed.count("open"),
            "won_over_closed": _round(closed.rate),
            "won_over_all": _round(overall.rate),
        },
        "won_revenue": _money(revenue),
        "average_won_deal": _average(revenue, won_line.count),
        "days_engaging_to_close": {
            "deals": cycle["deals"],
            "median": _round(cycle["median_days"]),
            "mean": _round(cycle["mean_days"]),
        },
        "by_product": _groups(frames, "product", "product"),
        "by_manager": _groups(frames, "manager", "manager"),
        "by_region": _groups(frames, "region", "region"),
        "teams_q4_2017": _teams(folder, frames),
        "data_quality": {**notes, "history_rows": history.height, "illegal_history_rows": illegal},
    }


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "  (none)"
    names = list(rows[0])
    cells = [[("" if r[n] is None else str(r[n])) for n in names] for r in rows]
    widths = [max(len(n), *(len(c[i]) for c in cells)) for i, n in enumerate(names)]
    lines = ["  " + "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))]
    lines += [
        "  " + "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells
    ]
    return "\n".join(lines)


def render(data: dict[str, Any]) -> str:
    """The report as text."""
    wr, days = data["win_rate"], data["days_engaging_to_close"]
    stages = ", ".join(f"{s} {n}" for s, n in data["by_stage"].items())
    quality = data["data_quality"]
    renamed = ", ".join(f"{a!r} → {b!r}" for a, b in quality["renamed_products"].items())
    return "\n".join(
        [
            f"Maven CRM pipeline ({data['pipeline_file']})",
            f"Deals: {data['deals']} ({stages})",
            f"Win rate: {wr['won_over_closed']:.1%} of closed deals ({wr['won']} won, "
            f"{wr['lost']} lost); {wr['won_over_all']:.1%} of all deals ({wr['open']} still open)",
            f"Won revenue: USD {data['won_revenue']}; average won deal: USD {data['average_won_deal']}",
            f"Days from engaging to close (won deals): median {days['median']}, "
            f"mean {days['mean']:.1f} ({days['deals']} deals)",
            f"Open deals: policy {data['policies']['open_deals']!r} (no close date is invented)",
            "",
            "By product",
            _table(data["by_product"]),
            "",
            "By manager",
            _table(data["by_manager"]),
            "",
            "By region",
            _table(data["by_region"]),
            "",
            "Q4 2017 up the sales teams (sales_teams.csv)",
            _table(data["teams_q4_2017"]),
            "",
            f"Data: {quality['deals_without_account']} deals without an account; "
            f"products renamed to the catalogue's names: {renamed or 'none'}; "
            f"unknown products: {quality['unknown_products'] or 'none'}; "
            f"agents without deals: {', '.join(quality['agents_without_deals']) or 'none'}; "
            f"history rows: {quality['history_rows']}, illegal under the process: "
            f"{quality['illegal_history_rows']}",
        ]
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--pipeline", type=Path, help="another deals file, e.g. a variant")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    deals = args.pipeline or args.folder / "sales_pipeline.csv"
    if not deals.is_file() or not (args.folder / "products.csv").is_file():
        print(
            f"maven_crm: skipped: no Maven CRM data at {args.folder} "
            "(pass the folder; see ../shared/data/README.md)",
            file=sys.stderr,
        )
        return 0
    try:
        import salesflow.analytics  # noqa: F401
    except sf.MissingExtraError as exc:
        print(f"maven_crm: skipped: {exc}", file=sys.stderr)
        return 0
    data = report(args.folder, args.pipeline)
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else render(data))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
