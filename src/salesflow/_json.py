"""JSON objects whose keys repeat: refused everywhere salesflow reads JSON.

Python's ``json`` keeps the last of two equal keys without a word. salesflow
reads JSON through one of two hooks instead: :func:`unique_keys` refuses such
an object outright (a whole document: a process file, :func:`salesflow.loads`,
salesflow JSON), and :func:`marked_keys` keeps it but marks it
(:class:`RepeatedKeys`) so that an importer refuses only the record that holds
it and takes the others.

>>> import json
>>> json.loads('{"Amount": 1, "Amount": 2}', object_pairs_hook=marked_keys).repeated
('Amount',)
>>> json.loads('{"Amount": 1, "Amount": 2}', object_pairs_hook=unique_keys)
Traceback (most recent call last):
...
ValueError: found the key 'Amount' twice in one object
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from salesflow.errors import shorten

__all__ = ["RepeatedKeys", "marked_keys", "repeated_in", "unique_keys"]


class RepeatedKeys(dict[str, Any]):
    """A JSON object in which keys repeat: it holds the last values, and which keys repeat."""

    repeated: tuple[str, ...] = ()


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's pairs as a ``dict``; a repeated key is a ``ValueError``."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"found the key {shorten(key)} twice in one object")
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
    return marked


def repeated_in(record: Mapping[str, Any], path: str = "$") -> Iterator[tuple[str, str]]:
    """Each repeated key in ``record`` and the objects inside it (not in lists), with its path."""
    if isinstance(record, RepeatedKeys):
        for key in record.repeated:
            yield key, f"{path}.{key}"
    for key, value in record.items():
        if isinstance(value, Mapping):
            yield from repeated_in(value, f"{path}.{key}")
