"""Reading a file whole, safely: a regular file, of bounded size, never blocking.

Every path salesflow reads goes through here: process files
(:func:`salesflow.files.read_document`), every importer of
:mod:`salesflow.io` and the command line. A FIFO, a device, a directory or a
socket is refused before it is opened (and checked again on the open file,
so a swap in between is caught too): nothing waits for a writer, nothing
reads ``/dev/zero`` until memory runs out. A file larger than the reader's
limit is refused before a byte of it is read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from typing import Any, BinaryIO

from salesflow.errors import FileFormatError, Problem, ValidationError, shorten

__all__ = [
    "HINT",
    "check_limit",
    "open_regular_file",
    "read_limited",
    "read_regular_file",
    "too_large",
]

_KINDS: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def check_limit(max_bytes: object) -> int:
    """``max_bytes`` if it is a whole number >= 1.

    Raises:
        ValidationError: Anything else, at ``$.max_bytes``.
    """
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise ValidationError(
            [
                Problem(
                    f"expected a whole number of bytes >= 1, got {shorten(max_bytes)}",
                    "$.max_bytes",
                )
            ],
            subject="reading limit",
        )
    return max_bytes


HINT = "raise it with max_bytes=, or --max-bytes on the command line"
"""How to read a larger file, said when an import is refused for its size."""


def too_large(size: int | None, limit: int, hint: str = HINT) -> str:
    """The message of a file over the limit (``size`` if known), saying how to raise it."""
    what = "more" if size is None else f"{size} bytes is more"
    return f"cannot read: {what} than the limit of {limit} bytes; {hint}"


def _unreadable(name: str, exc: Exception) -> FileFormatError:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return FileFormatError(name, f"cannot read: {reason}")


def _not_regular(name: str, mode: int) -> FileFormatError:
    kind = next((what for test, what in _KINDS if test(mode)), "not a file")
    return FileFormatError(name, f"cannot read: not a regular file ({kind})")


def open_regular_file(
    path: str | os.PathLike[str], *, max_bytes: int, hint: str = HINT
) -> BinaryIO:
    """Open ``path`` for reading (binary) if it is a regular file of at most ``max_bytes`` bytes.

    The caller closes the file (``with open_regular_file(...) as handle:``).
    ``hint`` says how to raise the limit, in the message of a file over it.

    Raises:
        FileFormatError: Missing or unreadable, not a regular file (naming what
            it is), or larger than ``max_bytes``.
        ValidationError: ``max_bytes`` is not a whole number >= 1.
    """
    limit = check_limit(max_bytes)
    name = str(path)
    try:
        before = os.stat(path)  # follows symbolic links, like open()
    except (OSError, ValueError, TypeError) as exc:  # ValueError: a NUL in the path
        raise _unreadable(name, exc) from exc
    if not stat.S_ISREG(before.st_mode):  # refused unopened: opening a device has effects
        raise _not_regular(name, before.st_mode)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    except (OSError, ValueError, TypeError) as exc:
        raise _unreadable(name, exc) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # replaced between the two looks
            raise _not_regular(name, info.st_mode)
        if info.st_size > limit:
            raise FileFormatError(name, too_large(info.st_size, limit, hint))
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


_CHUNK = 1 << 20
"""The least a read asks for: reads grow from here, never by the whole limit at once."""


def read_limited(
    read: Callable[[int], object],
    name: str,
    *,
    max_bytes: int,
    expected: int = 0,
    hint: str = HINT,
) -> bytes | str:
    """Everything ``read`` gives until it is exhausted (bytes or text), refused past ``max_bytes``.

    Nothing is allocated for the limit itself: the first read asks for
    ``expected`` (the size the file says it has) plus one, later ones grow.

    Raises:
        FileFormatError: More than ``max_bytes``, a read that fails, or one that
            gives something other than bytes or text.
    """
    parts: list[Any] = []
    total = 0
    want = min(max_bytes + 1, max(expected + 1, _CHUNK))
    while True:
        try:
            part = read(want)
        except (OSError, UnicodeDecodeError, TypeError) as exc:  # TypeError: read() takes no size
            raise _unreadable(name, exc) from exc
        if not isinstance(part, (bytes, str)) or (parts and type(part) is not type(parts[0])):
            raise FileFormatError(name, f"reading gave {type(part).__name__}, not text")
        if not part:
            break
        parts.append(part)
        total += len(part)
        if total > max_bytes:
            raise FileFormatError(name, too_large(None, max_bytes, hint))
        want = min(max_bytes + 1 - total, max(total, _CHUNK))
    if not parts:
        return part
    empty: bytes | str = parts[0][:0]
    return empty.join(parts)  # one part is returned as it is, not copied


def read_regular_file(path: str | os.PathLike[str], *, max_bytes: int, hint: str = HINT) -> bytes:
    """The bytes of ``path``, a regular file of at most ``max_bytes`` bytes; never blocks.

    A file that grows past the limit while it is read is refused too.

    Raises:
        FileFormatError: Missing or unreadable, not a regular file, or too large.
        ValidationError: ``max_bytes`` is not a whole number >= 1.
    """
    with open_regular_file(path, max_bytes=max_bytes, hint=hint) as handle:
        size = os.fstat(handle.fileno()).st_size
        data = read_limited(handle.read, str(path), max_bytes=max_bytes, expected=size, hint=hint)
    assert isinstance(data, bytes)
    return data
