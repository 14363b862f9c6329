"""Drawing results with matplotlib (the ``plots`` extra): bars, grouped bars, a waterfall, lines.

Plain data in, an ``Axes`` out; nothing here knows a result class, so results
draw themselves without an import circle. Amounts are drawn as floats: a chart
is a picture, the exact decimals stay in the results.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from salesflow.analytics._require import require
from salesflow.errors import Problem, ValidationError

__all__ = ["MOST_BARS", "axes_for", "bars", "grouped_bars", "lines", "number", "waterfall"]

MOST_BARS = 25
"""A bar chart shows at most this many bars (the largest)."""

_DOWN = ("decreased", "won", "lost", "pushed_out")


def number(value: Any) -> float:
    """A cell as a float for drawing (money by its amount, nothing as 0)."""
    return float(getattr(value, "amount", value) or 0)


def axes_for(ax: Any, title: str) -> Any:
    """``ax``, or the axes of a new figure; the title wrapped so it is never clipped."""
    if ax is None:
        pyplot = require("matplotlib.pyplot", extra="plots")
        figure, ax = pyplot.subplots(figsize=(8, 4.5))
        figure.set_layout_engine("constrained")
    ax.set_title(textwrap.fill(title, 70), fontsize=10)
    return ax


def _nothing(title: str) -> ValidationError:
    return ValidationError(
        [Problem("the result has no rows: an empty chart is not drawn", "$")],
        subject=f"plot of {title}",
    )


def bars(
    labels: Sequence[Any],
    values: Sequence[Any],
    *,
    title: str,
    axis: str,
    horizontal: bool = False,
    percent: bool = False,
    ax: Any = None,
) -> Any:
    """Bars of ``values`` by ``labels`` (at most :data:`MOST_BARS`, the largest).

    Raises:
        ValidationError: Nothing to draw.
        MissingExtraError: matplotlib is not installed.
    """
    if not labels:
        raise _nothing(title)
    pairs = [(str(label), number(value)) for label, value in zip(labels, values, strict=True)]
    if len(pairs) > MOST_BARS:
        pairs = sorted(pairs, key=lambda p: -p[1])[:MOST_BARS]
        title = f"{title} (the {MOST_BARS} largest)"
    scale = 100.0 if percent else 1.0
    axes = axes_for(ax, title)
    names, heights = [p[0] for p in pairs], [p[1] * scale for p in pairs]
    if horizontal:
        axes.barh(names, heights)
        axes.invert_yaxis()
        axes.set_xlabel(axis)
    else:
        axes.bar(names, heights)
        axes.set_ylabel(axis)
        axes.tick_params(axis="x", labelrotation=45)
    return axes


def waterfall(
    start: Any, movements: Mapping[str, Any], end: Any, *, title: str, ax: Any = None
) -> Any:
    """The start bar, each movement up (green) or down (red), the end bar."""
    axes = axes_for(ax, title)
    labels = ["start", *movements, "end"]
    level = number(start)
    bottoms, heights = [0.0], [level]
    for name, amount in movements.items():
        step = -number(amount) if name in _DOWN else number(amount)
        bottoms.append(min(level, level + step))
        heights.append(abs(step))
        level += step
    bottoms.append(0.0)
    heights.append(number(end))
    colours = ["grey", *("tab:red" if n in _DOWN else "tab:green" for n in movements), "grey"]
    axes.bar(labels, heights, bottom=bottoms, color=colours)
    axes.tick_params(axis="x", labelrotation=45)
    return axes


def lines(
    rows: Sequence[Mapping[str, Any]],
    *,
    x: str,
    series: str,
    value: str,
    shown: Sequence[str],
    title: str,
    ax: Any = None,
) -> Any:
    """One line per value of ``series`` in ``shown``: ``value`` over ``x``."""
    if not rows:
        raise _nothing(title)
    axes = axes_for(ax, title)
    for name in shown:
        points = [(r[x], number(r[value])) for r in rows if r[series] == name]
        axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=name)
    axes.legend()
    axes.set_ylabel(value)
    return axes


def grouped_bars(
    groups: Sequence[str],
    series: Mapping[str, Sequence[Any]],
    *,
    title: str,
    axis: str,
    ax: Any = None,
) -> Any:
    """One group of bars per entry of ``groups``, one bar per series in each (with a legend).

    Raises:
        ValidationError: Nothing to draw.
        MissingExtraError: matplotlib is not installed.
    """
    if not groups or not series:
        raise _nothing(title)
    axes = axes_for(ax, title)
    width = 0.8 / len(series)
    for index, (name, values) in enumerate(series.items()):
        offsets = [g + (index - (len(series) - 1) / 2) * width for g in range(len(groups))]
        axes.bar(offsets, [number(v) for v in values], width=width, label=name)
    axes.set_xticks(list(range(len(groups))), [str(g) for g in groups])
    axes.tick_params(axis="x", labelrotation=45)
    axes.set_ylabel(axis)
    axes.legend()
    return axes
