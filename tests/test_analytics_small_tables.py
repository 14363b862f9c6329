"""Small tables made in a frame's own engine: DuckDB reads them as Arrow, else as VALUES."""

from __future__ import annotations

import pytest

duckdb = pytest.importorskip("duckdb")
nw = pytest.importorskip("narwhals")

from salesflow.analytics._small import small_table  # noqa: E402


def _rows(table: nw.LazyFrame) -> list[tuple[str, ...]]:
    return sorted(table.collect(backend="polars").rows())


COLUMNS = {"owner": ["ann", "o'brien", "bo"], "end": ["x", "y", "z"]}  # "end" is SQL


@pytest.mark.parametrize("replacements", [True, False])
def test_a_small_table_on_duckdb_holds_its_rows_whichever_way_it_is_made(
    replacements: bool,
) -> None:
    con = duckdb.connect()
    con.execute(f"SET python_enable_replacements = {str(replacements).lower()}")
    like = nw.from_native(con.sql("SELECT 1 AS x")).lazy()
    table = small_table(like, COLUMNS)
    assert table.collect_schema().names() == ["owner", "end"]
    assert _rows(table) == sorted(zip(*COLUMNS.values(), strict=True))
    assert _rows(small_table(like, {"owner": [], "end": []})) == []


def test_a_table_of_the_same_name_in_the_database_is_not_read_instead() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE _salesflow_small_table AS SELECT 'other' AS owner, 'w' AS x")
    like = nw.from_native(con.sql("SELECT 1 AS x")).lazy()
    assert _rows(small_table(like, COLUMNS)) == sorted(zip(*COLUMNS.values(), strict=True))


def test_a_large_table_joins_with_the_data_on_its_connection() -> None:
    con = duckdb.connect()
    data = nw.from_native(con.sql("SELECT range::VARCHAR AS owner FROM range(20000)")).lazy()
    owners = [str(i) for i in range(0, 20000, 2)]
    table = small_table(data, {"owner": owners, "team": ["even"] * len(owners)})
    joined = data.join(table, on="owner", how="inner").select(nw.len()).collect("polars")
    assert joined.item() == 10000
