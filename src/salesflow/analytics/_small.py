"""Small tables of text made in the engine of a frame they will be joined with."""

from __future__ import annotations

from typing import Any

import narwhals as nw

__all__ = ["engine_frame", "small_table"]


def small_table(like: nw.LazyFrame[Any], columns: dict[str, list[str]]) -> nw.LazyFrame[Any]:
    """A table of text columns in ``like``'s engine (for DuckDB, on its connection), to join with it."""
    import polars as pl

    names = list(columns)
    rows = list(zip(*columns.values(), strict=True))
    implementation = like.implementation
    native = like.to_native()
    frame = pl.DataFrame({n: pl.Series(n, v, dtype=pl.String) for n, v in columns.items()})
    if implementation is nw.Implementation.DUCKDB:
        scanned = engine_frame(like, frame)
        if scanned is not None and all(str(t) == "VARCHAR" for t in scanned.to_native().types):
            return scanned  # (a table of that name in the user's database has other types)

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
    if implementation is nw.Implementation.POLARS:
        return nw.from_native(frame.lazy())
    return nw.from_native(frame).lazy(backend=implementation)


def engine_frame(like: nw.LazyFrame[Any], table: Any) -> nw.LazyFrame[Any] | None:
    """A small Polars ``table``, whole, as a frame of ``like``'s engine; ``None`` where it cannot be.

    DuckDB reads it from Arrow on ``like``'s connection (types as Polars has
    them: decimals keep their scale): DuckDB finds a Python variable named in a
    query (a replacement scan), and the relation keeps the Arrow table it reads
    — 100,000 rows bind in well under a second, where a ``VALUES`` list of that
    size takes DuckDB tens of seconds. Spark makes a DataFrame of the Arrow
    table. Other engines, a DuckDB connection without replacement scans, or a
    table of the same name and other columns in the user's database give
    ``None``: compute in the engine instead.
    """
    native = like.to_native()
    arrow = table.to_arrow()
    if like.implementation is nw.Implementation.DUCKDB:
        _salesflow_small_table = arrow  # read by its name in the query (a replacement scan)
        try:
            relation = native.query("_salesflow_rows", "SELECT * FROM _salesflow_small_table")
        except Exception:  # replacement scans off, or any refusal
            return None
        if list(relation.columns) != list(table.columns) or len(relation.types) != table.width:
            return None
        found: nw.LazyFrame[Any] = nw.from_native(relation).lazy()
        return found
    if like.implementation is nw.Implementation.PYSPARK:
        try:
            made = native.sparkSession.createDataFrame(arrow)
        except Exception:  # an older Spark without Arrow input
            return None
        spark: nw.LazyFrame[Any] = nw.from_native(made).lazy()
        return spark
    return None
