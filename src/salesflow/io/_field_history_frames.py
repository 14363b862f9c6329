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

from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from salesflow.columns import HISTORY_COLUMNS
from salesflow.errors import Problem, ValidationError
from salesflow.io._column_readers import _common, _valid_day, decimals, mapped, python_space
from salesflow.io._csv_frame import CsvFrame, csv_frame
from salesflow.io._history_table import HistoryTable, framed, wide_amounts
from salesflow.io._source import Source
from salesflow.io._stage_cells import moment_of
from salesflow.io._values import Reject
from salesflow.io.result import Refusal
from salesflow.process import SalesProcess

__all__ = ["field_history_frames"]

_TEXT = ("stage", "forecast_category", "owner")
_NUMBER = ("amount", "probability")
_DAY = ("close_date",)
_TRACKED = ("stage", "amount", "close_date", "probability", "forecast_category", "owner")
_ISO_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


class _File:
    """A CSV file's cells by header name, as the loop's ``row.get`` sees them."""

    def __init__(self, pl: Any, file: CsvFrame) -> None:
        self.pl = pl
        self.file = file
        self.frame = file.frame
        self.height = file.frame.height
        self.where = {c: f"c{i}" for i, c in enumerate(file.header)}
        self.readable = ~self.frame["record"].is_in(list(file.bad))

    def raw(self, column: str) -> Any:
        """The cells (null: empty, no such column, or an unreadable record)."""
        if column not in self.where:
            return self.pl.repeat(None, self.height, dtype=self.pl.String, eager=True)
        return self.frame[self.where[column]]

    def given(self, column: str) -> Any:
        """The cells, null where only spaces too (``typed_value``'s empty)."""
        raw = self.raw(column)
        blank = f"^[{python_space()}]*$"
        return self.pl.select(self.pl.when(~raw.str.contains(blank)).then(raw)).to_series()

    def ident(self, column: str) -> Any:
        """``str(cell or "").strip() or None``."""
        pl = self.pl
        text = self.raw(column).str.strip_chars(python_space())
        return pl.select(pl.when(text != "").then(text)).to_series()


def _moments(pl: Any, raw: Any, only: Any, zone: tzinfo) -> Any:
    """:func:`moment_of` over a column: the exports' own spellings in columns, others per value."""

    def read(text: str) -> datetime:
        moment = moment_of(text, (), zone)
        if moment is None:
            raise Reject("not a time")
        return moment

    common = _common(pl, raw)
    rest = only & raw.is_not_null() & common.is_null()
    value, _ = mapped(pl, raw, read, pl.Datetime("us", "UTC"), only=rest)
    return pl.select(pl.when(only).then(pl.coalesce(common, value))).to_series()


def _typed(pl: Any, cells: Any, kinds: Any, zone: tzinfo) -> tuple[dict[str, Any], Any]:
    """``typed_value`` over a column whose row ``kinds`` name the field: values and messages.

    Values: ``text`` (stage, forecast category, owner: the cell as it is),
    ``number`` and ``places`` (amount, probability: exact decimal text),
    ``day`` (close date).
    """
    from salesflow.io.versions import typed_value

    def reader(name: str) -> Callable[[object], Any]:
        def read(text: object) -> Any:
            value, problem = typed_value(name, text, zone)
            if problem:
                raise Reject(problem)
            return value

        return read

    numeric = kinds.is_in(list(_NUMBER))
    number = decimals(
        pl, pl.select(pl.when(numeric).then(cells)).to_series(), read=reader("amount"), exact=True
    )
    dated = kinds.is_in(list(_DAY))
    fast = pl.select(
        pl.when(dated & cells.str.contains(_ISO_DAY)).then(_valid_day(pl, pl.lit(cells)))
    ).to_series()
    slow = dated & cells.is_not_null() & fast.is_null()
    day, day_error = mapped(pl, cells, reader("close_date"), pl.Date, only=slow)
    texts = pl.select(pl.when(kinds.is_in(list(_TEXT))).then(cells)).to_series()
    values = {
        "text": texts,
        "number": number["text"],
        "places": number["places"],
        "exact": number["exact"],
        "day": pl.select(pl.coalesce(fast, day)).to_series(),
    }
    return values, pl.select(pl.coalesce(number["error"], day_error)).to_series()


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
    f = _File(pl, csv_frame(source, encoding=encoding, max_bytes=max_bytes))
    readable = f.readable
    ident = f.ident("OpportunityId")
    field = f.raw("Field").str.strip_chars(python_space()).fill_null("")
    when = _moments(pl, f.raw("CreatedDate"), readable, timezone)
    column = field.replace_strict(dict(fields), default=None, return_dtype=pl.String)
    messages: list[tuple[Any, str]] = [
        (pl.select(pl.when(readable & ident.is_null()).then(pl.lit("no OpportunityId")))
         .to_series(), "$.OpportunityId"),
        (pl.select(pl.when(readable & when.is_null()).then(pl.lit("no readable CreatedDate")))
         .to_series(), "$.CreatedDate"),
    ]  # fmt: skip
    kinds = pl.select(pl.when(readable).then(column)).to_series()
    old, old_error = _typed(pl, f.given("OldValue"), kinds, timezone)
    new, new_error = _typed(pl, f.given("NewValue"), kinds, timezone)
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
    refused = _refusals(f, ident, messages, found)
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


