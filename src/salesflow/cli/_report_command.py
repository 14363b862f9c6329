"""``salesflow report FILE...``: the pipeline inspection report on imported data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any

import click

from salesflow.analytics import Rates, frames
from salesflow.analytics._expr import EARLIEST, LATEST
from salesflow.cli._emit import FISCAL_YEAR_START, FORMAT, HTML, build, calendar_from, emit
from salesflow.cli._fit import read_fit_profile, read_fits
from salesflow.cli._load import (
    COLUMN_PRESETS,
    import_options,
    read_documents,
    read_tables,
    reader_options,
    table_options,
)
from salesflow.cli._output import Output
from salesflow.cli._presets import DATA_PRESETS, read_preset
from salesflow.cli._priorities import TOP_OPTION
from salesflow.cli._processes import load_mapping
from salesflow.cli._report import Report, inspect, mapping_for
from salesflow.cli._terminal import safe_text
from salesflow.errors import ValidationError
from salesflow.fiscal import FiscalCalendar
from salesflow.io import HistoryTable, ImportedFrames, ImportResult, read_hierarchy, read_targets

__all__ = ["forecast", "parse_moment", "parse_rates", "read_plans", "report"]


EARLIEST_AS_OF, LATEST_AS_OF = EARLIEST, LATEST


def parse_moment(text: str) -> datetime:
    """``YYYY-MM-DD`` (the end of that day, UTC) or an ISO timestamp (UTC if it has no offset).

    >>> parse_moment("2026-03-31")
    datetime.datetime(2026, 3, 31, 23, 59, 59, 999999, tzinfo=datetime.timezone.utc)
    >>> parse_moment("2026-03-31T09:30:00+02:00").isoformat()
    '2026-03-31T07:30:00+00:00'
    """
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time.max, tzinfo=timezone.utc)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter(
            f"{safe_text(text)!r}: expected YYYY-MM-DD or an ISO timestamp",
            param_hint="'--as-of'",
        ) from exc
    try:
        moment = (
            moment.replace(tzinfo=timezone.utc)
            if moment.tzinfo is None
            else moment.astimezone(timezone.utc)
        )
    except OverflowError:
        moment = datetime.max.replace(tzinfo=timezone.utc)  # refused as out of range below
    if not EARLIEST_AS_OF <= moment.date() <= LATEST_AS_OF:
        raise click.BadParameter(
            f"{safe_text(text)!r}: the report reaches a quarter ahead and weeks back from its "
            f"moment; give a date from {EARLIEST_AS_OF} to {LATEST_AS_OF}",
            param_hint="'--as-of'",
        )
    return moment


def parse_rates(currency: str | None, pairs: tuple[str, ...]) -> Rates | None:
    """``--convert-to USD --rate EUR=1.08`` as :class:`~salesflow.analytics.Rates`."""
    if currency is None:
        if pairs:
            raise click.UsageError("--rate needs --convert-to (the currency to report in)")
        return None
    table = {}
    for pair in pairs:
        code, sep, rate = pair.partition("=")
        if not sep:
            raise click.BadParameter(
                f"{safe_text(pair)!r}: expected CURRENCY=RATE", param_hint="'--rate'"
            )
        table[code] = rate
    try:
        return Rates(currency, table)
    except ValidationError as exc:
        raise click.BadParameter(
            "; ".join(str(p) for p in exc.problems), param_hint="'--convert-to' / '--rate'"
        ) from exc


def read_plans(
    targets_file: str | None,
    teams_file: str | None,
    team_levels: str | None,
    team_top: str | None,
    calendar: FiscalCalendar,
    period: str | None,
) -> dict[str, Any]:
    """``--targets``, ``--teams`` and ``--period`` as :func:`inspect`'s keyword arguments."""
    if (team_levels or team_top) and teams_file is None:
        raise click.UsageError("--team-levels and --team-top go with --teams")
    plans: dict[str, Any] = {}
    if period is not None:
        try:
            plans["period"] = calendar.period(period)
        except ValidationError as exc:
            raise click.BadParameter(
                "; ".join(p.message for p in exc.problems), param_hint="'--period'"
            ) from exc
    if targets_file is not None:
        plans["targets"] = read_targets(targets_file, calendar=calendar)
    if teams_file is not None:
        levels = [c.strip() for c in team_levels.split(",")] if team_levels else None
        plans["hierarchy"] = read_hierarchy(teams_file, levels=levels, top=team_top)
    return plans


