from __future__ import annotations

import decimal
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from salesflow.money import MAX_PLACES
from salesflow.probability import to_probability
from tests.strategies import CURRENCIES, DECIMALS, money

_EXACT = decimal.Context(prec=10_000, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


def test_money_is_built_from_a_string_a_decimal_or_an_int() -> None:
    assert (
        sf.Money("4200.00", "USD") == sf.Money(Decimal("4200.00"), "USD") == sf.Money(4200, "USD")
    )


@pytest.mark.parametrize("bad", [0.1, 1.0, True, None, "abc", "NaN", "Infinity", [], {}])
def test_money_refuses_anything_inexact_or_not_a_number(bad: object) -> None:
    with pytest.raises(sf.ValidationError) as info:
        sf.Money(bad, "USD")  # type: ignore[arg-type]
    assert info.value.problems[0].path == "$.amount"


def test_a_float_is_refused_with_a_message_that_says_why() -> None:
    with pytest.raises(sf.ValidationError, match="expected a decimal string, got float"):
        sf.Money(0.1, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize("code", ["usd", "US", "USDX", "", "U$D", 840])
def test_money_refuses_a_malformed_currency_code(code: object) -> None:
    with pytest.raises(sf.ValidationError, match="ISO 4217"):
        sf.Money("1", code)  # type: ignore[arg-type]


@given(DECIMALS, DECIMALS, CURRENCIES)
def test_adding_amounts_in_one_currency_adds_their_decimals(
    a: Decimal, b: Decimal, cur: str
) -> None:
    assert (sf.Money(a, cur) + sf.Money(b, cur)).amount == _EXACT.add(a, b)
    assert (sf.Money(a, cur) - sf.Money(b, cur)).amount == _EXACT.subtract(a, b)
    assert (sf.Money(a, cur) < sf.Money(b, cur)) == (a < b)


@given(money(), money())
def test_mixing_currencies_raises_for_arithmetic_and_order_but_not_equality(
    a: sf.Money, b: sf.Money
) -> None:
    if a.currency == b.currency:
        return
    with pytest.raises(sf.CurrencyMismatchError):
        a + b
    with pytest.raises(sf.CurrencyMismatchError):
        a - b
    with pytest.raises(sf.CurrencyMismatchError):
        a < b  # noqa: B015
    with pytest.raises(sf.CurrencyMismatchError):
        a >= b  # noqa: B015
    assert a != b


def test_a_currency_mismatch_is_also_a_value_error_naming_both_currencies() -> None:
    with pytest.raises(ValueError, match="USD and EUR") as info:
        sf.Money("1", "USD") + sf.Money("1", "EUR")
    assert isinstance(info.value, sf.SalesflowError)
    assert info.value.currencies == ("USD", "EUR")  # type: ignore[attr-defined]


@given(st.lists(DECIMALS, max_size=10), CURRENCIES)
def test_total_equals_the_sum_of_the_decimals(values: list[Decimal], cur: str) -> None:
    expected = Decimal(0)
    for v in values:
        expected = _EXACT.add(expected, v)
    assert sf.Money.total((sf.Money(v, cur) for v in values), currency=cur).amount == expected


def test_money_is_immutable_and_hashable() -> None:
    m = sf.Money("1.00", "USD")
    with pytest.raises(AttributeError):
        m.amount = Decimal(2)  # type: ignore[misc]
    assert {m, sf.Money("1", "USD")} == {m}
    assert repr(m) == "Money('1.00', 'USD')"


@given(money(), st.integers(-1000, 1000) | DECIMALS)
def test_multiplying_and_dividing_are_exact_or_refused_and_keep_the_currency(
    m: sf.Money, k: Decimal | int
) -> None:
    try:
        product = m * k
    except sf.MoneyArithmeticError:
        exact = _EXACT.multiply(m.amount, Decimal(k))
        assert exact.as_tuple().exponent < -MAX_PLACES  # type: ignore[operator]
    else:
        assert product.amount == _EXACT.multiply(m.amount, Decimal(k))
        assert (k * m).currency == m.currency
    if k:
        try:
            quotient = m / k
        except sf.MoneyArithmeticError:
            # Refused only when no decimal within the limits is the exact quotient.
            q = _EXACT.divide(m.amount, Decimal(k))
            assert (
                _EXACT.multiply(q, Decimal(k)) != m.amount or q.as_tuple().exponent < -MAX_PLACES
            )  # type: ignore[operator]
        else:
            assert _EXACT.multiply(quotient.amount, Decimal(k)) == m.amount
    assert (-m).amount == m.amount.copy_negate() and abs(m).amount == m.amount.copy_abs()


@pytest.mark.parametrize("digits", [28, 29, 40, 99])
def test_arithmetic_never_rounds_whatever_the_decimal_context(digits: int) -> None:
    big = sf.Money("9" * digits + ".99", "USD")
    zero = sf.Money.zero("USD")
    assert big + zero == big and big - zero == big and zero - big == -big
    assert (big * 1).amount == big.amount and (big / 1).amount == big.amount
    neg = -big
    assert abs(neg) == big and -neg == big
    assert sf.Money.total([big, zero, big], currency="USD").amount == _EXACT.multiply(
        2, big.amount
    )
    with decimal.localcontext(decimal.Context(prec=3)):
        assert big + zero == big and (big * 2 / 2) == big and -neg == big


@pytest.mark.parametrize(
    "text",
    [
        "sNaN",
        "NaN",
        "-NaN",
        "Infinity",
        "-inf",
        "1e999999999",
        "1e-999999999",
        "1e100",
        "0e101",
        "1e-101",
    ],
)
def test_non_finite_and_absurd_amounts_are_refused_at_the_door(text: str) -> None:
    with pytest.raises(sf.ValidationError):
        sf.Money(text, "USD")
    with pytest.raises(sf.ValidationError):
        sf.Money(Decimal(text), "USD")
    with pytest.raises(sf.ValidationError):
        sf.loads(json.dumps({"amount": text, "currency": "USD"}), sf.Money)
    with pytest.raises(sf.ValidationError):
        to_probability(text)


def test_amounts_at_the_limits_are_kept_exactly() -> None:
    top = sf.Money("9" * 100, "USD")
    tiny = sf.Money("1e-100", "USD")
    assert sf.loads(sf.dumps(top), sf.Money) == top
    assert sf.loads(sf.dumps(tiny), sf.Money) == tiny
    with pytest.raises(sf.MoneyArithmeticError, match="below 1e100"):
        top + sf.Money("1", "USD")
    with pytest.raises(sf.MoneyArithmeticError, match="100 digits"):
        tiny / 10


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: m / 0, "division by zero"),
        (lambda m: m / Decimal(0), "division by zero"),
        (lambda m: m / 3, "exactly"),
        (lambda m: m * Decimal("NaN"), "not a finite number"),
        (lambda m: m * Decimal("sNaN"), "not a finite number"),
        (lambda m: m / Decimal("Infinity"), "not a finite number"),
        (lambda m: m * Decimal("1e999999999"), "below 1e100"),
        (lambda m: m * 10**5000, "below 1e100"),
    ],
)
def test_arithmetic_that_cannot_be_exact_raises_a_money_arithmetic_error(
    call: object, message: str
) -> None:
    with pytest.raises(sf.MoneyArithmeticError, match=message) as info:
        call(sf.Money("10", "EUR"))  # type: ignore[operator]
    assert isinstance(info.value, ArithmeticError)


