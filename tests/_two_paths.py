"""A history reader run in columns and by its record-at-a-time loop, and the two compared."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any
from unittest import mock

import salesflow as sf


def both(read: Callable[[], sf.io.HistoryTable], module: ModuleType) -> tuple[Any, Any]:
    """(the columnar outcome, the loop's): a table and its frame each, or the error raised.

    The loop runs with ``module.find_spec`` saying Polars is not installed.
    """

    def outcome() -> Any:
        try:
            table = read()
            return table, table.to_polars()
        except sf.SalesflowError as exc:
            return type(exc), str(exc)

    columnar = outcome()
    with mock.patch.object(module, "find_spec", return_value=None):
        loop = outcome()
    return columnar, loop


def same(columnar: Any, loop: Any) -> None:
    """The two outcomes are one: the same error, or the same accounting, rows and frame."""
    if not isinstance(loop[0], sf.io.HistoryTable):
        assert columnar == loop
        return
    table, frame = columnar
    assert table._frame is not None  # it did read in columns
    assert (table.read, table.taken, table.notes) == (loop[0].read, loop[0].taken, loop[0].notes)
    assert table.refused == loop[0].refused
    assert repr(table.rows) == repr(loop[0].rows)  # the decimals as written, too
    assert frame.schema == loop[1].schema
    assert frame.equals(loop[1])
