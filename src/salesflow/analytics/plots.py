"""Charts of analytics results with matplotlib (the ``plots`` extra).

Amounts are drawn as floats: a chart is a picture, the exact decimals stay in
the results.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
    axes = _axes(ax)
    totals = result.totals()
    labels = ["start", *MOVEMENTS, "end"]
    level = _float(totals.start)
    bottoms, heights = [0.0], [level]
    for name in MOVEMENTS:
        value = _float(totals.movements[name])
        step = -value if name in ("decreased", "won", "lost", "pushed_out") else value
        bottoms.append(min(level, level + step))
        heights.append(abs(step))
        level += step
    bottoms.append(0.0)
    heights.append(_float(totals.end))
    colours = [
        "grey",
        *(
            "tab:green" if n in ("new", "reopened", "pulled_in", "increased") else "tab:red"
            for n in MOVEMENTS
        ),
        "grey",
    ]
    axes.bar(labels, heights, bottom=bottoms, color=colours)
    axes.set_title(result.title)
    axes.tick_params(axis="x", labelrotation=45)
    return axes


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
    axes = _axes(ax)
    rows = result.rows()
    for line in lines:
        points = [(r["date"], _float(r[value])) for r in rows if r["line"] == line]
        axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=line)
    axes.legend()
    axes.set_ylabel(value)
    axes.set_title(result.title)
    return axes
