"""Small attrs validators shared by the domain classes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from salesflow.errors import Problem, ValidationError

__all__ = ["aware", "names", "non_blank"]


def _owner(instance: object) -> str:
    return type(instance).__name__


def non_blank(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Refuse anything but a string with at least one visible character."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            [Problem(f"expected a non-blank string, got {value!r}", f"$.{attribute.name}")],
            subject=_owner(instance),
        )


def aware(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Refuse anything but a timezone-aware datetime."""
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValidationError(
            [Problem(f"expected a timezone-aware datetime, got {value!r}", f"$.{attribute.name}")],
            subject=_owner(instance),
        )


def names(value: Iterable[str] | str) -> tuple[str, ...]:
    """Convert a list of names to a tuple; a single string is one name, not its letters."""
    if isinstance(value, str):
        return (value,)
    return tuple(value)
