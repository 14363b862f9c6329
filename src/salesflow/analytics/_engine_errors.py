"""The safety net of the frame door: an engine's exception becomes a salesflow error.

The door checks and converts what it can up front (see :mod:`._coerce`); an
exception that still comes from narwhals, Polars, pandas, PyArrow, DuckDB or
PySpark while a metric is computed is translated here, so a caller catches
:class:`~salesflow.SalesflowError` only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from salesflow.errors import MissingExtraError, Problem, SalesflowError, ValidationError

__all__ = ["engine_errors", "translated"]

_ENGINES = ("narwhals", "polars", "pandas", "pyarrow", "duckdb", "_duckdb", "pyspark", "py4j")
F = TypeVar("F", bound=Callable[..., Any])


def _engine_of(exc: BaseException) -> str | None:
    root = type(exc).__module__.split(".")[0]
    if root in _ENGINES:
        return root.lstrip("_")
    if isinstance(exc, NotImplementedError):
        return "the dataframe library"
    return None


@contextmanager
def engine_errors(what: str) -> Iterator[None]:
    """Translate an engine's exception raised inside the block.

    Raises:
        MissingExtraError: The engine needs PyArrow, which is not installed.
        ValidationError: Any other engine error, with the engine's first line.
    """
    try:
        yield
    except SalesflowError:
        raise
    except ImportError as exc:
        if "pyarrow" in str(exc):
            raise MissingExtraError("analytics", "pyarrow") from exc
        raise
    except Exception as exc:
        engine = _engine_of(exc)
        if engine is None:
            raise
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        raise ValidationError(
            [
                Problem(
                    f"{engine} could not compute this on the tables given "
                    f"({type(exc).__name__}: {first}); check the column types against "
                    "salesflow.columns, or report it if they match",
                    "$",
                )
            ],
            subject=what,
        ) from exc


def translated(what: str) -> Callable[[F], F]:
    """Decorate a metric so that an engine's exception becomes a :class:`ValidationError`."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with engine_errors(what):
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
