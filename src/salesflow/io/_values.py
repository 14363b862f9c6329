"""Reading one cell: text, decimals, dates, timestamps and flags, strictly.

Each reader takes what a CSV cell or a JSON value holds and returns the typed
value, ``None`` for an empty cell, or raises :class:`Reject` with a sentence
saying what was expected. Nothing is guessed: a naive timestamp needs an
explicit time zone, a float is read only as its shortest decimal text.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone, tzinfo
from decimal import Decimal, InvalidOperation

from salesflow.money import MAX_MAGNITUDE, MAX_PLACES

__all__ = [
    "Reject",
    "read_amount",
    "read_bool",
    "read_date",
    "read_datetime",
    "read_decimal",
    "read_text",
]


class Reject(ValueError):
    """A cell that cannot be read; the message is shown to the user as is."""


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def read_text(value: object) -> str | None:
    """Text exactly as written; an empty cell (``""`` or null) is no value."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise Reject(f"expected text, got {_kind(value)}")
    return str(value)  # a JSON number where text belongs keeps its written digits


def read_decimal(value: object) -> Decimal | None:
    """An exact decimal from text, an int, a Decimal, or a float's shortest text."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = repr(value)  # the shortest text that reads back as the same float
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise Reject(f"expected a decimal number, got {_kind(value)}")
    try:
        result = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise Reject(f"expected a decimal number, got {value!r}") from None
    if not result.is_finite():
        raise Reject(f"expected a finite number, got {value!r}")
    return result


def read_amount(value: object) -> Decimal | None:
    """An amount: a decimal salesflow keeps exactly (see :func:`salesflow.money.to_decimal`)."""
    result = read_decimal(value)
    if result is None:
        return None
    exponent = result.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent < -MAX_PLACES:
        raise Reject(f"at most {MAX_PLACES} digits after the point are kept, got {value!r}")
    if (result and result.adjusted() >= MAX_MAGNITUDE) or (
        not result and exponent > MAX_MAGNITUDE
    ):
        raise Reject(f"amounts must be below 1e{MAX_MAGNITUDE}, got {value!r}")
    return result


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?"
)


def read_date(value: object) -> date | None:
    """A date from ``YYYY-MM-DD``, or the date written in an ISO timestamp.

    ``2020-12-22T21:16:01Z`` is read as 2020-12-22, the date as written (some
    exports write dates as timestamps); no time zone conversion happens. So is
    a typed timestamp (a Parquet file's, pandas writes dates so): its date in
    its own zone, or as written when it has none.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):  # a typed source: the date as written
        return value.date()
    if isinstance(value, date):
        return value  # a typed source (Parquet)
    if not isinstance(value, str):
        raise Reject(f"expected an ISO date (YYYY-MM-DD), got {_kind(value)}")
    if _DATETIME.fullmatch(value) or _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise Reject(f"expected an ISO date (YYYY-MM-DD), got {value!r}")


def read_datetime(value: object, *, zone: tzinfo | None = None) -> datetime | None:
    """A timezone-aware datetime from ISO 8601 text, ``Z`` included, in UTC.

    A date alone is midnight UTC of that day, typed (a Parquet ``Date``) or
    written. A timestamp without an offset is read in ``zone``; without one it
    is refused.
    """
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):  # a typed day
        return datetime.combine(value, datetime.min.time(), timezone.utc)
    if isinstance(value, datetime):  # a typed source (Parquet)
        if value.utcoffset() is None:
            if zone is None:
                raise Reject(f"timestamp {value} has no UTC offset; pass the source's time zone")
            value = value.replace(tzinfo=zone)
        return value.astimezone(timezone.utc)
    if not isinstance(value, str):
        raise Reject(f"expected an ISO 8601 timestamp, got {_kind(value)}")
    if _DATE.fullmatch(value):
        try:
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), timezone.utc)
        except ValueError:
            raise Reject(f"expected an ISO 8601 timestamp, got {value!r}") from None
    if not _DATETIME.fullmatch(value):
        raise Reject(f"expected an ISO 8601 timestamp, got {value!r}")
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    if re.search(r"[+-]\d{4}$", text):  # Data Loader writes +0000
        text = text[:-2] + ":" + text[-2:]
    if "." in text:  # Python 3.10 reads only 3 or 6 fraction digits
        head, _, rest = text.partition(".")
        digits = re.match(r"\d+", rest)
        assert digits is not None
        text = head + "." + digits.group()[:6].ljust(6, "0") + rest[digits.end() :]
    try:
        result = datetime.fromisoformat(text)
    except ValueError:
        raise Reject(f"expected an ISO 8601 timestamp, got {value!r}") from None
    if result.utcoffset() is None:
        if zone is None:
            raise Reject(f"timestamp {value!r} has no UTC offset; pass the source's time zone")
        result = result.replace(tzinfo=zone)
    return result.astimezone(timezone.utc)


_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})


def read_bool(value: object) -> bool | None:
    """A flag from ``true``/``false`` (any case), ``1``/``0``, ``yes``/``no`` or a JSON bool."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise Reject(f"expected true or false, got {value!r}")
