"""Exact amounts of money in one currency."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from decimal import (
    MAX_EMAX,
    MIN_EMIN,
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    Rounded,
    Subnormal,
    Underflow,
)

import attrs

from salesflow.errors import (
    CurrencyMismatchError,
    MoneyArithmeticError,
    Problem,
    ValidationError,
    shorten,
)

__all__ = ["MAX_MAGNITUDE", "MAX_PLACES", "Money", "to_decimal"]

_CURRENCY = re.compile(r"[A-Z]{3}")

MAX_MAGNITUDE = 100
"""Every decimal salesflow accepts is below ``10**MAX_MAGNITUDE`` in absolute value."""

MAX_PLACES = 100
"""Every decimal salesflow accepts has at most this many digits after the point."""

_TRAPS = [DivisionByZero, Inexact, InvalidOperation, Overflow, Rounded, Subnormal, Underflow]


def _exact(digits: int) -> Context:
    """A context that keeps ``digits`` digits and raises instead of rounding."""
    return Context(prec=max(digits, 1), Emax=MAX_EMAX, Emin=MIN_EMIN, traps=_TRAPS)


def _digits(value: Decimal) -> int:
    return len(value.as_tuple().digits)


def _bounds_problem(value: Decimal) -> str | None:
    """Why a finite ``value`` is outside what salesflow keeps exactly, or ``None``."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent < -MAX_PLACES:
        return f"at most {MAX_PLACES} digits after the point are kept"
    if (value and value.adjusted() >= MAX_MAGNITUDE) or (not value and exponent > MAX_MAGNITUDE):
        return f"amounts must be below 1e{MAX_MAGNITUDE}"
    return None


