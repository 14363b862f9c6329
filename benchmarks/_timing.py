"""One call timed: its result, wall-clock seconds and CPU seconds (all threads)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def timed(call: Callable[[], Any]) -> tuple[Any, float, float]:
    """The result, wall seconds and CPU seconds (all threads) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return result, time.perf_counter() - wall, time.process_time() - cpu
