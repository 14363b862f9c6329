"""The pipeline inspection page: one self-contained HTML file to work in.

:func:`page_data` computes every figure in Python; :func:`page_html` embeds
them as JSON in a page whose small hand-written script only filters, sorts
and draws (inline SVG), with no network access and no server.
"""

from __future__ import annotations

from salesflow.cli._page._data import page_data
from salesflow.cli._page._html import page_html, write_file

__all__ = ["page_data", "page_html", "write_file"]