def _read(
    files: tuple[str, ...], kwargs: dict[str, Any], options: dict[str, Any]
) -> ImportResult | ImportedFrames:
    suffixes = {Path(name).suffix.lower() for name in files}
    if suffixes == {".json"}:
        if kwargs.get("history") or kwargs.get("activities"):
            raise click.UsageError(
                "--history and --activities go with a CSV, Parquet or JSON Lines snapshot"
            )
        return read_documents(files, max_bytes=options["max_bytes"])
    if len(files) == 1 and suffixes <= {".csv", ".parquet", ".jsonl"}:
        return read_tables(files[0], kwargs, options, columnar=True)
    raise click.UsageError(
        "give salesflow JSON files (salesflow import writes them), or one CSV, Parquet or JSON Lines "
        "snapshot with --history and --activities"
    )


@click.command("report")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@table_options
@import_options
@click.option(
    "--as-of",
    "as_of_text",
    metavar="DATE",
    help="YYYY-MM-DD (end of day, UTC) or an ISO timestamp; the pipeline is rebuilt from "
    "history for that moment (default: now, on the current snapshot).",
)
@click.option(
    "--mapping",
    "mapping_name",
    help="Mapping preset for the buyer-phase view (default: the preset made for the process).",
)
@click.option(
    "--convert-to",
    metavar="CURRENCY",
    help="Report every amount in this currency, converted with the --rate values.",
)
@click.option(
    "--rate",
    "rate_pairs",
    multiple=True,
    metavar="CURRENCY=RATE",
    help="How many units of --convert-to one unit of CURRENCY is worth (repeatable).",
)
@click.option("--seed", default=0, show_default=True, type=int, help="The forecast's seed.")
@FISCAL_YEAR_START
@click.option(
    "--preset",
    "preset_name",
    type=click.Choice(sorted(DATA_PRESETS)),
    help="Read FILE as a known export: its process, columns, currency and the history built "
    "from its stage dates (maven: Maven Analytics' sales_pipeline.csv; maven-spreadsheet: "
    "the same saved from a spreadsheet, its dates M/D/YYYY). The report's moment "
    "is then the file's last date unless --as-of gives one.",
)
@click.option(
    "--targets",
    "targets_file",
    type=click.Path(exists=True, dir_okay=False),
    help="A CSV of targets (node, period, value, currency[, measure, segment]): adds the "
    "attainment section, per owner and team, with the chance of reaching each target.",
)
@click.option(
    "--teams",
    "teams_file",
    type=click.Path(exists=True, dir_okay=False),
    help="A CSV of the forecast hierarchy: node and parent columns, or one row per rep with "
    "its whole path (see --team-levels). Adds the attainment section, rolled up the tree.",
)
@click.option(
    "--team-levels",
    metavar="LEAF,...,TOP",
    help="The --teams file's path columns, rep first (Maven: sales_agent,manager,regional_office).",
)
@click.option(
    "--team-top", metavar="NAME", help="A node above every top node of --teams (e.g. Company)."
)
@click.option(
    "--period",
    metavar="LABEL",
    help="The fiscal period the forecast and the attainment section cover, e.g. 'FY2027 Q1' "
    "or 'FY2027 P03' (default: the quarter holding the report's moment).",
)
@TOP_OPTION
@click.option(
    "--fit-profile",
    "fit_profile_file",
    type=click.Path(exists=True, dir_okay=False),
    help="A fit profile (JSON/TOML/YAML, as salesflow.dumps writes one): the prioritised "
    "pipeline assesses each deal's fit from the snapshot's fit_<criterion> columns (evidence "
    "levels such as none, claimed, confirmed). Without it a fit column (0..1) is used if the "
    "snapshot has one.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 1 when a section rests on no data or could not compute part of what it shows "
    "(its notes say what); the report is printed either way.",
)
@FORMAT
@HTML
@click.pass_context
def report(
    ctx: click.Context,
    /,
    files: tuple[str, ...],
    as_of_text: str | None,
    mapping_name: str | None,
    convert_to: str | None,
    rate_pairs: tuple[str, ...],
    seed: int,
    fiscal_year_start: int,
    calendar_file: str | None,
    preset_name: str | None,
    targets_file: str | None,
    teams_file: str | None,
    team_levels: str | None,
    team_top: str | None,
    period: str | None,
    top: int,
    fit_profile_file: str | None,
    strict: bool,
    fmt: str,
    html: Path | None,
    html_static: Path | None,
    **kwargs: Any,
) -> None:
    """The pipeline inspection report of your data (as salesflow demo shows it).

    FILE is salesflow JSON (from salesflow import or salesflow.io.write_json),
    or one CSV, Parquet or JSON Lines snapshot with --history and --activities, named as
    --columns says. Records that cannot be read are listed on stderr and the
    exit status is 1; the report covers the rest. With --targets or --teams,
    the report ends with each owner's and team's attainment. The prioritised
    pipeline ranks the open deals by amount × win chance × fit, the fit from a
    fit column of the snapshot (0..1) or --fit-profile; without one, by
    amount × win chance, and it says so.
    """
    only: tuple[str, ...] | None = ctx.meta.get("salesflow.only")
    if only is not None and targets_file is None and teams_file is None:
        raise click.UsageError(
            "salesflow forecast needs --targets or --teams (the attainment it shows is per owner "
            "and team against targets)"
        )
    out: Output = ctx.obj
    heading = "Pipeline inspection" if only is None else "Forecast against targets"
    calendar = calendar_from(fiscal_year_start, calendar_file)
    plans = read_plans(targets_file, teams_file, team_levels, team_top, calendar, period)
    options = reader_options(kwargs)
    tabular = preset_name is not None or {Path(f).suffix.lower() for f in files} != {".json"}
    if fit_profile_file is not None and not tabular:
        raise click.UsageError(
            "--fit-profile reads fit_<criterion> columns of a CSV, Parquet or JSON Lines snapshot; "
            "salesflow JSON has no such columns"
        )
    fit_profile = read_fit_profile(fit_profile_file) if fit_profile_file else None
    if preset_name is not None:
        id_column = DATA_PRESETS[preset_name].columns().source("snapshot", "id")
    else:
        id_column = COLUMN_PRESETS[kwargs["columns_name"]]().source("snapshot", "id")
    if preset_name is not None:
        if len(files) != 1:
            raise click.BadParameter("a preset reads one file", param_hint="'FILE'")
        options["process"] = DATA_PRESETS[preset_name].process()
    process = options["process"]
    mapping = load_mapping(mapping_name) if mapping_name else mapping_for(process)
    as_of = parse_moment(as_of_text) if as_of_text else datetime.now(timezone.utc)
    rates = parse_rates(convert_to, rate_pairs)
    result: list[ImportResult | ImportedFrames] = []
    histories: list[HistoryTable] = []

    def make(step: Callable[[str], None]) -> Report:
        step("reading")
        fits = None
        if tabular and len(files) == 1 and (only is None or "priorities" in only):
            fits = read_fits(
                files[0], id_column=id_column, profile=fit_profile, max_bytes=options["max_bytes"]
            )
        if preset_name is not None:
            tables, history, end = read_preset(
                preset_name, files[0], max_bytes=options["max_bytes"]
            )
            histories.append(history)
            return inspect(
                tables,
                as_of=as_of if as_of_text or end is None else end,
                title=f"{heading}: {Path(files[0]).name} as {preset_name} on {process.name}",
                rebuild=as_of_text is not None,
                mapping=mapping,
                rates=rates,
                seed=seed,
                calendar=calendar,
                step=step,
                only=only,
                fits=fits,
                top=top,
                **plans,
            )
        found = _read(files, kwargs, options)
        result.append(found)
        if isinstance(found, ImportedFrames):
            tables = found.frames
        else:
            tables = frames(found.opportunities, found.activities, process=process)
        names = ", ".join(Path(name).name for name in files)
        return inspect(
            tables,
            as_of=as_of,
            title=f"{heading}: {names} on {process.name}",
            rebuild=as_of_text is not None,
            mapping=mapping,
            rates=rates,
            seed=seed,
            calendar=calendar,
            step=step,
            only=only,
            fits=fits,
            top=top,
            **plans,
        )

    built = build(out, 13 if only is None else 1 + 2 * len(only), make)
    emit(out, built, fmt, html, html_static)
    if histories:
        refused: Any = histories[0].refused
        for line in histories[0].summary().splitlines():
            out.note(line)
    else:
        refused = result[0].refused
        if refused:
            for line in result[0].summary().splitlines():
                out.note(line)
    partial = [s.key for s in built.sections if s.empty or not s.complete]
    if strict and partial:
        out.note(
            f"--strict: {len(partial)} section(s) empty or partly uncomputed: {', '.join(partial)}"
        )
    if refused or (strict and partial):
        ctx.exit(1)


def _forecast(ctx: click.Context, /, **kwargs: Any) -> None:
    ctx.meta["salesflow.only"] = ("forecast", "attainment")
    ctx.invoke(report, **kwargs)


forecast = click.Command(
    "forecast",
    callback=click.pass_context(_forecast),
    params=list(report.params),
    help="Forecast against targets, per owner and team: target, closed, commit, best case, "
    "pipeline, coverage, the chance of reaching the target and pace, with the hierarchy "
    "indented, and the period's revenue forecast.\n\nThe same FILE and options as salesflow "
    "report; give --targets and/or --teams (and --period, --fiscal-year-start).",
)
