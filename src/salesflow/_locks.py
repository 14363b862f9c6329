"""Per-object locks for the verbs that change an entity, without a field on the entity.

A verb that checks and then changes an opportunity (``move``, ``change_amount``
...) holds the lock of that opportunity for the whole check-and-change, so
concurrent callers on one opportunity take turns: a move checked against a
stage another thread is leaving can no longer slip through. The locks are a
fixed table of re-entrant locks chosen by the object's identity, so entities
stay plain data (picklable, copyable, serialised without a lock) and opening
or replaying opportunities costs nothing extra. Two opportunities may share a
lock; that only makes them take turns too.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["exclusive", "locked"]

_LOCKS = tuple(threading.RLock() for _ in range(64))

F = TypeVar("F", bound=Callable[..., Any])


def exclusive(obj: object) -> threading.RLock:
    """The lock of ``obj``: hold it to check and change ``obj`` as one step."""
    return _LOCKS[(id(obj) >> 4) % len(_LOCKS)]


def locked(method: F) -> F:
    """Run ``method`` holding the lock of its ``self``."""

    @functools.wraps(method)
    def wrapper(self: object, *args: Any, **kwargs: Any) -> Any:
        with exclusive(self):
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
