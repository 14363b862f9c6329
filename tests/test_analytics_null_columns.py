"""A column of nulls only (Polars' and DuckDB's NULL type) reads as the same column typed."""

from __future__ import annotations

from typing import Any

import pytest

import salesflow as sf

pl = pytest.importorskip("polars")
sa = pytest.importorskip("salesflow.analytics")

PROCESS = sf.presets.salesforce_standard()
_ROWS = {
    "id": ["a", "b", "c"],
    "stage": ["Prospecting", None, "Closed Won"],
    "amount": [None, None, None],
    "probability": [None, None, None],
    "close_date": [None, None, None],
    "created_at": [None, None, None],
    "is_closed": [None, None, None],
}
_TYPES = {
    "id": pl.String,
    "stage": pl.String,
    "amount": pl.Decimal(38, 2),
    "probability": pl.Float64,
    "close_date": pl.Date,
    "created_at": pl.Datetime("us", "UTC"),
    "is_closed": pl.Boolean,
}


def _answers(snapshot: Any) -> list[Any]:
    tables = sa.Frames(snapshot, process=PROCESS)
    found = []
    for metric in (sa.win_rate, sa.pipeline_summary, sa.funnel):
        frame = metric(tables).to_frame()
        found.append(
            frame if isinstance(frame, pl.DataFrame) else frame.pl()  # a DuckDB relation
        )
    return [f.rows() for f in found]


def test_a_column_of_nulls_only_is_read_as_the_column_its_name_says() -> None:
    untyped = pl.DataFrame(_ROWS)
    assert {untyped.schema[c] for c in ("amount", "close_date", "created_at")} == {pl.Null}
    expected = _answers(pl.DataFrame(_ROWS, schema=_TYPES))
    assert _answers(untyped) == expected
    duckdb = pytest.importorskip("duckdb")
    assert _answers(duckdb.from_arrow(untyped.to_arrow())) == expected


def test_a_stage_column_of_nulls_only_is_no_engine_error() -> None:
    empty = pl.DataFrame({"id": [], "stage": [], "amount": [], "close_date": []})
    assert sa.win_rate(sa.Frames(empty, process=PROCESS)).to_frame().row(0)[:5] == (0, 0, 0, 0, 0)
