"""A gallery of real shapes: vendor exports read as a user would, every figure checked by hand.

The fixtures in ``tests/gallery/`` are small files written here in each vendor's
real column layout (never copies of ``../shared/data``).
"""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

import salesflow as sf
from salesflow import analytics as sfa
from salesflow.cli import main
from salesflow.io import (
    hubspot_stage_dates,
    read_field_history,
    read_salesforce_json,
    read_stage_dates,
    read_versions,
)

GALLERY = Path(__file__).parent / "gallery"
JAN, FEB = date(2026, 1, 31), date(2026, 2, 28)


def _open_amount(tables: sfa.Frames, day: date) -> Decimal:
    as_of = sfa.pipeline_as_of(tables, day)
    line = sfa.pipeline_summary(as_of, process=tables.process).line("Open Pipeline")
    return line.amount.amount if line.amount is not None else Decimal(0)


def test_a_salesforce_export_with_field_history() -> None:
    process = sf.presets.salesforce_standard()
    history = read_field_history(
        GALLERY / "OpportunityFieldHistory.csv",
        process=process,
        opportunities=GALLERY / "Opportunity.csv",
        currency="USD",
    )
    assert (history.read, history.taken, history.refused) == (8, 8, ())
    snapshot = pl.read_csv(GALLERY / "Opportunity.csv")
    tables = sfa.Frames(
        snapshot,
        history.to_polars(),
        columns=sf.Columns.salesforce(),
        process=process,
        currency="USD",
    )
    won = sfa.win_rate(tables).rows()[0]
    assert (won["won"], won["lost"], won["open"]) == (1, 1, 1)
    reached = {r["stage"]: r["reached"] for r in sfa.funnel(tables).rows()}
    assert (reached["Prospecting"], reached["Qualification"], reached["Closed Won"]) == (3, 1, 1)
    # 31 January: A in Qualification at 1,500 and B in Prospecting at 2,000; C not yet created.
    assert _open_amount(tables, JAN) == Decimal("3500")
    totals = sfa.bridge(tables, JAN, FEB).totals()
    assert totals.start.amount == 3500 and totals.end.amount == 500
    assert (totals.counts["won"], totals.counts["lost"], totals.counts["new"]) == (1, 1, 1)
    assert totals.adds_up()


def test_field_history_merged_with_opportunity_history() -> None:
    # OpportunityHistory gives each stage change's full state (close dates too);
    # the field history adds what it alone tracks. Both agree where both speak.
    process = sf.presets.salesforce_standard()
    history = read_field_history(
        GALLERY / "OpportunityFieldHistory.csv",
        process=process,
        opportunities=GALLERY / "Opportunity.csv",
        stage_history=GALLERY / "OpportunityHistory.csv",
        currency="USD",
    )
    assert (history.read, history.taken, history.refused) == (14, 14, ())
    a_rows = [
        (r["at"].date().isoformat(), r["stage"], r["amount"], r["close_date"].isoformat())
        for r in history.rows
        if r["opportunity_id"] == "006A"
    ]
    assert a_rows == [
        ("2026-01-05", "Prospecting", Decimal(1000), "2026-03-31"),
        ("2026-01-20", "Qualification", Decimal(1500), "2026-03-31"),
        ("2026-02-10", "Closed Won", Decimal(1500), "2026-02-10"),
    ]
    snapshot = pl.read_csv(GALLERY / "Opportunity.csv")
    tables = sfa.Frames(
        snapshot,
        history.to_polars(),
        columns=sf.Columns.salesforce(),
        process=process,
        currency="USD",
    )
    assert _open_amount(tables, JAN) == Decimal("3500")
    # the close dates now have a history: A was pulled in from March, B from mid-March
    moved = {r["id"]: (r["pulls"], r["first_close_date"]) for r in sfa.slippage(tables).rows()}
    assert moved == {
        "006A": (1, date(2026, 3, 31)),
        "006B": (1, date(2026, 3, 15)),
        "006C": (0, date(2026, 4, 30)),
    }


