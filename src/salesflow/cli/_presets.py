"""Data presets: a known export read by name (``salesflow report FILE --preset maven``).

A preset names the process, the column mapping, the currency and the reader
that builds the history from the file, so a known data set is one option away.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, time, timezone
from pathlib import Path
from typing import Any

import attrs
import click

from salesflow.analytics import Frames
from salesflow.cli._terminal import safe_text
from salesflow.columns import Columns
from salesflow.io import MAX_IMPORT_BYTES, HistoryTable, read_stage_dates
from salesflow.io._source import binary_file
from salesflow.presets import maven, maven_stage_dates
from salesflow.process import SalesProcess

__all__ = ["DATA_PRESETS", "DataPreset", "read_preset"]


@attrs.frozen(kw_only=True)
class DataPreset:
    """How to read one known export.

    Attributes:
        process: Its process.
        columns: What it calls salesflow's columns.
        currency: The currency of its amounts.
        stage_dates: Stage → the column with the day the deal entered it.
        date_formats: ``strptime`` formats its dates may have besides ISO 8601.
    """

    process: Callable[[], SalesProcess]
    columns: Callable[[], Columns]
    currency: str
    stage_dates: Callable[[], Mapping[str, str]]
    date_formats: Sequence[str] = ()


DATA_PRESETS: dict[str, DataPreset] = {
    "maven": DataPreset(
        process=maven,
        columns=Columns.maven,
        currency="USD",
        stage_dates=maven_stage_dates,
    ),
    "maven-spreadsheet": DataPreset(
        process=maven,
        columns=Columns.maven,
        currency="USD",
        stage_dates=maven_stage_dates,
        date_formats=("%m/%d/%Y",),
    ),
}
"""Every data preset, by name."""


def read_preset(
    name: str, path: str, *, max_bytes: int = MAX_IMPORT_BYTES
) -> tuple[Frames, HistoryTable, datetime | None]:
    """The tables of ``path`` read as the preset ``name`` says, the history's report, and its end.

    The end is the last day the history shows (its end of day, UTC), or ``None``
    without any history row. ``path`` must be a regular file of at most
    ``max_bytes`` bytes, for the history and for Polars alike.

    Raises:
        FileFormatError: ``path`` is not a regular file, or is too large.
    """
    from salesflow.analytics._require import require

    pl = require("polars")
    preset = DATA_PRESETS[name]
    if Path(path).suffix.lower() != ".csv":
        raise click.BadParameter(
            f"{safe_text(path)}: the {name} preset reads a .csv file", param_hint="'FILE'"
        )
    process, columns = preset.process(), preset.columns()
    history = read_stage_dates(
        path,
        preset.stage_dates(),
        process=process,
        columns=columns,
        currency=preset.currency,
        date_formats=preset.date_formats,
        max_bytes=max_bytes,
    )
    with binary_file(path, max_bytes=max_bytes) as handle:  # checked before Polars sees it
        try:
            snapshot = pl.read_csv(handle, infer_schema_length=None)
        except Exception as exc:  # polars raises many kinds; all mean "not readable"
            raise click.BadParameter(
                f"{safe_text(path)}: cannot read as CSV: {safe_text(str(exc).splitlines()[0])}",
                param_hint="'FILE'",
            ) from exc
    dated = sorted(set(preset.stage_dates().values()))
    if not preset.date_formats:
        _suggest(pl, snapshot, dated, name, path)
    snapshot = _dated(pl, snapshot, dated, preset)
    rows = history.to_polars()
    end = rows.get_column("at").max() if rows.height else None
    if end is not None:
        end = datetime.combine(end.date(), time.max, tzinfo=timezone.utc)
    tables = Frames(
        snapshot,
        rows,
        columns=columns,
        process=process,
        currency=preset.currency,
    )
    return tables, history, end


def _unread(pl: Any, snapshot: Any, name: str, formats: Sequence[str]) -> bool:
    """Whether a non-empty cell of text column ``name`` is neither ISO 8601 nor in ``formats``."""
    text = pl.col(name).str.strip_chars()
    read = pl.coalesce(
        text.str.to_date("%Y-%m-%d", strict=False),
        *(text.str.to_date(shape, strict=False) for shape in formats),
    )
    return bool(snapshot.select((text.is_not_null() & (text != "") & read.is_null()).any()).item())


def _suggest(pl: Any, snapshot: Any, columns: list[str], name: str, path: str) -> None:
    """Stop with the preset that reads the file's dates, when another one does.

    Raises:
        click.BadParameter: A date column this preset cannot read, which a
            preset of the same process and columns reads whole.
    """
    texts = [c for c in columns if c in snapshot.columns and snapshot.schema[c] == pl.String]
    unread = [c for c in texts if _unread(pl, snapshot, c, ())]
    if not unread:
        return
    mine = DATA_PRESETS[name]
    for other, preset in DATA_PRESETS.items():
        same = (preset.process, preset.columns) == (mine.process, mine.columns)
        if (
            same
            and preset.date_formats
            and not any(_unread(pl, snapshot, c, preset.date_formats) for c in texts)
        ):
            example = snapshot.get_column(unread[0]).drop_nulls().item(0)
            raise click.BadParameter(
                f"{safe_text(path)}: its {unread[0]} column holds dates like "
                f"{safe_text(repr(example))}, which the {name} preset does not read (it never "
                f"guesses a day's order); --preset {other} reads them as "
                f"{' or '.join(preset.date_formats)}",
                param_hint="'--preset'",
            )


def _dated(pl: Any, snapshot: Any, columns: list[str], preset: DataPreset) -> Any:
    """The snapshot with its text date ``columns`` read in the preset's formats.

    A column some non-empty cell of which fits neither ISO 8601 nor a format
    is left as it is: the analytics then say which cell they cannot read.
    """
    if not preset.date_formats:
        return snapshot
    for name in columns:
        if name not in snapshot.columns or snapshot.schema[name] != pl.String:
            continue
        if not _unread(pl, snapshot, name, preset.date_formats):
            text = pl.col(name).str.strip_chars()
            read = pl.coalesce(
                text.str.to_date("%Y-%m-%d", strict=False),
                *(text.str.to_date(shape, strict=False) for shape in preset.date_formats),
            )
            snapshot = snapshot.with_columns(read.alias(name))
    return snapshot
