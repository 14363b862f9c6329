"""``salesflow import salesforce|hubspot|csv ... --out FILE``: CRM exports to salesflow JSON or Parquet."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from salesflow._atomic import atomic_file
from salesflow.cli._load import import_options, read_tables, reader_options, table_options
from salesflow.cli._output import Output
from salesflow.cli._terminal import safe_text
from salesflow.errors import FileFormatError
from salesflow.io import (
    DataSet,
    ImportedFrames,
    ImportResult,
    Refusal,
    read_hubspot_csv,
    read_hubspot_frames,
    read_salesforce_csv,
    read_salesforce_frames,
    read_salesforce_json,
    read_salesforce_json_frames,
    write_json,
    write_parquet,
)
from salesflow.io._progress import reading

__all__ = ["import_group"]

_EXAMPLES = 3
_EXISTING = click.Path(exists=True, dir_okay=False)
_OUT = click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write: .json (salesflow JSON) or .parquet (the snapshot; history, "
    "activities and contact roles beside it as NAME.history.parquet, "
    "NAME.activities.parquet and NAME.contact_roles.parquet).",
)


def _remember_force(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    ctx.meta["salesflow.force"] = value


_FORCE = click.option(
    "--force",
    is_flag=True,
    expose_value=False,
    callback=_remember_force,
    help="Replace an existing --out file (an import with refused records never replaces one).",
)


def _targets(out: Path) -> list[Path]:
    if out.suffix.lower() == ".json":
        return [out]
    return [
        out,
        out.with_name(out.stem + ".history.parquet"),
        out.with_name(out.stem + ".activities.parquet"),
        out.with_name(out.stem + ".contact_roles.parquet"),
    ]


def _check_out(out: Path) -> None:
    if out.suffix.lower() not in (".json", ".parquet"):
        raise click.BadParameter(
            f"{safe_text(out)}: expected a .json or .parquet file", param_hint="'--out'"
        )


def _write(out: Path, result: ImportResult) -> list[Path]:
    """Write salesflow JSON (everything), or Parquet: one file per table beside ``out``."""
    if out.suffix.lower() == ".json":
        data = DataSet(
            opportunities=result.opportunities,
            accounts=result.accounts,
            contacts=result.contacts,
            activities=result.activities,
        )
        write_json(out, data)
        return [out]
    _, history, activities, roles = _targets(out)
    write_parquet(out, result.opportunities, table="snapshot")
    write_parquet(history, result.opportunities, table="history")
    write_parquet(activities, result.activities, table="activities")
    write_parquet(roles, result.opportunities, table="contact_roles")
    return [out, history, activities, roles]


_TABLES = ("snapshot", "history", "activities", "contact_roles")


def _write_frames(out: Path, result: ImportedFrames) -> list[Path]:
    """Write the tables of a columnar import as Parquet, as :func:`_write` writes objects'."""
    targets = _targets(out)
    for path, table in zip(targets, _TABLES, strict=True):
        try:
            with atomic_file(path, "wb") as handle:
                getattr(result.frames, table).write_parquet(handle)
        except OSError as exc:
            raise FileFormatError(str(path), f"cannot write: {exc}") from exc
    return targets


def _report(output: Output, result: ImportResult | ImportedFrames, out: str) -> None:
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


def _run(
    ctx: click.Context,
    out: Path,
    read: Callable[[], Any],
    write: Callable[[Path, Any], list[Path]] = _write,
) -> None:
    """Read (with a progress display on a terminal), write, show counts and refusals.

    ``read`` returns an :class:`ImportResult` (written by :func:`_write`) or
    an :class:`ImportedFrames` (given ``write=_write_frames``). An existing
    target is replaced only with ``--force``, and never by an import that
    refused records (that one is written only where no file is).
    """
    output: Output = ctx.obj
    force = bool(ctx.meta.get("salesflow.force"))
    _check_out(out)
    existing = [path for path in _targets(out) if path.exists()]
    if existing and not force:
        raise click.BadParameter(
            f"{safe_text(existing[0])} exists; pass --force to replace it",
            param_hint="'--out'",
        )
    with output.progress() as progress:
        task = progress.add_task("reading", total=None)

        def advanced(name: str, done: int, total: int) -> None:
            what = safe_text(Path(name).name if "." in name else name)
            description = f"{what}: {done:,} of {total:,} records"
            progress.update(task, description=description, completed=done, total=total or None)

        with reading(advanced):
            result = read()
        progress.update(task, description="writing", completed=0, total=1)
        if result.refused and existing:
            written: list[Path] = []
        else:
            written = write(out, result)
        progress.update(task, completed=1)
    if not written:
        _report(output, result, "nothing (see below)")
        output.note(
            f"not written: {len(result.refused)} records were refused, and a partial import "
            f"never replaces an existing file ({safe_text(existing[0])} is unchanged)"
        )
    else:
        _report(output, result, ", ".join(str(path) for path in written))
    if result.refused:
        ctx.exit(1)


