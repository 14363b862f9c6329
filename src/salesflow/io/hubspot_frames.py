r"""Importing a HubSpot deals export straight into frames.

:func:`read_hubspot_frames` reads what :func:`~salesflow.io.read_hubspot_csv`
reads, refuses what it refuses, for the same reasons at the same paths, and
returns the tables :func:`salesflow.analytics.frames` would make of the deals
it took, without making them: the rules of the Salesforce import in columns
(:mod:`salesflow.io._frame_rules`), and HubSpot's own — the probability read
as 0..1, the chosen pipeline, each ``hs_date_entered_<stage>`` cell a history
row, a closed deal's closing day — as column expressions too (Polars, the
``analytics`` extra). A property test holds the two paths to the same records,
reasons and frames.

>>> import io, salesflow as sf
>>> from salesflow.io import read_hubspot_frames
>>> export = io.StringIO(
...     "Record ID,Deal Name,Deal Stage,Amount,Close Date,"
...     "hs_date_entered_appointmentscheduled,hs_date_entered_qualifiedtobuy\n"
...     "101,Sneakers,qualifiedtobuy,4200,2026-06-30,2026-05-01T09:00:00Z,2026-05-08T12:00:00Z\n"
...     "102,Boots,nowhere,10,2026-06-30,,\n")
>>> result = read_hubspot_frames(export, process=sf.presets.hubspot_default(), currency="USD")
>>> result.frames.history.select("opportunity_id", "stage").rows()
[('101', 'Appointment scheduled'), ('101', 'Qualified to buy')]
>>> dict(result.read), dict(result.taken)
({'Deal': 2}, {'Deal': 1})
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import IO, Any

import attrs

from salesflow._regular_file import check_limit
from salesflow.io._cells import Options
from salesflow.io._column_readers import mapped, timestamps
from salesflow.io._columnar import tabulated
from salesflow.io._csv_frame import CsvFrame, csv_frame
from salesflow.io._frame_rules import Checks, Ruled, refusals, rule, stage_facts
from salesflow.io._frame_tables import tables
from salesflow.io._source import MAX_IMPORT_BYTES, Source, name_of, read_bytes
from salesflow.io._values import Reject
from salesflow.io.hubspot import (
    HUBSPOT_FIELDS,
    entered_stage,
    hubspot_options,
    read_hubspot_csv,
    scaled_probability,
)
from salesflow.io.policy import CloseDatePolicy
from salesflow.io.result import ImportedFrames
from salesflow.process import SalesProcess

__all__ = ["read_hubspot_frames"]

_PIPELINE = "pipeline"


@attrs.frozen
class _Entered:
    """A date-entered column: its name as spelled, its cells, its stage (or why none)."""

    column: str
    raw: Any
    stage: str | None
    unknown: str | None


def read_hubspot_frames(
    deals: Source,
    *,
    process: SalesProcess,
    pipeline: str | None = None,
    aliases: Mapping[str, str] | None = None,
    close_dates: CloseDatePolicy | None = None,
    currency: str | None = None,
    timezone: tzinfo | None = None,
    imported_at: datetime | None = None,
    encoding: str = "utf-8",
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ImportedFrames:
    """Import a HubSpot deals export as frames, at columnar speed.

    The same import as :func:`~salesflow.io.read_hubspot_csv`: the same deals
    are taken and refused, with the same reasons; the tables are those
    :func:`salesflow.analytics.frames` makes of the deals taken, except that
    ``next_gate_met`` is null (a gate is evaluated on an object). A file that
    only the record-at-a-time reader can place — a record the CSV reader
    cannot split into the header's columns, two columns whose names differ
    only in case, two date-entered columns of one stage — is read by it, and
    its deals tabulated. Needs the ``analytics`` extra (Polars).

    Args:
        deals: The deals CSV.
        process: The pipeline as a process (e.g. ``presets.hubspot_default()``).
        pipeline: Take only deals whose ``pipeline`` is this; others are refused.
        aliases: Source stage id or label → process stage name.
        close_dates: What to do with an open deal without a close date.
        currency: The currency of amounts without ``deal_currency_code``.
        timezone: The zone of timestamps without an offset.
        imported_at: The creation time of deals whose row has none.
        encoding: The file's encoding.
        max_bytes: The largest file to read (default 2 GiB).

    Returns:
        The frames, and every deal refused with its reasons.

    Raises:
        FileFormatError: The file is unreadable, not a regular file, larger
            than ``max_bytes``, empty, or repeats a column.
        ValidationError: An alias names a stage the process lacks, a bad
            ``max_bytes``, or an amount that a 38-digit decimal column cannot hold.
        MissingExtraError: Polars is not installed.
    """
    limit = check_limit(max_bytes)
    options = hubspot_options(
        process,
        aliases=aliases,
        close_dates=close_dates,
        currency=currency,
        timezone=timezone,
        imported_at=imported_at,
    )
    # Read once: the file, or the stream, is handed to the loop as it was read.
    content = _named(read_bytes(deals, max_bytes=limit), name_of(deals))
    file = csv_frame(content, encoding=encoding, max_bytes=limit)
    checks = Checks(file, "Deal", HUBSPOT_FIELDS)
    checks.default_prefix = "deal"
    entered = _entered(checks, options)
    stages = [e.stage for e in entered if e.stage is not None]
    if file.bad or checks.header or len(stages) != len(set(stages)):
        content.seek(0)
        result = read_hubspot_csv(
            content,
            process=process,
            pipeline=pipeline,
            aliases=aliases,
            close_dates=close_dates,
            currency=currency,
            timezone=timezone,
            imported_at=imported_at,
            encoding=encoding,
            max_bytes=limit,
        )
        return tabulated(result, process)
    return _in_columns(checks, file, entered, options, pipeline)


def _named(content: bytes | str, name: str) -> IO[Any]:
    """The content as a stream that is called ``name`` in refusals."""
    stream: IO[Any] = io.BytesIO(content) if isinstance(content, bytes) else io.StringIO(content)
    stream.name = name  # type: ignore[misc]
    return stream


def _entered(checks: Checks, options: Options) -> list[_Entered]:
    """The header's date-entered columns, in the order the loop meets them."""
    found = []
    for index, column in enumerate(checks.file.header):
        stage_id = entered_stage(column)
        if stage_id is None:
            continue
        try:
            stage, unknown = options.stages.resolve(stage_id), None
        except Reject as exc:
            stage, unknown = None, str(exc)
        found.append(_Entered(column, checks.frame[f"c{index}"], stage, unknown))
    return found


