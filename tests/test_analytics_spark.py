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
