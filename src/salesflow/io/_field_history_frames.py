""":func:`~salesflow.io.read_field_history` on CSV files, in columns.

The loop in :mod:`salesflow.io.field_history` replays one change at a time;
this reads the export once with Polars (:func:`~salesflow.io._csv_frame.csv_frame`,
which numbers and refuses records as the loop's reader does), applies each
rule to a whole column in the loop's order, and builds the rows as the loop
does, in columns: a deal's state at each moment is, field by field, what its
last change up to that moment set, else the field's value before its first
change (or the ``Opportunity`` export's). Cells other than the exports' own
spellings are read once per distinct value by the loop's readers, so both
paths take, refuse and word alike (a property test holds them to it).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from decimal import Decimal
from typing import Any

import attrs

from salesflow.io._column_readers import mapped, python_space
from salesflow.io._csv_frame import csv_frame
from salesflow.io._history_columns import (
    STAGE_HISTORY_FIELDS,
    STAGE_HISTORY_RECORDS,
    TRACKED,
    File,
    dtype,
    moments,
    refusals,
    typed,
    typed_table,
    value_columns,
)
from salesflow.io._history_table import HistoryTable, framed
from salesflow.io._source import Source
from salesflow.io.result import Refusal
from salesflow.process import SalesProcess

__all__ = ["field_history_frames"]


def field_history_frames(
    source: Source,
    *,
    process: SalesProcess,
    opportunities: Source | None,
    stage_history: Source | None = None,
    fields: Mapping[str, str],
    keys: tuple[str, ...],
    currency: str | None,
    timezone: tzinfo,
    encoding: str,
    max_bytes: int,
) -> HistoryTable:
    """The history table of a field-history export, in columns, and every record refused.

    ``fields`` maps Salesforce field names to salesflow's (``FIELD_NAMES``); the
    rows have the loop's ``keys``. ``stage_history``: an ``OpportunityHistory``
    export merged in, as the loop's ``_merge_stage_history`` merges it.
    """
    from salesflow.analytics._require import require

    pl = require("polars")
    f = File(pl, csv_frame(source, encoding=encoding, max_bytes=max_bytes))
    readable = f.readable
    ident, when, messages = _located(pl, f, timezone)
    field = f.raw("Field").str.strip_chars(python_space()).fill_null("")
    column = field.replace_strict(dict(fields), default=None, return_dtype=pl.String)
    kinds = pl.select(pl.when(readable).then(column)).to_series()
    old, old_error = typed(pl, f.given("OldValue"), kinds, timezone)
    new, new_error = typed(pl, f.given("NewValue"), kinds, timezone)
    messages += [(old_error, "$.OldValue"), (new_error, "$.NewValue")]
    stage_rows = kinds == "stage"
    for values in (old, new):
        unknown = (
            stage_rows
            & values["text"].is_not_null()
            & ~values["text"].is_in(list(process.stage_names))
        )
        quoted, _ = mapped(pl, values["text"], repr, pl.String, only=unknown.fill_null(False))
        messages.append(
            (pl.select(pl.when(unknown).then(pl.lit("unknown stage ") + quoted)).to_series(),
             "$.NewValue")
        )  # fmt: skip
    found = ~readable | pl.select(
        pl.any_horizontal([m.is_not_null() for m, _ in messages])
    ).to_series().fill_null(False)
    refused = refusals(f, ident, messages, found, "OpportunityFieldHistory")
    created_row = field.str.to_lowercase() == "created"
    key = pl.select(pl.coalesce(column, pl.when(created_row).then(pl.lit("created")))).to_series()
    accepted = ~found & ident.is_not_null() & when.is_not_null() & key.is_not_null()
    events = pl.DataFrame(
        {
            "record": f.frame["record"],
            "ident": ident,
            "when": when,
            "key": key,
            **{f"old_{k}": v for k, v in old.items()},
            **{f"new_{k}": v for k, v in new.items()},
        }
    ).filter(accepted)
    read = f.height
    seen = events.select("ident", "record")  # deals in the loop's order: by their first record
    if stage_history is not None:
        merged = _merged(pl, stage_history, process, events, timezone, encoding, max_bytes)
        events = pl.concat([events, merged.events], how="diagonal_relaxed")
        seen = pl.concat([seen, merged.seen])
        refused += merged.refused
        read += merged.read
    current = None
    if opportunities is not None:
        current = _current(pl, opportunities, fields, timezone, encoding, max_bytes)
    table, undated = _replay(pl, events, seen, current, currency)
    notes: tuple[str, ...] = ()
    if undated:
        notes = (
            f"{undated} deals have no 'created' row: their history starts at their first change",
        )
    return framed(table, read=read, refused=refused, notes=notes, keys=keys)


def _located(pl: Any, f: File, zone: tzinfo) -> tuple[Any, Any, list[tuple[Any, str]]]:
    """Each record's ``OpportunityId`` and ``CreatedDate``, and the messages where one is missing."""
    readable = f.readable
    ident = f.ident("OpportunityId")
    when = moments(pl, f.raw("CreatedDate"), readable, zone)
    messages: list[tuple[Any, str]] = [
        (pl.select(pl.when(readable & ident.is_null()).then(pl.lit("no OpportunityId")))
         .to_series(), "$.OpportunityId"),
        (pl.select(pl.when(readable & when.is_null()).then(pl.lit("no readable CreatedDate")))
         .to_series(), "$.CreatedDate"),
    ]  # fmt: skip
    return ident, when, messages