def _in_columns(
    checks: Checks,
    file: CsvFrame,
    entered: list[_Entered],
    options: Options,
    pipeline: str | None,
) -> ImportedFrames:
    pl = checks.pl
    if pipeline is not None:  # first: the loop checks it before reading any cell
        if _PIPELINE in {c.casefold() for c in file.header}:
            index = [c.casefold() for c in file.header].index(_PIPELINE)
            found = checks.frame[f"c{index}"].fill_null("")

            def other(text: str) -> None:
                raise Reject(f"the deal is in pipeline {text!r}, not {pipeline!r}")

            _, message = mapped(pl, found, other, pl.Null, only=found != pipeline)
        else:
            message = checks.when(
                pl.repeat(True, file.frame.height, eager=True),
                f"the deal is in pipeline None, not {pipeline!r}",
            )
        checks.add_at(message, "$.pipeline")
    moments = []  # (column, stage, moment) of each stage entered
    for one in entered:
        at, error = timestamps(pl, one.raw, options.zone)
        checks.add_at(error, f"$.{one.column}")
        if one.stage is None:
            checks.add_at(checks.when(one.raw.is_not_null(), one.unknown or ""), f"$.{one.column}")
        else:
            moments.append((one.column, one.stage, at))
    if checks.has("probability"):  # 0..1 in HubSpot: read as a percentage
        name = checks.columns["probability"]
        raw = checks.frame[name]
        scaled, _ = mapped(pl, raw, scaled_probability, pl.String)
        checks.frame = checks.frame.with_columns(
            pl.coalesce(scaled, raw).alias(name)  # a cell it cannot scale stays as written
        )
    closing = _closing_day(checks, options, moments)
    if closing is not None:
        checks.frame = checks.frame.with_columns(closing.alias("closed_on"))
        checks.columns["closed_on"] = "closed_on"
    ruled = rule(checks, None, options)
    ruled = attrs.evolve(ruled, h=_history(pl, ruled, options, moments))
    found, notes, _ = tables(ruled, options)
    refused = refusals(ruled)
    if not checks.has("id"):  # the loop names a deal without an id column by none
        refused = tuple(attrs.evolve(r, id=None) for r in refused)
    taken = int(ruled.o["taken"].sum())
    return ImportedFrames(
        frames=found,
        refused=refused,
        notes=notes,
        read={"Deal": file.frame.height},
        taken={"Deal": taken},
    )


