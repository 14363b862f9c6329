"""Win rate, with its denominator named."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import narwhals as nw

from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import aggregate, by_columns, sum0
from salesflow.analytics._history_gaps import no_deals
from salesflow.analytics._source import door, resolve
from salesflow.analytics.result import Result
from salesflow.columns import Columns
from salesflow.errors import Problem, ValidationError
from salesflow.process import SalesProcess

__all__ = ["WinRate", "win_rate"]

Denominator = Literal["closed", "all"]


class WinRate(Result):
    """Won deals over a named denominator (see :func:`win_rate`)."""

    _value = "win_rate"

    @property
    def rate(self) -> float | None:
        """The win rate of an ungrouped result (``None`` when the denominator is 0)."""
        value = self.rows()[0]["win_rate"]
        return None if value is None else float(value)

    def count(self, what: str) -> int:
        """``won``, ``lost``, ``walked_away``, ``open``, ``total`` or ``denominator``."""
        return int(self.rows()[0][what])


def _count(mask: nw.Expr, engine: Any) -> nw.Expr:
    """Rows where ``mask`` is true.

    Polars counts a conditional (no integer column made); the SQL engines sum
    the flag as an integer, which DuckDB computes in half the time of
    ``count(CASE ...)``.
    """
    if engine.is_polars():
        return nw.when(mask).then(nw.lit(1)).count()
    return sum0(mask.cast(nw.Int64))


@translated("win_rate")
def win_rate(
    data: Any,
    *,
    denominator: Denominator = "closed",
    walked_away: Sequence[str] = (),
    count_walked_away: bool = True,
    by: str | Sequence[str] = (),
    process: SalesProcess | None = None,
    columns: Columns | None = None,
    currency: str | None = None,
) -> WinRate:
    """Won deals divided by closed deals (``"closed"``) or by all deals (``"all"``).

    A deal is *walked away* when it is closed, not won, and its stage or its
    ``lost_reason`` is one of ``walked_away`` (a seller who stops pursuing is
    not beaten). ``count_walked_away=False`` leaves those deals out of the
    denominator; by default they count as losses.

    Args:
        data: Opportunities, a snapshot frame, or :class:`~salesflow.analytics.Frames`.
        denominator: ``"closed"`` (won + lost: the usual win rate) or ``"all"``
            (every deal, open ones too).
        walked_away: Stage names or lost reasons that mean the seller walked away.
        count_walked_away: Whether walked-away deals count in the denominator.
        by: Columns to group by.
        process: The process the deals follow (default: ``Frames.process``).
        columns: What a bare frame's source calls salesflow's columns (see :class:`~salesflow.Columns`).
        currency: The currency of amounts in tables without a currency column.

    Returns:
        A :class:`WinRate`: ``*by``, ``won``, ``lost``, ``walked_away``, ``open``,
        ``total``, ``denominator``, ``win_rate`` (a float; null when the denominator is 0).

    Raises:
        ValidationError: An unknown denominator, or a needed column is missing.

    >>> from salesflow.analytics import examples
    >>> win_rate(examples.opportunities()).rate
    0.5
    >>> win_rate(examples.opportunities(), denominator="all").rate
    0.2
    >>> win_rate(examples.opportunities(), walked_away=["Price"], count_walked_away=False).rate
    1.0
    """
    data = door(data, columns=columns, process=process, currency=currency)
    if denominator not in ("closed", "all"):
        raise ValidationError(
            [Problem(f"expected 'closed' or 'all', got {denominator!r}", "$.denominator")],
            subject="win_rate",
        )
    keys = by_columns(by)
    inputs = resolve(data)
    needs = ["is_closed", "is_won", "stage", *keys]
    reads = [*needs, "lost_reason"]
    frame = inputs.table("snapshot", needs=needs, amounts=False, reads=reads)
    has_reason = "lost_reason" in frame.columns
    names = list(walked_away)
    lost = nw.col("is_closed") & ~nw.col("is_won")
    engine = frame.implementation
    counted = [_count(nw.col("is_won"), engine).cast(nw.Int64).alias("won")]
    if names:
        away = nw.col("stage").is_in(names)
        if has_reason:
            away = away | nw.col("lost_reason").is_in(names).fill_null(value=False)
        counted.append(_count(lost & ~away, engine).cast(nw.Int64).alias("lost"))
        counted.append(_count(lost & away, engine).cast(nw.Int64).alias("walked_away"))
    else:  # no deal walked away: nothing to count (a lazy engine builds every node)
        counted.append(_count(lost, engine).cast(nw.Int64).alias("lost"))
    counts = aggregate(  # integers as they are counted: no step of their own
        frame,
        keys,
        [
            *counted,
            _count(~nw.col("is_closed"), engine).cast(nw.Int64).alias("open"),
            nw.len().cast(nw.Int64).alias("total"),
        ],
    )
    n = nw.col
    # One projection for the denominator and the rate: a lazy engine builds (and
    # DuckDB binds) one relation per step, and Spark one call per expression node.
    if denominator == "closed":
        denom = n("won") + n("lost")
        if names and count_walked_away:
            denom = denom + n("walked_away")
    else:
        denom = n("total") - n("walked_away") if names and not count_walked_away else n("total")
    table = counts.select(
        *keys,
        "won",
        "lost",
        "walked_away" if names else nw.lit(0, dtype=nw.Int64).alias("walked_away"),
        "open",
        "total",
        denom.alias("denominator"),
        nw.when(denom > 0)
        .then(n("won").cast(nw.Float64) / denom.cast(nw.Float64))
        .alias("win_rate"),
    )
    if keys:
        table = table.sort(keys)
    walked = "counted" if count_walked_away else "left out"
    return WinRate(
        table,
        inputs.kind,
        title=f"Win rate (won / {denominator}; walked-away deals {walked})",
        policies={
            "denominator": denominator,
            "walked_away": names,
            "count_walked_away": count_walked_away,
            "by": keys,
        },
        pending=[no_deals(frame, "win rate")],
    )
