""":func:`~salesflow.io.read_versions` on a CSV file, in columns.

Each version is read and refused as the loop in :mod:`salesflow.io.versions`
reads it, a column at a time; a deal's versions are ordered by their
valid-from time, a deal with two versions valid from one moment is refused
whole, and a version gives a row when it changes a tracked field. A property
test holds both paths to the same verdicts, rows and frame.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from salesflow.columns import Columns
from salesflow.errors import Problem
from salesflow.io._column_readers import mapped
from salesflow.io._csv_frame import csv_frame
from salesflow.io._history_columns import (
    TRACKED,
    File,
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

__all__ = ["version_frames"]


def version_frames(
    source: Source,
    *,
    process: SalesProcess,
    start: str,
    names: Columns,
    keys: tuple[str, ...],
    currency: str | None,
    timezone: tzinfo,
    encoding: str,
    max_bytes: int,
) -> HistoryTable:
    """The history table of versioned snapshot rows, in columns, and every version refused.

    ``start`` is the valid-from column; the rows have the loop's ``keys``.
    """
    from salesflow.analytics._require import require

    pl = require("polars")
    f = File(pl, csv_frame(source, encoding=encoding, max_bytes=max_bytes))
    readable = f.readable
    id_column = names.source("snapshot", "id")
    ident = f.given(id_column)
    when = moments(pl, f.raw(start), readable & f.given(start).is_not_null(), timezone)
    messages: list[tuple[Any, str]] = [
        (pl.select(pl.when(readable & ident.is_null()).then(pl.lit("no id"))).to_series(),
         f"$.{id_column}"),
        (pl.select(pl.when(readable & when.is_null()).then(pl.lit(f"no readable {start}")))
         .to_series(), f"$.{start}"),
    ]  # fmt: skip
    columns: dict[str, Any] = {}
    for column in (*TRACKED, "currency"):
        where = names.source("snapshot", column)
        kinds = pl.select(pl.when(readable).then(pl.lit(column))).to_series()
        values, error = typed(pl, f.given(where), kinds, timezone)
        messages.append((error, f"$.{where}"))
        for part in value_columns(column):
            columns[f"{column}_{part}"] = values[part]
    stage = columns["stage_text"]
    known = stage.is_in(list(process.stage_names))
    quoted, _ = mapped(pl, stage, repr, pl.String, only=readable & stage.is_not_null() & ~known)
    stage_message = pl.select(
        pl.when(readable & stage.is_null())
        .then(pl.lit("no stage"))
        .when(readable & ~known)
        .then(pl.lit("unknown stage ") + quoted)
    ).to_series()
    messages.append((stage_message, f"$.{names.source('snapshot', 'stage')}"))
    found = ~readable | pl.select(
        pl.any_horizontal([m.is_not_null() for m, _ in messages])
    ).to_series().fill_null(False)
    refused = refusals(f, ident, messages, found, "Opportunity")
    versions = (
        pl.DataFrame({"record": f.frame["record"], "ident": ident, "at": when, **columns})
        .filter(~found)
        .sort("ident", "at", "record")
    )
    same = (pl.col("ident") == pl.col("ident").shift(1)) & (pl.col("at") == pl.col("at").shift(1))
    versions = versions.with_columns(_clash=same.fill_null(False).any().over("ident"))
    refused += _clashes(pl, f.file.name, versions.filter(pl.col("_clash")))
    versions = versions.filter(~pl.col("_clash"))
    return framed(
        typed_table(pl, _changes(pl, versions, currency)),
        read=f.height,
        refused=refused,
        keys=keys,
    )


def _clashes(pl: Any, source: str, clashing: Any) -> list[Refusal]:
    """Every version of a deal with two versions valid from one moment, refused as the loop does.

    The deals come in the order of their first version taken, each deal's
    versions by time, and each names the first two versions that tie.
    """
    if clashing.height == 0:
        return []
    first = clashing.group_by("ident").agg(pl.col("record").min().alias("_first"))
    order = clashing.join(first, on="ident").sort("_first", "at", "record")
    refused: list[Refusal] = []
    previous: dict[str, tuple[int, Any]] = {}
    problem: dict[str, Problem] = {}
    for ident, record, at in order.select("ident", "record", "at").iter_rows():
        if ident not in problem:
            last = previous.get(ident)
            if last is not None and last[1] == at:
                problem[ident] = Problem(
                    f"records {last[0]} and {record} are versions valid from the same moment "
                    f"{at.isoformat()}: their order is unknown",
                    "$",
                )
            previous[ident] = (record, at)
    for ident, record in order.select("ident", "record").iter_rows():
        refused.append(
            Refusal(source=source, kind="Opportunity", record=record, id=ident,
                    problems=[problem[ident]])
        )  # fmt: skip
    return refused


def _changes(pl: Any, versions: Any, currency: str | None) -> Any:
    """The versions that change a tracked field, each with the amount and close date before it."""
    ident = pl.col("ident")
    first = (ident != ident.shift(1)).fill_null(True)
    keys = {}
    for column in TRACKED:
        part = value_columns(column)[0]
        name = f"{column}_{part}"
        keys[name] = _by_value(pl, versions, column) if part == "number" else versions[name]
    compared = pl.DataFrame({"ident": versions["ident"], **keys})
    changed = compared.select(
        pl.any_horizontal(first, *(~pl.col(n).eq_missing(pl.col(n).shift(1)) for n in keys))
    ).to_series()
    kept = versions.filter(changed)  # the previous row is then the last version kept
    before = {
        f"previous_amount_{p}": pl.when(~first).then(pl.col(f"amount_{p}").shift(1))
        for p in value_columns("amount")
    }
    return kept.with_columns(
        **before,
        previous_close_date=pl.when(~first).then(pl.col("close_date_day").shift(1)),
        currency=pl.coalesce(pl.col("currency_text"), pl.lit(currency, dtype=pl.String)),
        deal=pl.col("ident"),
    )


def _by_value(pl: Any, versions: Any, column: str) -> Any:
    """A decimal column's values compared by value (``1.50`` is ``1.5``): decimals, else plain text."""
    text = versions[f"{column}_number"]
    scale = int(versions[f"{column}_places"].max() or 0)
    if scale <= 38:
        value = text.cast(pl.Decimal(38, scale), strict=False)
        if value.null_count() == text.null_count():  # every value fits 38 digits
            return value
    return versions.select(_plain(pl, pl.col(f"{column}_number"))).to_series()


def _plain(pl: Any, text: Any) -> Any:
    """Decimal text spelled one way per value: no sign ``+``, no leading or trailing zeros."""
    text = text.str.replace(r"^\+", "").str.replace(r"^(-?)\.", "${1}0.")
    text = text.str.replace(r"^(-?)0+([0-9])", "${1}${2}")
    text = (
        pl.when(text.str.contains(".", literal=True))
        .then(text.str.replace(r"0+$", "").str.replace(r"\.$", ""))
        .otherwise(text)
    )
    return pl.when(text == "-0").then(pl.lit("0")).otherwise(text)
