"""Currency conversion before summing, and exact decimal arithmetic on frames.

How money flows: amounts stay decimals from input to result. Converted and
weighted amounts are exact products (``amount × rate``, ``amount ×
probability / 100``): salesflow widens the scale so nothing is rounded (Polars
would otherwise round a decimal product to the larger of the two scales).
Sums of decimals are exact on every backend. A float amount column stays
float — salesflow never turns money into floats itself — and the results then
say so by their dtype. Averages (average deal, velocity) are ratios, reported
as floats.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs
import narwhals as nw

from salesflow._decimals import widest_scale
from salesflow.errors import CurrencyMismatchError, Problem, ValidationError
from salesflow.money import Money, to_decimal

__all__ = ["Rates", "convert", "exact_product"]


def _rates(value: object) -> Mapping[str, Decimal]:
    if not isinstance(value, Mapping):
        raise ValidationError(
            [Problem(f"expected currency: rate pairs, got {type(value).__name__}", "$.rates")],
            subject="Rates",
        )
    result: dict[str, Decimal] = {}
    problems: list[Problem] = []
    for code, rate in value.items():
        try:
            Money(0, code)
            exact = to_decimal(rate, what="rate", path=f"$.rates.{code}")
        except ValidationError as exc:
            problems.extend(exc.problems)
            continue
        if exact <= 0:
            problems.append(Problem(f"a rate must be positive, got {exact}", f"$.rates.{code}"))
        result[code] = exact
    if problems:
        raise ValidationError(problems, subject="Rates")
    return result


def _code(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    Money(0, value)  # validates the ISO code


@attrs.frozen
class Rates:
    """Exchange rates into one target currency, applied to each amount before summing.

    Args:
        currency: The currency results are reported in.
        rates: For each other currency, how many units of ``currency`` one unit
            is worth (decimals or decimal strings; floats are refused).

    >>> Rates("USD", {"EUR": "1.08"}).rate("EUR")
    Decimal('1.08')
    >>> Rates("USD", {"EUR": "1.08"}).rate("USD")
    Decimal('1')
    """

    currency: str = attrs.field(validator=_code)
    rates: Mapping[str, Decimal] = attrs.field(factory=dict, converter=_rates)

    def rate(self, code: str) -> Decimal:
        """The rate of ``code`` into :attr:`currency`.

        Raises:
            CurrencyMismatchError: No rate for ``code``.
        """
        if code == self.currency:
            return Decimal(1)
        try:
            return self.rates[code]
        except KeyError:
            raise CurrencyMismatchError(code, self.currency, "convert") from None


def _scale(dtype: Any) -> int | None:
    if isinstance(dtype, nw.Decimal):
        return int(dtype.scale)
    if dtype.is_integer():
        return 0
    return None


def exact_product(
    left: nw.Expr,
    left_dtype: Any,
    right: nw.Expr,
    right_dtype: Any,
    *,
    polars: bool,
    right_digits: int = 9,
) -> nw.Expr:
    """``left × right`` without rounding when both are decimals (or integers).

    Polars rounds a decimal product to the larger scale, so both sides are
    cast to the sum of the scales there; DuckDB, PyArrow and Spark keep the
    sum of the scales themselves, in at most 38 digits: ``right`` gets
    ``right_digits`` of them (9 for an exchange rate; a fraction in 0..1 needs
    its scale plus one), ``left`` the rest. Float operands multiply as floats.
    """
    ls, rs = _scale(left_dtype), _scale(right_dtype)
    if ls is None or rs is None:
        return left * right
    if polars:
        wide = nw.Decimal(38, ls + rs)
        return left.cast(wide) * right.cast(wide)
    digits = max(right_digits, rs + 1)
    return left.cast(nw.Decimal(38 - digits - 1, ls)) * right.cast(nw.Decimal(digits, rs))


def convert(
    frame: nw.LazyFrame[Any],
    *,
    rates: Rates | None,
    default: str | None,
    column: str = "amount",
    into: str = "_amount",
    currencies_of: nw.LazyFrame[Any] | None = None,
    one_currency_within: nw.LazyFrame[Any] | None = None,
    frame_first: bool = False,
) -> tuple[nw.LazyFrame[Any], str | None]:
    """Add ``into``: ``column`` in one currency; return the frame and that currency.

    Reads the distinct currencies first (a small aggregate), of the rows of
    ``currencies_of`` where given: a frame with the same currencies on the
    same amounts that is cheaper to read (the deals, for sums of them that
    a lazy engine would compute twice). ``one_currency_within``: rows whose
    amounts' currencies include ``frame``'s (the history up to a moment, for
    the deals' state then); where they hold one currency, that is the answer
    and ``frame`` is not read for it (the usual case, and the state is the
    costly part); otherwise ``frame`` is read. ``frame_first``: ``frame`` is
    cheap to read (an engine keeps it): read it first, and ``one_currency_within``
    only where it has no amount, for the same answer.

    Raises:
        CurrencyMismatchError: Several currencies and no ``rates``, or a currency
            without a rate.
        ValidationError: An amount without a currency.
    """
    polars = frame.implementation is nw.Implementation.POLARS
    if "currency" not in frame.columns:
        return frame.with_columns(nw.col(column).alias(into)), default
    found = None
    if frame_first:
        found = _currencies(frame if currencies_of is None else currencies_of, column) or None
    if (
        found is None
        and one_currency_within is not None
        and "currency" in one_currency_within.columns
    ):
        within = _currencies(one_currency_within, column)
        if len(within) == 1 and within[0] is not None and _has_rate(rates, within[0]):
            found = within
    if found is None:
        found = _currencies(frame if currencies_of is None else currencies_of, column)
    if None in found:
        raise ValidationError(
            [Problem("an amount has no currency", "$.snapshot.currency")],
            subject="analytics input",
        )
    codes = sorted(c for c in found if c is not None)
    if rates is None:
        if len(codes) > 1:
            raise CurrencyMismatchError(codes[0], codes[1], "sum")
        return frame.with_columns(nw.col(column).alias(into)), (codes[0] if codes else default)
    for code in codes:
        rates.rate(code)  # raises for a currency without a rate
    rate_scale = widest_scale(rates.rate(c) for c in codes)
    # As many digits as the rates given need: the amounts keep the rest of the 38.
    whole = max((_whole_digits(rates.rate(c)) for c in codes), default=1)
    rate_digits = min(whole + rate_scale, 18)
    rate_dtype = nw.Decimal(rate_digits if not polars else 38, rate_scale)
    rate: nw.Expr = nw.lit(None, dtype=rate_dtype)
    for code in codes:
        rate = (
            nw.when(nw.col("currency") == code)
            .then(nw.lit(rates.rate(code), dtype=rate_dtype))
            .otherwise(rate)
        )
    amount_type = frame.select(column).collect_schema()[column]  # one column: no time zone asked
    product = exact_product(
        nw.col(column), amount_type, rate, rate_dtype, polars=polars, right_digits=rate_digits
    )
    return frame.with_columns(product.alias(into)), rates.currency


def _currencies(frame: nw.LazyFrame[Any], column: str) -> list[str | None]:
    """The distinct currencies of ``frame``'s rows with a ``column`` amount."""
    found: list[str | None] = (
        frame.filter(~nw.col(column).is_null())
        .select(nw.col("currency"))
        .unique()
        .collect(backend="polars")
        .get_column("currency")
        .to_list()
    )
    return found


def _has_rate(rates: Rates | None, code: str) -> bool:
    """Whether ``code`` converts (always, without rates: nothing is converted)."""
    if rates is None:
        return True
    try:
        rates.rate(code)
    except CurrencyMismatchError:
        return False
    return True


def _whole_digits(value: Decimal) -> int:
    """Digits before the decimal point (at least one)."""
    return max(1, len(str(int(abs(value)))))