def to_decimal(value: object, *, what: str = "amount", path: str = "$") -> Decimal:
    """Convert ``value`` to a finite :class:`~decimal.Decimal`, refusing floats.

    Args:
        value: A ``Decimal``, an ``int`` or a decimal string such as ``"4200.00"``.
        what: What the value is, for the error message.
        path: Where the value is, for the error message.

    Returns:
        The exact decimal value.

    Raises:
        ValidationError: ``value`` is a float, a bool, not a number, not finite
            (infinity, NaN, signalling NaN), or an absurd size: at most
            :data:`MAX_PLACES` digits after the point, below ``1e{MAX_MAGNITUDE}``.

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
    except (InvalidOperation, ValueError):  # ValueError: an int too long to convert
        raise ValidationError(
            [Problem(f"expected a decimal string, got {shorten(value)}", path)], subject=what
        ) from None
    if not result.is_finite():
        raise ValidationError(
            [Problem(f"expected a finite number, got {shorten(value)}", path)], subject=what
        )
    problem = _bounds_problem(result)
    if problem is not None:
        raise ValidationError([Problem(f"{problem}, got {shorten(value)}", path)], subject=what)
    return result


def _is_zero_start(value: object) -> bool:
    """The int 0 that ``sum()`` starts from (not ``False``, not a Decimal)."""
    return type(value) is int and value == 0


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

    Floats are refused: ``0.1`` cannot be represented exactly. Arithmetic is
    exact, whatever the :mod:`decimal` context: a result that cannot be kept
    exactly (``Money("1", "USD") / 3``, or beyond the limits of
    :func:`to_decimal`) and a division by zero raise
    :class:`~salesflow.MoneyArithmeticError` instead of rounding. Adding,
    subtracting or ordering amounts in different currencies raises
    :class:`~salesflow.CurrencyMismatchError`; equality between currencies is
    simply ``False``. Ordering against anything but ``Money`` is a ``TypeError``.

    Args:
        amount: A decimal string, ``Decimal`` or ``int``.
        currency: An ISO 4217 code such as ``"USD"``.

    >>> Money("4200.00", "USD") * 20 / 100
    Money('840.00', 'USD')
    >>> Money("4200.00", "USD") == Money("4200", "USD")
    True
    >>> str(Money("1234567.5", "EUR"))
    '1,234,567.5 EUR'
    >>> Money("10", "EUR") / 3
    Traceback (most recent call last):
    ...
    salesflow.errors.MoneyArithmeticError: cannot divide 10 EUR by 3 exactly; round the amount first
    >>> sum([Money("1.50", "USD"), Money("2", "USD")])
    Money('3.50', 'USD')
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

        Raises:
            ValidationError: Something that is not :class:`Money` (naming its place).
            CurrencyMismatchError: An amount in another currency.
        """
        result = cls.zero(currency)
        if isinstance(amounts, (str, bytes)) or not isinstance(amounts, Iterable):
            raise ValidationError(
                [Problem(f"expected amounts of Money, got {type(amounts).__name__}", "$")],
                subject="Money.total",
            )
        for index, amount in enumerate(amounts):
            if not isinstance(amount, Money):
                raise ValidationError(
                    [Problem(f"expected Money, got {type(amount).__name__}", f"$[{index}]")],
                    subject="Money.total",
                )
            result = result + amount
        return result

    def _same(self, other: Money, operation: str) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatchError(self.currency, other.currency, operation)

    def _result(self, compute: Callable[[], Decimal], operation: str) -> Money:
        """Compute a new amount exactly, or raise."""
        try:
            amount = compute()
        except DivisionByZero:
            raise MoneyArithmeticError(f"cannot {operation}: division by zero") from None
        except (Inexact, Rounded):
            raise MoneyArithmeticError(
                f"cannot {operation} exactly; round the amount first"
            ) from None
        except DecimalException as exc:
            raise MoneyArithmeticError(f"cannot {operation}: {type(exc).__name__}") from None
        problem = _bounds_problem(amount)
        if problem is not None:
            raise MoneyArithmeticError(f"cannot {operation}: {problem}")
        return Money(amount, self.currency)

    def _operand(self, number: int | Decimal, operation: str) -> Decimal:
        if isinstance(number, Decimal) and not number.is_finite():
            raise MoneyArithmeticError(f"cannot {operation}: {number} is not a finite number")
        return Decimal(number)

    def __add__(self, other: object) -> Money:
        if _is_zero_start(other):
            return self
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "add")
        a, b = self.amount, other.amount
        return self._result(lambda: _exact(_WIDE).add(a, b), f"add {self} and {other}")

    def __radd__(self, other: object) -> Money:
        """``0 + money`` is ``money``, so ``sum(amounts)`` works without a start value."""
        if _is_zero_start(other):
            return self
        return NotImplemented

    def to_decimal(self) -> Decimal:
        """The amount as a :class:`~decimal.Decimal` (the currency is dropped).

        ``Decimal(money)`` cannot work (``Decimal`` accepts no conversion hook);
        this, or :attr:`amount`, is the way.

        >>> Money("12.50", "EUR").to_decimal()
        Decimal('12.50')
        """
        return self.amount

    def _repr_html_(self) -> str:
        return f"<span>{html.escape(str(self))}</span>"

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "subtract")
        a, b = self.amount, other.amount
        return self._result(lambda: _exact(_WIDE).subtract(a, b), f"subtract {other} from {self}")

    def __mul__(self, factor: object) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, (int, Decimal)):
            return NotImplemented
        operation = f"multiply {self} by {shorten(factor)}"
        f = self._operand(factor, operation)
        digits = _digits(self.amount) + _digits(f) + 1
        return self._result(lambda: _exact(digits).multiply(self.amount, f), operation)

    __rmul__ = __mul__

    def __truediv__(self, divisor: object) -> Money:
        if isinstance(divisor, bool) or not isinstance(divisor, (int, Decimal)):
            return NotImplemented
        operation = f"divide {self} by {shorten(divisor)}"
        d = self._operand(divisor, operation)
        # An exact quotient has at most digits(a) + log10(2) * 3.33 * digits(d) + 1 digits.
        digits = _digits(self.amount) + 3 * _digits(d) + 2
        return self._result(lambda: _exact(digits).divide(self.amount, d), operation)

    def __neg__(self) -> Money:
        return Money(self.amount.copy_negate(), self.currency)

    def __abs__(self) -> Money:
        return Money(self.amount.copy_abs(), self.currency)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "compare")
        return self.amount < other.amount

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "compare")
        return self.amount <= other.amount

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "compare")
        return self.amount > other.amount

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "compare")
        return self.amount >= other.amount

    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self.currency}')"

    def __str__(self) -> str:
        return f"{self.amount:,} {self.currency}"


_WIDE = 2 * (MAX_MAGNITUDE + MAX_PLACES) + 2
"""Digits that hold any exact sum or difference of two amounts within the limits."""
