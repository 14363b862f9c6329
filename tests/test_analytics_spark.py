"""PySpark: the analytics run on Spark DataFrames and give the Polars results.

Marked ``spark``; the session-scoped ``spark`` fixture (tests/conftest.py)
skips these tests, with the reason, when PySpark or Java is missing.
"""

from __future__ import annotations

from typing import Any

import pytest

pl = pytest.importorskip("polars", reason="needs salesflow[analytics]")
analytics = pytest.importorskip("salesflow.analytics", reason="needs salesflow[analytics]")

from tests.test_analytics_history_check import STRICT, example, verdicts  # noqa: E402

pytestmark = pytest.mark.spark


def on_spark(spark: Any, frame: pl.DataFrame) -> Any:
    return spark.createDataFrame(frame.to_arrow())


def from_spark(native: Any) -> pl.DataFrame:
    return pl.from_arrow(native.toArrow())  # type: ignore[return-value]


def test_the_history_check_on_spark_gives_the_polars_verdicts(spark: Any) -> None:
    history = example()
    checked = analytics.check_history(on_spark(spark, history), STRICT, sequence="seq")
    assert type(checked).__module__.startswith("pyspark")
    expected = analytics.check_history(history, STRICT, sequence="seq")
    assert verdicts(from_spark(checked)) == verdicts(expected)
    got = from_spark(checked).sort("seq")["previous_stage"].to_list()
    assert got == expected["previous_stage"].to_list()


SPARK_METRICS = [
    "summary",
    "win_rate",
    "funnel",
    "time_in_stage",
    "as_of",
    "bridge",
    "bridge_by",
    "bridge_by_start",
    "slippage_by",
    "at_risk",
]


@pytest.fixture(scope="module")
def tables() -> tuple[Any, Any]:
    from tests import test_analytics_backends as backends

    polars = analytics.frames(
        analytics.examples.opportunities(),
        analytics.examples.activities(),
        process=backends.PROCESS,
    )
    return backends, polars


@pytest.mark.parametrize("name", SPARK_METRICS)
def test_each_metric_on_spark_gives_the_polars_result(
    spark: Any, tables: tuple[Any, Any], name: str
) -> None:
    backends, polars = tables
    on = analytics.Frames(
        on_spark(spark, polars.snapshot),
        on_spark(spark, polars.history),
        on_spark(spark, polars.activities),
        process=backends.PROCESS,
    )
    compute = backends.METRICS[name]
    native = compute(on).to_frame()
    assert type(native).__module__.startswith("pyspark")
    assert backends.rows_of(native) == backends.rows_of(compute(polars).to_frame())


def test_on_spark_a_tie_is_refused_where_it_decides_the_state_and_only_there(
    spark: Any, tables: tuple[Any, Any]
) -> None:
    import salesflow as sf

    backends, polars = tables
    day = backends.TIE_DAY
    lazy, _, deal = backends._tied_tables(polars, lambda f: on_spark(spark, f), latest=True)
    with pytest.raises(sf.ValidationError, match=f"deal {deal} has 2 history rows at"):
        analytics.pipeline_as_of(lazy, day)
    lazy, eager, _ = backends._tied_tables(polars, lambda f: on_spark(spark, f), latest=False)
    got = analytics.pipeline_as_of(lazy, day).to_frame()
    expected = analytics.pipeline_as_of(eager, day).to_frame()
    assert backends.rows_of(got) == backends.rows_of(expected)


def test_the_arr_bridge_on_spark_equals_the_bridge_of_the_objects(spark: Any) -> None:
    from datetime import date

    from tests.test_arr import BRIDGE_DEALS

    tables = analytics.frames(BRIDGE_DEALS)
    on = analytics.Frames(
        on_spark(spark, tables.snapshot), line_items=on_spark(spark, tables.line_items)
    )
    window = {"start": date(2026, 1, 1), "end": date(2026, 3, 31)}
    assert analytics.arr_bridge(on, **window) == analytics.arr_bridge(BRIDGE_DEALS, **window)


def test_revenue_by_period_on_spark_gives_the_result_of_the_objects(spark: Any) -> None:
    from tests.test_analytics_backends import rows_of
    from tests.test_revenue import DEALS

    tables = analytics.frames(DEALS)
    on = analytics.Frames(
        on_spark(spark, tables.snapshot),
        line_items=on_spark(spark, tables.line_items),
        installments=on_spark(spark, tables.installments),
    )
    for options in ({}, {"grain": "quarter", "by": "owner", "currency": "USD"}):
        got = analytics.revenue_by_period(on, **options)
        native = got.to_frame()
        assert type(native).__module__.startswith("pyspark")
        expected = analytics.revenue_by_period(DEALS, **options)
        assert rows_of(native) == rows_of(expected.to_frame())
        assert got.coverage == expected.coverage


