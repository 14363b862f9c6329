"""The row before or after within an opportunity: plain shifts when the rows are already in order.

History metrics compare each row with the one before (or after) it in the same
opportunity. On a lazy engine that is a window, ``shift().over(key,
order_by=...)``, which sorts. An in-memory table (an eager input, which Polars
computes) usually arrives sorted already (an export is ordered by opportunity
and time); when it is, a plain shift that stops at the opportunity's boundary
gives exactly the window's answer without the sort. :func:`in_order` checks
that (a pass over the key columns) and :class:`Neighbours` writes whichever
expression applies, so a metric states its rule once.

Also :func:`span_days`: days between two datetimes from the engine's own
durations where it has them, from epoch seconds on PySpark, from calendar
fields elsewhere; all are exact to the microsecond, so they agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import attrs
import narwhals as nw

from salesflow.analytics._expr import micros, micros_to_days

__all__ = ["InOrder", "Neighbours", "in_order", "span_days"]

_PROBE = datetime(2000, 1, 1, tzinfo=timezone.utc)


@attrs.frozen
class InOrder:
    """An in-memory table whose rows are in order (see :func:`in_order`).

    Attributes:
        table: The rows.
        sorted_keys: The key column is sorted too (not just its runs together).
    """

    table: nw.DataFrame[Any]
    sorted_keys: bool


def in_order(
    frame: nw.LazyFrame[Any] | nw.DataFrame[Any], key: str, order: Sequence[str]
) -> InOrder | None:
    """``frame`` computed in memory when each ``key``'s rows are together and in ``order``.

    For frames computed in process (eager inputs, which salesflow hands to
    Polars): collecting them costs nothing extra. "In order" means each value
    of ``key`` occupies one run of rows (sorted by ``key`` or not), each run
    ascending by the ``order`` columns (ties by the next), and no key or
    order value missing. Otherwise ``None``: the caller uses windows.

    >>> import polars as pl
    >>> lazy = nw.from_native(pl.LazyFrame({"k": ["b", "b", "a"], "t": [1, 2, 1]}))
    >>> in_order(lazy, "k", ["t"]) is not None
    True
    >>> in_order(lazy.sort("t"), "k", ["t"]) is None  # b, a, b: b's rows are apart
    True
    """
    table = frame.collect() if isinstance(frame, nw.LazyFrame) else frame
    same = nw.col(key) == nw.col(key).shift(1)
    ascending: nw.Expr = nw.lit(value=True)
    for column in reversed(order):
        here, before = nw.col(column), nw.col(column).shift(1)
        ascending = (here > before) | ((here == before) & ascending)
    checks = [
        (~same | ascending).fill_null(value=True).all().alias("_ascending"),
        (nw.col(key) >= nw.col(key).shift(1)).fill_null(value=True).all().alias("_sorted"),
        *(nw.col(c).is_null().any().alias(f"_null{i}") for i, c in enumerate([key, *order])),
    ]
    ascending_runs, sorted_keys, *nulls = table.select(*checks).row(0)
    if not ascending_runs or any(nulls):
        return None
    if not sorted_keys:  # unsorted keys: in order if no key comes back after another
        runs, keys = table.select(
            (~same).fill_null(value=True).sum().alias("_runs"),
            nw.col(key).n_unique().alias("_keys"),
        ).row(0)
        if runs != keys:
            return None
    return InOrder(table, sorted_keys=bool(sorted_keys))


@attrs.frozen
class Neighbours:
    """Expressions for the value ``n`` rows before or after, within one opportunity.

    Attributes:
        key: The column that names the opportunity.
        order: The columns that order an opportunity's rows.
        ordered: The frame is in memory and already sorted by ``key`` then
            ``order`` (see :func:`in_order`): plain shifts, no window.
    """

    key: str
    order: tuple[str, ...]
    ordered: bool

    def shift(self, expr: nw.Expr, n: int) -> nw.Expr:
        """``expr`` from ``n`` rows earlier (``n < 0``: later) in the same opportunity, else null."""
        if self.ordered:
            same = nw.col(self.key) == nw.col(self.key).shift(n)
            return nw.when(same).then(expr.shift(n))
        return expr.shift(n).over(self.key, order_by=list(self.order))

    def starts(self) -> nw.Expr:
        """True on an opportunity's first row (only for ordered frames)."""
        return ~(nw.col(self.key) == nw.col(self.key).shift(1)).fill_null(value=False)


def span_days(frame: Any, later: nw.Expr, earlier: nw.Expr) -> nw.Expr:
    """Days from datetime ``earlier`` to datetime ``later``, a float exact to the microsecond.

    Uses the engine's durations when it has them (Polars, pandas, PyArrow,
    DuckDB), epoch seconds on PySpark, else :func:`~salesflow.analytics._expr.days`'
    calendar arithmetic, which gives the same number.
    """
    return micros_to_days(span_micros(frame, later, earlier))


def span_micros(frame: Any, later: nw.Expr, earlier: nw.Expr) -> nw.Expr:
    """Whole microseconds from ``earlier`` to ``later`` (an integer: sums of it are exact).

    The engine's durations where it has them. PySpark has none in narwhals:
    there a time cast to an integer is its epoch second (floored), to which
    the microseconds within it are added: two short expressions where the
    calendar arithmetic other engines fall back on writes some eighty nodes per
    time, which Spark's planner took seconds over (1.8 s of a 2.4 s time in
    stage on 200,000 deals).
    """
    engine = frame.implementation
    if engine.is_pyspark() or engine.is_pyspark_connect():
        return _spark_micros(later) - _spark_micros(earlier)
    if engine not in _DURATIONS:  # asked once per engine: on Spark each probe is a plan
        try:
            frame.head(0).select((nw.lit(_PROBE) - nw.lit(_PROBE)).dt.total_microseconds())
        except NotImplementedError:
            _DURATIONS[engine] = False
        else:
            _DURATIONS[engine] = True
    if not _DURATIONS[engine]:
        return micros(later, earlier)
    return (later - earlier).dt.total_microseconds().cast(nw.Int64)


def _spark_micros(value: nw.Expr) -> nw.Expr:
    """Microseconds since the epoch of a PySpark time (its floored second, then the rest)."""
    return value.cast(nw.Int64) * 1_000_000 + value.dt.microsecond() % 1_000_000


_DURATIONS: dict[Any, bool] = {}
"""Whether an engine (a narwhals ``Implementation``) has durations in whole microseconds."""
