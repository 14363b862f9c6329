"""Results a pandas or Polars user can use: exports, readable cells, order, top N, charts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb
import matplotlib
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import salesflow as sf
from salesflow import analytics as sfa
from salesflow.analytics import examples, frames

matplotlib.use("Agg")
import matplotlib.pyplot as plt

TABLES = frames(examples.opportunities(), examples.activities(), process=examples.process())
AS_OF = date(2026, 3, 31)

RESULTS: dict[str, Callable[[], sfa.Result]] = {
    "summary": lambda: sfa.pipeline_summary(TABLES),
    "win_rate": lambda: sfa.win_rate(TABLES, by="owner"),
    "funnel": lambda: sfa.funnel(TABLES),
    "time_in_stage": lambda: sfa.time_in_stage(TABLES),
    "cycle_length": lambda: sfa.cycle_length(TABLES),
    "deal_age": lambda: sfa.deal_age(TABLES, as_of=AS_OF),
    "slippage": lambda: sfa.slippage(TABLES),
    "at_risk": lambda: sfa.at_risk(TABLES, as_of=AS_OF),
    "as_of": lambda: sfa.pipeline_as_of(TABLES, date(2026, 2, 1)),
    "bridge": lambda: sfa.bridge(TABLES, date(2026, 1, 1), AS_OF),
    "over_time": lambda: sfa.pipeline_over_time(TABLES, [date(2026, 1, 31), AS_OF]),
    "activity": lambda: sfa.activity_summary(TABLES, as_of=AS_OF),
}


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_every_result_draws_its_chart(name: str) -> None:
    ax = RESULTS[name]().plot()
    assert ax.get_title()
    assert ax.patches or ax.lines


def test_an_empty_result_is_not_drawn() -> None:
    with pytest.raises(sf.ValidationError, match="no rows"):
        sfa.win_rate(TABLES, by="owner").top(0).plot()


def _inputs() -> dict[str, Any]:
    snapshot = TABLES.snapshot.drop("next_gate_met", "has_primary_contact")
    return {
        "polars": snapshot,
        "pandas": snapshot.to_pandas(),
        "pyarrow": snapshot.to_arrow(),
        "duckdb": duckdb.sql("select * from snapshot"),
    }


@pytest.mark.parametrize("library", ["polars", "pandas", "pyarrow", "duckdb"])
def test_exports_keep_decimals_whatever_the_input_library(library: str) -> None:
    result = sfa.pipeline_summary(_inputs()[library], process=examples.process())
    frame = result.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert isinstance(frame["amount"].dtype, pd.ArrowDtype)
    assert pa.types.is_decimal(frame["amount"].dtype.pyarrow_dtype)
    assert result.to_arrow().schema.field("amount").type == pa.decimal128(38, 2)
    polars = result.to_polars()
    assert isinstance(polars, pl.DataFrame) and polars["amount"].dtype == pl.Decimal(38, 2)
    assert frame["amount"].iloc[0] == Decimal("75000.00")


def test_cells_show_money_with_its_currency_and_fractions_as_percentages() -> None:
    text = repr(sfa.pipeline_summary(TABLES))
    assert "75,000.00 USD" in text
    rates = repr(sfa.win_rate(TABLES, by="owner"))
    assert "100.0 %" in rates and "0.0 %" in rates
    big = pl.DataFrame({"id": ["a"], "stage": ["Prospecting"], "amount": [10_010_000.0]})
    assert "e+07" not in repr(
        sfa.pipeline_summary(big, process=examples.process(), currency="USD")
    )


def test_results_sort_and_cut_to_the_top() -> None:
    slips = sfa.slippage(TABLES)
    ordered = slips.sort("slipped_days", descending=True)
    days = [r["slipped_days"] for r in ordered.rows()]
    assert days == sorted(days, reverse=True)
    top = slips.top(2)
    assert [r["id"] for r in top.rows()] == [r["id"] for r in ordered.rows()[:2]]
    assert top.title == slips.title and type(top) is type(slips)
    with pytest.raises(sf.ValidationError, match="no column 'days'"):
        slips.sort("days")
    with pytest.raises(sf.ValidationError, match="whole number"):
        slips.top(-1)
