"""Reading whole columns of text cells as :mod:`salesflow.io._values` reads one cell.

Each reader takes a Polars ``String`` series (null: an empty cell) and gives
the typed values and an error message per cell (null: read, or empty). The
common, canonical spellings (ASCII digits, ISO dates, ``Z`` or ``+0000``
offsets) are read by vectorised expressions; every other cell is handed,
once per distinct value, to the one-cell reader the object path uses, so both
paths accept, refuse and word their refusals alike. The vectorised part only
ever accepts what the cell reader accepts, with the same value.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from salesflow.io._values import Reject, read_date, read_datetime, read_decimal

__all__ = [
    "dates",
    "decimals",
    "duplicated",
    "mapped",
    "python_space",
    "stripped",
    "timestamps",
]

Result = tuple[Any, Any]
"""The values (a Series) and the error messages (a ``String`` Series, null where read)."""

_DECIMAL = r"^[+-]?(?:[0-9]{1,40}(?:\.[0-9]{0,40})?|\.[0-9]{1,40})$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_TIMESTAMP = (
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}):([0-9]{2})"
    r"(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?(Z|[+-][0-9]{2}:?[0-9]{2})?$"
)


_PYTHON_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
    "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def python_space() -> str:
    """Every character Python's ``str.strip()`` removes (Polars' idea of a space differs)."""
    return _PYTHON_SPACE


def stripped(pl: Any, column: Any) -> Any:
    """Text without the spaces around it, as ``str.strip()`` does."""
    return column.str.strip_chars(python_space())


def mapped(
    pl: Any,
    raw: Any,
    read: Callable[[str], Any],
    dtype: Any,
    *,
    only: Any = None,
) -> Result:
    """Read each distinct cell with ``read`` (a one-cell reader that raises :class:`Reject`).

    Args:
        pl: Polars.
        raw: The cells.
        read: The reader.
        dtype: The values' Polars type.
        only: A boolean Series: read only these cells (the rest give null).
    """
    cells = raw if only is None else raw.filter(only)
    keys = cells.drop_nulls().unique().to_list()
    if not keys:
        nulls = pl.repeat(None, len(raw), dtype=dtype, eager=True)
        return nulls, pl.repeat(None, len(raw), dtype=pl.String, eager=True)
    values: list[Any] = []
    errors: list[str | None] = []
    for key in keys:
        try:
            values.append(read(key))
            errors.append(None)
        except Reject as exc:
            values.append(None)
            errors.append(str(exc))
    if only is not None:
        raw = pl.select(pl.when(only).then(raw)).to_series()
    index = raw.replace_strict(keys, range(len(keys)), default=None, return_dtype=pl.UInt32)
    value = pl.Series(values, dtype=dtype).gather(index)
    if all(e is None for e in errors):
        return value, pl.repeat(None, len(raw), dtype=pl.String, eager=True)
    return value, pl.Series(errors, dtype=pl.String).gather(index)


def duplicated(pl: Any, keys: Any) -> Any:
    """Whether each key occurs more than once (null where the key is null).

    Equal keys have equal hashes, so the keys are compared only among those
    whose hash repeats: hashing is a fraction of the cost of a table of strings.
    """
    if keys.is_sorted():
        nexts = (keys == keys.shift(1)).fill_null(False) | (keys == keys.shift(-1)).fill_null(
            False
        )
        return pl.select(pl.when(keys.is_not_null()).then(nexts)).to_series().cast(pl.Boolean)
    maybe = keys.hash().is_duplicated() & keys.is_not_null()
    found = pl.repeat(False, len(keys), dtype=pl.Boolean, eager=True)
    if maybe.any():
        rows = maybe.arg_true()
        found = found.scatter(rows, keys.gather(rows).is_duplicated())
    return pl.select(pl.when(keys.is_not_null()).then(found)).to_series().cast(pl.Boolean)


def _plain(value: Decimal) -> tuple[str, int]:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return format(value, "f"), max(0, -exponent)


def decimals(
    pl: Any,
    raw: Any,
    read: Callable[[object], Decimal | None] = read_decimal,
    *,
    exact: bool = False,
) -> Any:
    """Decimal cells as exact text: a frame of ``text`` (plain digits), ``places``, ``error``.

    The text is what a ``Decimal`` column is cast from once the scale of all
    of them is known; it never passes through a float. With ``exact``, also
    ``exact``: text that ``Decimal`` reads back to the very value ``read``
    gave (``1E+3`` stays ``Decimal('1E+3')``, which ``text`` spells ``1000``).
    """
    cell = pl.col("raw")
    fast = cell.str.contains(_DECIMAL)
    dot = cell.str.find(".", literal=True)  # ASCII where fast: bytes are characters
    places = pl.when(dot.is_null()).then(0).otherwise(cell.str.len_bytes() - dot - 1)
    shaped = (
        pl.DataFrame({"raw": raw})
        .lazy()
        .select(
            text=pl.when(fast).then(cell),
            places=pl.when(fast).then(places).cast(pl.Int32),
            slow=~fast.fill_null(True),
        )
        .collect()
    )
    slow_keys = raw.filter(shaped["slow"]).unique().to_list()
    frame = shaped.drop("slow")
    if not slow_keys:
        found = frame.with_columns(error=pl.lit(None, dtype=pl.String))
        return found.with_columns(exact=pl.col("text")) if exact else found
    texts: list[str | None] = []
    counts: list[int | None] = []
    errors: list[str | None] = []
    spelled: list[str | None] = []
    for key in slow_keys:
        try:
            value = read(key)
        except Reject as exc:
            texts.append(None)
            counts.append(None)
            errors.append(str(exc))
            spelled.append(None)
            continue
        assert value is not None
        text, count = _plain(value)
        texts.append(text)
        counts.append(count)
        errors.append(None)
        spelled.append(str(value))
    if exact:
        frame = frame.with_columns(
            exact=pl.coalesce(
                frame["text"],
                raw.replace_strict(slow_keys, spelled, default=None, return_dtype=pl.String),
            )
        )
    return frame.with_columns(
        text=pl.coalesce(
            frame["text"],
            raw.replace_strict(slow_keys, texts, default=None, return_dtype=pl.String),
        ),
        places=pl.coalesce(
            frame["places"],
            raw.replace_strict(slow_keys, counts, default=None, return_dtype=pl.Int32),
        ),
        error=raw.replace_strict(slow_keys, errors, default=None, return_dtype=pl.String),
    )


def _valid_day(pl: Any, text: Any) -> Any:
    """ISO ``YYYY-MM-DD`` text as a date, for years 2..9998 (the edges go the exact way)."""
    day = text.str.to_date("%Y-%m-%d", strict=False)
    year = text.str.slice(0, 4).cast(pl.Int32, strict=False)
    return pl.when(year.is_between(2, 9998)).then(day)


def dates(pl: Any, raw: Any) -> Result:
    """:func:`read_date` over a column: ISO dates, or the date written in a timestamp."""
    cell = pl.col("raw")
    fast = (
        pl.DataFrame({"raw": raw})
        .lazy()
        .select(pl.when(cell.str.contains(_DATE)).then(_valid_day(pl, cell)))
        .collect()
        .to_series()
    )
    if fast.null_count() > raw.null_count():  # a timestamp's date, or a cell to read one by one
        shaped = raw.str.contains(_TIMESTAMP) & fast.is_null()
        stamped = pl.select(pl.when(shaped).then(_valid_day(pl, raw.str.slice(0, 10))))
        fast = pl.select(pl.coalesce(fast, stamped.to_series())).to_series()
    value, error = mapped(pl, raw, read_date, pl.Date, only=raw.is_not_null() & fast.is_null())
    return pl.select(pl.coalesce(fast, value)).to_series(), error


_CLOCK = r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
_COMMON = {  # the exports' own spellings: a regex that admits only valid clocks and offsets
    "loader": rf"^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}{_CLOCK}\.[0-9]{{3}}[+-](?:[01][0-9]|2[0-3])[0-5][0-9]$",
    "api": rf"^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}{_CLOCK}(?:\.[0-9]{{3}})?Z$",
    "utc": rf"^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}{_CLOCK}(?:\.[0-9]{{1,9}})?\+00:00$",
}


def _common(pl: Any, raw: Any) -> Any:
    """Data Loader's ``...T10:00:00.000+0000``, the API's ``...T10:00:00Z`` and
    ``...T10:00:00.000Z`` (HubSpot's, JavaScript's ``toISOString``), and
    ``...T10:00:00[.ffffff]+00:00`` (Python's ``isoformat``: salesflow's own
    files), in UTC.

    A cell of these shapes (which the regular expressions prove, clock and
    offset in range) is its first 19 characters read as a naive time, plus the
    milliseconds, less the offset: what ``%z`` reads, three times faster.
    """  # noqa: D205
    loader, api, utc = _COMMON.values()
    text = pl.col("raw")

    def number(start: int, length: int) -> Any:
        return text.str.slice(start, length).cast(pl.Int64, strict=False)

    year = text.str.slice(0, 4).cast(pl.Int32, strict=False).is_between(2, 9998)
    clock = text.str.slice(0, 19).str.to_datetime(
        "%Y-%m-%dT%H:%M:%S", time_unit="us", strict=False
    )
    sign = pl.when(text.str.slice(23, 1) == "-").then(-1).otherwise(1)
    offset = sign * (number(24, 2) * 60 + number(26, 2))
    moved = clock + pl.duration(milliseconds=number(20, 3)) - pl.duration(minutes=offset)
    cells = pl.DataFrame({"raw": raw}).lazy()
    found = cells.select(pl.when(year & text.str.contains(loader)).then(moved)).collect()
    stamp = found.to_series()
    if stamp.null_count() > raw.null_count():  # some in the API's spelling, or neither
        millis = pl.when(text.str.len_bytes() == 24).then(number(20, 3)).otherwise(0)
        api_time = clock + pl.duration(milliseconds=millis)
        api_stamp = cells.select(pl.when(year & text.str.contains(api)).then(api_time)).collect()
        stamp = pl.select(pl.coalesce(stamp, api_stamp.to_series())).to_series()
    if stamp.null_count() > raw.null_count():  # some in isoformat's spelling, or none of these
        size = text.str.len_bytes()
        fraction = pl.when(size > 26).then(text.str.slice(20, size - 26)).otherwise(pl.lit(""))
        micros = (fraction + "000000").str.slice(0, 6).cast(pl.Int64, strict=False)
        iso_time = clock + pl.duration(microseconds=micros)
        iso_stamp = cells.select(pl.when(year & text.str.contains(utc)).then(iso_time)).collect()
        stamp = pl.select(pl.coalesce(stamp, iso_stamp.to_series())).to_series()
    return stamp.dt.replace_time_zone("UTC")


def timestamps(pl: Any, raw: Any, zone: tzinfo | None) -> Result:
    """:func:`read_datetime` over a column, as UTC datetimes (microseconds)."""
    utc = pl.Datetime("us", "UTC")
    common = _common(pl, raw)
    if common.null_count() == raw.null_count():  # every cell in an export's own spelling
        return common, pl.repeat(None, len(raw), dtype=pl.String, eager=True)
    raw_rest = pl.select(pl.when(common.is_null()).then(raw)).to_series()
    parts = raw_rest.str.extract_groups(_TIMESTAMP).struct.unnest()
    day_only = raw_rest.str.contains(_DATE)
    names = parts.columns
    day = _valid_day(pl, pl.col(names[0]))
    hour = pl.col(names[1]).cast(pl.Int64)
    minute = pl.col(names[2]).cast(pl.Int64)
    second = pl.col(names[3]).fill_null("0").cast(pl.Int64)
    micros = (pl.col(names[4]).fill_null("") + "000000000").str.slice(0, 6).cast(pl.Int64)
    offset = pl.col(names[5])
    sign = pl.when(offset.str.starts_with("-")).then(-1).otherwise(1)
    digits = offset.str.replace(":", "", literal=True)
    off_hours = digits.str.slice(1, 2).cast(pl.Int64, strict=False)
    off_minutes = digits.str.slice(3, 2).cast(pl.Int64, strict=False)
    off = (
        pl.when(offset == "Z")
        .then(0)
        .when((off_hours < 24) & (off_minutes < 60))
        .then(sign * (off_hours * 60 + off_minutes))
    )
    stamp = (
        day.cast(pl.Datetime("us"))
        + pl.duration(hours=hour, minutes=minute, seconds=second, microseconds=micros)
        - pl.duration(minutes=off)
    )
    good = (hour < 24) & (minute < 60) & (second < 60) & off.is_not_null()
    fast_parts = parts.select(pl.when(good).then(stamp).dt.replace_time_zone("UTC").alias("at"))
    midnight = pl.select(
        pl.when(day_only).then(_valid_day(pl, raw_rest).cast(pl.Datetime("us")))
    ).to_series()
    fast = pl.select(
        pl.coalesce(common, fast_parts["at"], midnight.dt.replace_time_zone("UTC"))
    ).to_series()

    def read(text: str) -> datetime | None:
        return read_datetime(text, zone=zone)

    value, error = mapped(pl, raw, read, utc, only=raw.is_not_null() & fast.is_null())
    return pl.select(pl.coalesce(fast, value)).to_series(), error
