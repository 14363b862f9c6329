"""A lazy table's column types, read without queries the answer does not need.

On DuckDB, narwhals asks the connection for its time zone (a query: a relation
bound and run, 1.5-8 ms) each time it reads a schema that holds a
``TIMESTAMP WITH TIME ZONE``, because DuckDB keeps the zone on the connection,
not on the type. Most checks need no zone: the types of a few other columns, or
only whether a time carries a zone at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw

__all__ = ["ZONED", "types", "zone_free_schema"]

ZONED = nw.Datetime("us", "UTC")
"""What :func:`zone_free_schema` gives a DuckDB time with a zone: aware, its zone unread."""

_DUCKDB_ZONED = "timestamp with time zone"


class _Zoned(Exception):
    """A zoned DuckDB time among the columns asked for: its zone is a query."""


class _NoZone:
    """Stands in for narwhals' deferred DuckDB zone: asked, it refuses."""

    @property
    def time_zone(self) -> str:
        raise _Zoned


def _duckdb_types(frame: nw.LazyFrame[Any], names: Sequence[str]) -> dict[str, Any] | None:
    """The types of some columns of a DuckDB table, read off its relation.

    DuckDB binds a projection to give its types (~1 ms a call through its
    Python API); the relation knows them already. They are converted with
    narwhals' own conversion, so they are what ``collect_schema`` gives;
    ``None`` (the projection's turn) for a zoned time, or if that conversion
    has moved in another narwhals.
    """
    try:
        from narwhals._duckdb.utils import native_to_narwhals_dtype
        from narwhals._utils import Version
    except ImportError:  # pragma: no cover - another narwhals layout
        return None
    convert: Any = native_to_narwhals_dtype
    native = frame.to_native()
    known = dict(zip(native.columns, native.types, strict=True))
    try:
        return {c: convert(known[c], Version.MAIN, _NoZone()) for c in names}
    except (_Zoned, KeyError, TypeError, AttributeError):
        return None


def types(frame: nw.LazyFrame[Any], names: Sequence[str]) -> dict[str, Any]:
    """The types of some columns: a schema without the rest (so without their zones)."""
    if not names:
        return {}
    if frame.implementation is nw.Implementation.DUCKDB:
        found = _duckdb_types(frame, names)
        if found is not None:
            return found
    return dict(frame.select(*names).collect_schema())


def zone_free_schema(frame: nw.LazyFrame[Any]) -> dict[str, Any]:
    """``frame``'s schema, in order; on DuckDB a zoned time reads as :data:`ZONED`.

    Only for a caller that asks whether a time has a zone, never which: on
    DuckDB the zone is the connection's, and reading it is the query this spares.
    """
    if frame.implementation is not nw.Implementation.DUCKDB:
        return dict(frame.collect_schema())
    native = frame.to_native()
    pairs = zip(native.columns, native.types, strict=True)
    zoned = {name for name, dtype in pairs if dtype.id == _DUCKDB_ZONED}
    if not zoned:
        return dict(frame.collect_schema())
    known = types(frame, [c for c in frame.columns if c not in zoned])
    return {c: ZONED if c in zoned else known[c] for c in frame.columns}
