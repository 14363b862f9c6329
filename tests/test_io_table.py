from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

import salesflow as sf
from salesflow.io import CloseDatePolicy, read_csv

MAVEN = sf.SalesProcess(
    name="Maven",
    stages=[
        sf.Stage("Prospecting", 10),
        sf.Stage("Engaging", 50),
        sf.Stage("Won", 100, is_closed=True, is_won=True),
        sf.Stage("Lost", 0, is_closed=True),
    ],
)
COLUMNS = sf.Columns.maven().replace(snapshot={"created_at": "engage_date"})
IMPORTED_AT = datetime(2018, 1, 1, tzinfo=timezone.utc)


def _maven_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_maven_pipeline_imports_with_open_deals_refused_by_default(shared_data: Path) -> None:
    path = shared_data / "maven-crm" / "sales_pipeline.csv"
    source = _maven_rows(path)
    result = read_csv(path, process=MAVEN, columns=COLUMNS, currency="USD")
    open_deals = [r for r in source if r["deal_stage"] in ("Prospecting", "Engaging")]
    assert len(result.refused) == len(open_deals) == 2089
    assert all("needs a close date" in r.reason for r in result.refused)
    assert len(result.opportunities) == len(source) - len(open_deals)
    for row, opp in zip(
        (r for r in source if r["deal_stage"] in ("Won", "Lost")),
        result.opportunities,
        strict=True,
    ):
        assert opp.id == row["opportunity_id"]
        assert opp.closed_on == date.fromisoformat(row["close_date"]) == opp.close_date
        assert opp.amount == sf.Money(row["close_value"], "USD")
        assert opp.is_won == (row["deal_stage"] == "Won")
        assert opp.account_id == (row["account"] or None)


def test_the_maven_pipeline_imports_whole_with_a_close_date_rule(shared_data: Path) -> None:
    path = shared_data / "maven-crm" / "sales_pipeline.csv"
    result = read_csv(
        path,
        process=MAVEN,
        columns=COLUMNS,
        currency="USD",
        close_dates=CloseDatePolicy.fixed(date(2018, 3, 31)),
        imported_at=IMPORTED_AT,
    )
    assert result.ok
    assert len(result.opportunities) == 8800
    fields = [n.field for n in result.notes]
    assert fields.count("close_date") == 2089
    assert fields.count("created_at") == 500  # Prospecting deals have no engage date
    prospecting = [o for o in result.opportunities if o.stage == "Prospecting"]
    assert {o.created_at for o in prospecting} == {IMPORTED_AT}


def test_spreadsheet_dates_are_refused_with_the_cell_not_guessed(shared_data: Path) -> None:
    path = shared_data / "maven-crm" / "variants" / "sales_pipeline_excel_mdy_dates.csv"
    result = read_csv(
        path,
        process=MAVEN,
        columns=COLUMNS,
        currency="USD",
        close_dates=CloseDatePolicy.fixed(date(2018, 3, 31)),
    )
    assert len(result.opportunities) + len(result.refused) == 8800
    assert all("expected an ISO" in r.reason for r in result.refused)
    assert {p.path for r in result.refused for p in r.problems} <= {
        "$.close_date",
        "$.engage_date",
    }
    assert "other reasons" in result.summary()


def test_salesforce_names_work_through_the_column_mapping() -> None:
    text = (
        "Id,Name,StageName,Amount,CurrencyIsoCode,CloseDate\n006,A,Closed Won,5,USD,2026-01-01\n"
    )
    result = read_csv(
        io.StringIO(text),
        process=sf.presets.salesforce_standard(),
        columns=sf.Columns.salesforce(),
    )
    assert [(o.id, o.is_won, o.amount) for o in result.opportunities] == [
        ("006", True, sf.Money("5", "USD"))
    ]


def test_an_exported_process_name_must_match_the_process() -> None:
    text = "id,name,stage,close_date,process_name\n1,A,Prospecting,2026-01-01,Other\n"
    result = read_csv(io.StringIO(text), process=sf.presets.salesforce_standard())
    assert "exported from process 'Other'" in result.refused[0].reason


def test_an_unknown_mapping_column_is_refused_up_front() -> None:
    with pytest.raises(sf.ValidationError):
        read_csv(io.StringIO("a\n"), process=MAVEN, columns=sf.Columns(snapshot={"nope": "a"}))
