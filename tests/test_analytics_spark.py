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
