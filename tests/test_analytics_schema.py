"""A lazy table's column types, read without the queries the answer does not need."""

from __future__ import annotations

import pytest

from salesflow.analytics._schema import _duckdb_types, types, zone_free_schema

duckdb = pytest.importorskip("duckdb")
nw = pytest.importorskip("narwhals")

_COLUMNS = """
    SELECT 'a'::VARCHAR AS text, 1::BIGINT AS big, 2::INTEGER AS small, 1.5::DOUBLE AS float,
           12.25::DECIMAL(18, 2) AS amount, TRUE AS flag, DATE '2026-01-05' AS day,
           TIMESTAMP '2026-01-05 09:30:00' AS naive,
           TIMESTAMPTZ '2026-01-05 09:30:00+00' AS zoned,
           [1, 2] AS numbers, {'x': 1} AS pair
"""


def _frame() -> nw.LazyFrame:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Seoul'")
    return nw.from_native(con.sql(_COLUMNS))


def test_duckdb_types_are_read_off_the_relation_as_narwhals_reads_them() -> None:
    frame = _frame()
    names = [c for c in frame.columns if c != "zoned"]
    projected = dict(frame.select(*names).collect_schema())
    # Read off the relation (no projection bound): narwhals' conversion still where it was.
    assert _duckdb_types(frame, names) == projected
    assert types(frame, names) == projected
    assert types(frame, ["amount", "day"]) == {"amount": nw.Decimal(18, 2), "day": nw.Date()}


def test_a_zoned_time_asked_for_is_read_with_the_connections_zone() -> None:
    frame = _frame()
    assert _duckdb_types(frame, ["text", "zoned"]) is None
    found = types(frame, ["text", "zoned"])
    assert found == {"text": nw.String(), "zoned": nw.Datetime("us", "Asia/Seoul")}


def test_the_zone_free_schema_marks_a_zoned_time_without_reading_its_zone() -> None:
    frame = _frame()
    schema = zone_free_schema(frame)
    assert list(schema) == frame.columns
    assert schema["zoned"] == nw.Datetime("us", "UTC")
    assert schema["naive"] == nw.Datetime("us")
    assert schema["amount"] == nw.Decimal(18, 2)
