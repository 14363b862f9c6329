"""Build a report with a progress bar, then write it in the format asked for."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from salesflow.cli._output import Output
from salesflow.cli._page import write_file
from salesflow.cli._render import as_csv, as_json, print_report
from salesflow.cli._report import Report
from salesflow.cli._terminal import safe_lines, safe_text
from salesflow.fiscal import FiscalCalendar
from salesflow.io._progress import reading
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
    help="Replace an existing --html or --html-static file.",
)

_HTML = click.option(
    "--html",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the pipeline inspection page: one self-contained HTML file with tiles, "
    "filters, a sortable deal list, each deal's history and inline charts (no network "
    "access when viewed).",
)

_HTML_STATIC = click.option(
    "--html-static",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the report as a static HTML document for printing and e-mail: the "
    "tables and PNG charts (needs matplotlib: the plots extra).",
)


_LOCALE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}")


def _remember_locale(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
    if value is None:
        return
    if not _LOCALE_TAG.fullmatch(value):
        raise click.BadParameter(
            f"{safe_text(value)!r}: expected a language tag such as en, de-DE or fr-CH",
            param_hint="'--locale'",
        )
    ctx.meta["salesflow.locale"] = value


_LOCALE = click.option(
    "--locale",
    metavar="TAG",
    expose_value=False,
    callback=_remember_locale,
    help="How the --html page writes numbers and money: a language tag such as de-DE "
    "(1.234,56 €) or en-US (default: en).",
)


def HTML(function: Callable[..., Any]) -> Callable[..., Any]:
    """The ``--html FILE`` and ``--html-static FILE`` options, with ``--force``."""
    return _HTML(_HTML_STATIC(_LOCALE(FORCE(function))))


def build(out: Output, sections: int, make: Callable[[Callable[[str], None]], Report]) -> Report:
    """Run ``make`` with a step callback that drives a progress bar of ``sections`` steps."""
    with out.progress() as progress:
        task = progress.add_task("loading", total=sections)

        def step(name: str) -> None:
            progress.update(task, advance=1, description=name)

        def advanced(name: str, done: int, total: int) -> None:  # while the files are read
            what = safe_text(Path(name).name if "." in name else name)
            progress.update(task, description=f"loading {what}: {done:,} of {total:,} records")

        with reading(advanced):
            return make(step)


def _refuse_existing(path: Path, option: str) -> None:
    if path.exists() and not click.get_current_context().meta.get("salesflow.force"):
        raise click.BadParameter(
            f"{safe_text(path)} exists; pass --force to replace it", param_hint=f"'{option}'"
        )


def emit(
    out: Output,
    report: Report,
    fmt: str,
    html: Path | None,
    html_static: Path | None = None,
) -> None:
    """Write ``report`` to stdout as ``fmt``, to ``html`` as the page and to ``html_static``."""
    for path, option in ((html, "--html"), (html_static, "--html-static")):
        if path is not None:
            _refuse_existing(path, option)
    if html is not None:
        locale = click.get_current_context().meta.get("salesflow.locale", "en")
        write_file(html, report.to_html(locale=locale))
        out.note(f"wrote {html}")
    if html_static is not None:
        from salesflow.cli._html import write_html  # needs matplotlib only when asked

        write_html(html_static, report)
        out.note(f"wrote {html_static}")
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
