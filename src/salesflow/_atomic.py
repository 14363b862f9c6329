"""Writing a file so that it holds either its old content or the new, never a mix.

Every write salesflow makes to a path goes through here: the bytes go to a
temporary file in the target's folder (``.NAME.*.tmp``), are flushed to disk
(``fsync``), and then the temporary file replaces the target in one step
(``os.replace``). On an error or an exception the temporary file is removed
and the target is untouched. A process killed outright (``SIGKILL``, a power
cut) between creating and renaming leaves the old target intact and may leave
the ``.NAME.*.tmp`` file behind: nothing can remove it then; it is safe to delete.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_file", "replace_bytes"]


def _mode_for(target: Path) -> int:
    """The permission bits the written file gets: the old file's, else the umask's default."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO[Any]]:
    """A handle on a temporary file that replaces ``path`` when the block ends without error.

    ``mode`` is ``"w"`` (text, UTF-8, newlines as written) or ``"wb"``.

    Raises:
        OSError: The folder cannot hold the temporary file, or the rename fails
            (the target is then untouched and the temporary file removed).
    """
    file = Path(path)
    target = file.resolve() if file.is_symlink() else file
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    done = False
    try:
        if "b" in mode:
            handle: IO[Any] = os.fdopen(fd, "wb")
        else:
            handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
        done = True
    finally:
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def replace_bytes(path: str | os.PathLike[str], payload: bytes) -> None:
    """Write ``payload`` to ``path`` atomically (see :func:`atomic_file`).

    Raises:
        OSError: The file cannot be written; the target is untouched.
    """
    with atomic_file(path, "wb") as handle:
        handle.write(payload)
