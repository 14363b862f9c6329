"""The frame door takes what read_csv gives: text dates, zones, floats, any backend, only our errors."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from salesflow.analytics import Frames, at_risk, bridge, funnel, pipeline_summary, win_rate

MAVEN = sf.SalesProcess(
    name="Maven CRM",
    stages=[
        sf.Stage("Prospecting", 10),
        sf.Stage("Engaging", 50),
        sf.Stage("Won", 100, is_closed=True, is_won=True),
        sf.Stage("Lost", 0, is_closed=True),
    ],
)
CSV = (
    "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n"
    "A1,Ann,GTX Pro,Acme,Prospecting,,,\n"
    "A2,Ann,GTX Pro,Acme,Engaging,2017-03-01,,\n"
    "A3,Bob,MG Special,Beta,Won,2017-02-01,2017-03-10,1200.5\n"
    "A4,Bob,MG Special,Beta,Lost,2017-02-05,2017-03-15,0\n"
)
AS_OF = date(2017, 6, 30)


def _read(library: str, text: str) -> Any:
    if library == "pandas":
        return pd.read_csv(io.StringIO(text))
    if library == "polars":
        return pl.read_csv(io.StringIO(text))
    if library == "polars-lazy":
        return pl.read_csv(io.StringIO(text)).lazy()
    if library == "pyarrow":
        return pacsv.read_csv(io.BytesIO(text.encode()))
    frame = pl.read_csv(io.StringIO(text))  # noqa: F841 (DuckDB reads it by name); dates stay text
    return duckdb.sql("select * from frame")


LIBRARIES = ["pandas", "polars", "polars-lazy", "pyarrow", "duckdb"]


def _tables(library: str, text: str = CSV) -> Frames:
    return Frames(_read(library, text), columns=sf.Columns.maven(), process=MAVEN, currency="USD")


def _plain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with numbers compared by value (an int, a float and a Decimal of one amount agree)."""
    return [
        {
            k: (
                Decimal(str(v))
                if isinstance(v, (int, float, Decimal)) and v is not True and v is not False
                else v
            )
            for k, v in r.items()
        }
        for r in rows
    ]


@pytest.mark.parametrize("library", LIBRARIES)
def test_a_csv_read_by_any_library_gives_the_same_figures(library: str) -> None:
    tables = _tables(library)
    assert win_rate(tables).rows()[0]["won"] == 1
    assert [r["reached"] for r in funnel(tables).rows()] == [3, 2, 1]
    total = pipeline_summary(tables).line("Closed Won")
    assert (total.count, total.amount) == (1, sf.Money("1200.50", "USD"))
    risk = at_risk(tables, as_of=AS_OF)
    assert sorted(r["id"] for r in risk.rows()) == ["A1", "A2"]


@pytest.mark.parametrize("library", LIBRARIES)
def test_a_date_that_is_not_iso_is_refused_naming_the_column_and_value(library: str) -> None:
    text = CSV.replace("2017-03-10", "3/10/2017")
    with pytest.raises(sf.ValidationError) as caught:
        at_risk(_tables(library, text), as_of=AS_OF).rows()
    message = str(caught.value)
    assert "$.snapshot.closed_on" in message and "3/10/2017" in message


@pytest.mark.parametrize("library", ["pandas", "polars", "polars-lazy", "pyarrow"])
def test_a_float_amount_with_more_than_cents_is_refused(library: str) -> None:
    with pytest.raises(sf.ValidationError, match=r"1200\.505.*\$\.snapshot\.amount"):
        pipeline_summary(_tables(library, CSV.replace("1200.5", "1200.505"))).rows()


def _history(zone: timezone | None) -> pl.DataFrame:
    start = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    times = [start, start + timedelta(days=3), start + timedelta(days=10)]
    if zone is not None:
        times = [t.astimezone(zone) for t in times]
    return pl.DataFrame(
        {
            "opportunity_id": ["o", "o", "o"],
            "at": times,
            "stage": ["Prospecting", "Engaging", "Won"],
            "amount": [Decimal("100.00")] * 3,
            "currency": ["USD"] * 3,
            "close_date": [date(2026, 2, 1)] * 3,
        }
    )


def _bridge_rows(history: Any) -> list[dict[str, Any]]:
    result = bridge(Frames(history=history, process=MAVEN), date(2026, 1, 6), date(2026, 1, 16))
    return _plain(result.rows())


@given(hours=st.integers(-12, 14))
def test_history_times_in_any_zone_give_the_utc_answer(hours: int) -> None:
    zone = timezone(timedelta(hours=hours))
    expected = _bridge_rows(_history(None).with_columns(pl.col("at").dt.replace_time_zone(None)))
    assert _bridge_rows(_history(zone)) == expected
    assert _bridge_rows(_history(zone).to_pandas()) == expected


def test_naive_history_times_on_duckdb_are_read_as_utc() -> None:
    naive = _history(timezone.utc).with_columns(pl.col("at").dt.replace_time_zone(None))
    expected = _bridge_rows(_history(timezone.utc))
    assert _bridge_rows(duckdb.sql("select * from naive")) == expected
    as_text = naive.with_columns(pl.col("at").dt.to_string("%Y-%m-%dT%H:%M:%S"))
    assert _bridge_rows(as_text) == expected
    assert _bridge_rows(duckdb.sql("select * from as_text")) == expected


def test_an_engine_error_reaches_the_caller_as_a_salesflow_error() -> None:
    frame = pl.DataFrame({"id": ["a"], "stage": [3], "amount": [Decimal("1.00")]})
    with pytest.raises(sf.SalesflowError):
        pipeline_summary(Frames(frame, process=MAVEN, currency="USD")).rows()


def test_an_arrow_table_and_pandas_arrow_strings_need_nothing_but_the_extra() -> None:
    frame = pd.read_csv(io.StringIO(CSV), dtype_backend="pyarrow")
    assert win_rate(Frames(frame, columns=sf.Columns.maven(), process=MAVEN)).rows()[0]["won"] == 1
    table = pa.Table.from_pandas(frame)
    assert win_rate(Frames(table, columns=sf.Columns.maven(), process=MAVEN)).rows()[0]["won"] == 1


def test_the_maven_file_gives_one_answer_through_every_library(shared_data: Path) -> None:
    path = shared_data / "maven-crm" / "sales_pipeline.csv"
    natives = {
        "pandas": pd.read_csv(path),
        "polars": pl.read_csv(path),
        "pyarrow": pacsv.read_csv(path),
        "duckdb": duckdb.read_csv(str(path)),
    }
    answers = set()
    for native in natives.values():
        tables = Frames(native, columns=sf.Columns.maven(), process=MAVEN, currency="USD")
        won = win_rate(tables).rows()[0]
        reached = tuple(r["reached"] for r in funnel(tables).rows())
        flagged = len(at_risk(tables, as_of=date(2017, 12, 31)))
        answers.add((won["won"], won["lost"], won["open"], reached, flagged))
    assert answers == {(4238, 2473, 2089, (6327, 5827, 4238), 2089)}
