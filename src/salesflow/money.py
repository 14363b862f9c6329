"""Exact amounts of money in one currency."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

import attrs

from salesflow.errors import CurrencyMismatchError, Problem, ValidationError

__all__ = ["Money", "to_decimal"]

_CURRENCY = re.compile(r"[A-Z]{3}")


def to_decimal(value: object, *, what: str = "amount", path: str = "$") -> Decimal:
    """Convert ``value`` to a finite :class:`~decimal.Decimal`, refusing floats.

    Args:
        value: A ``Decimal``, an ``int`` or a decimal string such as ``"4200.00"``.
        what: What the value is, for the error message.
        path: Where the value is, for the error message.

    Returns:
        The exact decimal value.

    Raises:
        ValidationError: ``value`` is a float, a bool, not a number, or not finite.

    >>> to_decimal("12.50")
    Decimal('12.50')
    >>> to_decimal(0.1)
    Traceback (most recent call last):
    ...
    salesflow.errors.ValidationError: invalid amount: 1 problem
      - expected a decimal string, got float (0.1 is not exact; write '0.1') @ $
    """
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        if isinstance(value, float):
            message = (
                f"expected a decimal string, got float ({value!r} is not exact; write '{value!r}')"
            )
        else:
            message = f"expected a decimal string, got {type(value).__name__}"
        raise ValidationError([Problem(message, path)], subject=what)
    try:
        result = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise ValidationError(
            [Problem(f"expected a decimal string, got {value!r}", path)], subject=what
        ) from None
    if not result.is_finite():
        raise ValidationError(
            [Problem(f"expected a finite number, got {value!r}", path)], subject=what
        )
    return result


def _to_amount(value: object) -> Decimal:
    return to_decimal(value, what="Money", path="$.amount")


def _check_currency(_: object, __: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
        raise ValidationError(
            [
                Problem(
                    f"expected an ISO 4217 code of three capital letters, got {value!r}",
                    "$.currency",
                )
            ],
            subject="Money",
        )


@attrs.frozen(order=False, repr=False)
class Money:
    """An exact decimal amount in one ISO 4217 currency.

    Floats are refused: ``0.1`` cannot be represented exactly. Adding,
    subtracting or ordering amounts in different currencies raises
    :class:`~salesflow.CurrencyMismatchError`; equality between currencies is
    simply ``False``.

    Args:
        amount: A decimal string, ``Decimal`` or ``int``.
        currency: An ISO 4217 code such as ``"USD"``.

    >>> Money("4200.00", "USD") * 20 / 100
    Money('840.00', 'USD')
    >>> Money("4200.00", "USD") == Money("4200", "USD")
    True
    >>> str(Money("1234567.5", "EUR"))
    '1,234,567.5 EUR'
    """

    amount: Decimal = attrs.field(converter=_to_amount)
    currency: str = attrs.field(validator=_check_currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Return zero in ``currency``."""
        return cls(Decimal(0), currency)

    @classmethod
    def total(cls, amounts: Iterable[Money], *, currency: str) -> Money:
        """Add up ``amounts``, all of which must be in ``currency``.

        >>> Money.total([Money("1.5", "USD"), Money("2", "USD")], currency="USD")
        Money('3.5', 'USD')
        """
        result = cls.zero(currency)
        for amount in amounts:
            result = result + amount
        return result

    def _same(self, other: Money, operation: str) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatchError(self.currency, other.currency, operation)

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "add")
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "subtract")
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: object) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, (int, Decimal)):
            return NotImplemented
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __truediv__(self, divisor: object) -> Money:
        if isinstance(divisor, bool) or not isinstance(divisor, (int, Decimal)):
            return NotImplemented
        return Money(self.amount / divisor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other, "compare")
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other, "compare")
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other, "compare")
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other, "compare")
        return self.amount >= other.amount

    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self.currency}')"

    def __str__(self) -> str:
        return f"{self.amount:,} {self.currency}"
