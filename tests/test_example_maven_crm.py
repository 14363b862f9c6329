"""examples/maven_crm.py: its figures equal a plain computation on the CSV; it skips without data."""

from __future__ import annotations

import csv
import importlib.util
import json
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "maven_crm.py"


def example() -> ModuleType:
    pytest.importorskip("polars", reason="needs salesflow[analytics]")
    spec = importlib.util.spec_from_file_location("maven_crm", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def maven(request: pytest.FixtureRequest) -> Path:
    from tests.conftest import SHARED_DATA

    folder = SHARED_DATA / "maven-crm"
    if not folder.is_dir():
        pytest.skip(f"real data not found at {folder} (../shared/data beside the project)")
    return folder


@pytest.fixture(scope="module")
def reported(maven: Path) -> dict[str, Any]:
    data: dict[str, Any] = example().report(maven)
    return data


def plain(folder: Path) -> dict[str, Any]:
    """The same figures with the csv module and no salesflow."""
    with (folder / "sales_pipeline.csv").open(newline="", encoding="utf-8") as f:
        deals = list(csv.DictReader(f))
    with (folder / "sales_teams.csv").open(newline="", encoding="utf-8") as f:
        manager = {r["sales_agent"]: r["manager"] for r in csv.DictReader(f)}
    stages = Counter(d["deal_stage"] for d in deals)
    won = [d for d in deals if d["deal_stage"] == "Won"]
    revenue = sum(Decimal(d["close_value"]) for d in won)
    days = [
        (date.fromisoformat(d["close_date"]) - date.fromisoformat(d["engage_date"])).days
        for d in won
    ]
    by_manager: dict[str, Counter[str]] = defaultdict(Counter)
    for d in deals:
        by_manager[manager[d["sales_agent"]]][d["deal_stage"]] += 1
    return {
        "stages": dict(stages),
        "won": len(won),
        "closed": stages["Won"] + stages["Lost"],
        "revenue": revenue,
        "median": statistics.median(days),
        "mean": statistics.mean(days),
        "by_manager": {m: (c["Won"], c["Lost"]) for m, c in by_manager.items()},
        "no_account": sum(1 for d in deals if not d["account"].strip()),
    }


def test_the_report_equals_a_plain_computation_on_the_csv(
    maven: Path, reported: dict[str, Any]
) -> None:
    expected = plain(maven)
    assert reported["by_stage"] == {s: expected["stages"][s] for s in reported["by_stage"]}
    assert reported["deals"] == sum(expected["stages"].values())
    rate = reported["win_rate"]
    assert (rate["won"], rate["won"] + rate["lost"]) == (expected["won"], expected["closed"])
    assert rate["won_over_closed"] == round(expected["won"] / expected["closed"], 4)
    assert rate["won_over_all"] == round(expected["won"] / reported["deals"], 4)
    assert Decimal(reported["won_revenue"]) == expected["revenue"]
    average = (expected["revenue"] / expected["won"]).quantize(Decimal("0.01"))
    assert Decimal(reported["average_won_deal"]) == average
    days = reported["days_engaging_to_close"]
    assert days["median"] == expected["median"]
    assert days["mean"] == round(expected["mean"], 4)
    managers = {r["manager"]: (r["won"], r["lost"]) for r in reported["by_manager"]}
    assert managers == expected["by_manager"]
    assert reported["data_quality"]["deals_without_account"] == expected["no_account"]


def test_the_products_are_reconciled_with_the_catalogue(reported: dict[str, Any]) -> None:
    quality = reported["data_quality"]
    assert quality["renamed_products"] == {"GTXPro": "GTX Pro"}
    assert quality["unknown_products"] == []
    products = [r["product"] for r in reported["by_product"]]
    assert "GTX Pro" in products and "GTXPro" not in products
    assert sum(r["deals"] for r in reported["by_product"]) == reported["deals"]


def test_open_deals_get_no_invented_dates_and_the_derived_history_is_legal(
    reported: dict[str, Any],
) -> None:
    assert reported["policies"]["open_deals"] == "no-close-date"
    won = reported["win_rate"]["won"]
    assert reported["days_engaging_to_close"]["deals"] == won  # only won deals have cycles
    quality = reported["data_quality"]
    engaged_or_closed = reported["deals"] - reported["by_stage"]["Prospecting"]
    closed = won + reported["win_rate"]["lost"]
    assert quality["history_rows"] == engaged_or_closed + closed
    assert quality["illegal_history_rows"] == 0


def test_the_spreadsheet_date_variant_gives_the_same_report(
    maven: Path, reported: dict[str, Any]
) -> None:
    variant = maven / "variants" / "sales_pipeline_excel_mdy_dates.csv"
    again = example().report(maven, variant)
    assert again.pop("pipeline_file") != reported["pipeline_file"]
    assert again == {k: v for k, v in reported.items() if k != "pipeline_file"}


def test_the_command_prints_json_and_text(maven: Path) -> None:
    example()  # skips without the analytics extra
    out = subprocess.run(
        [sys.executable, str(EXAMPLE), str(maven), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["deals"] == 8800
    text = subprocess.run(
        [sys.executable, str(EXAMPLE), str(maven)], capture_output=True, text=True, check=True
    )
    assert "Win rate: 63.1% of closed deals" in text.stdout


def test_without_the_data_it_says_it_skipped_and_succeeds(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(EXAMPLE), str(tmp_path / "absent")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0
    assert "maven_crm: skipped: no Maven CRM data" in out.stderr
    assert out.stdout == ""


def test_a_date_in_neither_format_stops_the_report_naming_the_line(
    maven: Path, tmp_path: Path
) -> None:
    module = example()
    lines = (maven / "sales_pipeline.csv").read_bytes().splitlines(keepends=True)
    lines[3] = lines[3].replace(b"2016-10-25", b"25.10.2016", 1)
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"".join(lines[:10]))
    with pytest.raises(SystemExit, match=r"engage_date is neither .* on line 4"):
        module.report(maven, broken)
