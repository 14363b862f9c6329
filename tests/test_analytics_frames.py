from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

import salesflow as sf

pl = pytest.importorskip("polars")
pytest.importorskip("narwhals")

from salesflow.analytics import Columns, frames  # noqa: E402
from salesflow.columns import HISTORY_COLUMNS, SNAPSHOT_COLUMNS  # noqa: E402

T0 = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)


def test_importing_analytics_without_narwhals_names_the_extra_to_install() -> None:
    code = (
        "import sys; sys.modules['narwhals'] = None\n"
        "import salesflow\n"
        "try:\n"
        "    import salesflow.analytics\n"
        "except salesflow.MissingExtraError as exc:\n"
        "    print(exc.extra, '|', exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("analytics | narwhals is not installed")
    assert "pip install 'salesflow[analytics]'" in out.stdout


def test_the_columns_module_imports_no_dataframe_library() -> None:
    code = (
        "import sys, salesflow.columns;"
        "print(sorted({'polars', 'pandas', 'narwhals', 'pyarrow', 'duckdb'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_frames_writes_flat_typed_tables_with_the_contract_columns() -> None:
    process = sf.presets.salesforce_standard()
    opp = process.open(
        name="Deal",
        amount=sf.Money("1200.5", "EUR"),
        close_date=date(2026, 3, 31),
        id="o-1",
        at=T0,
        owner="ana",
    )
    process.move(opp, "Qualification", at=T0 + timedelta(days=2), amount=sf.Money("99.125", "EUR"))
    tables = frames([opp])
    assert tables.snapshot.columns == [*SNAPSHOT_COLUMNS, "has_primary_contact", "next_gate_met"]
    assert tables.history.columns == list(HISTORY_COLUMNS)
    assert tables.snapshot.schema["amount"] == pl.Decimal(38, 3)
    row = tables.snapshot.row(0, named=True)
    assert row["amount"] == Decimal("99.125")
    assert row["currency"] == "EUR"
    assert row["forecast_category"] == "Pipeline"
    assert row["created_at"] == T0
    assert tables.history["amount"].to_list() == [Decimal("1200.500"), Decimal("99.125")]
    assert tables.history["previous_amount"].to_list() == [None, Decimal("1200.500")]


def test_frames_refuses_what_is_not_an_opportunity_and_duplicate_ids() -> None:
    process = sf.presets.salesforce_standard()
    opp = process.open(name="Deal", close_date=date(2026, 3, 31), id="o-1", at=T0)
    with pytest.raises(
        sf.ValidationError, match=r"expected an Opportunity, got str @ \$.opportunities\[1\]"
    ):
        frames([opp, "nope"])  # type: ignore[list-item]
    with pytest.raises(sf.ValidationError, match="given twice"):
        frames([opp, opp])


def test_columns_presets_map_salesforce_export_names() -> None:
    columns = Columns.salesforce()
    assert columns.source("snapshot", "forecast_category") == "ForecastCategoryName"
    assert columns.source("history", "previous_close_date") == "PrevCloseDate"
    assert columns.source("history", "by") == "CreatedById"
    assert Columns.maven().source("snapshot", "owner") == "sales_agent"


def test_columns_refuse_unknown_salesflow_names_and_blank_sources() -> None:
    with pytest.raises(sf.ValidationError) as info:
        Columns(snapshot={"colour": "x", "stage": " "})
    assert len(info.value.problems) == 2
    with pytest.raises(sf.ValidationError, match="no column 'colour'"):
        Columns().source("snapshot", "colour")


def test_a_salesforce_export_is_read_through_the_salesforce_preset() -> None:
    from salesflow.analytics import Frames, pipeline_summary

    export = pl.DataFrame(
        {
            "Id": ["006A", "006B", "006C"],
            "StageName": ["Prospecting", "Negotiation/Review", "Closed Won"],
            "Amount": [Decimal("100.00"), Decimal("200.00"), Decimal("50.00")],
            "CurrencyIsoCode": ["USD", "USD", "USD"],
            "Probability": [Decimal("10"), Decimal("90"), Decimal("100")],
            "ForecastCategoryName": ["Pipeline", "BestCase", "Closed"],  # API values
            "IsClosed": [False, False, True],
            "IsWon": [False, False, True],
            "CloseDate": [date(2026, 5, 1)] * 3,
            "CreatedDate": [datetime(2026, 1, 1, 9)] * 3,  # noqa: DTZ001 (naive: read as UTC)
        }
    )
    s = pipeline_summary(Frames(export.to_pandas(), columns=Columns.salesforce()))
    best = s.line("Best Case Forecast")
    assert (best.count, best.amount) == (2, sf.Money("250.00", "USD"))
    assert s.line("Open Pipeline").weighted_amount == sf.Money("190.00", "USD")


def test_a_stage_only_file_gets_its_flags_and_probabilities_from_the_process() -> None:
    from salesflow.analytics import Frames, pipeline_summary, win_rate

    process = sf.SalesProcess(
        name="Maven",
        stages=[
            sf.Stage("Prospecting", 10),
            sf.Stage("Engaging", 50),
            sf.Stage("Won", 100, is_closed=True, is_won=True),
            sf.Stage("Lost", 0, is_closed=True),
        ],
    )
    pipeline = pl.DataFrame(
        {
            "opportunity_id": ["1", "2", "3", "4"],
            "sales_agent": ["Ana", "Ana", "Bo", "Bo"],
            "deal_stage": ["Won", "Lost", "Engaging", "Prospecting"],
            "close_value": [1054, 0, None, None],
        }
    )
    tables = Frames(pipeline, columns=Columns.maven(), process=process, currency="USD")
    assert win_rate(tables).rate == 0.5
    s = pipeline_summary(tables, by="owner")
    won = {r["owner"]: r["amount"] for r in s.rows() if r["line"] == "Closed Won"}
    assert won == {"Ana": 1054}


def test_a_text_amount_column_is_refused_with_where_it_is() -> None:
    from salesflow.analytics import pipeline_summary

    snapshot = pl.DataFrame(
        {
            "id": ["1"],
            "stage": ["Prospecting"],
            "amount": ["100.00"],
            "probability": [10],
            "forecast_category": ["Pipeline"],
            "is_closed": [False],
            "is_won": [False],
        }
    )
    with pytest.raises(
        sf.ValidationError, match=r"parse it to decimals first @ \$.snapshot.amount"
    ):
        pipeline_summary(snapshot)
    empty = snapshot.with_columns(pl.lit(None, dtype=pl.String).alias("amount"))
    assert pipeline_summary(empty).line("Total").count == 1


@pytest.mark.parametrize("amount", ["1" + "0" * 45, "0." + "1" * 60])
def test_an_amount_no_decimal_column_can_hold_is_refused_with_its_opportunity(amount: str) -> None:
    process = sf.presets.salesforce_standard()
    opp = process.open(
        name="Huge", close_date=date(2026, 1, 1), amount=sf.Money(amount, "USD"), id="o-9"
    )
    with pytest.raises(sf.ValidationError) as caught:
        frames([opp])
    assert {p.path for p in caught.value.problems} == {
        "$['o-9'].amount",
        "$['o-9'].history.amount",
    }
