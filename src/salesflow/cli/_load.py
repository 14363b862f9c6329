"""Reading what the commands are given: CRM exports, tables, salesflow JSON.

Everything goes through :mod:`salesflow.io`, so the report and the import
command read a file the same way and refuse the same records.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from salesflow.cli._processes import load_process
from salesflow.cli._terminal import safe_text
from salesflow.columns import Columns
from salesflow.io import (
    MAX_IMPORT_BYTES,
    CloseDatePolicy,
    ImportedFrames,
    ImportResult,
    read_csv,
    read_csv_frames,
    read_json,
    read_jsonl,
    read_jsonl_frames,
    read_parquet,
    read_parquet_frames,
)

__all__ = ["COLUMN_PRESETS", "import_options", "read_tables", "read_documents", "reader_options"]

COLUMN_PRESETS: dict[str, Callable[[], Columns]] = {
    "salesflow": Columns.salesflow,
    "salesforce": Columns.salesforce,
    "maven": Columns.maven,
}

_TABLE_SUFFIXES = (".csv", ".parquet", ".jsonl")


def _close_dates(text: str | None) -> CloseDatePolicy | None:
    """``refuse``, ``fixed:2026-03-31`` or ``after-created:90``."""
    if text is None:
        return None
    rule, _, value = text.partition(":")
    try:
        if rule == "refuse" and not value:
            return CloseDatePolicy.refuse()
        if rule == "fixed":
            return CloseDatePolicy.fixed(date.fromisoformat(value))
        if rule == "after-created":
            return CloseDatePolicy.after_created(days=int(value))
    except ValueError:
        pass
    raise click.BadParameter(
        f"{safe_text(text)!r}: expected refuse, fixed:YYYY-MM-DD or after-created:DAYS",
        param_hint="'--close-dates'",
    )


def _zone(text: str | None) -> tzinfo | None:
    if text is None:
        return None
    if text.upper() == "UTC":
        return timezone.utc
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise click.BadParameter(
            f"{safe_text(text)!r} is not a time zone (e.g. UTC, Europe/Berlin)",
            param_hint="'--timezone'",
        ) from exc


def _aliases(pairs: tuple[str, ...]) -> dict[str, str] | None:
    found = {}
    for pair in pairs:
        source, sep, target = pair.partition("=")
        if not sep or not source or not target:
            raise click.BadParameter(
                f"{safe_text(pair)!r}: expected SOURCE=STAGE", param_hint="'--alias'"
            )
        found[source] = target
    return found or None


_EXISTING = click.Path(exists=True, dir_okay=False)


def import_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The options every reader shares (process, currency, time zone, aliases, close dates)."""
    for option in reversed(
        (
            click.option(
                "--process",
                "process_name",
                default="salesforce",
                show_default=True,
                help="Process file or preset whose stages the data must name.",
            ),
            click.option("--currency", help="Currency of amounts the source gives without one."),
            click.option(
                "--timezone", "zone", help="Zone of timestamps written without an offset."
            ),
            click.option(
                "--alias",
                "aliases",
                multiple=True,
                metavar="SOURCE=STAGE",
                help="Read a source stage name as a process stage (repeatable).",
            ),
            click.option(
                "--close-dates",
                metavar="RULE",
                help="Open deals without a close date: refuse (default), "
                "fixed:YYYY-MM-DD or after-created:DAYS.",
            ),
            click.option(
                "--max-bytes",
                type=click.IntRange(min=1),
                default=MAX_IMPORT_BYTES,
                show_default=True,
                metavar="BYTES",
                help="The largest input file to read (only regular files are read).",
            ),
        )
    ):
        function = option(function)
    return function


def table_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The options of a CSV / Parquet / JSON Lines snapshot: its history, activities, column names."""
    for option in reversed(
        (
            click.option(
                "--history", type=_EXISTING, help="The history table (CSV / Parquet / JSON Lines)."
            ),
            click.option(
                "--activities",
                type=_EXISTING,
                help="The activity table (CSV / Parquet / JSON Lines).",
            ),
            click.option(
                "--columns",
                "columns_name",
                type=click.Choice(sorted(COLUMN_PRESETS)),
                default="salesflow",
                show_default=True,
                help="What the tables call salesflow's columns.",
            ),
        )
    ):
        function = option(function)
    return function


def reader_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Pop the shared options from a command's arguments, as importer keywords."""
    return {
        "process": load_process(kwargs.pop("process_name")),
        "aliases": _aliases(kwargs.pop("aliases")),
        "close_dates": _close_dates(kwargs.pop("close_dates")),
        "currency": kwargs.pop("currency"),
        "timezone": _zone(kwargs.pop("zone")),
        "imported_at": datetime.now(timezone.utc),
        "max_bytes": kwargs.pop("max_bytes"),
    }


def read_tables(
    snapshot: str, kwargs: dict[str, Any], options: dict[str, Any], *, columnar: bool = False
) -> ImportResult | ImportedFrames:
    """A CSV, Parquet or JSON Lines snapshot, with ``--history``, ``--activities``, ``--columns``.

    With ``columnar``, a snapshot without activities is read straight into
    frames (:func:`~salesflow.io.read_csv_frames`,
    :func:`~salesflow.io.read_parquet_frames`), as a report needs it.
    """
    suffix = Path(snapshot).suffix.lower()
    if suffix not in _TABLE_SUFFIXES:
        raise click.BadParameter(
            f"{safe_text(snapshot)}: expected a .csv, .parquet or .jsonl table",
            param_hint="'FILE'",
        )
    columns = COLUMN_PRESETS[kwargs.pop("columns_name")]()
    tables = {"history": kwargs.pop("history"), "activities": kwargs.pop("activities")}
    if columnar and tables["activities"] is None:
        into_frames = {
            ".csv": read_csv_frames,
            ".parquet": read_parquet_frames,
            ".jsonl": read_jsonl_frames,
        }[suffix]
        return into_frames(snapshot, columns=columns, history=tables["history"], **options)
    read = {".csv": read_csv, ".parquet": read_parquet, ".jsonl": read_jsonl}[suffix]
    return read(snapshot, columns=columns, **tables, **options)


def read_documents(files: tuple[str, ...], *, max_bytes: int = MAX_IMPORT_BYTES) -> ImportResult:
    """Read salesflow JSON files (:func:`salesflow.io.write_json`) as one result."""
    opportunities: list[Any] = []
    activities: list[Any] = []
    for name in files:
        data = read_json(name, max_bytes=max_bytes)
        opportunities += data.opportunities
        activities += data.activities
    return ImportResult(
        opportunities=tuple(opportunities),
        activities=tuple(activities),
        read={"Opportunity": len(opportunities)},
        taken={"Opportunity": len(opportunities)},
    )
