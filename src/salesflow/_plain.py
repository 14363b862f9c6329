r"""Checks on plain data (as read from a file, or about to be written): keys and text.

Two things no salesflow document may hold, found with their paths:

- a key that is not a string (YAML's ``1:``, ``null:``, ``true:``);
- text that cannot be encoded as UTF-8: a lone surrogate such as ``"\ud800"``,
  which JSON's ``\u`` escapes and Python strings can carry but no file can.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from salesflow.errors import Problem, shorten

__all__ = ["UNENCODABLE", "plain_problems"]

UNENCODABLE = re.compile("[\ud800-\udfff]")
"""Matches a lone surrogate: text that cannot be written as UTF-8."""

_LIMIT = 50


def _key_step(key: str) -> str:
    return f".{key}" if key.isidentifier() else f"[{shorten(key)}]"


def plain_problems(data: Any, path: str = "$") -> list[Problem]:
    r"""Non-string keys and unencodable text anywhere in ``data`` (at most 50 are listed).

    >>> plain_problems({"name": "ok", 1: "x", "stages": [{"name": "\ud800"}]})
    [Problem(message='expected a string key, got int 1', path='$'), Problem(message='text that is not valid unicode (a lone surrogate)', path='$.stages[0].name')]
    """
    problems: list[Problem] = []
    stack: list[tuple[Any, str]] = [(data, path)]
    seen: set[int] = set()  # containers met before (shared or cyclic): walked once
    while stack and len(problems) < _LIMIT:
        value, where = stack.pop()
        if isinstance(value, (Mapping, list, tuple)):
            if id(value) in seen:
                continue
            seen.add(id(value))
        if isinstance(value, str):
            if UNENCODABLE.search(value):
                problems.append(
                    Problem("text that is not valid unicode (a lone surrogate)", where)
                )
        elif isinstance(value, Mapping):
            children = []
            for key, item in value.items():
                if not isinstance(key, str):
                    problems.append(
                        Problem(
                            f"expected a string key, got {type(key).__name__} {shorten(key)}",
                            where,
                        )
                    )
                    continue
                if UNENCODABLE.search(key):
                    problems.append(
                        Problem("a key that is not valid unicode (a lone surrogate)", where)
                    )
                    continue
                children.append((item, where + _key_step(key)))
            stack.extend(reversed(children))
        elif isinstance(value, (list, tuple)):
            stack.extend(reversed([(item, f"{where}[{i}]") for i, item in enumerate(value)]))
    return problems
