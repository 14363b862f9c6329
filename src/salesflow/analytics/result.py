"""What every metric returns: a typed result over a frame in the caller's library."""

from __future__ import annotations

import html
from collections.abc import Iterable
from decimal import Decimal
from functools import cached_property
from typing import Any

import narwhals as nw

from salesflow._html import table_html
from salesflow.analytics._chart import bars, number
from salesflow.analytics._engine_errors import engine_errors
from salesflow.analytics._require import require
from salesflow.analytics._source import Kind
from salesflow.analytics.coverage import Coverage, Gap, Pending, resolve_pending
from salesflow.errors import Problem, ValidationError

__all__ = ["PERCENT_COLUMNS", "Result"]

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

    _label: str | None = None
    """The column a chart labels its bars with (default: the first text column)."""
    _value: str | None = None
    """The column a chart draws (default: the first number column)."""
    _horizontal = False

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
        return list(self._frame.columns)

    def to_polars(self) -> Any:
        """The whole result as a Polars DataFrame (decimals stay ``Decimal`` columns)."""
        return self._table.to_native()

    def to_arrow(self) -> Any:
        """The whole result as a PyArrow Table (decimals as ``decimal128``).

        Raises:
            MissingExtraError: PyArrow is not installed.
        """
        require("pyarrow")
        with engine_errors(type(self).__name__):
            return self.to_polars().to_arrow()

    def to_pandas(self) -> Any:
        """The whole result as a pandas DataFrame, with Arrow-backed dtypes.

        Decimals stay exact (``decimal128`` through PyArrow, not ``object`` nor
        float), whatever library the input came from.

        Raises:
            MissingExtraError: pandas or PyArrow is not installed.
        """
        require("pandas")
        require("pyarrow")
        with engine_errors(type(self).__name__):
            return self.to_polars().to_pandas(use_pyarrow_extension_array=True)

    def _with(self, frame: nw.LazyFrame[Any]) -> Any:
        copy = object.__new__(type(self))
        copy.__dict__.update({k: v for k, v in self.__dict__.items() if k != "_table"})
        copy._frame = frame
        return copy

    def sort(self, by: str | list[str], *, descending: bool = False) -> Any:
        """The same result with its rows in the order of ``by``.

        Raises:
            ValidationError: ``by`` names no column of the result.
        """
        keys = [by] if isinstance(by, str) else list(by)
        self._check_columns(keys, "sort")
        return self._with(self._frame.sort(keys, descending=descending, nulls_last=True))

    def top(self, n: int, by: str | None = None) -> Any:
        """The ``n`` rows with the largest ``by`` (default: the chart's value column).

        Raises:
            ValidationError: ``n`` is not a whole number >= 0, or ``by`` names no column.
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValidationError(
                [Problem(f"expected a whole number >= 0, got {n!r}", "$.n")],
                subject=f"{type(self).__name__}.top",
            )
        column = by or self._chart_columns()[1]
        return self.sort(column, descending=True)._with_head(n)

    def _with_head(self, n: int) -> Any:
        return self._with(self._frame.head(n))

    def _check_columns(self, names: list[str], what: str) -> None:
        unknown = [c for c in names if c not in self.columns]
        if unknown:
            raise ValidationError(
                [
                    Problem(f"no column {c!r}; the result has {', '.join(self.columns)}", "$.by")
                    for c in unknown
                ],
                subject=f"{type(self).__name__}.{what}",
            )

    def _chart_columns(self) -> tuple[str, str]:
        """The label column ("" when the result has none) and the value column."""
        schema = self._frame.collect_schema()
        label = self._label if self._label in schema else None
        label = label or next((c for c, t in schema.items() if t == nw.String), "")
        value = self._value if self._value in schema else None
        value = value or next(
            (c for c, t in schema.items() if t.is_numeric() and c not in ("step", label)),
            None,
        )
        if value is None:
            raise ValidationError(
                [Problem("the result has no number column to draw", "$")],
                subject=f"{type(self).__name__}.plot",
            )
        return label, value

    def plot(self, *, ax: Any = None) -> Any:
        """The result's natural chart (bars of its main figure by its label column).

        Bars with the same label (one per deal) are averaged; at most the 25
        largest are drawn. Needs the ``plots`` extra (matplotlib).

        Returns:
            The matplotlib ``Axes``.

        Raises:
            ValidationError: The result has no rows (an empty chart is not drawn).
            MissingExtraError: matplotlib is not installed.
        """
        label, value = self._chart_columns()
        sums: dict[Any, list[float]] = {}
        for row in self.rows():
            if row[value] is not None:
                sums.setdefault(row[label] if label else "all", []).append(number(row[value]))
        labels = list(sums)
        values = [sum(v) / len(v) for v in sums.values()]
        axis = value.replace("_", " ") + (
            " (mean)" if any(len(v) > 1 for v in sums.values()) else ""
        )
        return bars(
            labels,
            values,
            title=self.title,
            axis=axis + (" %" if value in PERCENT_COLUMNS else ""),
            horizontal=self._horizontal,
            percent=value in PERCENT_COLUMNS,
            ax=ax,
        )

    def rows(self) -> list[dict[str, Any]]:
        """The result's rows as dictionaries (computes the whole table)."""
        return list(self._table.rows(named=True))

    def __len__(self) -> int:
        return len(self._table)

    def _cells(self) -> tuple[list[str], list[list[str]]]:
        names = self._table.columns
        body = [
            [_cell(row[n], n, row.get("currency")) for n in names]
            for row in self._table.head(_SHOWN).rows(named=True)
        ]
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


PERCENT_COLUMNS = frozenset({"win_rate", "conversion", "from_first", "rate", "share"})
"""Columns holding a fraction, shown as a percentage."""

_MONEY_WORDS = ("amount", "revenue", "change", "value", "pipeline")


def _cell(value: Any, column: str = "", currency: Any = None) -> str:
    """A cell for people: money with its currency, fractions as percentages, no 1e+07."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value)
    if column in PERCENT_COLUMNS and isinstance(value, (int, float, Decimal)):
        return f"{float(value) * 100:.1f} %"
    money = isinstance(currency, str) and any(w in column for w in _MONEY_WORDS)
    if isinstance(value, Decimal):
        text = f"{value:,}"
        return f"{text} {currency}" if money else text
    if isinstance(value, float):
        text = f"{value:,.2f}" if abs(value) >= 1000 else f"{value:.4g}"
        return f"{text} {currency}" if money else text
    if isinstance(value, int) and money:
        return f"{value:,} {currency}"
    return str(value)
