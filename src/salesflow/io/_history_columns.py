"""Columns of a history export read as the history readers' loops read each cell.

:class:`File` gives a CSV file's cells by header name; :func:`moments`,
:func:`typed` read them as ``moment_of`` and ``typed_value`` do (the exports'
own spellings in columns, other cells once per distinct value by those very
functions); :func:`refusals` words the refused records; :func:`typed_table`
makes the rows into the frame ``HistoryTable.to_polars`` makes of the loop's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone, tzinfo
from decimal import Decimal
from typing import Any

from salesflow.columns import HISTORY_COLUMNS
from salesflow.errors import Problem, ValidationError
from salesflow.io._column_readers import _common, _valid_day, decimals, mapped, python_space
from salesflow.io._csv_frame import CsvFrame
from salesflow.io._history_table import DIGITS, wide_amounts
from salesflow.io._stage_cells import moment_of, typed_value
from salesflow.io._values import Reject
from salesflow.io.result import Refusal

__all__ = [
    "CHANGE_KEYS",
    "STAGE_HISTORY_FIELDS",
    "STAGE_HISTORY_RECORDS",
    "TRACKED",
    "File",
    "dtype",
    "fast_moments",
    "moments",
    "refusals",
    "run_numbers",
    "typed",
    "typed_table",
    "value_columns",
]

_TEXT = ("stage", "forecast_category", "owner", "currency")
_NUMBER = ("amount", "probability")
_DAY = ("close_date",)
TRACKED = ("stage", "amount", "close_date", "probability", "forecast_category", "owner")
CHANGE_KEYS = (
    "opportunity_id",
    "at",
    *TRACKED,
    "currency",
    "previous_amount",
    "previous_close_date",
    "sequence",
)
"""The keys of each row the field-history and version loops make (a frame may lack the empty
columns): the tracked fields after each change, and the amount and close date before it."""

STAGE_HISTORY_FIELDS = {
    "StageName": "stage",
    "Amount": "amount",
    "CloseDate": "close_date",
    "Probability": "probability",
    "ForecastCategory": "forecast_category",
    "ForecastCategoryName": "forecast_category",
}
"""The ``OpportunityHistory`` columns merged into a field history, and the field each sets."""

STAGE_HISTORY_RECORDS = 1_000_000_000
"""Where the merged ``OpportunityHistory`` rows' record numbers start: after the field
history's, so that at one moment the field history's changes come first."""

_ISO_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


class File:
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


def moments(pl: Any, raw: Any, only: Any, zone: tzinfo) -> Any:
    """:func:`moment_of` over a column: the exports' own spellings in columns, others per value."""

    def read(text: str) -> datetime:
        moment = moment_of(text, (), zone)
        if moment is None:
            raise Reject("not a time")
        return moment

    common = fast_moments(pl, raw, zone)
    rest = only & raw.is_not_null() & common.is_null()
    value, _ = mapped(pl, raw, read, pl.Datetime("us", "UTC"), only=rest)
    return pl.select(pl.when(only).then(pl.coalesce(common, value))).to_series()


def fast_moments(pl: Any, raw: Any, zone: tzinfo) -> Any:
    """The cells :func:`moment_of` reads (without formats) that columns read alike; null elsewhere.

    Data Loader's and the API's spellings, and ISO 8601 times with an offset
    (or in a fixed-offset ``zone``); any other cell is for ``moment_of`` itself.
    """
    days = raw.str.contains(_ISO_DAY)
    if days.sum() == raw.len() - raw.null_count():  # days only: moment_of reads them
        return pl.repeat(None, raw.len(), dtype=pl.Datetime("us", "UTC"), eager=True)
    common = _common(pl, raw)
    if common.null_count() > raw.null_count():
        common = pl.select(pl.coalesce(common, _iso(pl, raw, zone))).to_series()
    return common


def run_numbers(pl: Any, key: str) -> Any:
    """1, 2, ... along each run of equal ``key`` values (rows of one deal together): no window."""
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    starts = (pl.col(key) != pl.col(key).shift(1)).fill_null(True)
    return row - pl.when(starts).then(row).forward_fill() + 1


_ISO = (
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([01][0-9]|2[0-3]):([0-5][0-9])"
    r"(?::([0-5][0-9])(?:\.([0-9]{1,6}))?)?(Z|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])?$"
)


