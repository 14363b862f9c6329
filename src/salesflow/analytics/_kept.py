"""Results a lazy engine computes once and keeps, for queries that read them again.

A metric sometimes reads one intermediate result twice or more (to check it,
to learn its currencies, for the answer). DuckDB 2 keeps a relation's rows in
memory (``materialize``) and Spark keeps a DataFrame's in its executors'
blocks (``localCheckpoint``), so the work that made them is not done again.
Other engines recompute: Polars plans are cheap to run twice, and an older
DuckDB has no way to keep a result without a table in the user's catalog.
"""

from __future__ import annotations

from typing import Any

import narwhals as nw

__all__ = ["held", "holds"]


def holds(frame: nw.LazyFrame[Any]) -> bool:
    """Whether ``frame``'s engine keeps a computed result for later queries."""
    native = frame.to_native()
    if frame.implementation is nw.Implementation.DUCKDB:
        return hasattr(native, "materialize")
    return frame.implementation is nw.Implementation.PYSPARK and hasattr(native, "localCheckpoint")


def held(frame: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """``frame`` computed now and kept where its engine can (:func:`holds`), else ``frame``.

    Keep only what is small beside its inputs (a row per deal, sums per
    group): DuckDB keeps it in this process's memory.
    """
    if not holds(frame):
        return frame
    native = frame.to_native()
    if frame.implementation is nw.Implementation.DUCKDB:
        kept: Any = native.materialize()
    else:
        kept = native.localCheckpoint(eager=True)
    result: nw.LazyFrame[Any] = nw.from_native(kept)
    return result
