"""The report as a static HTML document for printing and e-mail: tables, notes, PNG charts.

``--html-static`` writes it; ``--html`` writes the interactive inspection page
(:mod:`salesflow.cli._page`).
"""

from __future__ import annotations

import base64
import html
import io
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

from salesflow._atomic import replace_bytes
from salesflow.analytics._require import require
from salesflow.cli._render import cell
from salesflow.cli._report import Report, Section
from salesflow.errors import FileFormatError
from salesflow.money import Money

__all__ = ["write_html"]

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { padding: .2rem .7rem; border-bottom: 1px solid #ddd; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: bold; padding: .3rem 0; }
p.note { color: #666; margin: .2rem 0; }
img { max-width: 100%; }
"""


def _number(value: Any) -> float | None:
    if isinstance(value, Money):
        return float(value.amount)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return float(value)
    return None


def _currency(report: Report) -> str | None:
    """The report's currency: that of the first amount it shows as money."""
    for section in report.sections:
        for row in section.rows:
            for value in row.values():
                if isinstance(value, Money):
                    return value.currency
    return None


def _drawable(section: Section) -> bool:
    """Whether the section has a chart with something on it (not only zeros)."""
    if section.plot is None or section.empty or not section.rows:
        return False
    return any(_number(value) for row in section.rows for value in row.values())


def _compact(value: float, currency: str | None) -> str:
    size = abs(value)
    text = (
        f"{value / 1e6:.3g}M"
        if size >= 1e6
        else f"{value / 1e3:.3g}K"
        if size >= 1e3
        else f"{value:.0f}"
    )
    return f"{text} {currency}" if currency else text


_COLOURS = {"won": "tab:green", "lost": "tab:red", "start": "grey", "end": "grey"}
_DOWN = ("decreased", "pushed_out")


def _float_waterfall(ax: Any) -> None:
    """Start the waterfall's axis near its lowest level, so that small movements show.

    The start and end bars then rise from the axis' floor (the axis is broken, and
    says so); movements keep their colours by meaning: won green, lost red, other
    decreases orange, increases blue.
    """
    labels = [t.get_text() for t in ax.get_xticklabels()]
    bars = list(ax.patches)
    if len(bars) != len(labels) or len(bars) < 2:
        return
    levels = [bars[0].get_height(), bars[-1].get_height()]
    for bar in bars[1:-1]:
        if bar.get_height():
            levels += [bar.get_y(), bar.get_y() + bar.get_height()]
    low, high = min(levels), max(levels)
    pad = (high - low) * 0.25 or high * 0.1 or 1.0
    floor = max(0.0, low - pad)
    ax.set_ylim(floor, high + pad * 0.4)
    for label, bar in zip(labels, bars, strict=True):
        colour = _COLOURS.get(label, "tab:orange" if label in _DOWN else "tab:blue")
        bar.set_color(colour)
    if floor > 0:
        ax.set_ylabel("axis does not start at 0")


def _plot(section: Section, currency: str | None) -> str | None:
    """The section's chart (drawn by :mod:`salesflow.analytics.plots`) as a base64 PNG.

    None for a section with nothing to draw. Titles are wrapped to fit, amounts
    on the axis carry the report's currency, and the bridge's waterfall floats
    (see :func:`_float_waterfall`).
    """
    if not _drawable(section) or section.plot is None:
        return None
    require("matplotlib", extra="plots")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    figure, ax = plt.subplots(figsize=(8, 3.6))
    section.plot(ax)
    ax.set_title("\n".join(textwrap.wrap(ax.get_title(), 70)), fontsize=10)
    if section.key == "bridge":
        _float_waterfall(ax)
    if section.key in ("bridge", "over_time"):
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _compact(v, currency)))
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _table(section: Section) -> str:
    head = "".join(f"<th>{html.escape(c.replace('_', ' '))}</th>" for c in section.columns)
    body = []
    for row in section.rows:
        cells = []
        for column in section.columns:
            value = row.get(column)
            numeric = _number(value) is not None
            text = html.escape(cell(value, column))
            cells.append(f'<td class="n">{text}</td>' if numeric else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table><caption>{html.escape(section.title)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def page(report: Report) -> str:
    """The whole page as text."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(report.title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(report.title)}</h1>",
        f"<p>As of {report.as_of:%Y-%m-%d %H:%M} UTC.</p>",
    ]
    currency = _currency(report)
    for section in report.sections:
        parts.append(f'<section id="{html.escape(section.key)}">')
        picture = _plot(section, currency)
        if picture is not None:
            alt = html.escape(section.title)
            parts.append(f'<img alt="{alt}" src="data:image/png;base64,{picture}">')
        parts.append(
            _table(section)
            if section.rows
            else f"<h3>{html.escape(section.title)}</h3><p>(none)</p>"
        )
        parts.extend(f'<p class="note">{html.escape(note)}</p>' for note in section.notes)
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_html(path: Path, report: Report) -> None:
    """Write the page to ``path``.

    Raises:
        MissingExtraError: matplotlib is not installed (the ``plots`` extra).
        FileFormatError: The file cannot be written.
    """
    text = page(report)
    try:
        replace_bytes(path, text.encode("utf-8"))  # atomic: old page or new, never a mix
    except OSError as exc:
        raise FileFormatError(str(path), f"cannot write: {exc.strerror or exc}") from exc