def _refusals(f: _File, ident: Any, messages: list[tuple[Any, str]], found: Any) -> list[Refusal]:
    """Every refused record, its problems in the loop's order."""
    if not found.any():
        return []
    rows = found.arg_true()
    numbers = f.frame["record"].gather(rows).to_list()
    idents = ident.gather(rows).to_list()
    texts = [m.gather(rows).to_list() for m, _ in messages]
    refusals = []
    for k, (number, name) in enumerate(zip(numbers, idents, strict=True)):
        if number in f.file.bad:
            problems = [*f.file.bad[number], Problem("not a record", "$")]
        else:
            problems = [
                Problem(column[k], path)
                for column, (_, path) in zip(texts, messages, strict=True)
                if column[k] is not None
            ]
        refusals.append(
            Refusal(
                source=f.file.name,
                kind="OpportunityFieldHistory",
                record=number,
                id=name,
                problems=problems,
            )
        )
    return refusals


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
    f = _File(pl, csv_frame(source, encoding=encoding, max_bytes=max_bytes))
    ident = f.ident("Id")
    present: dict[str, str] = {}  # salesflow column -> the last Salesforce field giving it
    for name, column in fields.items():
        if name in f.where:
            present[column] = name
    columns: dict[str, Any] = {"record": f.frame["record"], "ident": ident}
    for column, name in present.items():
        kinds = pl.repeat(column, f.height, dtype=pl.String, eager=True)
        values, errors = _typed(pl, f.given(name), kinds, zone)
        fine = errors.is_null()
        for part, series in values.items():
            columns[f"now_{column}_{part}"] = pl.select(pl.when(fine).then(series)).to_series()
    columns["born"] = _moments(pl, f.raw("CreatedDate"), f.readable, zone)
    frame = pl.DataFrame(columns).filter(f.readable & ident.is_not_null())
    return (
        frame.with_columns(first=pl.col("record").min().over("ident"))
        .unique("ident", keep="last", maintain_order=True)
        .sort("first")
        .drop("record", "first")
    )


def _value_columns(column: str) -> list[str]:
    if column in _NUMBER:
        return ["number", "places", "exact"]
    return ["day"] if column in _DAY else ["text"]


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
            first=pl.col("row") == pl.col("row").min().over("deal"),
            at_creation=pl.col("at") == pl.col("created"),
        )
    )
    for column in _TRACKED:
        parts = _value_columns(column)
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
                    pl.lit(None, dtype=_dtype(pl, p)).alias(n)
                    for p, n in zip(parts, now, strict=True)
                ]
            )
        index = pl.when(pl.col("hit")).then(pl.col("row")).forward_fill().over("deal")
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
    return _table(pl, rows, currency), undated


def _dtype(pl: Any, part: str) -> Any:
    kinds = {"number": pl.String, "exact": pl.String, "places": pl.Int32, "day": pl.Date}
    return kinds.get(part, pl.String)


def _table(pl: Any, rows: Any, currency: str | None) -> Any:
    """The frame as ``HistoryTable.to_polars`` makes it of the loop's rows."""

    def before(name: str) -> Any:
        """The value before this moment: the previous row's, the start's on a first row."""
        earlier = pl.col(name).shift(1).over("deal")
        return (
            pl.when(pl.col("at_creation"))
            .then(None)
            .when(pl.col("first"))
            .then(pl.col(f"{name}_start"))
            .otherwise(earlier)
        )

    rows = rows.sort("row").with_columns(
        opportunity_id=pl.col("ident"),
        sequence=(pl.int_range(pl.len(), dtype=pl.Int64) + 1).over("deal"),
        stage=pl.col("stage_text"),
        forecast_category=pl.col("forecast_category_text"),
        owner=pl.col("owner_text"),
        close_date=pl.col("close_date_day"),
        currency=pl.lit(currency, dtype=pl.String),
        previous_amount_number=before("amount_number"),
        previous_amount_places=before("amount_places"),
        previous_amount_exact=before("amount_exact"),
        previous_close_date=before("close_date_day"),
    )
    zero = r"^[+-]?0*\.?0*$"
    money = [
        rows.filter(
            pl.col(f"{n}_number").is_not_null() & ~pl.col(f"{n}_number").str.contains(zero)
        )[f"{n}_places"]
        for n in ("amount", "previous_amount")
    ]
    scale = max([2, *(int(p.max() or 0) for p in money if p.len())])
    chance = rows["probability_places"].drop_nulls()
    pscale = max(0, int(chance.max() or 0)) if chance.len() else 0
    wide: list[Problem] = []
    for name in ("amount", "previous_amount"):
        check = rows.filter(pl.col(f"{name}_number").str.len_bytes() + scale > 38)
        wide += wide_amounts(
            [
                (i, Decimal(a))
                for i, a in zip(check["ident"], check[f"{name}_number"], strict=True)
            ],
            scale,
        )
    if wide:
        raise ValidationError(
            wide[:10], subject="the history table (decimal columns hold 38 digits)"
        )
    exact = {
        "amount": "amount_exact",
        "previous_amount": "previous_amount_exact",
        "probability": "probability_exact",
    }
    rows = rows.with_columns(
        amount=pl.col("amount_number").cast(pl.Decimal(38, scale)),
        previous_amount=pl.col("previous_amount_number").cast(pl.Decimal(38, scale)),
        probability=pl.col("probability_number").cast(pl.Decimal(38, pscale)),
        at=pl.col("at").cast(pl.Datetime("us", "UTC")),
        **{f"_text_{n}": pl.col(text) for n, text in exact.items()},
    )
    always = ("opportunity_id", "at", "sequence", "stage", "close_date")
    names = [
        n
        for n in HISTORY_COLUMNS
        if n in rows.columns and (n in always or rows[n].is_not_null().any())
    ]
    return rows.select(*names, *(f"_text_{n}" for n in exact if n in names))