def _iso(pl: Any, raw: Any, zone: tzinfo) -> Any:
    """ISO 8601 times (``2026-01-05 09:00:00``, ``...T09:00:00.5+01:00``) as ``moment_of`` reads them.

    A time with an offset or ``Z`` is that instant; one without is in
    ``zone`` when that is a fixed offset (``datetime.timezone``), else it is
    left to ``moment_of`` (a zone's gaps and folds are Python's to decide).
    """
    parts = raw.str.extract_groups(_ISO).struct.unnest()
    day, hour, minute, second, fraction, offset = (pl.col(n) for n in parts.columns)
    naive = fixed_minutes(zone)
    sign = pl.when(offset.str.starts_with("-")).then(-1).otherwise(1)
    digits = offset.str.replace(":", "", literal=True)
    minutes = (
        pl.when(offset == "Z")
        .then(0)
        .when(offset.is_not_null())
        .then(
            sign
            * (digits.str.slice(1, 2).cast(pl.Int64) * 60 + digits.str.slice(3, 2).cast(pl.Int64))
        )
        .otherwise(naive)
    )
    micros = (fraction.fill_null("") + "000000").str.slice(0, 6).cast(pl.Int64)
    stamp = (
        _valid_day(pl, day).cast(pl.Datetime("us"))
        + pl.duration(
            hours=hour.cast(pl.Int64),
            minutes=minute.cast(pl.Int64),
            seconds=second.fill_null("0").cast(pl.Int64),
            microseconds=micros,
        )
        - pl.duration(minutes=minutes)
    )
    return parts.select(stamp.dt.replace_time_zone("UTC")).to_series()


def fixed_minutes(zone: tzinfo) -> int | None:
    """A fixed-offset zone's offset in minutes (``None`` for a zone with rules, or seconds)."""
    if not isinstance(zone, timezone):
        return None
    offset = zone.utcoffset(None)
    if offset.total_seconds() % 60:
        return None
    return int(offset.total_seconds()) // 60


def typed(pl: Any, cells: Any, kinds: Any, zone: tzinfo) -> tuple[dict[str, Any], Any]:
    """``typed_value`` over a column whose row ``kinds`` name the field: values and messages.

    Values: ``text`` (stage, forecast category, owner: the cell as it is),
    ``number`` and ``places`` (amount, probability: exact decimal text),
    ``day`` (close date).
    """

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


def refusals(
    f: File, ident: Any, messages: list[tuple[Any, str]], found: Any, kind: str
) -> list[Refusal]:
    """Every refused record, its problems (``messages``, null where none) in the loop's order."""
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
                kind=kind,
                record=number,
                id=name,
                problems=problems,
            )
        )
    return refusals


def value_columns(column: str) -> list[str]:
    if column in _NUMBER:
        return ["number", "places", "exact"]
    return ["day"] if column in _DAY else ["text"]


def dtype(pl: Any, part: str) -> Any:
    kinds = {"number": pl.String, "exact": pl.String, "places": pl.Int32, "day": pl.Date}
    return kinds.get(part, pl.String)


def typed_table(pl: Any, rows: Any) -> Any:
    """The frame as ``HistoryTable.to_polars`` makes it of the loop's rows.

    ``rows`` are in order, with ``deal`` (rows of one deal together), ``ident``,
    ``at``, ``currency``, each tracked field's value columns (``stage_text``,
    ``amount_number`` / ``_places`` / ``_exact`` ...) and the previous amount's
    and close date's (``previous_amount_number`` ..., ``previous_close_date``).
    """
    rows = rows.with_columns(
        opportunity_id=pl.col("ident"),
        sequence=run_numbers(pl, "deal"),
        stage=pl.col("stage_text"),
        forecast_category=pl.col("forecast_category_text"),
        owner=pl.col("owner_text"),
        close_date=pl.col("close_date_day"),
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
    candidate = pl.any_horizontal(
        pl.col(f"{n}_number").str.len_bytes() + scale > DIGITS
        for n in ("amount", "previous_amount")
    )
    check = rows.filter(candidate.fill_null(False))
    wide = wide_amounts(
        [
            (i, Decimal(a))
            for i, *pair in check.select(
                "ident", "amount_number", "previous_amount_number"
            ).iter_rows()
            for a in pair
            if a is not None
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
