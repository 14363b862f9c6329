"""Terminal output that user data cannot hijack, on any stream the shell gives us.

User text (stage names, deal names, file content) may hold ANSI escape codes,
other control characters, bidirectional overrides or lone surrogates. Every
string from data goes through :func:`safe_text` before it reaches a terminal,
and :func:`harden_streams` makes stdout and stderr write what they cannot
encode as backslash escapes instead of raising.
"""

from __future__ import annotations

import io
import re
import sys

__all__ = ["harden_streams", "safe_json", "safe_lines", "safe_text"]

# C0 and C1 controls, DEL, the line and paragraph separators, and the bidirectional
# marks (embedding, override, isolate, the Arabic letter mark).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
# json.dumps escapes C0 controls in strings itself; outside strings only its own whitespace.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def safe_text(value: object) -> str:
    r"""``value`` as text that prints as itself on a terminal.

    Control characters (including newlines and tabs) and bidirectional marks
    become visible escapes; a lone surrogate becomes its ``\udcxx`` escape.

    >>> safe_text("Won\x1b[2J")
    'Won\\x1b[2J'
    >>> safe_text("line\nbreak")
    'line\\nbreak'
    >>> safe_text("bad \udc80 byte")
    'bad \\udc80 byte'
    >>> safe_text(42)
    '42'
    """
    text = value if isinstance(value, str) else str(value)
    text = text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    text = _UNSAFE.sub(_escape, text)
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def safe_lines(text: str) -> str:
    r"""Each line of ``text`` through :func:`safe_text`, the line breaks kept.

    >>> safe_lines("a\x1b[31m\nb")
    'a\\x1b[31m\nb'
    """
    return "\n".join(safe_text(line) for line in text.split("\n"))


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def safe_json(text: str) -> str:
    r"""JSON text with every character a terminal might act on written as a ``\uXXXX`` escape.

    ``json.dumps`` escapes C0 controls but not DEL, C1 controls or
    bidirectional marks; the escapes stand for the same characters, so the
    JSON reads back unchanged.

    >>> import json
    >>> text = safe_json(json.dumps({"name": "A\u202eB\x9b"}, ensure_ascii=False, indent=1))
    >>> text
    '{\n "name": "A\\u202eB\\u009b"\n}'
    >>> json.loads(text)["name"] == "A\u202eB\x9b"
    True
    """
    return _UNSAFE_IN_JSON.sub(_json_escape, text)


def harden_streams() -> None:
    """Make stdout and stderr escape what their encoding cannot write.

    Under a non-UTF-8 locale (``LANG=C``, ``PYTHONIOENCODING=ascii``) a euro
    sign or an accented name would otherwise end the program with a
    ``UnicodeEncodeError``; here it prints as a backslash escape.
    """
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # a closed or detached stream: nothing to harden
                continue
