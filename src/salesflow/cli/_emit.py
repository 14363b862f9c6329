"""Build a report with a progress bar, then write it in the format asked for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from salesflow.cli._output import Output
from salesflow.cli._render import as_csv, as_json, print_report
from salesflow.cli._report import Report
from salesflow.cli._terminal import safe_lines, safe_text
from salesflow.fiscal import FiscalCalendar
from salesflow.io.plans import read_calendar

__all__ = ["FISCAL_YEAR_START", "FORMAT", "HTML", "build", "calendar_from", "emit"]

FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Tables for people, or every row as JSON or CSV (long form: section,row,column,value).",
)


def _remember_force(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta["salesflow.force"] = True


FORCE = click.option(
    "--force",
    is_flag=True,
    expose_value=False,
    callback=_remember_force,
    help="Replace an existing --html file.",
)

_HTML = click.option(
    "--html",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a self-contained HTML page with the tables and plots (needs matplotlib: "
    "the plots extra).",
)


def HTML(function: Callable[..., Any]) -> Callable[..., Any]:
    """The ``--html FILE`` option, with ``--force`` to replace an existing page."""
    return _HTML(FORCE(function))


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

        if html.exists() and not click.get_current_context().meta.get("salesflow.force"):
            raise click.BadParameter(
                f"{safe_text(html)} exists; pass --force to replace it", param_hint="'--html'"
            )

        write_html(html, report)
        out.note(f"wrote {html}")
    if fmt == "json":
        out.raw(as_json(report))
    elif fmt == "csv":
        text = as_csv(report)
        out.raw(safe_lines(text) if out.stdout.is_terminal else text)
    else:
        print_report(out, report)


_CALENDAR = click.option(
    "--calendar",
    "calendar_file",
    type=click.Path(exists=True, dir_okay=False),
    help="A fiscal calendar file instead of --fiscal-year-start: YAML/JSON (kind: standard, "
    "weeks or listed; e.g. kind: weeks, pattern: 4-4-5, end_month: 12, week_start: Sunday) or "
    "a CSV of periods (Salesforce's Period export).",
)


def calendar_from(fiscal_year_start: int, calendar_file: str | None) -> FiscalCalendar:
    """The report's fiscal calendar: the ``--calendar`` file's, or standard years from a month."""
    if calendar_file is None:
        return FiscalCalendar.standard(fiscal_year_start)
    if fiscal_year_start != 1:
        raise click.UsageError("give --calendar or --fiscal-year-start, not both")
    return read_calendar(calendar_file)


_FISCAL_YEAR_START = click.option(
    "--fiscal-year-start",
    default=1,
    show_default=True,
    type=click.IntRange(1, 12),
    metavar="MONTH",
    help="The month your fiscal year starts in (1 = January): the forecast covers the fiscal "
    "quarter that holds the report's moment, labelled FY<year> Q<n> (the year it ends in).",
)


def FISCAL_YEAR_START(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--fiscal-year-start MONTH`` and ``--calendar FILE`` (see :func:`calendar_from`)."""
    return _FISCAL_YEAR_START(_CALENDAR(function))