@attrs.frozen
class _Merged:
    """An ``OpportunityHistory`` export read for merging (see :func:`_merged`)."""

    events: Any
    seen: Any
    refused: list[Refusal]
    read: int


def _merged(
    pl: Any,
    source: Source,
    process: SalesProcess,
    changes: Any,
    zone: tzinfo,
    encoding: str,
    max_bytes: int,
) -> _Merged:
    """An ``OpportunityHistory`` export's rows as changes, as the loop's ``_merge_stage_history``.

    Each row sets, at its time, every field it has a value for; its record
    numbers start at ``STAGE_HISTORY_RECORDS``. A row is refused for a
    value that does not read, an unknown stage, or a value that contradicts
    what the field history's ``changes`` set that field to at the same moment
    (its last change there). ``seen``: the deal and record of every row taken,
    with values or without.
    """
    g = File(pl, csv_frame(source, encoding=encoding, max_bytes=max_bytes))
    readable = g.readable
    ident, when, messages = _located(pl, g, zone)
    said = changes.unique(["ident", "when", "key"], keep="last")  # the last change there
    settings: list[tuple[str, dict[str, Any], Any]] = []
    for field, column in STAGE_HISTORY_FIELDS.items():
        if field not in g.where:
            continue
        kinds = pl.repeat(column, g.height, dtype=pl.String, eager=True)
        values, error = typed(pl, g.given(field), kinds, zone)
        parts = {p: values[p] for p in value_columns(column)}
        value = next(iter(parts.values()))  # the field's first part: null where no value
        given = readable & error.is_null() & value.is_not_null()
        known = value.is_in(list(process.stage_names)) if column == "stage" else given
        unknown = given & ~known
        quoted, _ = mapped(pl, value, repr, pl.String, only=unknown)
        checked = given & ~unknown & ident.is_not_null() & when.is_not_null()
        contradicts = _contradictions(pl, column, ident, when, parts, checked, said)
        problem = pl.select(
            pl.coalesce(
                pl.when(readable).then(error),
                pl.when(unknown).then(pl.lit("unknown stage ") + quoted),
                contradicts,
            )
        ).to_series()
        messages.append((problem, f"$.{field}"))
        settings.append((column, parts, given & ~unknown))
    found = ~readable | pl.select(
        pl.any_horizontal([m.is_not_null() for m, _ in messages])
    ).to_series().fill_null(False)
    refused = refusals(g, ident, messages, found, "OpportunityHistory")
    taken = ~found & ident.is_not_null()
    record = g.frame["record"] + STAGE_HISTORY_RECORDS
    events = [
        pl.DataFrame(
            {
                "record": record,
                "ident": ident,
                "when": when,
                "key": pl.repeat(column, g.height, dtype=pl.String, eager=True),
                **{f"new_{p}": v for p, v in parts.items()},
            }
        ).filter(taken & sets)
        for column, parts, sets in settings
    ]
    seen = pl.DataFrame({"ident": ident, "record": record}).filter(taken)
    merged = pl.concat(events, how="diagonal_relaxed") if events else seen.clear()
    return _Merged(merged, seen, refused, g.height)


