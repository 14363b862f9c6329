"""Small tables of text made in the engine of a frame they will be joined with."""

from __future__ import annotations

from typing import Any

import narwhals as nw

__all__ = ["small_table"]


def small_table(like: nw.LazyFrame[Any], columns: dict[str, list[str]]) -> nw.LazyFrame[Any]:
    """A table of text columns in ``like``'s engine (for DuckDB, on its connection), to join with it."""
    names = list(columns)
    rows = list(zip(*columns.values(), strict=True))
    implementation = like.implementation
    native = like.to_native()
    if implementation is nw.Implementation.DUCKDB:

        def text(value: str) -> str:
            return "'" + value.replace("'", "''") + "'"

        values = ", ".join("(" + ", ".join(text(v) for v in row) + ")" for row in rows)
        if not values:
            values = "(" + ", ".join("CAST(NULL AS VARCHAR)" for _ in names) + ")"
        quoted = ", ".join('"' + n.replace('"', '""') + '"' for n in names)  # "end" is SQL
        sql = f"SELECT * FROM (VALUES {values}) AS v({quoted})"
        table: nw.LazyFrame[Any] = nw.from_native(native.query("_salesflow_rows", sql)).lazy()
        return table.filter(~nw.col(names[0]).is_null())
    if implementation.is_spark_like():
        ddl = ", ".join(f"{n} string" for n in names)
        spark: nw.LazyFrame[Any] = nw.from_native(
            native.sparkSession.createDataFrame(rows, schema=ddl)
        ).lazy()
        return spark
    import polars as pl

    frame = pl.DataFrame({n: pl.Series(n, v, dtype=pl.String) for n, v in columns.items()})
    if implementation is nw.Implementation.POLARS:
        return nw.from_native(frame.lazy())
    return nw.from_native(frame).lazy(backend=implementation)