def test_spans_before_1970_count_their_fractions_of_a_second_on_spark(spark: Any) -> None:
    # PySpark's microsecond of a time before 1970 is negative (a remainder of negative
    # epoch microseconds): spans were a second too long where a fraction crossed it
    from datetime import datetime, timedelta, timezone

    import narwhals as nw

    from salesflow.analytics._expr import days
    from salesflow.analytics._ordered import span_days

    utc = timezone.utc
    times = [
        datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=utc),
        datetime(1970, 1, 1, 0, 0, 1, tzinfo=utc),
        datetime(1900, 1, 1, 0, 0, 0, 1, tzinfo=utc),
        datetime(2000, 1, 1, 0, 0, 0, 999_999, tzinfo=utc),
    ]
    history = pl.DataFrame(
        {
            "opportunity_id": ["a", "a", "b", "b"],
            "at": times,
            "stage": ["Prospecting", "Qualification"] * 2,
        }
    )
    spans = pl.DataFrame({"earlier": times[0::2], "later": times[1::2]})
    frame = nw.from_native(on_spark(spark, spans))
    got = frame.select(
        days(nw.col("later"), nw.col("earlier")).alias("calendar"),
        span_days(frame, nw.col("later"), nw.col("earlier")).alias("span"),
    ).collect(backend="polars")
    exact = [
        (b - a) / timedelta(microseconds=1) / 86_400_000_000
        for a, b in zip(times[0::2], times[1::2], strict=True)
    ]
    assert got["calendar"].to_list() == pytest.approx(exact, rel=1e-15)
    assert got["span"].to_list() == pytest.approx(exact, rel=1e-15)
    moment = datetime(2001, 1, 1, tzinfo=utc)
    on = analytics.Frames(None, on_spark(spark, history))
    found = from_spark(analytics.time_in_stage(on, as_of=moment).to_frame())
    expected = analytics.time_in_stage(analytics.Frames(None, history), as_of=moment).to_frame()
    assert found["latest_days"].to_list() == expected["latest_days"].to_list()
    assert found.filter(pl.col("stage") == "Prospecting")[
        "latest_days"
    ].to_list() == pytest.approx(exact, rel=1e-15)


def test_forecast_categories_in_api_names_read_as_their_labels_on_spark(spark: Any) -> None:
    from datetime import date, datetime
    from decimal import Decimal

    import salesflow as sf
    from tests import test_analytics_backends as backends

    export = pl.DataFrame(
        {
            "Id": ["006A", "006B", "006C", "006D"],
            "StageName": ["Prospecting", "Negotiation/Review", "Closed Won", "Prospecting"],
            "Amount": [Decimal("100.00"), Decimal("200.00"), Decimal("50.00"), Decimal("1.00")],
            "CurrencyIsoCode": ["USD"] * 4,
            "Probability": [Decimal("10"), Decimal("90"), Decimal("100"), Decimal("10")],
            "ForecastCategoryName": ["Pipeline", "BestCase", "Closed", None],  # API values
            "IsClosed": [False, False, True, False],
            "IsWon": [False, False, True, False],
            "CloseDate": [date(2026, 5, 1)] * 4,
            "CreatedDate": [datetime(2026, 1, 1, 9)] * 4,  # noqa: DTZ001 (naive: read as UTC)
        }
    )
    columns = sf.Columns.salesforce()
    on = analytics.pipeline_summary(analytics.Frames(on_spark(spark, export), columns=columns))
    expected = analytics.pipeline_summary(analytics.Frames(export, columns=columns))
    assert backends.rows_of(on.to_frame()) == backends.rows_of(expected.to_frame())
    assert on.line("Best Case Forecast").count == 2


def test_a_bridge_between_states_in_two_currencies_is_refused_on_spark(spark: Any) -> None:
    from datetime import timedelta

    import salesflow as sf
    from tests.test_analytics_backends import PROCESS, START

    day = timedelta(days=1)
    history = pl.DataFrame(
        {
            "opportunity_id": ["A", "A"],
            "at": [START, START + 2 * day],
            "stage": ["Prospecting"] * 2,
            "amount": [1.0, 1.0],
            "currency": ["USD", "EUR"],
            "probability": [10.0, 10.0],
            "forecast_category": ["Pipeline"] * 2,
        }
    ).with_columns(pl.col("at").dt.cast_time_unit("us"), close_date=pl.date(2026, 6, 30))
    tables = analytics.Frames(None, on_spark(spark, history))
    with pytest.raises(sf.CurrencyMismatchError):
        analytics.bridge(tables, START + day, START + 3 * day, process=PROCESS)
