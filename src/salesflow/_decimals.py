"""The scale of exact decimals: how many digits a column needs after the point.

Every table salesflow builds from :class:`~decimal.Decimal` values (money, probabilities,
quantities) types its column as ``Decimal(38, scale)`` with the widest scale among the
values, so that no digit a user wrote is rounded away. One helper decides that scale.

>>> from decimal import Decimal
>>> scale_of(Decimal("12.50"))
2
>>> scale_of(Decimal("1E+3"))
0
>>> widest_scale([Decimal("1.5"), None, Decimal("0.125")], least=2)
3
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

__all__ = ["scale_of", "widest_scale"]


def scale_of(value: Decimal) -> int:
    """Digits after the point in ``value`` as written (0 for whole numbers, NaN and infinities)."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def widest_scale(values: Iterable[object], *, least: int = 0) -> int:
    """The largest :func:`scale_of` among the decimals in ``values``, and at least ``least``.

    Anything that is not a :class:`~decimal.Decimal` (``None``, an empty cell) is skipped.
    """
    scale = least
    for value in values:
        if isinstance(value, Decimal):
            scale = max(scale, scale_of(value))
    return scale
