"""The ``salesflow`` command line (``pip install 'salesflow[cli]'``: click and rich).

``salesflow demo`` inspects a synthetic pipeline; ``salesflow report`` does
the same on your data; ``salesflow process`` checks, lists and draws
processes; ``salesflow import`` turns CRM exports into salesflow JSON. Exit
status: 0 ok, 1 data problems found, 2 usage error. ``python -m salesflow``
runs the same. Without the extra, :func:`main` says what to install.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from salesflow.errors import MissingExtraError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` (default: the process's arguments); return the exit status."""
    for module in ("click", "rich"):
        try:
            importlib.import_module(module)
        except ImportError:
            sys.stderr.write(f"salesflow: error: {MissingExtraError('cli', module)}\n")
            return 2
    from salesflow.cli._app import run  # only now: it needs click and rich

    return run(argv)
