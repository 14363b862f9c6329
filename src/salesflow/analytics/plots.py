"""Charts of analytics results with matplotlib (the ``plots`` extra).

Amounts are drawn as floats: a chart is a picture, the exact decimals stay in
the results.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from salesflow.analytics._chart import lines as draw_lines
from salesflow.analytics._chart import waterfall
from salesflow.analytics._require import require
from salesflow.analytics.bridge import MOVEMENTS, Bridge
from salesflow.analytics.funnel import Funnel
from salesflow.analytics.over_time import PipelineOverTime

__all__ = ["plot_bridge", "plot_funnel", "plot_pipeline_over_time"]


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    pyplot = require("matplotlib.pyplot", extra="plots")
    return pyplot.subplots()[1]


def _float(value: Any) -> float:
    return float(getattr(value, "amount", value) or 0)


def plot_funnel(result: Funnel, *, ax: Any = None) -> Any:
    """Horizontal bars: deals that reached each step, first step on top.

    Returns:
        The matplotlib ``Axes``.

    Raises:
        MissingExtraError: matplotlib is not installed.
    """
    axes = _axes(ax)
    rows = result.rows()
    axes.barh([r["stage"] for r in rows], [r["reached"] for r in rows])
    axes.invert_yaxis()
    axes.set_xlabel("deals that reached the stage")
    axes.set_title(result.title)
    return axes


def plot_bridge(result: Bridge, *, ax: Any = None) -> Any:
    """A waterfall: the start bar, each movement up or down, the end bar.

    Returns:
        The matplotlib ``Axes``.
    """
    totals = result.totals()
    movements = {name: totals.movements[name] for name in MOVEMENTS}
    return waterfall(totals.start, movements, totals.end, title=result.title, ax=ax)


def plot_pipeline_over_time(
    result: PipelineOverTime,
    *,
    lines: Sequence[str] = ("Open Pipeline", "Commit Forecast", "Closed Won"),
    value: str = "amount",
    ax: Any = None,
) -> Any:
    """One line per summary line (``amount``, ``weighted_amount`` or ``count``) over the dates.

    Returns:
        The matplotlib ``Axes``.
    """
    return draw_lines(
        result.rows(),
        x="date",
        series="line",
        value=value,
        shown=lines,
        title=result.title,
        ax=ax,
    )