def test_the_cli_reports_a_salesforce_csv_export_with_its_history(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["report", str(GALLERY / "Opportunity.csv")]
    args += ["--history", str(GALLERY / "OpportunityHistory.csv"), "--columns", "salesforce"]
    args += ["--currency", "USD", "--as-of", "2026-02-28", "--format", "json"]
    assert main(args) == 0
    sections = json.loads(capsys.readouterr().out)["sections"]
    lines = {r["line"]: (r["count"], r["amount"]) for r in sections["summary"]["rows"]}
    assert lines["Closed Won"] == (1, "1500.00") and lines["Open Pipeline"] == (1, "500.00")
    assert lines["Closed Lost"] == (1, "2000.00")
    weeks = {r["date"]: r["Open Pipeline"] for r in sections["over_time"]["rows"]}
    assert (weeks["2026-01-10"], weeks["2026-01-24"], weeks["2026-02-07"]) == (
        "3000.00",
        "3500.00",
        "2000.00",
    )
    reached = [r["reached"] for r in sections["funnel"]["rows"]]
    assert reached[0] == 3 and reached[-1] == 1
    assert sections["win_rate"]["rows"][0]["win_rate"] == 0.5
    # no contact-role file: the flag is not checked, never raised on every deal
    assert sections["at_risk"]["rows"] == []
    assert any("Not checked: flag no_primary_contact" in n for n in sections["at_risk"]["notes"])


def test_an_opportunity_history_row_that_contradicts_the_field_history_is_refused() -> None:
    process = sf.presets.salesforce_standard()
    field_history = [
        {"OpportunityId": "006A", "Field": "created", "CreatedDate": "2026-01-05T09:00:00Z"},
        {
            "OpportunityId": "006A",
            "Field": "StageName",
            "OldValue": "Prospecting",
            "NewValue": "Qualification",
            "CreatedDate": "2026-01-20T10:00:00Z",
        },
    ]
    stage_history = [
        {
            "OpportunityId": "006A",
            "CreatedDate": "2026-01-05T09:00:00Z",
            "StageName": "Prospecting",
        },
        {
            "OpportunityId": "006A",
            "CreatedDate": "2026-01-20T10:00:00Z",
            "StageName": "Closed Won",
        },
    ]
    history = read_field_history(field_history, process=process, stage_history=stage_history)
    assert (history.read, history.taken, len(history.refused)) == (4, 3, 1)
    [refusal] = history.refused
    assert refusal.kind == "OpportunityHistory" and refusal.record == 2
    assert "contradicts the field history's 'Qualification' (record 2)" in str(refusal)
    assert [r["stage"] for r in history.rows] == ["Prospecting", "Qualification"]


def test_a_hubspot_deals_export_with_date_entered_columns() -> None:
    process = sf.presets.hubspot_default()
    path = GALLERY / "hubspot-deals.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    mapping = hubspot_stage_dates(header, pipeline="Sales Pipeline")
    assert set(mapping) == {
        "Appointment scheduled",
        "Qualified to buy",
        "Closed won",
        "Closed lost",
    }
    columns = sf.Columns.salesflow().replace(
        snapshot={
            "id": "Record ID",
            "name": "Deal Name",
            "stage": "Deal Stage",
            "amount": "Amount",
        }
    )
    history = read_stage_dates(path, mapping, process=process, columns=columns, currency="USD")
    assert (history.read, history.taken, len(history.rows)) == (3, 3, 7)
    snapshot = pl.read_csv(path)
    tables = sfa.Frames(
        snapshot, history.to_polars(), columns=columns, process=process, currency="USD"
    )
    won = sfa.win_rate(tables).rows()[0]
    assert (won["won"], won["lost"], won["open"]) == (1, 1, 1)
    reached = {r["stage"]: r["reached"] for r in sfa.funnel(tables).rows()}
    assert (reached["Appointment scheduled"], reached["Qualified to buy"]) == (3, 2)
    assert reached["Closed won"] == 1
    # 31 January: 101 (qualified, 5,000) and 102 (qualified, 3,000) open; 103 lost on the 25th.
    assert _open_amount(tables, JAN) == Decimal("8000")
    stays = {
        (r["id"], r["stage"]): r["cumulative_days"]
        for r in sfa.time_in_stage(tables, as_of=JAN).rows()
    }
    assert stays[("102", "Appointment scheduled")] == pytest.approx(15 + 1 / 24)


def test_a_dbt_snapshot_table() -> None:
    process = sf.presets.salesforce_standard()
    path = GALLERY / "dbt-opportunity-snapshot.csv"
    history = read_versions(path, process=process, valid_from="dbt", currency="USD")
    assert (history.read, history.taken) == (5, 5)
    assert [(r["opportunity_id"], r["stage"]) for r in history.rows] == [
        ("o1", "Prospecting"),
        ("o1", "Qualification"),
        ("o2", "Prospecting"),
        ("o2", "Closed Won"),
    ]  # the description-only version gives no row
    current = pl.read_csv(path).filter(pl.col("dbt_valid_to").is_null())
    tables = sfa.Frames(current, history.to_polars(), process=process, currency="USD")
    assert _open_amount(tables, JAN) == Decimal("300")
    totals = sfa.bridge(tables, JAN, FEB).totals()
    assert (totals.start.amount, totals.end.amount) == (300, 150)
    assert totals.movements["increased"].amount == 50 and totals.movements["won"].amount == 200


def test_the_salesforce_recipe_tree_reports_what_it_lacks(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = shared_data / "salesforce-lwc-recipes"
    files = [str(folder / "Accounts.json"), str(folder / "Opportunities.json")]
    result = read_salesforce_json(*files, process=sf.presets.salesforce_standard(), currency="USD")
    assert result.ok and len(result.opportunities) == 20
    target = tmp_path / "lwc.json"
    args = ["import", "salesforce", *files, "--currency", "USD", "--out", str(target)]
    assert main(args) == 0
    capsys.readouterr()
    assert main(["report", str(target), "--as-of", "2025-06-30", "--format", "json"]) == 0
    sections = json.loads(capsys.readouterr().out)["sections"]
    # The tree has no history and no creation dates: each past section says it rests on nothing.
    for key in ("summary", "bridge", "over_time", "funnel", "win_rate", "forecast"):
        assert sections[key]["empty"] is True, key
    assert "No data: pipeline (the history table has no rows)." in sections["summary"]["notes"]
    assert (
        "Left out 20 deals: no history rows, so they are in no pipeline rebuilt from the "
        "history." in sections["summary"]["notes"]
    )
