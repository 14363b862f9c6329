"""Where a command writes: rich consoles on stdout and stderr, created per run."""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from salesflow.cli._terminal import safe_text

__all__ = ["Output"]


class Output:
    """The streams of one run: results on stdout, progress and problems on stderr.

    Consoles are made when the command runs (not at import), so they write to
    whatever ``sys.stdout`` is then; colour only on a terminal, never with
    ``NO_COLOR`` set. Markup is off: text from data is never read as styles.
    """

    def __init__(self, *, debug: bool = False, quiet: bool = False) -> None:
        self.debug = debug
        self.quiet = quiet
        self.stdout = Console(file=sys.stdout, markup=False, highlight=False, emoji=False)
        self.stderr = Console(file=sys.stderr, markup=False, highlight=False, emoji=False)

    def print(self, *renderables: Any) -> None:
        """Render rich objects (tables, text) on stdout."""
        self.stdout.print(*renderables)

    def line(self, text: str, *, style: str = "") -> None:
        """One line of text from data, escaped, on stdout."""
        self.stdout.print(Text(safe_text(text), style=style), soft_wrap=True)

    def raw(self, text: str) -> None:
        """Text written as it is (JSON, CSV, Mermaid): no styles, no wrapping."""
        sys.stdout.write(text if text.endswith("\n") else text + "\n")

    def note(self, text: str, *, style: str = "") -> None:
        """A line for people on stderr (not part of the output)."""
        if not self.quiet:
            self.stderr.print(Text(safe_text(text), style=style), soft_wrap=True)

    def progress(self) -> Progress:
        """A progress display on stderr; it draws only on a terminal, and not with ``--quiet``."""
        return Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=self.stderr,
            transient=True,
            disable=self.quiet or not self.stderr.is_terminal,
        )
