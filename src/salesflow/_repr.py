"""Short reprs for definitions: only what differs from the defaults."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

__all__ = ["short_repr"]


def _default(field: attrs.Attribute[Any], instance: Any) -> Any:
    default = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        factory: Any = default
        return factory.factory(instance) if factory.takes_self else factory.factory()
    return default


def _show(value: Any) -> str:
    return str(value) if isinstance(value, Decimal) else repr(value)


def short_repr(instance: Any, *, positional: tuple[str, ...] = ()) -> str:
    """``Cls(a, b, x=...)``: ``positional`` fields first, then fields that differ from their defaults.

    >>> import salesflow as sf
    >>> sf.Stage("Won", 100, is_closed=True, is_won=True)
    Stage('Won', 100, is_closed=True, is_won=True)
    """
    parts = [_show(getattr(instance, name)) for name in positional]
    for field in attrs.fields(type(instance)):
        if field.name in positional or not field.init or not field.repr:
            continue
        value = getattr(instance, field.name)
        if field.default is not attrs.NOTHING and value == _default(field, instance):
            continue
        parts.append(f"{field.alias}={_show(value)}")
    return f"{type(instance).__name__}({', '.join(parts)})"
