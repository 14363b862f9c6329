"""Small attrs validators shared by the domain classes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any

import attrs

from salesflow._plain import UNENCODABLE
from salesflow.errors import Problem, ReadOnlyFieldError, ValidationError, shorten

__all__ = [
    "UNENCODABLE",
    "a_date",
    "aware",
    "kind",
    "money_or_none",
    "names",
    "non_blank",
    "optional",
    "sequence",
    "text",
    "text_problem",
]


def _owner(instance: object) -> str:
    return type(instance).__name__


def text_problem(
    value: object, path: str, *, blank: bool = True, noun: str = "string"
) -> Problem | None:
    r"""What is wrong with ``value`` as text (a ``str`` that UTF-8 can encode), or ``None``.

    Args:
        value: The value to check.
        path: Where it is, for the problem.
        blank: Whether an empty or all-space string is allowed.
        noun: What the text is, for the message.

    >>> text_problem("\ud800", "$.name")
    Problem(message='expected text that is valid unicode, got a lone surrogate', path='$.name')
    """
    if not isinstance(value, str) or (not blank and not value.strip()):
        what = f"a {noun}" if blank else f"a non-blank {noun}"
        return Problem(f"expected {what}, got {shorten(value)}", path)
    if UNENCODABLE.search(value):
        return Problem("expected text that is valid unicode, got a lone surrogate", path)
    return None


def non_blank(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Refuse anything but valid unicode text with at least one visible character."""
    problem = text_problem(value, f"$.{attribute.name}", blank=False)
    if problem is not None:
        raise ValidationError([problem], subject=_owner(instance))


def text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Refuse anything but ``None`` or valid unicode text (an ordinary attribute)."""
    if value is None:
        return
    problem = text_problem(value, f"$.{attribute.name}")
    if problem is not None:
        raise ValidationError([problem], subject=_owner(instance))


def aware(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Refuse anything but a timezone-aware datetime."""
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValidationError(
            [
                Problem(
                    f"expected a timezone-aware datetime, got {shorten(value)}",
                    f"$.{attribute.name}",
                )
            ],
            subject=_owner(instance),
        )


def sequence(
    value: object, *, of: type[Any] | tuple[type[Any], ...], what: str
) -> tuple[Any, ...]:
    """Convert a list (or any iterable but a string, bytes or mapping) to a tuple of ``of``.

    Raises:
        ValidationError: ``value`` is not such a list, or an item is not an ``of``
            (every bad item is listed).
    """
    if type(value) is tuple and not value:  # most lists are empty: nothing to check
        return ()
    if (
        value is None
        or isinstance(value, (str, bytes, Mapping))
        or not isinstance(value, Iterable)
    ):
        raise ValidationError(
            [Problem(f"expected a list of {what}, got {type(value).__name__}", "$")], subject=what
        )
    items = tuple(value)
    wrong = [(i, item) for i, item in enumerate(items) if not isinstance(item, of)]
    if wrong:
        expected = " or ".join(t.__name__ for t in (of if isinstance(of, tuple) else (of,)))
        problems = [
            Problem(
                f"expected {expected} in the list of {what}, got {type(item).__name__}", f"$[{i}]"
            )
            for i, item in wrong
        ]
        raise ValidationError(problems, subject=what)
    return items


def names(value: Iterable[str] | str) -> tuple[str, ...]:
    """Convert a list of names to a tuple; a single string is one name, not its letters."""
    if isinstance(value, str):
        return (value,)
    return sequence(value, of=str, what="names")


def money_or_none(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Refuse anything but :class:`~salesflow.Money` or ``None``."""
    from salesflow.money import Money

    if value is not None and not isinstance(value, Money):
        raise ValidationError(
            [
                Problem(
                    f"expected Money or None, got {type(value).__name__}", f"$.{attribute.name}"
                )
            ],
            subject=_owner(instance),
        )


def a_date(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Refuse anything but a date (a datetime is not a date here)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError(
            [Problem(f"expected a date, got {type(value).__name__}", f"$.{attribute.name}")],
            subject=_owner(instance),
        )


def kind(cls: type[Any]) -> Callable[[object, attrs.Attribute[Any], object], None]:
    """A validator refusing anything but an instance of ``cls``, with a salesflow error."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, cls):
            raise ValidationError(
                [
                    Problem(
                        f"expected {cls.__name__}, got {type(value).__name__}",
                        f"$.{attribute.name}",
                    )
                ],
                subject=_owner(instance),
            )

    return check


def optional(
    validator: Callable[[object, attrs.Attribute[Any], object], None],
) -> Callable[[object, attrs.Attribute[Any], object], None]:
    """Let ``None`` through ``validator``."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            validator(instance, attribute, value)

    return check


class Undeletable:
    """A mixin: no attribute can be deleted (``del entity.field`` raises, changing nothing).

    A deleted slot would leave an entity that breaks on its next verb, after
    that verb had changed part of it.
    """

    __slots__ = ()

    def __delattr__(self, name: str) -> None:
        raise ReadOnlyFieldError(
            name, f"every field of {type(self).__name__} always holds a value", deleted=True
        )
