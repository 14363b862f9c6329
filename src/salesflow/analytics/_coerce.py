"""The frame door's types: text dates, time zones and float amounts, one policy on every backend.

Policies (documented in ``docs/analytics.md``):

- **Text dates and timestamps** (what ``read_csv`` gives) are parsed as ISO 8601:
  ``2017-03-01``, ``2017-03-01T10:00[:00[.123]]`` (``T`` or a space), with ``Z`` or
  an offset (``+02:00`` / ``+0200``) or none. A value that is not ISO 8601 is
  refused with a :class:`~salesflow.ValidationError` naming the table, the
  column and the value: salesflow never guesses ``03/01/2017``.
- **Time zones**: timestamps with a zone are converted to UTC; timestamps
  without one are read as UTC. A date where a timestamp is expected is its
  midnight, UTC.
- **Ids** read as numbers (HubSpot's ``Record ID``) are text, so they join
  with ids read as text.
- **Float amounts** are converted to decimals with two places when every value
  is a whole number of cents (``1234.5`` is ``1234.50``); a float with more
  places is refused (its exact decimal is not knowable from a binary float):
  parse such a column to decimals first. Integers are amounts as they are.

Eager tables are computed by Polars, whose native parsers do the work; lazy
DuckDB relations are handled in DuckDB's own SQL; other lazy engines (PySpark)
use their casts.
"""

from __future__ import annotations

from typing import Any

import narwhals as nw

from salesflow.analytics._schema import zone_free_schema
from salesflow.errors import Problem, ValidationError

__all__ = ["AMOUNTS", "DATES", "IDS", "TIMES", "coerce"]

DATES = ("close_date", "closed_on", "previous_close_date", "due_date")
TIMES = ("created_at", "last_stage_change_at", "at")
AMOUNTS = ("amount", "previous_amount")
IDS = ("id", "opportunity_id")

_AWARE = ("%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M%#z")
_NAIVE = ("%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M")


def _refuse(table: str, column: str, message: str) -> ValidationError:
    return ValidationError(
        [Problem(message, f"$.{table}.{column}")],
        subject="analytics input (see 'Your own data' in the analytics guide)",
    )


def _first_bad(frame: nw.LazyFrame[Any], column: str, parsed: nw.Expr) -> Any:
    text = nw.col(column)
    given = ~text.is_null() & (text.str.strip_chars() != "")
    bad = frame.filter(given & parsed.is_null()).select(column).head(1)
    rows = bad.collect(backend="polars").rows()
    return rows[0][0] if rows else None


def _polars_time(column: str) -> Any:
    import polars as pl

    text = pl.col(column)
    aware = [
        text.str.to_datetime(f, strict=False, time_unit="us").dt.convert_time_zone("UTC")
        for f in _AWARE
    ]
    naive = [
        text.str.to_datetime(f, strict=False, time_unit="us").dt.replace_time_zone("UTC")
        for f in _NAIVE
    ]
    day = text.str.to_date("%Y-%m-%d", strict=False).cast(pl.Datetime("us"))
    return pl.coalesce(*aware, *naive, day.dt.replace_time_zone("UTC")).alias(column)


def _polars_date(column: str) -> Any:
    import polars as pl

    text = pl.col(column)
    day = text.str.to_date("%Y-%m-%d", strict=False)
    when = pl.coalesce(
        *(text.str.to_datetime(f, strict=False, time_unit="us") for f in _NAIVE),
        *(
            text.str.to_datetime(f, strict=False, time_unit="us").dt.replace_time_zone(None)
            for f in _AWARE
        ),
    ).dt.date()
    return pl.coalesce(day, when).alias(column)


def _parse_text(
    frame: nw.LazyFrame[Any], texts: list[tuple[str, str]], table: str
) -> nw.LazyFrame[Any]:
    """Parse the text columns ``(name, "date" | "time")``, refusing a value that is not ISO."""
    implementation = frame.implementation
    if implementation is nw.Implementation.POLARS:
        native = frame.to_native()
        parsers = {"date": _polars_date, "time": _polars_time}
        parsed: nw.LazyFrame[Any] = nw.from_native(
            native.with_columns(
                *(parsers[kind](name).alias(f"_parsed_{name}") for name, kind in texts)
            )
        )
    elif implementation is nw.Implementation.DUCKDB:
        parsed = _duckdb_text(frame, texts)
    else:
        parsed = frame.with_columns(
            *(
                nw.col(name)
                .cast(nw.Date if kind == "date" else nw.Datetime("us"))
                .alias(f"_parsed_{name}")
                for name, kind in texts
            )
        )
    for name, kind in texts:
        value = _first_bad(parsed, name, nw.col(f"_parsed_{name}"))
        if value is not None:
            shape = "YYYY-MM-DD" if kind == "date" else "YYYY-MM-DD[THH:MM[:SS]][Z|±HH:MM]"
            raise _refuse(
                table,
                name,
                f"expected ISO 8601 {'dates' if kind == 'date' else 'timestamps'} ({shape}) "
                f"in this text column, got {str(value)[:60]!r}; parse it to dates first",
            )
    return parsed.drop([name for name, _ in texts]).rename(
        {f"_parsed_{name}": name for name, _ in texts}
    )


def _duckdb_text(frame: nw.LazyFrame[Any], texts: list[tuple[str, str]]) -> nw.LazyFrame[Any]:
    relation = frame.to_native()
    parts = ["*"]
    for name, kind in texts:
        quoted = '"' + name.replace('"', '""') + '"'
        alias = '"_parsed_' + name.replace('"', '""') + '"'
        if kind == "date":
            parts.append(f"TRY_CAST(LEFT({quoted}, 10) AS DATE) AS {alias}")
        else:
            zoned = f"regexp_matches({quoted}, '(Z|[+-][0-9]{{2}}:?[0-9]{{2}})$')"
            parts.append(
                f"CASE WHEN {zoned} THEN TRY_CAST({quoted} AS TIMESTAMPTZ) "
                f"ELSE timezone('UTC', TRY_CAST({quoted} AS TIMESTAMP)) END AS {alias}"
            )
    projected: nw.LazyFrame[Any] = nw.from_native(relation.project(", ".join(parts))).lazy()
    return projected


