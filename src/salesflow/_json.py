"""JSON objects whose keys repeat: refused everywhere salesflow reads JSON.

Python's ``json`` keeps the last of two equal keys without a word. salesflow
reads JSON through one of two doors instead: :func:`load_unique` refuses a
whole document whose objects repeat a key (a process file,
:func:`salesflow.loads`, salesflow JSON), naming each key with its path; the
hook :func:`marked_keys` keeps such an object but marks it
(:class:`RepeatedKeys`) so that an importer refuses only the record that holds
it (:func:`repeated_in` finds the marks) and takes the others.

>>> import json
>>> json.loads('{"Amount": 1, "Amount": 2}', object_pairs_hook=marked_keys).repeated
('Amount',)
>>> load_unique('{"deals": [{"Amount": 1, "Amount": 2}]}')
Traceback (most recent call last):
...
salesflow._json.RepeatedKeyError: found the key 'Amount' twice in one object at $.deals[0].Amount
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from salesflow.errors import shorten

__all__ = [
    "RepeatedKeyError",
    "RepeatedKeys",
    "load_unique",
    "marked_keys",
    "repeated_in",
    "unique_keys",
]

_SHOWN = 3  # repeated keys named in one message; the rest are counted


class RepeatedKeys(dict[str, Any]):
    """A JSON object in which keys repeat: it holds the last values, and which keys repeat."""

    repeated: tuple[str, ...] = ()
    made: int = 0
    """How many were made (by :func:`marked_keys`): a parse that made none repeated no key."""


class RepeatedKeyError(ValueError):
    """A JSON document repeats a key; never reaches a user (translated where it is caught).

    Attributes:
        found: Each repeated key with its path (``$.deals[0].Amount``); empty
            when raised by :func:`unique_keys`, which cannot know the path.
    """

    def __init__(self, found: tuple[tuple[str, str], ...], key: str = "") -> None:
        self.found = found
        if not found:
            super().__init__(f"found the key {shorten(key)} twice in one object")
            return
        first = [f"found the key {shorten(k)} twice in one object at {p}" for k, p in found]
        more = len(found) - _SHOWN
        super().__init__("; ".join(first[:_SHOWN]) + (f" (and {more} more)" if more > 0 else ""))


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's pairs as a ``dict``; a repeated key is a :class:`RepeatedKeyError`."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise RepeatedKeyError((), key)
        result[key] = value
    return result


def marked_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's pairs as a ``dict``, or a :class:`RepeatedKeys` when keys repeat."""
    result: dict[str, Any] = {}
    repeated: list[str] = []
    for key, value in pairs:
        if key in result and key not in repeated:
            repeated.append(key)
        result[key] = value
    if not repeated:
        return result
    marked = RepeatedKeys(result)
    marked.repeated = tuple(repeated)
    RepeatedKeys.made += 1
    return marked


def load_unique(text: str | bytes, **options: Any) -> Any:
    """``json.loads(text, **options)``, refusing any object that repeats a key.

    Raises:
        RepeatedKeyError: Naming every repeated key with its path.
        ValueError: Not JSON (:class:`json.JSONDecodeError`), or a number too long.
        RecursionError: Absurd nesting.
    """
    try:
        return json.loads(text, object_pairs_hook=unique_keys, **options)
    except RepeatedKeyError:  # read again, keeping every object, to say where
        value = json.loads(text, object_pairs_hook=marked_keys, **options)
        raise RepeatedKeyError(tuple(repeated_in(value))) from None


_SCALARS = frozenset({str, int, float, bool, type(None), Decimal})


def _holds(value: Any) -> bool:
    """Whether ``value`` is an object or a list (a JSON scalar is told by its type, quickly)."""
    return type(value) not in _SCALARS and isinstance(value, Mapping | list)


def repeated_in(value: Any, path: str = "$") -> Iterator[tuple[str, str]]:
    """Each repeated key in ``value`` and every object and list inside it, with its path.

    >>> import json
    >>> text = '{"a": [{"b": {"c": 1, "c": 2}}], "a": 3}'
    >>> list(repeated_in(json.loads(text, object_pairs_hook=marked_keys)))
    [('a', '$.a')]
    >>> text = '{"a": [1, {"b": {"c": 1, "c": 2}}]}'
    >>> list(repeated_in(json.loads(text, object_pairs_hook=marked_keys)))
    [('c', '$.a[1].b.c')]
    """
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:  # a loop, not recursion: any depth the parser took is walked
        item, where = stack.pop()
        if isinstance(item, RepeatedKeys):
            for key in item.repeated:
                yield key, f"{where}.{key}"
        if isinstance(item, Mapping):
            inner = [(v, f"{where}.{k}") for k, v in item.items() if _holds(v)]
        elif isinstance(item, list):
            inner = [(v, f"{where}[{i}]") for i, v in enumerate(item) if _holds(v)]
        else:
            continue
        stack.extend(reversed(inner))
