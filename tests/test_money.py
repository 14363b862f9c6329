from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from tests.strategies import CURRENCIES, DECIMALS, money


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
    assert (sf.Money(a, cur) + sf.Money(b, cur)).amount == a + b
    assert (sf.Money(a, cur) - sf.Money(b, cur)).amount == a - b
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
    assert sf.Money.total((sf.Money(v, cur) for v in values), currency=cur).amount == sum(
        values, Decimal(0)
    )


def test_money_is_immutable_and_hashable() -> None:
    m = sf.Money("1.00", "USD")
    with pytest.raises(AttributeError):
        m.amount = Decimal(2)  # type: ignore[misc]
    assert {m, sf.Money("1", "USD")} == {m}
    assert repr(m) == "Money('1.00', 'USD')"


@given(money(), st.integers(-1000, 1000) | DECIMALS)
def test_multiplying_and_dividing_scale_the_decimal_and_keep_the_currency(
    m: sf.Money, k: Decimal | int
) -> None:
    assert (m * k).amount == m.amount * k and (k * m).currency == m.currency
    if k:
        assert (m / k).amount == m.amount / k
    assert (-m).amount == -m.amount and abs(m).amount == abs(m.amount)


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