def _duckdb_utc(frame: nw.LazyFrame[Any], naive: list[str]) -> nw.LazyFrame[Any]:
    """Naive DuckDB timestamps read as UTC (DuckDB keeps zones per connection, not per column)."""
    relation = frame.to_native()
    names = frame.columns
    parts = []
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        cast = f"timezone('UTC', CAST({quoted} AS TIMESTAMP)) AS {quoted}"
        parts.append(cast if name in naive else quoted)
    projected: nw.LazyFrame[Any] = nw.from_native(relation.project(", ".join(parts))).lazy()
    return projected


def _amounts(frame: nw.LazyFrame[Any], floats: list[str], table: str) -> list[nw.Expr]:
    exprs = []
    for name in floats:
        cents = nw.col(name) * 100
        off = (cents - cents.round(0)).abs() > 1e-6
        bad = frame.filter(~nw.col(name).is_null() & off).select(name).head(1)
        rows = bad.collect(backend="polars").rows()
        if rows:
            raise _refuse(
                table,
                name,
                f"a float amount with more than two decimal places ({rows[0][0]!r}) has no "
                "exact decimal; read the column as text and parse it to decimals first",
            )
        exprs.append(nw.col(name).round(2).cast(nw.Decimal(38, 2)))
    return exprs


_FLAGS = ("is_closed", "is_won", "has_primary_contact", "next_gate_met", "done", "primary")
_COUNTS = ("push_count", "sequence")


def _typed(name: str) -> Any:
    """The type a column of nulls only takes: a date, a time, an amount, a flag, or text."""
    if name in DATES:
        return nw.Date()
    if name in TIMES:
        return nw.Datetime("us")  # naive: read as UTC below, as every naive time is
    if name in AMOUNTS:
        return nw.Decimal(38, 2)
    if name == "probability":
        return nw.Float64()
    if name in _FLAGS:
        return nw.Boolean()
    if name in _COUNTS:
        return nw.Int64()
    return nw.String()


def coerce(frame: nw.LazyFrame[Any], table: str) -> nw.LazyFrame[Any]:
    """``frame`` with text dates parsed, timestamps in UTC and float amounts as decimals.

    As :func:`coerced`, without the schema.
    """
    return coerced(frame, table)[0]


def coerced(
    frame: nw.LazyFrame[Any], table: str
) -> tuple[nw.LazyFrame[Any], dict[str, Any] | None]:
    """``frame`` coerced (as :func:`coerce` says), and its schema if it is unchanged.

    The schema is :func:`~salesflow.analytics._schema.zone_free_schema`'s, given where
    no column needed a change (``None`` where one did: read the result's own).

    A column of nulls only, typeless (Polars' and DuckDB's ``NULL`` type), takes
    the type its name says (dates, times, amounts, flags, counts; text otherwise).

    Raises:
        ValidationError: A text value that is not ISO 8601, or a float amount
            with more than two decimal places (naming the table, column and value).
    """
    schema = zone_free_schema(frame)
    untyped = {n: _typed(n) for n, dtype in schema.items() if dtype == nw.Unknown}
    if untyped:  # a column of nulls only (Polars' and DuckDB's NULL type): give it its type
        frame = frame.with_columns(nw.col(n).cast(t) for n, t in untyped.items())
        schema = zone_free_schema(frame)
    texts = [(n, "date") for n in DATES if schema.get(n) == nw.String]
    texts += [(n, "time") for n in TIMES if schema.get(n) == nw.String]
    if texts:
        frame = _parse_text(frame, texts, table)
        schema = zone_free_schema(frame)
    exprs: list[nw.Expr] = []
    for name in DATES:
        dtype = schema.get(name)
        if isinstance(dtype, nw.Datetime):
            exprs.append(nw.col(name).dt.date())
    naive_duck = []
    for name in TIMES:
        dtype = schema.get(name)
        if dtype == nw.Date and frame.implementation is nw.Implementation.DUCKDB:
            naive_duck.append(name)
        elif dtype == nw.Date:
            exprs.append(nw.col(name).cast(nw.Datetime("us")).dt.replace_time_zone("UTC"))
        elif isinstance(dtype, nw.Datetime) and dtype.time_zone is None:
            if frame.implementation is nw.Implementation.DUCKDB:
                naive_duck.append(name)
            else:
                exprs.append(nw.col(name).dt.replace_time_zone("UTC"))
        elif (
            isinstance(dtype, nw.Datetime)
            and dtype.time_zone not in ("UTC", "Etc/UTC")
            and frame.implementation is nw.Implementation.POLARS
        ):
            exprs.append(nw.col(name).dt.convert_time_zone("UTC"))
    if naive_duck:
        frame = _duckdb_utc(frame, naive_duck)
    for name in IDS:  # ids read as numbers (HubSpot's Record ID) join with ids read as text
        dtype = schema.get(name)
        if dtype is not None and dtype != nw.String and dtype.is_numeric():
            exprs.append(nw.col(name).cast(nw.String))
    floats = [n for n in AMOUNTS if schema.get(n) in (nw.Float64, nw.Float32)]
    exprs += _amounts(frame, floats, table)
    if exprs:
        return frame.with_columns(*exprs), None
    changed = bool(untyped or texts or naive_duck)
    return frame, None if changed else schema
