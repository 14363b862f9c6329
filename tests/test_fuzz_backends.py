"""Fuzzing the frame door: hostile tables give the same answer, or the same refusal, everywhere.

Small snapshot and history tables with what real exports hold — empty cells in
every column, unknown stages, negative, zero and near-limit amounts, several
rows of one deal at one instant, a ``sequence`` column or none — are run
through every metric on eager Polars, lazy Polars, pandas, PyArrow and DuckDB.
Each backend must give eager Polars' rows, or refuse with a ``SalesflowError``
where eager Polars refuses. The one documented difference: a lazy table keeps
no row order, so ties that only an in-memory table's row order breaks are
refused there ("nothing orders them").

The ``ci`` profile runs a bounded number of tables; ``thorough`` runs many more.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import salesflow as sf

pl = pytest.importorskip("polars")
pytest.importorskip("duckdb")
pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

from salesflow.analytics import (  # noqa: E402
    AMOUNT_LIMIT,
    Frames,
    at_risk,
    bridge,
    cycle_length,
    deal_age,
    examples,
    funnel,
    pipeline_as_of,
    pipeline_summary,
    sales_velocity,
    slippage,
    time_in_stage,
    win_rate,
)
from tests.test_analytics_backends import BACKENDS, rows_of  # noqa: E402

PROCESS = examples.process()
T0 = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
AS_OF = date(2026, 2, 20)
_SCALE = max(4, settings.default.max_examples // 25)  # ci: 6 tables, thorough: 80

STAGES = st.sampled_from([*PROCESS.stage_names, "Somewhere Else"])
AMOUNTS = st.one_of(
    st.none(),
    st.sampled_from(
        [Decimal(0), Decimal("-500.00"), Decimal("0.01"), AMOUNT_LIMIT - Decimal("0.01")]
    ),
    st.decimals(min_value=-(10**6), max_value=10**7, places=2, allow_nan=False),
)
INSTANTS = st.integers(0, 6).map(lambda days: T0 + timedelta(days=days * 7))
DAYS = st.one_of(st.none(), st.integers(0, 120).map(lambda d: date(2026, 1, 1) + timedelta(d)))

METRICS = {
    "summary": lambda t: pipeline_summary(t, by="owner"),
    "win_rate": lambda t: win_rate(t, denominator="all"),
    "funnel": lambda t: funnel(t, backward="retract"),
    "as_of": lambda t: pipeline_as_of(t, AS_OF),
    "bridge": lambda t: bridge(t, date(2026, 1, 20), AS_OF),
    "time_in_stage": lambda t: time_in_stage(t, as_of=AS_OF),
    "deal_age": lambda t: deal_age(t, as_of=AS_OF),
    "cycle_length": lambda t: cycle_length(t, outcome="closed"),
    "slippage": lambda t: slippage(t),
    "velocity": lambda t: sales_velocity(t),
    "at_risk": lambda t: at_risk(t, as_of=AS_OF),
}


@st.composite
def hostile_tables(draw: st.DrawFn) -> tuple[Any, Any, bool]:
    """A snapshot and a history table, and whether the history has a ``sequence``."""
    ids = [f"d{i}" for i in range(draw(st.integers(0, 4)))]
    snapshot = []
    for ident in ids:
        snapshot.append(
            {
                "id": ident,
                "owner": draw(st.sampled_from([None, "ana", "bo"])),
                "stage": draw(st.one_of(st.none(), STAGES)),
                "amount": draw(AMOUNTS),
                "currency": "USD",
                "close_date": draw(DAYS),
                "created_at": draw(st.one_of(st.none(), INSTANTS)),
            }
        )
    sequenced = draw(st.booleans())
    history = []
    for ident in ids:
        for number in range(1, draw(st.integers(0, 4)) + 1):
            row = {
                "opportunity_id": ident,
                "at": draw(INSTANTS),
                "stage": draw(STAGES),
                "amount": draw(AMOUNTS),
                "currency": "USD",
                "close_date": draw(DAYS),
            }
            if sequenced:
                row["sequence"] = number
            history.append(row)
    money = pl.Decimal(38, 2)
    snap_schema = {
        "id": pl.String,
        "owner": pl.String,
        "stage": pl.String,
        "amount": money,
        "currency": pl.String,
        "close_date": pl.Date,
        "created_at": pl.Datetime("us", "UTC"),
    }
    hist_schema = {
        "opportunity_id": pl.String,
        "at": pl.Datetime("us", "UTC"),
        **({"sequence": pl.Int64} if sequenced else {}),
        "stage": pl.String,
        "amount": money,
        "currency": pl.String,
        "close_date": pl.Date,
    }
    return (
        pl.DataFrame(snapshot, schema=snap_schema),
        pl.DataFrame(history, schema=hist_schema),
        sequenced,
    )


def _outcome(compute: Any, tables: Frames) -> tuple[str, Any]:
    try:
        return "rows", rows_of(compute(tables).to_frame())
    except sf.SalesflowError as exc:
        return "refused", str(exc)


@settings(
    max_examples=_SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(tables=hostile_tables())
def test_fuzz_hostile_tables_give_one_answer_on_every_backend(
    tables: tuple[Any, Any, bool],
) -> None:
    snapshot, history, sequenced = tables
    note(f"snapshot={snapshot.rows()}\nhistory={history.rows()}")
    for name, compute in METRICS.items():
        kind, expected = _outcome(compute, Frames(snapshot, history, process=PROCESS))
        for backend in ("polars-lazy", "pandas", "pyarrow", "duckdb"):
            make = BACKENDS[backend]
            got_kind, got = _outcome(
                compute, Frames(make(snapshot), make(history), process=PROCESS)
            )
            if (
                kind == "rows"
                and not sequenced
                and got_kind == "refused"
                and backend in ("polars-lazy", "duckdb")
                and "nothing orders them" in got
            ):
                continue  # documented: a lazy table keeps no row order
            assert got_kind == kind, (name, backend, got)
            if kind == "rows":
                assert got == expected, (name, backend)


@pytest.mark.spark
@settings(
    max_examples=max(2, _SCALE // 3),  # Spark's fixed cost per call: ci 2 tables, thorough 26
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(tables=hostile_tables())
def test_fuzz_hostile_tables_on_spark_give_the_polars_answer(
    spark: Any, tables: tuple[Any, Any, bool]
) -> None:
    snapshot, history, sequenced = tables
    note(f"snapshot={snapshot.rows()}\nhistory={history.rows()}")
    on_spark = Frames(
        spark.createDataFrame(snapshot.to_arrow(), schema=_spark_schema(spark, snapshot)),
        spark.createDataFrame(history.to_arrow(), schema=_spark_schema(spark, history)),
        process=PROCESS,
    )
    for name, compute in METRICS.items():
        kind, expected = _outcome(compute, Frames(snapshot, history, process=PROCESS))
        got_kind, got = _outcome(compute, on_spark)
        if kind == "rows" and not sequenced and got_kind == "refused":
            assert "nothing orders them" in got, (name, got)
            continue
        assert got_kind == kind, (name, got)
        if kind == "rows":
            assert got == expected, name


def _spark_schema(spark: Any, frame: Any) -> Any:
    """The frame's schema for Spark (an empty Arrow table gives Spark no types to infer)."""
    from pyspark.sql import types as T

    kinds = {
        pl.String: T.StringType(),
        pl.Date: T.DateType(),
        pl.Int64: T.LongType(),
    }
    fields = []
    for column, dtype in frame.schema.items():
        if isinstance(dtype, pl.Decimal):
            kind = T.DecimalType(38, 2)
        elif isinstance(dtype, pl.Datetime):
            kind = T.TimestampType()
        else:
            kind = kinds[dtype]
        fields.append(T.StructField(column, kind, nullable=True))
    return T.StructType(fields)
