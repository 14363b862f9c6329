""":func:`~salesflow.io.read_stage_dates` on a CSV file, in columns.

The loop in :mod:`salesflow.io.stage_dates` reads a record at a time; this
reads the file once with Polars (:func:`~salesflow.io._csv_frame.csv_frame`,
which numbers and refuses records exactly as the loop's reader does) and
applies each rule to a whole column, in the loop's order: no id, no or an
unknown stage, each date column, the stages' order, the amount; then ids
given twice. Dates and odd amounts are read once per distinct cell by the
loop's own one-cell readers, so both take, refuse and word alike (a property
test holds them to it). The history table is built as a frame; its rows as
dictionaries only when asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo
from decimal import Decimal
from typing import Any

from salesflow.columns import HISTORY_COLUMNS, Columns
from salesflow.errors import Problem, ValidationError
from salesflow.io._column_readers import decimals, duplicated, mapped, stripped
from salesflow.io._csv_frame import csv_frame
from salesflow.io._history_columns import File, fast_moments, run_numbers
from salesflow.io._history_table import DIGITS, HistoryTable, framed, wide_amounts
from salesflow.io._repeated_ids import Place, twice
from salesflow.io._source import Source
from salesflow.io._stage_cells import moment_of, read_amount
from salesflow.io._values import Reject
from salesflow.io.result import Refusal
from salesflow.process import SalesProcess

__all__ = ["stage_date_frames"]


def _read_amount(value: object) -> Decimal:
    return read_amount(str(value))


def stage_date_frames(
    source: Source,
    stage_dates: Mapping[str, str],
    *,
    process: SalesProcess,
    names: Columns,
    currency: str | None,
    date_formats: Sequence[str],
    timezone: tzinfo,
    encoding: str,
    max_bytes: int,
) -> HistoryTable:
    """The history table of a CSV file, in columns: its frame, and every record refused.

    ``stage_dates`` and ``date_formats`` are checked already.
    """
    from salesflow.analytics._require import require

    pl = require("polars")
    file = File(pl, csv_frame(source, encoding=encoding, max_bytes=max_bytes))
    frame, height = file.frame, file.height
    cell = file.given  # null where empty or only spaces (the loop's ``_cell``)

    order = {s.name: i for i, s in enumerate(process.stages)}
    closed = [s.name for s in process.closed_stages]
    shared: dict[str, list[str]] = {}
    for stage, column in stage_dates.items():
        shared.setdefault(column, []).append(stage)

    id_column = names.source("snapshot", "id")
    stage_column = names.source("snapshot", "stage")
    amount_column = names.source("snapshot", "amount")
    ident, stage = cell(id_column), cell(stage_column)
    readable = file.readable
    messages: list[tuple[Any, str]] = []  # (messages, path) in the loop's order

    def when(condition: Any, message: Any) -> Any:
        return pl.select(pl.when(pl.lit(condition)).then(message)).to_series()

    messages.append((when(readable & ident.is_null(), pl.lit("no id")), f"$.{id_column}"))
    known = stage.is_in(list(order))
    unknown, _ = mapped(pl, stage, repr, pl.String, only=readable & ~known)
    stage_message = pl.select(
        pl.when(readable & stage.is_null())
        .then(pl.lit("no stage"))
        .when(readable & ~known)
        .then(pl.lit("unknown stage ") + pl.lit(unknown))
    ).to_series()
    messages.append((stage_message, f"$.{stage_column}"))

    def read_moment(text: str) -> Any:
        moment = moment_of(text, date_formats, timezone)
        if moment is None:
            raise Reject(f"not a date: {text[:40]!r}")
        return moment

    # Each date column: the stage it dates on each row (a column shared by several
    # stages dates only the one the deal is in), and the moment it holds there.
    entries: list[tuple[str, Any, Any, Any]] = []  # (column, stage, rank, moment)
    for column, stages in shared.items():
        value = cell(column)
        if len(stages) > 1:
            dated = pl.select(pl.when(stage.is_in(stages)).then(stage)).to_series()
        else:
            dated = pl.repeat(stages[0], height, dtype=pl.String, eager=True)
        active = readable & value.is_not_null() & dated.is_not_null()
        fast = None if date_formats else fast_moments(pl, value, timezone)  # formats go first
        rest = active if fast is None else active & fast.is_null()
        moment, bad = mapped(pl, value, read_moment, pl.Datetime("us", "UTC"), only=rest)
        if fast is not None:
            moment = pl.select(pl.when(active).then(pl.coalesce(fast, moment))).to_series()
        messages.append((bad, f"$.{column}"))
        held = active & moment.is_not_null()
        rank = dated.replace_strict(order, default=None, return_dtype=pl.Int64)
        entries.append(
            (
                column,
                pl.select(pl.when(held).then(dated)).to_series(),
                pl.select(pl.when(held).then(rank)).to_series(),
                pl.select(pl.when(held).then(moment)).to_series(),
            )
        )

    # A stage entered before an earlier stage of the process: each pair, as the loop.
    for column, later_stage, rank, moment in entries:
        for other, earlier_stage, other_rank, other_moment in entries:
            if other is column:
                continue
            wrong = (other_rank < rank) & (other_moment > moment)
            if not wrong.any():
                continue
            text = pl.format(
                "entered {} on {} ({}), before {} on {} ({})",
                pl.lit(later_stage),
                pl.lit(moment.dt.date().dt.to_string("%Y-%m-%d")),
                pl.lit(column),
                pl.lit(earlier_stage),
                pl.lit(other_moment.dt.date().dt.to_string("%Y-%m-%d")),
                pl.lit(other),
            )
            messages.append((when(wrong.fill_null(False), text), f"$.{column}"))

    amount = decimals(
        pl, cell(amount_column), read=_read_amount, exact=True
    )  # unreadable records: null
    messages.append((amount["error"], f"$.{amount_column}"))

    found = pl.select(pl.any_horizontal([m.is_not_null() for m, _ in messages])).to_series()
    found = found | ~readable
    keys = stripped(pl, ident)
    repeated = duplicated(pl, keys).fill_null(False)
    refused_rows = found | repeated
    refused = _refusals(
        pl, file.file, ident, keys, messages, refused_rows, repeated, f"$.{id_column}"
    )

    taken = ~refused_rows
    money = (
        cell(names.source("snapshot", "currency")).fill_null(currency)
        if currency is not None
        else cell(names.source("snapshot", "currency"))
    )
    deals = pl.DataFrame(
        {
            "record": frame["record"],
            "opportunity_id": ident,
            "amount": amount["text"],
            "exact": amount["exact"],
            "places": amount["places"],
            "currency": money,
        }
    ).filter(taken)
    parts = [
        pl.DataFrame({"record": frame["record"], "stage": s, "rank": r, "at": m}).filter(
            taken & m.is_not_null()
        )
        for _, s, r, m in entries
    ]
    long = pl.concat(parts).sort("record", "at", "rank") if parts else None
    dated = pl.repeat(False, height, dtype=pl.Boolean, eager=True)
    for _, _, _, moment in entries:
        dated = dated | moment.is_not_null()
    undated = pl.select(pl.lit(ident).filter(taken & ~dated)).to_series()
    notes: tuple[str, ...] = ()
    if undated.len():
        shown = ", ".join(undated.head(5).to_list()) + (", ..." if undated.len() > 5 else "")
        notes = (f"{undated.len()} deals have no stage date ({shown}): no history rows for them",)
    return framed(_table(pl, long, deals, closed), read=height, refused=refused, notes=notes)


def _refusals(
    pl: Any,
    file: Any,
    ident: Any,
    keys: Any,
    messages: list[tuple[Any, str]],
    refused: Any,
    repeated: Any,
    id_path: str,
) -> list[Refusal]:
    """Every refused record, its problems in the loop's order."""
    if not refused.any():
        return []
    rows = refused.arg_true()
    numbers = file.frame["record"].gather(rows).to_list()
    idents = ident.gather(rows).to_list()
    texts = [m.gather(rows).to_list() for m, _ in messages]
    held: dict[str, list[Place]] = {}
    if repeated.any():
        twice_rows = repeated.arg_true()
        for key, number in zip(
            keys.gather(twice_rows).to_list(),
            file.frame["record"].gather(twice_rows).to_list(),
            strict=True,
        ):
            held.setdefault(key, []).append(Place(file.name, number))
    refusals = []
    for k, (number, name) in enumerate(zip(numbers, idents, strict=True)):
        problems: list[Problem] = []
        key = None if name is None else name.strip()
        if key is not None and key in held:
            place = next(p for p in held[key] if p.number == number)
            problems.append(twice(key, place, held[key], id_path))
        if number in file.bad:
            problems += [*file.bad[number], Problem("not a record", "$")]
        else:
            problems += [
                Problem(column[k], path)
                for column, (_, path) in zip(texts, messages, strict=True)
                if column[k] is not None
            ]
        refusals.append(
            Refusal(
                source=file.name, kind="Opportunity", record=number, id=name, problems=problems
            )
        )
    return refusals