@click.group("import")
def import_group() -> None:
    """Import CRM exports into salesflow JSON or Parquet, every refused record reported.

    Exit status 1 when any record was refused (the rest is still written).
    """


@import_group.command("salesforce")
@click.argument("files", nargs=-1, required=True, type=_EXISTING)
@click.option("--history", type=_EXISTING, help="CSV: OpportunityHistory export.")
@click.option("--contact-roles", type=_EXISTING, help="CSV: OpportunityContactRole export.")
@click.option("--accounts", type=_EXISTING, help="CSV: Account export.")
@click.option("--contacts", type=_EXISTING, help="CSV: Contact export.")
@_OUT
@_FORCE
@import_options
@click.pass_context
def salesforce(ctx: click.Context, /, files: tuple[str, ...], out: Path, **kwargs: Any) -> None:
    """Salesforce tree-import JSON files (or a data plan), or an Opportunity CSV export.

    JSON: give every tree file (or the data-plan.json). CSV: give the
    Opportunity export; --history, --contact-roles, --accounts and --contacts
    add the other exports. An Opportunity CSV (with --history or not) into
    Parquet is read in columns, without building an object per deal: the
    same records taken and refused, the same tables, 12-16x faster; tree
    files into Parquet too, where their shape allows (about 3x faster).
    """
    tables = {key: kwargs.pop(key) for key in ("history", "contact_roles", "accounts", "contacts")}
    options = reader_options(kwargs)
    if all(Path(f).suffix.lower() == ".csv" for f in files):
        if len(files) != 1:
            raise click.UsageError("give one Opportunity CSV; the other exports by their options")
        if out.suffix.lower() == ".parquet" and not any(
            tables[k] for k in ("contact_roles", "accounts", "contacts")
        ):  # the columnar path: the same records, refusals and tables, no objects
            history = tables["history"]
            _run(
                ctx,
                out,
                lambda: read_salesforce_frames(files[0], history=history, **options),
                _write_frames,
            )
            return
        _run(ctx, out, lambda: read_salesforce_csv(files[0], **tables, **options))
    elif any(tables.values()):
        raise click.UsageError("--history, --contact-roles, --accounts, --contacts are for CSV")
    elif out.suffix.lower() == ".parquet":  # in columns: the same records, refusals, tables
        _run(ctx, out, lambda: read_salesforce_json_frames(*files, **options), _write_frames)
    else:
        _run(ctx, out, lambda: read_salesforce_json(*files, **options))


@import_group.command("hubspot")
@click.argument("deals", type=_EXISTING)
@click.option("--pipeline", help="Only deals of this pipeline (its id or label).")
@_OUT
@_FORCE
@import_options
@click.pass_context
def hubspot(
    ctx: click.Context, /, deals: str, pipeline: str | None, out: Path, **kwargs: Any
) -> None:
    """A HubSpot deals CSV export (stage ids or labels; hs_date_entered_* becomes history).

    The process defaults to the hubspot preset here. Into Parquet the export is
    read in columns, without building an object per deal: the same deals taken
    and refused, the same tables.
    """
    if kwargs["process_name"] == "salesforce":
        kwargs["process_name"] = "hubspot"
    options = reader_options(kwargs)
    if out.suffix.lower() == ".parquet":  # the columnar path: no objects
        _run(
            ctx,
            out,
            lambda: read_hubspot_frames(deals, pipeline=pipeline, **options),
            _write_frames,
        )
        return
    _run(ctx, out, lambda: read_hubspot_csv(deals, pipeline=pipeline, **options))


@import_group.command("csv")
@click.argument("snapshot", type=_EXISTING)
@table_options
@_OUT
@_FORCE
@import_options
@click.pass_context
def table(ctx: click.Context, /, snapshot: str, out: Path, **kwargs: Any) -> None:
    """Generic tables: a CSV, Parquet or JSON Lines snapshot, through a column-name preset.

    --history and --activities add the other tables; --columns says what the
    files call salesflow's columns (salesflow, salesforce or maven). A
    snapshot (with --history or not) into Parquet is read in columns,
    without building an object per deal: the same records taken and refused,
    the same tables.
    """
    options = reader_options(kwargs)
    suffixes = (Path(snapshot).suffix.lower(), out.suffix.lower())
    if suffixes[1] == ".parquet" and kwargs.get("activities") is None:
        # the columnar path: the same records, refusals and tables, no objects
        _run(
            ctx,
            out,
            lambda: read_tables(snapshot, kwargs, options, columnar=True),
            _write_frames,
        )
        return
    _run(ctx, out, lambda: read_tables(snapshot, kwargs, options))
