"""The report as one self-contained HTML page: tables, notes and plots as base64 PNGs."""

from __future__ import annotations

import base64
import html
import io
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


def _plot(section: Section) -> str | None:
    """The section's chart (drawn by :mod:`salesflow.analytics.plots`) as a base64 PNG."""
    if section.plot is None or not section.rows:
        return None
    require("matplotlib", extra="plots")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(8, 3.4))
    section.plot(ax)
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
    for section in report.sections:
        parts.append(f'<section id="{html.escape(section.key)}">')
        picture = _plot(section)
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
