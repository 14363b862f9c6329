"""Argument checks shared by the forecasting entry points: salesflow errors, never a dependency's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import narwhals as nw

from salesflow.errors import Problem, ValidationError

__all__ = ["MAX_DRAWS", "columns", "count", "draws", "history_span", "seed"]

MAX_DRAWS = 10_000_000
"""The most draws a simulation takes: its totals alone are 8 bytes a draw (80 MB here).

More draws narrow a Monte Carlo percentile by the square root of their number:
past a few hundred thousand, the inputs' uncertainty is far larger.
"""


def count(value: object, name: str, *, least: int = 1) -> list[Problem]:
    """A whole number >= ``least``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        return [Problem(f"expected a whole number >= {least}, got {value!r}", f"$.{name}")]
    return []


def draws(value: object, *, least: int = 1, name: str = "draws") -> list[Problem]:
    """A number of draws: a whole number from ``least`` to :data:`MAX_DRAWS`."""
    problems = count(value, name, least=least)
    if not problems and isinstance(value, int) and value > MAX_DRAWS:
        problems.append(
            Problem(f"expected at most {MAX_DRAWS:,} draws, got {value:,}", f"$.{name}")
        )
    return problems


def history_span(history: nw.LazyFrame[Any], what: str) -> tuple[datetime, datetime]:
    """The first and last ``at`` of a history table; no rows is a clear error.

    Raises:
        ValidationError: The history table has no rows (or no times): nothing to learn from.
    """
    span = history.select(
        nw.col("at").min().alias("first"), nw.col("at").max().alias("last")
    ).collect(backend="polars")
    first, last = span["first"][0], span["last"][0]
    if first is None or last is None:
        raise ValidationError(
            [
                Problem(
                    "no history: the history table has no rows, and this forecast learns "
                    "from the deals' history (give Frames(history=...) or opportunities "
                    "with their history)",
                    "$.history",
                )
            ],
            subject=what,
        )
    return first, last


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
