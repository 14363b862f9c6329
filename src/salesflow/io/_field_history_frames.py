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
from typing import Any

from salesflow.io._column_readers import mapped, python_space
from salesflow.io._csv_frame import csv_frame
from salesflow.io._history_columns import (
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
from salesflow.process import SalesProcess

__all__ = ["field_history_frames"]


def field_history_frames(
    source: Source,
    *,
    process: SalesProcess,
    opportunities: Source | None,
    fields: Mapping[str, str],
    keys: tuple[str, ...],
    currency: str | None,
    timezone: tzinfo,
    encoding: str,
    max_bytes: int,
) -> HistoryTable:
    """The history table of a field-history export, in columns, and every record refused.

    ``fields`` maps Salesforce field names to salesflow's (``FIELD_NAMES``); the
    rows have the loop's ``keys``.
    """
    from salesflow.analytics._require import require

    pl = require("polars")
    f = File(pl, csv_frame(source, encoding=encoding, max_bytes=max_bytes))
    readable = f.readable
    ident = f.ident("OpportunityId")
    field = f.raw("Field").str.strip_chars(python_space()).fill_null("")
    when = moments(pl, f.raw("CreatedDate"), readable, timezone)
    column = field.replace_strict(dict(fields), default=None, return_dtype=pl.String)
    messages: list[tuple[Any, str]] = [
        (pl.select(pl.when(readable & ident.is_null()).then(pl.lit("no OpportunityId")))
         .to_series(), "$.OpportunityId"),
        (pl.select(pl.when(readable & when.is_null()).then(pl.lit("no readable CreatedDate")))
         .to_series(), "$.CreatedDate"),
    ]  # fmt: skip
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
    current = None
    if opportunities is not None:
        current = _current(pl, opportunities, fields, timezone, encoding, max_bytes)
    table, undated = _replay(pl, events, current, currency)
    notes: tuple[str, ...] = ()
    if undated:
        notes = (
            f"{undated} deals have no 'created' row: their history starts at their first change",
        )
    return framed(table, read=f.height, refused=refused, notes=notes, keys=keys)


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


def _replay(pl: Any, events: Any, current: Any, currency: str | None) -> tuple[Any, int]:
    """The history rows of the accepted changes (and the current values), as the loop's; undated.

    Deals are numbered in the loop's order (by their first change taken, then
    those only in the ``Opportunity`` export) and joined by that number.
    """
    order = events.group_by("ident").agg(first=pl.col("record").min()).sort("first")
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
        "deal", "when", "record"
    )
    made = (
        events.filter(pl.col("key") == "created").group_by("deal").agg(made=pl.col("when").min())
    )
    deals = (
        deals.join(made, on="deal", how="left")
        .with_columns(created=pl.coalesce("made", "born"))
        .drop("made", "born")
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
