"""One record's cells, and the caller's choices every record of an import shares."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, timezone, tzinfo
from decimal import Decimal
from typing import TypeVar

import attrs

from salesflow.errors import Problem, ValidationError
from salesflow.forecast import ForecastCategory
from salesflow.io._stages import StageMap
from salesflow.io._values import Reject, read_amount, read_datetime, read_decimal, read_text
from salesflow.io.policy import CloseDatePolicy
from salesflow.money import Money
from salesflow.probability import to_probability
from salesflow.process import SalesProcess

__all__ = ["Cells", "Options", "category", "count", "make_options", "money", "probability"]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class Options:
    """The caller's choices, shared by every record of one import."""

    stages: StageMap
    currency: str | None
    zone: tzinfo | None
    close_dates: CloseDatePolicy
    imported_at: datetime


class Cells:
    """One record's raw values by salesflow column, and the problems found reading them."""

    def __init__(self, values: Mapping[str, object], where: Mapping[str, str]) -> None:
        self.values = values
        self.where = where
        self.problems: list[Problem] = []

    def path(self, field: str) -> str:
        """The source's name for ``field``, as a problem path."""
        return f"$.{self.where.get(field, field)}"

    def has(self, field: str) -> bool:
        """Whether the source has ``field`` at all (it may be empty)."""
        return field in self.values

    def problem(self, field: str, message: str) -> None:
        """Record a problem with ``field``."""
        self.problems.append(Problem(message, self.path(field)))

    def read(self, field: str, reader: Callable[[object], T | None]) -> T | None:
        """``field`` read by ``reader``; ``None`` when absent, empty or unreadable."""
        if field not in self.values:
            return None
        try:
            return reader(self.values[field])
        except Reject as exc:
            self.problem(field, str(exc))
            return None

    def text(self, field: str) -> str | None:
        """``field`` as text, exactly as written."""
        return self.read(field, read_text)

    def when(self, field: str, zone: tzinfo | None) -> datetime | None:
        """``field`` as a UTC datetime."""
        return self.read(field, lambda v: read_datetime(v, zone=zone))

    def adopt(self, exc: ValidationError) -> None:
        """Take a model's validation problems, renaming ``$.field`` to the source's column."""
        for problem in exc.problems:
            head, _, rest = problem.path.removeprefix("$.").partition(".")
            path = self.path(head) + (f".{rest}" if rest else "")
            self.problems.append(Problem(problem.message, path))


def money(cells: Cells, field: str, options: Options, currency: str | None) -> Money | None:
    amount = cells.read(field, read_amount)
    if amount is None:
        return None
    code = currency or options.currency
    if code is None:
        cells.problem(field, "an amount without a currency; the source has none: pass currency=")
        return None
    try:
        return Money(amount, code)
    except ValidationError:
        cells.problem(
            "currency", f"expected an ISO 4217 code of three capital letters, got {code!r}"
        )
        return None


def probability(cells: Cells, field: str = "probability") -> Decimal | None:
    value = cells.read(field, read_decimal)
    if value is None:
        return None
    try:
        return to_probability(value)
    except ValidationError:
        cells.problem(field, f"expected a percentage in 0..100, got {value}")
        return None


def category(value: object) -> ForecastCategory | None:
    text = read_text(value)
    if text is None:
        return None
    try:
        return ForecastCategory.parse(text)
    except ValueError as exc:
        raise Reject(str(exc)) from None


def count(value: object) -> int | None:
    number = read_decimal(value)
    if number is None:
        return None
    if number < 0 or number >= _COUNT_LIMIT or number != number.to_integral_value():
        raise Reject(f"expected a whole number >= 0, got {value!r}")
    return int(number)


def make_options(
    process: SalesProcess,
    *,
    aliases: Mapping[str, str] | None,
    close_dates: CloseDatePolicy | None,
    currency: str | None,
    zone: tzinfo | None,
    imported_at: datetime | None,
    api_names: Mapping[str, str] | None = None,
) -> Options:
    """The shared choices, checked, with their defaults filled in.

    Raises:
        ValidationError: A choice of the wrong kind, or an alias naming a stage
            the process lacks; every problem at once.
    """
    problems = []
    if aliases is not None and not isinstance(aliases, Mapping):
        problems.append(
            Problem(
                f"expected a mapping of stage names, got {type(aliases).__name__}", "$.aliases"
            )
        )
    if close_dates is not None and not isinstance(close_dates, CloseDatePolicy):
        problems.append(
            Problem(
                f"expected a CloseDatePolicy, got {type(close_dates).__name__}", "$.close_dates"
            )
        )
    if currency is not None and (
        not isinstance(currency, str) or not _CURRENCY.fullmatch(currency)
    ):
        problems.append(
            Problem(f"expected an ISO 4217 code such as 'USD', got {currency!r}", "$.currency")
        )
    if zone is not None and not isinstance(zone, tzinfo):
        problems.append(Problem(f"expected a tzinfo, got {type(zone).__name__}", "$.timezone"))
    if imported_at is not None and (
        not isinstance(imported_at, datetime) or imported_at.utcoffset() is None
    ):
        problems.append(
            Problem(f"expected a timezone-aware datetime, got {imported_at!r}", "$.imported_at")
        )
    if problems:
        raise ValidationError(problems, subject="import options")
    return Options(
        stages=StageMap(process, aliases=aliases, api_names=api_names),
        currency=currency,
        zone=zone,
        close_dates=CloseDatePolicy.refuse() if close_dates is None else close_dates,
        imported_at=datetime.now(timezone.utc) if imported_at is None else imported_at,
    )


_CURRENCY = re.compile(r"[A-Z]{3}")
_COUNT_LIMIT = 2**63
"""Counts (``PushCount``) fit a 64-bit column; a larger one is no count a CRM wrote."""
