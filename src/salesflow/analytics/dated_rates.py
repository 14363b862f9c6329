"""Dated exchange rates: each rate holds from its day until the next one for its currency.

As Salesforce's Advanced Currency Management keeps them (``DatedConversionRate``:
an ISO code, a start date, a rate). Which rate an amount gets is a *policy*,
always explicit:

- ``"close_date"``: each amount at the rate in force on its deal's close date
  (Salesforce's rule for opportunities);
- ``"as_of"``: every amount at the rates in force on one as-of date;
- ``"constant"``: constant currency, the rates of one chosen date applied to
  every period (to compare periods without exchange-rate noise);
- ``"budget"``: one fixed table, a plain :class:`~salesflow.analytics.Rates`.

Salesforce's ``ConversionRate`` counts units of the currency per unit of the
corporate currency; salesflow's rates go the other way (what one unit is worth
in the target currency), as :class:`~salesflow.analytics.Rates` do.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, get_args

import attrs
import narwhals as nw

from salesflow.analytics.rates import Rates
from salesflow.errors import MissingRateError, Problem, ValidationError, shorten
from salesflow.money import Money, to_decimal

__all__ = ["RATE_POLICIES", "DatedRates", "RatePolicy", "rates_for"]

RatePolicy = Literal["close_date", "as_of", "constant", "budget"]
"""How amounts meet dated rates (see the module's docstring)."""

RATE_POLICIES: tuple[str, ...] = get_args(RatePolicy)
"""The policies, the default for :class:`DatedRates` first."""

_SUBJECT = "DatedRates"
_SHOWN = 8


def _day(value: object, path: str, problems: list[Problem]) -> date | None:
    """A ``valid_from``: a date, a datetime at midnight, or an ISO ``YYYY-MM-DD`` string."""
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            problems.append(Problem(f"expected a date, got the time {value.isoformat()}", path))
            return None
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
        problems.append(Problem(f"expected a date (YYYY-MM-DD), got {value[:40]!r}", path))
        return None
    problems.append(Problem(f"expected a date, got {type(value).__name__}", path))
    return None


def _entries(value: object) -> Iterator[tuple[str, object, object, object]]:
    """``(path, code, valid_from, rate)`` of rows or of ``{code: {valid_from: rate}}``."""
    if isinstance(value, Mapping):
        for code, dated in value.items():
            pairs = dated.items() if isinstance(dated, Mapping) else dated
            if not isinstance(pairs, Iterable) or isinstance(pairs, (str, bytes)):
                yield f"$.rates.{code}", code, None, dated
                continue
            for pair in pairs:
                if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                    yield f"$.rates.{code}", code, None, pair
                    continue
                yield f"$.rates.{code}[{str(pair[0])[:40]!r}]", code, pair[0], pair[1]
        return
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ValidationError(
            [
                Problem(
                    "expected (currency, valid_from, rate) rows or {currency: {valid_from: "
                    f"rate}}}}, got {type(value).__name__}",
                    "$.rates",
                )
            ],
            subject=_SUBJECT,
        )
    for i, row in enumerate(value):
        if isinstance(row, (str, bytes)) or not isinstance(row, (tuple, list)) or len(row) != 3:
            yield f"$.rates[{i}]", None, None, row
            continue
        yield f"$.rates[{i}]", row[0], row[1], row[2]


def _table(value: object) -> dict[str, tuple[tuple[date, Decimal], ...]]:
    """The rates by currency, sorted by ``valid_from``: every problem found at once."""
    problems: list[Problem] = []
    seen: dict[tuple[str, date], str] = {}
    table: dict[str, list[tuple[date, Decimal]]] = {}
    for path, code, when, rate in _entries(value):
        if code is None and when is None:
            problems.append(
                Problem(f"expected (currency, valid_from, rate), got {shorten(rate)}", path)
            )
            continue
        if when is None:
            problems.append(
                Problem(
                    f"expected {{valid_from: rate}} for this currency, got {shorten(rate)}", path
                )
            )
            continue
        found = len(problems)
        if not isinstance(code, str):
            problems.append(Problem(f"expected a currency code, got {shorten(code)}", path))
        else:
            try:
                Money(0, code)
            except ValidationError as exc:
                problems.extend(Problem(p.message, path) for p in exc.problems)
        day = _day(when, f"{path}.valid_from", problems)
        try:
            exact = to_decimal(rate, what="rate", path=f"{path}.rate")
        except ValidationError as exc:
            problems.extend(exc.problems)
        else:
            if exact <= 0:
                problems.append(Problem(f"a rate must be positive, got {exact}", f"{path}.rate"))
        if len(problems) > found or day is None or not isinstance(code, str):
            continue
        first = seen.setdefault((code, day), path)
        if first != path:
            problems.append(
                Problem(f"{code} from {day.isoformat()} is given twice: at {first} and here", path)
            )
            continue
        table.setdefault(code, []).append((day, exact))
    if problems:
        raise ValidationError(problems, subject=_SUBJECT)
    return {code: tuple(sorted(rows)) for code, rows in sorted(table.items())}


def _code(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    Money(0, value)  # validates the ISO code


def _not_target(
    instance: DatedRates,
    attribute: attrs.Attribute[Mapping[str, tuple[tuple[date, Decimal], ...]]],
    value: Mapping[str, tuple[tuple[date, Decimal], ...]],
) -> None:
    if instance.currency in value:
        raise ValidationError(
            [
                Problem(
                    f"{instance.currency} is the target currency: its rate is always 1",
                    f"$.rates.{instance.currency}",
                )
            ],
            subject=_SUBJECT,
        )


@attrs.frozen(repr=False)
class DatedRates:
    """Exchange rates into one target currency, each in force from its ``valid_from`` on.

    A rate holds from its ``valid_from`` until the next ``valid_from`` of its
    currency (the last one holds on). Rates are exact decimals (floats are
    refused); a currency and ``valid_from`` given twice is refused, naming both.

    Args:
        currency: The currency results are reported in (its own rate is 1).
        rates: ``(currency, valid_from, rate)`` rows, or ``{currency: {valid_from:
            rate}}``: how many units of ``currency`` one unit is worth from that day.

    Raises:
        ValidationError: A bad code, date or rate, or a repeated row (every problem at once).

    >>> from datetime import date
    >>> rates = DatedRates("USD", [("EUR", date(2026, 1, 1), "1.08"),
    ...                            ("EUR", date(2026, 4, 1), "1.10")])
    >>> rates
    DatedRates('USD': EUR 1.08 from 2026-01-01, EUR 1.10 from 2026-04-01)
    >>> rates.rate("EUR", date(2026, 3, 31)), rates.rate("EUR", date(2026, 4, 1))
    (Decimal('1.08'), Decimal('1.10'))
    >>> rates.at(date(2026, 5, 1))
    Rates(currency='USD', rates={'EUR': Decimal('1.10')})
    """

    currency: str = attrs.field(validator=_code)
    rates: Mapping[str, tuple[tuple[date, Decimal], ...]] = attrs.field(
        factory=dict, converter=_table, validator=_not_target
    )

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        *,
        currency: str,
        code: str = "currency",
        valid_from: str = "valid_from",
        rate: str = "rate",
    ) -> DatedRates:
        """Read the rates from any dataframe narwhals reads (pandas, Polars, PyArrow, DuckDB, ...).

        Args:
            frame: One row per rate.
            currency: The target currency.
            code: The column of currency codes (Salesforce: ``IsoCode``).
            valid_from: The column of first days (Salesforce: ``StartDate``).
            rate: The column of rates: decimals or decimal strings (float columns
                are refused: cast them to decimals or strings first).

        Raises:
            ValidationError: Not a dataframe, a missing column, or a bad row
                (``$.rates[i]`` is the frame's ``i``-th row).

        >>> import polars as pl
        >>> from datetime import date
        >>> table = pl.DataFrame({"IsoCode": ["EUR", "GBP"],
        ...                       "StartDate": [date(2026, 1, 1), date(2026, 1, 1)],
        ...                       "Rate": ["1.08", "1.27"]})
        >>> DatedRates.from_frame(table, currency="USD", code="IsoCode",
        ...                       valid_from="StartDate", rate="Rate")
        DatedRates('USD': EUR 1.08 from 2026-01-01, GBP 1.27 from 2026-01-01)
        """
        try:
            native = nw.from_native(frame)
        except TypeError:
            native = None
        if not isinstance(native, (nw.DataFrame, nw.LazyFrame)):
            raise ValidationError(
                [Problem(f"expected a dataframe, got {type(frame).__name__}", "$")],
                subject=_SUBJECT,
            )
        names = native.columns
        missing = [c for c in (code, valid_from, rate) if c not in names]
        if missing:
            raise ValidationError(
                [
                    Problem(f"no column {c!r}; the frame has {', '.join(names)}", "$")
                    for c in missing
                ],
                subject=_SUBJECT,
            )
        table = native.select(code, valid_from, rate)
        eager = table.collect(backend="polars") if isinstance(table, nw.LazyFrame) else table
        return cls(currency, [tuple(row) for row in eager.rows()])

    def rate(self, code: str, on: date) -> Decimal:
        """The rate of ``code`` into :attr:`currency` in force on ``on`` (``currency`` itself: 1).

        Raises:
            MissingRateError: ``code`` has no rate in force on ``on`` (an unknown
                currency, or ``on`` before its first ``valid_from``), naming both.

        >>> from datetime import date
        >>> DatedRates("USD", {"EUR": {date(2026, 1, 1): "1.08"}}).rate("EUR", date(2025, 12, 31))
        Traceback (most recent call last):
        ...
        salesflow.errors.MissingRateError: no EUR rate into USD in force on 2025-12-31 (its rates start 2026-01-01)
        """
        if code == self.currency:
            return Decimal(1)
        dated = self.rates.get(code)
        if dated is None:
            known = ", ".join(self.rates) or "none"
            raise MissingRateError(
                code, self.currency, on, detail=f"the table has rates for {known}"
            )
        at = bisect.bisect_right(dated, on, key=lambda row: row[0]) - 1
        if at < 0:
            raise MissingRateError(
                code, self.currency, on, detail=f"its rates start {dated[0][0].isoformat()}"
            )
        return dated[at][1]

    def at(self, day: date) -> Rates:
        """The rates in force on ``day``, as one fixed table.

        What the ``"as_of"`` and ``"constant"`` policies apply. A currency whose
        first ``valid_from`` is later than ``day`` is left out (converting it is
        an error).
        """
        found: dict[str, Decimal] = {}
        for code, dated in self.rates.items():
            at = bisect.bisect_right(dated, day, key=lambda row: row[0]) - 1
            if at >= 0:
                found[code] = dated[at][1]
        return Rates(self.currency, found)

    def rows(self) -> list[tuple[str, date, Decimal]]:
        """Every rate as ``(currency, valid_from, rate)``, by currency then day."""
        return [(code, day, rate) for code, dated in self.rates.items() for day, rate in dated]

    def __repr__(self) -> str:
        rows = self.rows()
        shown = ", ".join(f"{c} {r} from {d.isoformat()}" for c, d, r in rows[:_SHOWN])
        more = f", ... and {len(rows) - _SHOWN} more" if len(rows) > _SHOWN else ""
        return f"DatedRates({self.currency!r}: {shown or 'no rates'}{more})"


def rates_for(
    rates: Rates | DatedRates | None,
    policy: str | None,
    *,
    rate_date: date | None = None,
    as_of: date | None = None,
    subject: str,
) -> Rates | DatedRates | None:
    """What a metric applies: a fixed table, or dated rates to take per close date.

    Args:
        rates: What the caller passed.
        policy: The caller's ``rate_policy`` (``None``: ``"close_date"`` for
            :class:`DatedRates`, ``"budget"`` for :class:`Rates`).
        rate_date: The caller's ``rate_date``: the day whose rates the
            ``"as_of"`` and ``"constant"`` policies apply (refused with the others).
        as_of: The metric's own as-of day, for ``"as_of"`` without ``rate_date``.
        subject: The metric, for error messages.

    Returns:
        ``rates`` itself for ``"budget"`` and ``"close_date"``; the rates of
        that day for ``"as_of"`` and ``"constant"``.

    Raises:
        ValidationError: An unknown policy, one that does not fit ``rates``, or
            a ``rate_date`` missing or given in vain.

    >>> from datetime import date
    >>> dated = DatedRates("USD", {"EUR": {date(2026, 1, 1): "1.08"}})
    >>> rates_for(dated, "constant", rate_date=date(2026, 2, 1), subject="example")
    Rates(currency='USD', rates={'EUR': Decimal('1.08')})
    >>> rates_for(Rates("USD", {"EUR": "1.1"}), "close_date", subject="example")
    Traceback (most recent call last):
    ...
    salesflow.errors.ValidationError: invalid example: 1 problem
      - rate_policy='close_date' needs DatedRates; Rates are one fixed table (the 'budget' policy) @ $.rate_policy
    """

    def refuse(message: str, path: str = "$.rate_policy") -> ValidationError:
        return ValidationError([Problem(message, path)], subject=subject)

    if policy is not None and policy not in RATE_POLICIES:
        choices = ", ".join(repr(p) for p in RATE_POLICIES)
        raise refuse(f"expected one of {choices}, got {shorten(policy)}")
    if rate_date is not None and not isinstance(rate_date, date):
        raise refuse(f"expected a date, got {type(rate_date).__name__}", "$.rate_date")
    if isinstance(rate_date, datetime):
        rate_date = rate_date.date()
    if rates is None:
        if policy is not None:
            raise refuse(f"rate_policy={policy!r} needs rates")
        if rate_date is not None:
            raise refuse("rate_date needs DatedRates", "$.rate_date")
        return None
    if isinstance(rates, Rates):
        if policy not in (None, "budget"):
            raise refuse(
                f"rate_policy={policy!r} needs DatedRates; Rates are one fixed table "
                "(the 'budget' policy)"
            )
        if rate_date is not None:
            raise refuse("rate_date needs DatedRates; Rates are one fixed table", "$.rate_date")
        return rates
    if not isinstance(rates, DatedRates):
        raise refuse(f"expected Rates or DatedRates, got {type(rates).__name__}", "$.rates")
    chosen = policy or "close_date"
    if chosen == "budget":
        raise refuse("rate_policy='budget' is one fixed table: pass Rates (or DatedRates.at(day))")
    if chosen == "close_date":
        if rate_date is not None:
            raise refuse(
                "rate_date is for rate_policy='as_of' or 'constant'; 'close_date' takes each "
                "deal's own close date",
                "$.rate_date",
            )
        return rates
    day = rate_date if rate_date is not None or chosen == "constant" else as_of
    if day is None:
        raise refuse(f"rate_policy={chosen!r} needs rate_date: the day whose rates apply")
    return rates.at(day)
