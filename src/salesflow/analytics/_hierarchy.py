"""Rolling a snapshot up the forecast hierarchy: each deal once per node at or above its owner."""

from __future__ import annotations

from typing import Any

import narwhals as nw

from salesflow.errors import Problem, ValidationError
from salesflow.hierarchy import Hierarchy

__all__ = ["NO_OWNER", "OUTSIDE", "rolled_up", "small_table"]

OUTSIDE = "(not in the tree)"
"""The node of owners the hierarchy does not know."""
NO_OWNER = "(no owner)"
"""The node of deals without an owner."""

_OWNER, _NODE = "_salesflow_owner", "_salesflow_node"


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
        sql = f"SELECT * FROM (VALUES {values}) AS v({', '.join(names)})"
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


def rolled_up(snapshot: nw.LazyFrame[Any], hierarchy: Hierarchy) -> nw.LazyFrame[Any]:
    """``snapshot`` with a ``node`` column: one row per deal and node at or above its owner.

    Raises:
        ValidationError: The snapshot has no ``owner`` column.
    """
    if "owner" not in snapshot.collect_schema().names():
        raise ValidationError(
            [
                Problem(
                    "grouping by the hierarchy's node needs an owner column", "$.snapshot.owner"
                )
            ],
            subject="analytics input (map the source's owner with Columns)",
        )
    owners: list[str] = []
    nodes: list[str] = []
    for node in hierarchy:
        for member in hierarchy.subtree(node):
            owners.append(member)
            nodes.append(node)
    pairs = small_table(snapshot, {_OWNER: owners, _NODE: nodes})
    owner = nw.col("owner").cast(nw.String)
    joined = snapshot.with_columns(owner.alias(_OWNER)).join(pairs, on=_OWNER, how="left")
    unknown = nw.when(nw.col(_OWNER).is_null()).then(nw.lit(NO_OWNER)).otherwise(nw.lit(OUTSIDE))
    rolled = nw.when(~nw.col(_NODE).is_null()).then(nw.col(_NODE)).otherwise(unknown)
    return joined.with_columns(rolled.alias("node")).drop(_OWNER, _NODE)
