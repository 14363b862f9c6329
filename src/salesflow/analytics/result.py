"""What every metric returns: a typed result over a frame in the caller's library."""

from __future__ import annotations

import html
from collections.abc import Iterable
from functools import cached_property
from typing import Any

import narwhals as nw

from salesflow._html import table_html
from salesflow.analytics._engine_errors import engine_errors
from salesflow.analytics._source import Kind
from salesflow.analytics.coverage import Coverage, Gap, Pending, resolve_pending

__all__ = ["Result"]

_SHOWN = 12


class Result:
    """A metric's result: a table, plus typed accessors on the subclasses.

    :meth:`to_frame` gives the table in the caller's library (eager for eager
    input, lazy for Polars LazyFrames, DuckDB relations and PySpark
    DataFrames). ``repr`` and ``_repr_html_`` show the first rows, computing
    them if needed.

    :attr:`coverage` says what the result could not compute: rows left out
    and why, checks not made, or that it rests on no data at all.

    Attributes:
        title: What the table is, e.g. ``Pipeline summary (cumulative, USD)``.
        policies: The policy options the result was computed with.
    """

    def __init__(
        self,
        frame: nw.LazyFrame[Any],
        kind: Kind,
        *,
        title: str,
        policies: dict[str, Any],
        gaps: Iterable[Gap] = (),
        pending: Iterable[Pending] = (),
    ) -> None:
        self._frame = frame
        self._kind = kind
        self.title = title
        self.policies = dict(policies)
        self._gaps = tuple(gaps)
        self._pending = tuple(pending)

    @cached_property
    def coverage(self) -> Coverage:
        """What the result left out or could not check (counted on first use)."""
        with engine_errors(f"{type(self).__name__}.coverage"):
            return resolve_pending(self._gaps, self._pending)

    def to_frame(self) -> Any:
        """The result table as the caller's kind of frame."""
        with engine_errors(type(self).__name__):
            return self._kind.native(self._frame)

    @cached_property
    def _table(self) -> nw.DataFrame[Any]:
        with engine_errors(type(self).__name__):
            return self._frame.collect(backend="polars")

    @property
    def columns(self) -> list[str]:
        """The result table's column names."""
        return list(self._frame.collect_schema().names())

    def rows(self) -> list[dict[str, Any]]:
        """The result's rows as dictionaries (computes the whole table)."""
        return list(self._table.rows(named=True))

    def __len__(self) -> int:
        return len(self._table)

    def _cells(self) -> tuple[list[str], list[list[str]]]:
        names = self._table.columns
        body = [[_cell(v) for v in row] for row in self._table.head(_SHOWN).rows()]
        return names, body

    def __repr__(self) -> str:
        names, body = self._cells()
        widths = [max([len(n)] + [len(r[i]) for r in body]) for i, n in enumerate(names)]
        lines = [f"{type(self).__name__}: {self.title}"]
        lines.append("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip())
        lines.extend(
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in body
        )
        if len(self._table) > _SHOWN:
            lines.append(f"... {len(self._table) - _SHOWN} more rows")
        lines.extend(f"  {note}" for note in self.coverage.notes())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        names, body = self._cells()
        notes = "".join(f"<p>{html.escape(note)}</p>" for note in self.coverage.notes())
        return table_html(f"{type(self).__name__}: {self.title}", names, body) + notes


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
