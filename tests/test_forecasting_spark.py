"""PySpark: the move counting behind learned probabilities runs on Spark and agrees with Polars."""

from __future__ import annotations

from typing import Any

import pytest

import salesflow as sf

pl = pytest.importorskip("polars", reason="needs salesflow[analytics]")
pytest.importorskip("numpy", reason="needs salesflow[analytics]")

from salesflow.analytics import Frames, frames  # noqa: E402
from salesflow.forecasting import learn_probabilities  # noqa: E402

pytestmark = pytest.mark.spark


def test_learned_probabilities_on_spark_equal_the_polars_ones(spark: Any) -> None:
    data = sf.datasets.synthetic(sf.presets.hubspot_default(), 300, seed=9)
    tables = frames(data.opportunities)
    expected = learn_probabilities(data.opportunities, process=data.process, segment="owner")
    on_spark = Frames(
        snapshot=spark.createDataFrame(tables.snapshot.to_arrow()),
        history=spark.createDataFrame(tables.history.to_arrow()),
        process=data.process,
    )
    got = learn_probabilities(on_spark, segment="owner")
    assert got.estimates == expected.estimates
