"""The page as one file: the template with its style, script and data inlined."""

from __future__ import annotations

import html
import json
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from salesflow._atomic import replace_bytes
from salesflow.errors import FileFormatError

__all__ = ["embed", "page_html", "write_file"]

_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def embed(data: Any) -> str:
    r"""``data`` as JSON that is safe inside a ``<script>`` element.

    ``<``, ``>`` and ``&`` are written as ``\u`` escapes, so no text in the
    data (a deal named ``</script><script>...``) can end the element.

    >>> print(embed({"name": "</script><b>"}))
    {"name":"\u003c/script\u003e\u003cb\u003e"}
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in _ESCAPES.items():
        text = text.replace(raw, escaped)
    return text


def _asset(name: str) -> str:
    return (resources.files("salesflow.cli._page") / name).read_text(encoding="utf-8")


def page_html(data: Any) -> str:
    """The inspection page of ``data`` (from :func:`~salesflow.cli._page.page_data`)."""
    return Template(_asset("page.html")).substitute(
        title=html.escape(str(data["title"])),
        style=_asset("page.css"),
        script=_asset("page.js"),
        data=embed(data),
    )


def write_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (the old file or the new one, never a mix).

    Raises:
        FileFormatError: The file cannot be written.
    """
    try:
        replace_bytes(path, text.encode("utf-8"))
    except OSError as exc:
        raise FileFormatError(str(path), f"cannot write: {exc.strerror or exc}") from exc
