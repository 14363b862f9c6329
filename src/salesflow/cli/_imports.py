"""``salesflow import salesforce ... --out FILE``: CRM exports to salesflow JSON."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from rich.table import Table
from rich.text import Text

from salesflow.cli._output import Output
from salesflow.cli._processes import load_process
from salesflow.cli._terminal import safe_text
from salesflow.io import (
    CloseDatePolicy,
    ImportResult,
    Refusal,
    read_salesforce_csv,
    read_salesforce_json,
)
from salesflow.serialization import dumps

__all__ = ["import_group"]

_EXAMPLES = 3


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


def _common(function: Callable[..., Any]) -> Callable[..., Any]:
    """The options every importer shares."""
    for option in reversed(
        (
            click.option(
                "--process",
                "process_name",
                default="salesforce",
                show_default=True,
                help="Process file or preset whose stages the data must name.",
            ),
            click.option(
                "--out",
                type=click.Path(dir_okay=False, writable=True, path_type=Path),
                required=True,
                help="Where to write: a .json file (salesflow JSON).",
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
        )
    ):
        function = option(function)
    return function


def _options(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {
        "process": load_process(kwargs.pop("process_name")),
        "aliases": _aliases(kwargs.pop("aliases")),
        "close_dates": _close_dates(kwargs.pop("close_dates")),
        "currency": kwargs.pop("currency"),
        "timezone": _zone(kwargs.pop("zone")),
        "imported_at": datetime.now(timezone.utc),
    }


def _write(out: Path, result: ImportResult) -> None:
    if out.suffix.lower() != ".json":
        raise click.BadParameter(f"{safe_text(out)}: expected a .json file", param_hint="'--out'")
    text = dumps(list(result.opportunities))
    out.write_text(text + "\n", encoding="utf-8")


def _report(output: Output, result: ImportResult, out: Path) -> None:
    """Counts per kind on stdout; the refused records, numbered, after them."""
    table = Table(title=f"Imported into {safe_text(out)}", title_justify="left")
    for name in ("Kind", "Read", "Imported", "Refused"):
        table.add_column(name, justify="left" if name == "Kind" else "right")
    for kind, count in result.read.items():
        refused = result.refused_count(kind)
        table.add_row(
            Text(safe_text(kind)),
            str(count),
            str(result.taken.get(kind, 0)),
            Text(str(refused), style="red bold" if refused else ""),
        )
    output.print(table)
    if result.refused:
        groups: dict[tuple[str, str], list[Refusal]] = {}
        for refusal in result.refused:
            groups.setdefault((refusal.kind, refusal.reason), []).append(refusal)
        refusals = Table(title="Refused records, by reason", title_justify="left")
        for name in ("Kind", "Reason", "Records", "Which"):
            refusals.add_column(name, justify="right" if name == "Records" else "left")
        for (kind, reason), members in sorted(groups.items(), key=lambda g: -len(g[1])):
            which = ", ".join(
                f"{Path(r.source).name} #{r.record}" + (f" ({r.id})" if r.id else "")
                for r in members[:_EXAMPLES]
            )
            more = f" and {len(members) - _EXAMPLES} more" if len(members) > _EXAMPLES else ""
            refusals.add_row(
                Text(safe_text(kind)),
                Text(safe_text(reason)),
                str(len(members)),
                Text(safe_text(which + more)),
            )
        output.print(refusals)
    by_field: dict[str, list[str]] = {}
    for note in result.notes:
        by_field.setdefault(note.field, []).append(note.message)
    for field, messages in by_field.items():
        output.line(f"{field} filled in for {len(messages)} records, e.g. {messages[0]}")


def _finish(ctx: click.Context, result: ImportResult, out: Path) -> None:
    output: Output = ctx.obj
    _write(out, result)
    _report(output, result, out)
    if result.refused:
        ctx.exit(1)


@click.group("import")
def import_group() -> None:
    """Import CRM exports into salesflow JSON, with every refused record reported.

    Exit status 1 when any record was refused (the rest is still written).
    """


@import_group.command("salesforce")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--history",
    type=click.Path(exists=True, dir_okay=False),
    help="CSV: OpportunityHistory export.",
)
@click.option(
    "--contact-roles",
    type=click.Path(exists=True, dir_okay=False),
    help="CSV: OpportunityContactRole export.",
)
@click.option(
    "--accounts", type=click.Path(exists=True, dir_okay=False), help="CSV: Account export."
)
@click.option(
    "--contacts", type=click.Path(exists=True, dir_okay=False), help="CSV: Contact export."
)
@_common
@click.pass_context
def salesforce(ctx: click.Context, /, files: tuple[str, ...], out: Path, **kwargs: Any) -> None:
    """Salesforce tree-import JSON files (or a data plan), or an Opportunity CSV export.

    JSON: give every tree file (or the data-plan.json). CSV: give the
    Opportunity export; --history, --contact-roles, --accounts and --contacts
    add the other exports.
    """
    tables = {key: kwargs.pop(key) for key in ("history", "contact_roles", "accounts", "contacts")}
    options = _options(kwargs)
    if all(Path(f).suffix.lower() == ".csv" for f in files):
        if len(files) != 1:
            raise click.UsageError("give one Opportunity CSV; the other exports by their options")
        result = read_salesforce_csv(files[0], **tables, **options)
    elif any(tables.values()):
        raise click.UsageError("--history, --contact-roles, --accounts, --contacts are for CSV")
    else:
        result = read_salesforce_json(*files, **options)
    _finish(ctx, result, out)