def _contradictions(
    pl: Any, column: str, ident: Any, when: Any, parts: dict[str, Any], checked: Any, said: Any
) -> Any:
    """Where a ``checked`` row's value differs from the field history's at its moment: the message.

    Numbers are compared as decimals (``1000`` is ``1000.00``), once per
    distinct pair whose text differs; the message shows both values as the
    loop's ``repr`` does.
    """
    rows = pl.DataFrame(
        {"row": pl.int_range(ident.len(), eager=True), "ident": ident, "when": when, **parts}
    ).filter(checked)
    names = list(parts)
    other = said.filter(pl.col("key") == column).select(
        "ident", "when", "record", *(pl.col(f"new_{p}").alias(f"other_{p}") for p in names)
    )
    pairs = rows.join(other, on=["ident", "when"], how="inner")
    first = names[0]
    differ = pairs.filter(
        pl.col(f"other_{first}").is_null() | (pl.col(f"other_{first}") != pl.col(first))
    )
    nothing = pl.repeat(None, ident.len(), dtype=pl.String, eager=True)
    if differ.is_empty():
        return nothing

    def typed_value(part: str, value: Any) -> Any:
        return Decimal(value) if part == "number" and value is not None else value

    shown = "exact" if first == "number" else first
    lines: list[str] = []
    at: list[int] = []
    for found in differ.iter_rows(named=True):
        value = typed_value(first, found[shown])
        before = typed_value(first, found[f"other_{shown}"])
        if before == value:  # the same number, written otherwise
            continue
        at.append(found["row"])
        lines.append(
            f"{column} {value!r} contradicts the field history's {before!r} "
            f"(record {found['record']}) at the same moment"
        )
    if not at:
        return nothing
    return nothing.scatter(at, lines)


def _current(
    pl: Any,
    source: Source,
    fields: Mapping[str, str],
    zone: tzinfo,
    encoding: str,
    max_bytes: int,
) -> Any:
    """Each opportunity's tracked values now and its creation (the loop's ``_current``).

    One row per id, in the order ids first appear; the values of its last record.
    """
    f = File(pl, csv_frame(source, encoding=encoding, max_bytes=max_bytes))
    ident = f.ident("Id")
    present: dict[str, str] = {}  # salesflow column -> the last Salesforce field giving it
    for name, column in fields.items():
        if name in f.where:
            present[column] = name
    columns: dict[str, Any] = {"record": f.frame["record"], "ident": ident}
    for column, name in present.items():
        kinds = pl.repeat(column, f.height, dtype=pl.String, eager=True)
        values, errors = typed(pl, f.given(name), kinds, zone)
        fine = errors.is_null()
        for part, series in values.items():
            columns[f"now_{column}_{part}"] = pl.select(pl.when(fine).then(series)).to_series()
    columns["born"] = moments(pl, f.raw("CreatedDate"), f.readable, zone)
    frame = pl.DataFrame(columns).filter(f.readable & ident.is_not_null())
    return (
        frame.with_columns(first=pl.col("record").min().over("ident"))
        .unique("ident", keep="last", maintain_order=True)
        .sort("first")
        .drop("record", "first")
    )


