"""Import the analytics extra's libraries, or say what to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from salesflow.errors import MissingExtraError

__all__ = ["require"]


def require(module: str, *, extra: str = "analytics") -> ModuleType:
    """Import ``module``, or raise :class:`~salesflow.MissingExtraError` naming ``extra``.

    >>> require("narwhals").__name__
    'narwhals'
    >>> require("no_such_module_xyz")
    Traceback (most recent call last):
    ...
    salesflow.errors.MissingExtraError: no_such_module_xyz is not installed; this needs salesflow's 'analytics' extra: pip install 'salesflow[analytics]'
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(extra, module) from exc
