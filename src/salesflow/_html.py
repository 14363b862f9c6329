"""Small HTML tables for Jupyter's ``_repr_html_`` (no dependency)."""

from __future__ import annotations

import html
from collections.abc import Sequence

__all__ = ["table_html"]


def table_html(title: str, names: Sequence[str], body: Sequence[Sequence[object]]) -> str:
    """A table with a caption; every cell is escaped.

    >>> table_html("T", ["a"], [["<b>"]])
    '<table><caption>T</caption><thead><tr><th>a</th></tr></thead><tbody><tr><td>&lt;b&gt;</td></tr></tbody></table>'
    """
    head = "".join(f"<th>{html.escape(str(n))}</th>" for n in names)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_text(c))}</td>" for c in row) + "</tr>"
        for row in body
    )
    return (
        f"<table><caption>{html.escape(title)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _text(value: object) -> str:
    return "-" if value is None else str(value)