@pytest.mark.parametrize("other", [None, 1, Decimal(1), "1"])
def test_ordering_money_against_anything_else_is_a_clear_type_error(other: object) -> None:
    m = sf.Money("1", "USD")
    for compare in (lambda: m < other, lambda: m <= other, lambda: m > other, lambda: m >= other):
        with pytest.raises(TypeError, match="not supported between instances of 'Money'"):
            compare()
    assert m != other


@given(DECIMALS, DECIMALS, CURRENCIES)
def test_ordering_follows_the_decimals(a: Decimal, b: Decimal, cur: str) -> None:
    x, y = sf.Money(a, cur), sf.Money(b, cur)
    assert (x <= y, x > y, x >= y) == (a <= b, a > b, a >= b)


@pytest.mark.parametrize("other", [1, 1.5, "1", None])
def test_arithmetic_with_a_plain_number_is_not_supported(other: object) -> None:
    m = sf.Money("1", "USD")
    with pytest.raises(TypeError):
        m + other  # type: ignore[operator]
    with pytest.raises(TypeError):
        m - other  # type: ignore[operator]
    if not isinstance(other, int):
        with pytest.raises(TypeError):
            m * other  # type: ignore[operator]
        with pytest.raises(TypeError):
            m / other  # type: ignore[operator]


def test_an_unknown_forecast_category_lists_the_known_ones() -> None:
    with pytest.raises(
        ValueError, match="unknown forecast category 'Maybe'; expected one of Pipeline"
    ):
        sf.ForecastCategory.parse("Maybe")
    assert sf.ForecastCategory.parse("most likely") is sf.ForecastCategory.MOST_LIKELY
