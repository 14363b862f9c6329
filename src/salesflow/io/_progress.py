"""Progress of a long read: a callback a caller (the CLI) may set, told every few thousand records."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["EVERY", "Listener", "reading", "tell"]

Listener = Callable[[str, int, int], None]
"""Called with the file's name, the records read so far, and about how many it holds."""

EVERY = 5_000
"""How many records pass between two calls."""

_listener: ContextVar[Listener | None] = ContextVar("salesflow_read_progress", default=None)


@contextmanager
def reading(listener: Listener) -> Iterator[None]:
    """Tell ``listener`` how the reads made inside the block advance.

    >>> seen = []
    >>> with reading(lambda name, done, total: seen.append((name, done))):
    ...     tell("a.csv", 0, 10)
    >>> seen
    [('a.csv', 0)]
    """
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def tell(name: str, done: int, total: int) -> None:
    """Report ``done`` of about ``total`` records of ``name`` to the listener, if one is set."""
    listener = _listener.get()
    if listener is not None:
        listener(name, done, total)