def _closing_day(checks: Checks, options: Options, moments: list[tuple[str, str, Any]]) -> Any:
    """A closed deal's closing day: the UTC day it last entered its stage (text), else null."""
    pl = checks.pl
    closed = [s.name for s in options.stages.process.closed_stages]
    if not moments or not closed:
        return None
    raw = checks.raw("stage")
    current, _ = mapped(pl, raw, options.stages.resolve, pl.String)
    last = pl.repeat(None, checks.frame.height, dtype=pl.Datetime("us", "UTC"), eager=True)
    for _, stage, at in moments:
        if stage in closed:
            mine = pl.select(pl.when(current == stage).then(at)).to_series()
            last = pl.select(pl.max_horizontal(last, mine)).to_series()
    if last.null_count() == len(last):
        return None
    return last.dt.date().cast(pl.String)


def _history(pl: Any, ruled: Ruled, options: Options, moments: list[tuple[str, str, Any]]) -> Any:
    """One row per stage a taken deal entered, oldest first (at one instant, by stage name).

    Each carries the deal's amount and close date of today (the export has no
    others) and its stage's probability and category; the first has no
    previous values, the others today's, as :func:`read_hubspot_csv` writes them.
    """
    utc = pl.Datetime("us", "UTC")
    parts = [
        pl.DataFrame({"at": at})
        .with_row_index("position")
        .with_columns(stage=pl.lit(stage, pl.String))
        .filter(pl.col("at").is_not_null())
        for _, stage, at in moments
    ]
    empty = pl.DataFrame(schema={"position": pl.UInt32, "at": utc, "stage": pl.String})
    rows = pl.concat([empty, *parts])
    deals = ruled.o.with_row_index("position").filter(pl.col("taken"))
    rows = (
        rows.join(
            deals.select(
                "position",
                "record",
                "amount",
                "amount_places",
                "currency",
                "close_date",
                opportunity_id="ident",
            ),
            on="position",
            how="inner",
        )
        .sort("position", "at", "stage")
        .with_columns(first=(pl.col("position") != pl.col("position").shift(1)).fill_null(True))
    )
    facts = stage_facts(pl, options, rows["stage"])
    later = ~pl.col("first")
    none = pl.lit(None, pl.String)
    return rows.select(
        "position",
        "record",
        "opportunity_id",
        "at",
        "stage",
        "amount",
        "amount_places",
        "currency",
        "close_date",
        outcome=pl.lit("taken"),
        tie=pl.int_range(pl.len(), dtype=pl.Int64),
        by=none,
        owner=none,
        previous_amount=pl.when(later).then(pl.col("amount")),
        previous_places=pl.when(later).then(pl.col("amount_places")),
        chance=none,
        chance_places=pl.lit(None, pl.Int32),
        forecast=none,
        previous_close_date=pl.when(later).then(pl.col("close_date")),
        stage_probability=facts["probability"],
        stage_places=facts["places"],
        stage_forecast=facts["forecast"],
    )
