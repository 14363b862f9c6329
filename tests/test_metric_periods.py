"""Every dated metric takes period= (a Period or its label in calendar=) as sugar for its raw dates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import salesflow as sf
from salesflow.fiscal import UNITS, FiscalCalendar

pl = pytest.importorskip("polars")

from salesflow.analytics import (  # noqa: E402
    Frames,
    bridge,
    category_movement,
    frames,
    pipeline_over_time,
    sales_velocity,
)
from salesflow.forecasting import forecast_revenue, learn_probabilities  # noqa: E402
from tests.strategies import fiscal_calendars  # noqa: E402

DATA = sf.datasets.synthetic(sf.presets.trailhead_simple(), 60, seed=5)
"""Sixty deals created through 2025 (the data's "now" is 1 January 2026)."""

TABLES = frames(DATA.opportunities, process=DATA.process)
LAST = max(h.at for o in DATA.opportunities for h in o.history).date()
"""The last history day (30 December 2025): a period running then is taken on it."""
YEAR = FiscalCalendar.calendar_year()
FEB = FiscalCalendar.standard(start_month=2)  # FY2026 runs February 2025 to January 2026
Q2 = YEAR.period("FY2025 Q2")


def _pandas(df: Any) -> Any:
    pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    return df.to_pandas(use_pyarrow_extension_array=True)


def _duckdb(df: Any) -> Any:
    duckdb = pytest.importorskip("duckdb")
    pytest.importorskip("pyarrow")
    return duckdb.from_arrow(df.to_arrow())


BACKENDS: dict[str, Callable[[Any], Any]] = {
    "polars": lambda df: df,
    "pandas": _pandas,
    "duckdb": _duckdb,
}


def _tables(backend: str) -> Frames:
    convert = BACKENDS[backend]
    return Frames(convert(TABLES.snapshot), convert(TABLES.history), process=DATA.process)


# ------------------------------------------------------------ the same result as the raw dates


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_a_bridge_over_a_period_is_the_bridge_from_the_day_before_it_to_its_last_day(
    backend: str,
) -> None:
    tables = _tables(backend)
    named = bridge(tables, period="FY2025 Q2")
    raw = bridge(tables, date(2025, 3, 31), date(2025, 6, 30))
    assert named.rows() == raw.rows()
    assert named.rows()  # a quarter of this data has deals moving
    assert named.policies["period"] == "FY2025 Q2" and raw.policies["period"] is None
    assert named.title == "Pipeline bridge FY2025 Q2 (2025-03-31 → 2025-06-30)"
    assert bridge(tables, period=Q2).rows() == raw.rows()


def test_a_bridge_period_leaves_its_close_date_window_to_close_between() -> None:
    window = (Q2.start, Q2.end)
    named = bridge(TABLES, period=Q2, close_between=window)
    assert (
        named.rows()
        == bridge(TABLES, Q2.start - timedelta(days=1), Q2.end, close_between=window).rows()
    )


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_velocity_over_a_period_is_the_cohort_created_on_its_days(backend: str) -> None:
    tables = _tables(backend)
    named = sales_velocity(tables, period="FY2026 Q1", calendar=FEB, by="owner")
    raw = sales_velocity(tables, created_between=(date(2025, 2, 1), date(2025, 4, 30)), by="owner")
    assert named.rows() == raw.rows()
    assert sum(r["opportunities"] for r in named.rows()) > 0
    assert named.policies["created_between"] == (date(2025, 2, 1), date(2025, 4, 30))
    assert "FY2026 Q1" in named.title and named.policies["period"] == "FY2026 Q1"


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_pipeline_over_time_takes_a_point_at_the_end_of_each_period(backend: str) -> None:
    tables = _tables(backend)
    quarterly = pipeline_over_time(tables, periods="quarter", period="FY2025")
    assert LAST.month == 12 and LAST.day < 31  # Q4 is still running at the last history row
    ends = [date(2025, 3, 31), date(2025, 6, 30), date(2025, 9, 30), LAST]
    raw = pipeline_over_time(tables, ends)
    assert quarterly.columns == ["period", *raw.columns]
    assert [{k: v for k, v in r.items() if k != "period"} for r in quarterly.rows()] == raw.rows()
    labels = {r["date"]: r["period"] for r in quarterly.rows()}
    assert labels == dict(
        zip(ends, ["FY2025 Q1", "FY2025 Q2", "FY2025 Q3", "FY2025 Q4"], strict=True)
    )
    assert quarterly.policies["periods"] == "quarter" and quarterly.policies["period"] == "FY2025"


def test_pipeline_over_time_takes_a_running_period_on_the_last_history_day_and_none_to_come() -> (
    None
):
    monthly = pipeline_over_time(
        TABLES, periods="month", calendar=FEB
    )  # every month of the history
    points = sorted({(r["period"], r["date"]) for r in monthly.rows()}, key=lambda p: p[1])
    assert points[0][0] == "FY2025 P12" and points[-1] == ("FY2026 P11", LAST)
    assert [d for _, d in points[:-1]] == [
        p.end for p in FEB.periods(points[0][1], points[-2][1], "month")
    ]
    assert all(day <= LAST for _, day in points)
    alone = pipeline_over_time(TABLES, period="FY2025 Q3")  # period alone: its months
    assert sorted({r["period"] for r in alone.rows()}) == [
        "FY2025 P07",
        "FY2025 P08",
        "FY2025 P09",
    ]
    with pytest.raises(sf.ValidationError, match="begins after the last history row"):
        pipeline_over_time(TABLES, periods="month", period="FY2030")


def test_category_movement_reads_its_period_label_in_the_calendar() -> None:
    named = category_movement(TABLES, end=date(2025, 12, 31), period="FY2026 Q4", calendar=FEB)
    period = FEB.period("FY2026 Q4")
    assert named.period == period
    assert named.rows() == category_movement(TABLES, end=date(2025, 12, 31), period=period).rows()


def test_a_revenue_forecast_for_a_period_is_the_forecast_for_its_days() -> None:
    named = forecast_revenue(TABLES, period="FY2026 Q1", as_of=date(2025, 12, 31), draws=200)
    raw = forecast_revenue(
        TABLES, start=date(2026, 1, 1), end=date(2026, 3, 31), as_of=date(2025, 12, 31), draws=200
    )
    assert named.period == "FY2026 Q1" and raw.period is None
    assert (named.start, named.end, named.p10, named.p50, named.p90, named.deals) == (
        raw.start,
        raw.end,
        raw.p10,
        raw.p50,
        raw.p90,
        raw.deals,
    )
    assert repr(named).startswith("RevenueForecast(FY2026 Q1, 2026-01-01..2026-03-31")


def test_probabilities_learned_over_a_period_are_those_learned_between_its_days() -> None:
    named = learn_probabilities(TABLES, period="FY2025 Q3", draws=100, min_sample=1)
    raw = learn_probabilities(
        TABLES, since=date(2025, 7, 1), until=date(2025, 9, 30), draws=100, min_sample=1
    )
    assert named.estimates == raw.estimates and named.learned_from == raw.learned_from
    assert named.policies["period"] == "FY2025 Q3"


# ------------------------------------------------------------ refusals


BOTH: dict[str, tuple[Callable[[], Any], str]] = {
    "bridge": (lambda: bridge(TABLES, date(2025, 3, 31), period=Q2), "start="),
    "sales_velocity": (
        lambda: sales_velocity(TABLES, created_between=(Q2.start, Q2.end), period=Q2),
        "created_between=",
    ),
    "pipeline_over_time": (
        lambda: pipeline_over_time(TABLES, [date(2025, 6, 30)], period=Q2),
        "dates=",
    ),
    "pipeline_over_time periods": (
        lambda: pipeline_over_time(TABLES, [date(2025, 6, 30)], periods="month"),
        "dates=",
    ),
    "forecast_revenue": (
        lambda: forecast_revenue(TABLES, end=date(2025, 6, 30), period=Q2, draws=100),
        "end=",
    ),
    "learn_probabilities": (
        lambda: learn_probabilities(TABLES, until=date(2025, 6, 30), period=Q2),
        "until=",
    ),
}


@pytest.mark.parametrize("name", sorted(BOTH))
def test_a_period_and_the_raw_dates_together_are_refused_naming_both(name: str) -> None:
    call, raw = BOTH[name]
    with pytest.raises(sf.ValidationError) as caught:
        call()
    message = str(caught.value)
    assert raw in message and ("period=" in message or "periods=" in message)
    assert "give one or the other" in message


LABELLED: dict[str, Callable[[str], Any]] = {
    "bridge": lambda label: bridge(TABLES, period=label),
    "sales_velocity": lambda label: sales_velocity(TABLES, period=label),
    "pipeline_over_time": lambda label: pipeline_over_time(TABLES, period=label),
    "category_movement": lambda label: category_movement(TABLES, period=label),
    "forecast_revenue": lambda label: forecast_revenue(TABLES, period=label, draws=100),
    "learn_probabilities": lambda label: learn_probabilities(TABLES, period=label),
}


@pytest.mark.parametrize("name", sorted(LABELLED))
@pytest.mark.parametrize("label", ["FY2025 Q5", "Q2 2025", "FY2025 P13"])
def test_a_label_that_is_no_period_of_the_calendar_is_refused(name: str, label: str) -> None:
    with pytest.raises(sf.ValidationError, match=r"\$\.period") as caught:
        LABELLED[name](label)
    assert caught.value.subject == name


def test_a_period_of_another_type_or_a_calendar_that_is_none_are_refused() -> None:
    with pytest.raises(sf.ValidationError, match=r"expected a Period or a label.*\$\.period"):
        sales_velocity(TABLES, period=date(2025, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(sf.ValidationError, match=r"\$\.calendar"):
        bridge(TABLES, period="FY2025 Q1", calendar="4-4-5")  # type: ignore[arg-type]
    with pytest.raises(sf.ValidationError, match=r"\$\.periods"):
        pipeline_over_time(TABLES, periods="fortnight")  # type: ignore[arg-type]


def test_a_window_named_neither_way_says_what_to_pass() -> None:
    with pytest.raises(sf.ValidationError, match=r"expected end= \(or period= .*\$\.end"):
        bridge(TABLES, date(2025, 3, 31))
    with pytest.raises(sf.ValidationError, match=r"\$\.start") as caught:
        forecast_revenue(TABLES, draws=100)
    assert "$.end" in str(caught.value)
    with pytest.raises(sf.ValidationError, match=r"periods=.*\$\.dates"):
        pipeline_over_time(TABLES)


def test_the_raw_date_calls_are_unchanged() -> None:
    raw = bridge(TABLES, date(2025, 3, 31), date(2025, 6, 30))
    assert raw.title == "Pipeline bridge 2025-03-31 → 2025-06-30"
    assert "period" not in pipeline_over_time(TABLES, [date(2025, 6, 30)]).columns
    assert sales_velocity(TABLES).title.startswith("Sales velocity (")


# ------------------------------------------------------------ the property


@settings(max_examples=30)  # two metrics on sixty deals per example; the CI profile's other bounds
@given(
    fiscal_calendars(),
    st.dates(min_value=date(2024, 11, 1), max_value=date(2026, 2, 28)),
    st.sampled_from(UNITS),
    st.booleans(),
)
def test_any_period_of_any_calendar_gives_what_its_raw_dates_give(
    calendar: FiscalCalendar, day: date, unit: Any, by_label: bool
) -> None:
    period = calendar.period_of(day, unit)
    named: Any = period.label if by_label else period
    moments = (period.start - timedelta(days=1), period.end)
    assert (
        bridge(TABLES, period=named, calendar=calendar).rows() == bridge(TABLES, *moments).rows()
    )
    days = (period.start, period.end)
    assert (
        sales_velocity(TABLES, period=named, calendar=calendar).rows()
        == sales_velocity(TABLES, created_between=days).rows()
    )
