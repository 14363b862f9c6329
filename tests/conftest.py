"""Test configuration: hypothesis profiles and shared fixtures.

Profiles (chosen by ``SALESFLOW_HYPOTHESIS_PROFILE``; ``ci`` when ``CI`` is set, else ``dev``):

- ``ci``: derandomized and bounded, so CI is repeatable and quick;
- ``dev``: hypothesis's defaults, random, with its example database;
- ``thorough``: many more examples, for exploring by hand.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=150,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "thorough", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(
    os.environ.get("SALESFLOW_HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
)

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The real data beside the project; skips when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA} (../shared/data beside the project)")
    return SHARED_DATA


# ------------------------------------------------------------------ Spark


def spark_unavailable() -> str | None:
    """Why the ``spark`` tests cannot run here, or ``None`` when they can."""
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install -e '.[spark]')"
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and Path(java_home, "bin", "java").exists()):
        return "no Java runtime found (PySpark needs Java 17+ on PATH or in JAVA_HOME)"
    return None


def pytest_report_header() -> str:
    reason = spark_unavailable()
    if reason is None:
        return "spark: the tests marked 'spark' run on a local SparkSession"
    return f"spark: the tests marked 'spark' are SKIPPED: {reason}"


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A small local SparkSession shared by the whole run; skips without PySpark or Java."""
    reason = spark_unavailable()
    if reason is not None:
        pytest.skip(f"spark: {reason}")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("salesflow-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
