"""One-cell readers of the stage-date histories, shared by the loop and the columnar reader."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, tzinfo
from datetime import timezone as zones
from decimal import Decimal, InvalidOperation
from typing import Any

from salesflow.io._values import Reject

__all__ = ["moment_of", "read_amount", "typed_value"]


def moment_of(text: str, formats: Sequence[str], zone: tzinfo) -> datetime | None:
    """``text`` as an aware UTC moment: one of ``formats``, else ISO 8601 (``None`` if neither)."""
    text = text.strip()
    for shape in formats:
        try:
            parsed = datetime.strptime(text, shape)  # noqa: DTZ007 - the zone is applied below
            return parsed.replace(tzinfo=parsed.tzinfo or zone).astimezone(zones.utc)
        except ValueError:
            continue
        except OverflowError:  # its UTC day is not a date
            return None
    if not _ISO.fullmatch(text):  # what every Python reads alike (3.11 reads more)
        return None
    try:
        parsed = datetime.fromisoformat(_extended(text.replace("Z", "+00:00")))
        if len(text) == 10:  # a date: its midnight
            parsed = datetime.combine(parsed.date(), time.min)
        return parsed.replace(tzinfo=parsed.tzinfo or zone).astimezone(zones.utc)
    except (ValueError, OverflowError):  # not a time, or one whose UTC day is not a date
        return None


_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}(?::\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?)?",
    re.ASCII,
)
"""The ISO 8601 forms read: a day, or a day and a time (to the hour, minute, second or a
fraction), with ``Z`` or an offset ``+HH:MM`` / ``+HHMM``. Python 3.11's ``fromisoformat``
also reads basic (``20260120``) and week (``2026-W03-1``) forms that 3.10's does not: both
are refused, so a file gets the same verdicts on every Python."""

_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")
_FRACTION = re.compile(r"\.(\d+)")


def _extended(text: str) -> str:
    """ISO 8601 as Python 3.10's ``fromisoformat`` reads it too: ``+00:00``, six fraction digits.

    Salesforce's Data Loader writes ``2026-01-20T10:00:00.000+0000``; Python
    3.11 reads that as it is, 3.10 only as ``...00.000000+00:00``.
    """
    if len(text) <= 10:
        return text
    text = _OFFSET.sub(r"\1:\2", text) if "T" in text or " " in text else text
    return _FRACTION.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), text, count=1)


def read_amount(text: str) -> Decimal:
    """A stage-date sheet's amount: a finite decimal, spaces around it allowed.

    Raises:
        Reject: Anything else, quoting the cell's first 40 characters.
    """
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise Reject(f"not an amount: {text[:40]!r}")
    return amount


def typed_value(name: str, text: Any, zone: tzinfo) -> tuple[Any, str | None]:
    """A snapshot cell as its typed value, or a problem."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None, None
    if name in ("amount", "probability"):
        try:
            number = Decimal(str(text).strip())
        except InvalidOperation:
            return None, f"not a number: {str(text)[:40]!r}"
        return (number, None) if number.is_finite() else (None, f"not a number: {text!r}")
    if name == "close_date":
        if isinstance(text, date) and not isinstance(text, datetime):
            return text, None
        moment = moment_of(text, (), zone)
        if moment is None:
            return None, f"not a date: {str(text)[:40]!r}"
        if len(str(text).strip()) == 10:  # a day is that day, whatever the zone
            return moment.astimezone(zone).date(), None
        return moment.date(), None
    return str(text), None
