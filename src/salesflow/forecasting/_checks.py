"""Argument checks shared by the forecasting entry points: salesflow errors, never a dependency's."""

from __future__ import annotations

from collections.abc import Sequence

from salesflow.errors import Problem

__all__ = ["columns", "count", "seed"]


def count(value: object, name: str, *, least: int = 1) -> list[Problem]:
    """A whole number >= ``least``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        return [Problem(f"expected a whole number >= {least}, got {value!r}", f"$.{name}")]
    return []


def seed(value: object) -> list[Problem]:
    """A seed: a whole number >= 0."""
    return count(value, "seed", least=0)


def columns(value: object, name: str = "segment") -> list[Problem]:
    """A column name or a sequence of them."""
    if isinstance(value, str) and value:
        return []
    if (
        isinstance(value, Sequence)
        and not isinstance(value, (str, bytes))
        and all(isinstance(v, str) and v for v in value)
    ):
        return []
    return [Problem(f"expected column names, got {value!r}", f"$.{name}")]