def _replay(
    pl: Any, events: Any, seen: Any, current: Any, currency: str | None
) -> tuple[Any, int]:
    """The history rows of the accepted changes (and the current values), as the loop's; undated.

    Deals are numbered in the loop's order (by the first record ``seen`` of
    each: its first change taken, or an ``OpportunityHistory`` row taken;
    then those only in the ``Opportunity`` export) and joined by that number.
    A deal with no creation time whose first change is an ``OpportunityHistory``
    row was created then.
    """
    order = seen.group_by("ident").agg(first=pl.col("record").min()).sort("first")
    deals = order.select("ident")
    if current is not None:
        later = current.select("ident").join(deals, on="ident", how="anti", maintain_order="left")
        deals = pl.concat([deals, later])
    deals = deals.with_row_index("deal")
    if current is not None:
        deals = deals.join(current, on="ident", how="left", maintain_order="left")
    else:
        deals = deals.with_columns(born=pl.lit(None, dtype=pl.Datetime("us", "UTC")))
    events = events.join(deals.select("ident", "deal"), on="ident", how="left").sort(
        "deal",
        "when",
        "record",
        maintain_order=True,  # one OpportunityHistory row: in field order
    )
    made = (
        events.filter(pl.col("key") == "created").group_by("deal").agg(made=pl.col("when").min())
    )
    opened = (  # the deal's first change, when it is an OpportunityHistory row
        events.group_by("deal", maintain_order=True)
        .agg(pl.col("when").first(), pl.col("record").first())
        .filter(pl.col("record") >= STAGE_HISTORY_RECORDS)
        .select("deal", opened="when")
    )
    deals = (
        deals.join(made, on="deal", how="left")
        .join(opened, on="deal", how="left")
        .with_columns(created=pl.coalesce("made", "born", "opened"))
        .drop("made", "born", "opened")
    )
    undated = int(deals["created"].null_count())
    changes = events.filter(pl.col("key") != "created").join(
        deals.select("deal", "created"), on="deal", how="left"
    )
    changes = changes.with_columns(
        slot=pl.when(pl.col("created").is_not_null() & (pl.col("when") <= pl.col("created")))
        .then(pl.col("created"))
        .otherwise(pl.col("when"))
    )
    moments = pl.concat(
        [
            deals.filter(pl.col("created").is_not_null()).select("deal", at=pl.col("created")),
            changes.select("deal", at=pl.col("slot")),
        ]
    ).unique()
    rows = (
        moments.join(deals, on="deal", how="left")
        .sort("deal", "at")
        .with_row_index("row")
        .with_columns(
            first=(pl.col("deal") != pl.col("deal").shift(1)).fill_null(True),
            at_creation=pl.col("at") == pl.col("created"),
        )
        .with_columns(_deal_start=pl.when("first").then(pl.col("row")).forward_fill())
    )
    for column in TRACKED:
        parts = value_columns(column)
        mine = changes.filter(pl.col("key") == column)
        last = (
            mine.group_by("deal", "slot", maintain_order=True)
            .agg([pl.col(f"new_{p}").last().alias(f"set_{p}") for p in parts])
            .with_columns(hit=pl.lit(True))
        )
        initial = (
            mine.filter(pl.col(f"old_{parts[0]}").is_not_null())
            .group_by("deal", maintain_order=True)
            .agg([pl.col(f"old_{p}").first().alias(f"init_{p}") for p in parts])
        )
        touched = mine.select("deal").unique().with_columns(touched=pl.lit(True))
        rows = (
            rows.join(last, left_on=["deal", "at"], right_on=["deal", "slot"], how="left")
            .join(initial, on="deal", how="left")
            .join(touched, on="deal", how="left")
        )
        now = [f"now_{column}_{p}" for p in parts]
        if now[0] not in rows.columns:
            rows = rows.with_columns(
                [
                    pl.lit(None, dtype=dtype(pl, p)).alias(n)
                    for p, n in zip(parts, now, strict=True)
                ]
            )
        # the last row of this deal that set the field: a forward fill that stops at the
        # deal's first row (rows of one deal are together), no window per deal
        last_set = pl.when(pl.col("hit")).then(pl.col("row")).forward_fill()
        index = pl.when(last_set >= pl.col("_deal_start")).then(last_set)
        rows = rows.sort("row").with_columns(_index=index)
        for p, n in zip(parts, now, strict=True):
            begin = pl.when(pl.col("touched")).then(pl.col(f"init_{p}")).otherwise(pl.col(n))
            value = pl.col(f"set_{p}").gather(pl.col("_index"))
            rows = rows.with_columns(
                pl.when(pl.col("_index").is_null())
                .then(begin)
                .otherwise(value)
                .alias(f"{column}_{p}"),
                begin.alias(f"{column}_{p}_start"),
            )
        rows = rows.drop(
            "hit", "touched", "_index", *[f"set_{p}" for p in parts],
            *[f"init_{p}" for p in parts], *now,
        )  # fmt: skip
    return typed_table(pl, _before(pl, rows, currency)), undated


def _before(pl: Any, rows: Any, currency: str | None) -> Any:
    """The previous amount and close date of each row: the state before its moment.

    None on the row at creation; the start's on a deal's first row without one;
    else the previous row's.
    """

    def before(name: str) -> Any:
        earlier = pl.col(name).shift(1)  # rows of one deal are together; "first" starts one
        return (
            pl.when(pl.col("at_creation"))
            .then(None)
            .when(pl.col("first"))
            .then(pl.col(f"{name}_start"))
            .otherwise(earlier)
        )

    return rows.sort("row").with_columns(
        currency=pl.lit(currency, dtype=pl.String),
        previous_amount_number=before("amount_number"),
        previous_amount_places=before("amount_places"),
        previous_amount_exact=before("amount_exact"),
        previous_close_date=before("close_date_day"),
    )