def _table(pl: Any, long: Any, deals: Any, closed: list[str]) -> Any:
    """The history frame as :meth:`HistoryTable.to_polars` makes it of the loop's rows."""
    utc = pl.Datetime("us", "UTC")
    if long is None or long.height == 0:
        schema = {
            "opportunity_id": pl.String,
            "at": utc,
            "sequence": pl.Int64,
            "stage": pl.String,
            "close_date": pl.Date,
        }
        return pl.DataFrame(schema=schema)
    rows = long.join(deals, on="record", how="left", maintain_order="left").with_columns(
        sequence=run_numbers(pl, "record"),
        close_date=pl.when(pl.col("stage").is_in(closed)).then(pl.col("at").dt.date()),
    )
    names = ["opportunity_id", "at", "sequence", "stage", "close_date"]
    if rows["amount"].is_not_null().any():
        zero = pl.col("amount").str.contains(r"^[+-]?0*\.?0*$")  # as the loop: no places
        scale = max(2, int(rows.select(pl.when(~zero).then("places").max()).item() or 0))
        check = rows.filter(
            pl.col("amount").str.len_bytes() + scale > DIGITS  # digits and more: a candidate
        )
        wide = wide_amounts(
            [
                (i, Decimal(a))
                for i, a in zip(check["opportunity_id"], check["amount"], strict=True)
                if a is not None
            ],
            scale,
        )
        if wide:
            raise ValidationError(
                wide, subject="the history table (decimal columns hold 38 digits)"
            )
        rows = rows.with_columns(
            pl.col("exact").alias("_text_amount"), pl.col("amount").cast(pl.Decimal(38, scale))
        )
        names += ["amount", "_text_amount"]
    if rows["currency"].is_not_null().any():
        names.append("currency")
    return rows.select([n for n in (*HISTORY_COLUMNS, "_text_amount") if n in names])
