"""Reading the line_items and installments tables beside a snapshot, on its engine.

Eager tables are computed by Polars (as the other tables are); lazy ones stay
in their engine, which must be the snapshot's. Dates written as timestamps
count by their date, ISO text dates are parsed, ids read as numbers are text,
and float money follows the frame door's policy (whole cents become decimals,
anything finer is refused).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw

from salesflow.analytics._coerce import _amounts
from salesflow.analytics._source import Kind, _kind, _lazy
from salesflow.errors import Problem, ValidationError

__all__ = ["MONEY", "read_lines"]

MONEY = ("unit_price", "list_price", "total_price", "arr", "tcv", "revenue")
"""The money columns of the line_items and installments tables."""

_DAYS = ("service_date", "schedule_date")
_IDS = ("opportunity_id", "line_id")


def read_lines(
    native: Any, table: str, kind: Kind, *, needs: Sequence[str], subject: str
) -> nw.LazyFrame[Any]:
    """``native`` (the ``table`` of line items or installments) as a lazy frame beside a snapshot of ``kind``.

    Raises:
        ValidationError: Not a dataframe, a library the snapshot's engine
            cannot join with, a missing column (naming the ones there), a text
            date that is not ISO, or a float amount finer than cents.
    """
    mine = _kind(native, table)
    if not (mine.eager and kind.eager) and mine.implementation != kind.implementation:
        raise ValidationError(
            [
                Problem(
                    f"the {table} table is a {mine.implementation} frame, the snapshot a "
                    f"{kind.implementation} one: give both from one library",
                    f"$.{table}",
                )
            ],
            subject=subject,
        )
    frame = _lazy(native, table)
    schema = frame.collect_schema()
    missing = [c for c in needs if c not in schema]
    if missing:
        shown = ", ".join(schema.names())
        raise ValidationError(
            [
                Problem(f"the {table} table has no column {c!r}; it has {shown}", f"$.{table}.{c}")
                for c in missing
            ],
            subject=subject,
        )
    exprs: list[nw.Expr] = []
    for name in _DAYS:
        dtype = schema.get(name)
        if isinstance(dtype, nw.Datetime):
            exprs.append(nw.col(name).dt.date())
        elif dtype == nw.String:
            exprs.append(nw.col(name).str.to_date("%Y-%m-%d"))
    for name in _IDS:
        dtype = schema.get(name)
        if dtype is not None and dtype != nw.String and dtype.is_numeric():
            exprs.append(nw.col(name).cast(nw.String))
    floats = [n for n in MONEY if schema.get(n) in (nw.Float64, nw.Float32)]
    exprs += _amounts(frame, floats, table)
    return frame.with_columns(*exprs) if exprs else frame
