"""``salesflow demo``."""

from __future__ import annotations

import click

from salesflow.cli._output import Output
from salesflow.cli._walkthrough import walkthrough

__all__ = ["demo"]


@click.command("demo")
@click.pass_obj
def demo(out: Output) -> None:
    """Walk an example opportunity through its life."""
    for line in walkthrough().splitlines():
        out.line(line)
