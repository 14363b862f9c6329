"""Build a report with a progress bar, then write it in the format asked for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from salesflow.cli._output import Output
from salesflow.cli._render import as_csv, as_json, print_report
from salesflow.cli._report import Report
from salesflow.cli._terminal import safe_lines

__all__ = ["FORMAT", "HTML", "build", "emit"]

FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Tables for people, or every row as JSON or CSV (long form: section,row,column,value).",
)
HTML = click.option(
    "--html",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a self-contained HTML page with the tables and plots (needs matplotlib: "
    "the plots extra).",
)


def build(out: Output, sections: int, make: Callable[[Callable[[str], None]], Report]) -> Report:
    """Run ``make`` with a step callback that drives a progress bar of ``sections`` steps."""
    with out.progress() as progress:
        task = progress.add_task("loading", total=sections)

        def step(name: str) -> None:
            progress.update(task, advance=1, description=name)

        return make(step)


def emit(out: Output, report: Report, fmt: str, html: Path | None) -> None:
    """Write ``report`` to stdout as ``fmt``, and to ``html`` as a page if asked."""
    if html is not None:
        from salesflow.cli._html import write_html  # needs matplotlib only when asked

        write_html(html, report)
        out.note(f"wrote {html}")
    if fmt == "json":
        out.raw(as_json(report))
    elif fmt == "csv":
        text = as_csv(report)
        out.raw(safe_lines(text) if out.stdout.is_terminal else text)
    else:
        print_report(out, report)
