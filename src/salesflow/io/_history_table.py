"""The history table the history readers build, as rows or as a frame, and its accounting."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timezone as zones
from decimal import Decimal
from typing import Any

import attrs

from salesflow._decimals import widest_scale
from salesflow.columns import HISTORY_COLUMNS
from salesflow.errors import Problem, ValidationError
from salesflow.io.result import Refusal

__all__ = ["DIGITS", "EXACT_TEXT", "HistoryTable", "framed", "wide_amounts"]


DIGITS = 38
"""What a decimal column holds in Polars, DuckDB, Arrow and Spark: 38 digits."""


def wide_amounts(amounts: Sequence[tuple[str, Decimal]], scale: int) -> list[Problem]:
    """The first ten ``(opportunity id, amount)`` a 38-digit column at ``scale`` cannot hold.

    Give each row's amount, then its previous amount, row by row.
    """
    problems = []
    for ident, value in amounts:
        whole = max(value.adjusted() + 1, 1) if value else 1
        if whole + scale > DIGITS:
            problems.append(
                Problem(
                    f"{value} needs {whole + scale} digits at {scale} decimal places; "
                    f"a decimal column holds {DIGITS}",
                    f"$[{ident!r}].amount",
                )
            )
            if len(problems) == 10:
                break
    return problems


def _numbered(rows: Iterable[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    """``rows`` with each opportunity's ``sequence`` (1, 2, ... in the given order)."""
    seen: dict[Any, int] = {}
    numbered = []
    for row in rows:
        key = row.get("opportunity_id")
        seen[key] = seen.get(key, 0) + 1
        numbered.append({**row, "sequence": seen[key]} if "sequence" not in row else row)
    return tuple(numbered)


_STAGE_DATE_KEYS = (
    "opportunity_id",
    "at",
    "stage",
    "amount",
    "currency",
    "close_date",
    "sequence",
)
"""The keys of the rows a stage-date reader makes (a frame may lack the empty columns)."""


def _numbered_or_none(rows: Iterable[dict[str, Any]] | None) -> tuple[dict[str, Any], ...] | None:
    return None if rows is None else _numbered(rows)


@attrs.frozen(kw_only=True, eq=False)
class HistoryTable:
    """A history table built by a reader, and its accounting.

    A reader that built the table in columns (:func:`read_stage_dates` on a
    CSV file, with Polars installed) keeps it as a frame, and makes
    :attr:`rows` of it only when they are asked for.

    Attributes:
        rows: One dictionary per history row, in salesflow's history columns
            (``opportunity_id``, ``at``, ``sequence``: the row's place among its
            opportunity's rows, which orders rows at one instant, ``stage``,
            ``amount``, ``currency``, ``close_date``: the day of a move into a
            closed stage, else empty).
        read: Records read.
        taken: Records that gave history rows (or none, when a deal has no date).
        refused: Every record refused, with all its reasons.
        notes: What the reader assumed or could not build, one sentence each.
    """

    _rows: tuple[dict[str, Any], ...] | None = attrs.field(
        default=None, alias="rows", converter=_numbered_or_none
    )
    read: int
    taken: int
    refused: tuple[Refusal, ...]
    notes: tuple[str, ...] = ()
    _frame: Any = attrs.field(default=None, alias="frame", repr=False)
    _keys: tuple[str, ...] = attrs.field(default=_STAGE_DATE_KEYS, alias="keys", repr=False)

    @property
    def rows(self) -> tuple[dict[str, Any], ...]:
        """The history rows as dictionaries (made of the frame once, when it holds them)."""
        if self._rows is None:
            object.__setattr__(self, "_rows", _rows_of(self._frame, self._keys))
        assert self._rows is not None
        return self._rows

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HistoryTable):
            return NotImplemented
        return (self.read, self.taken, self.refused, self.notes, self.rows) == (
            other.read,
            other.taken,
            other.refused,
            other.notes,
            other.rows,
        )

    __hash__ = None  # type: ignore[assignment]  # rows are dictionaries

    @property
    def ok(self) -> bool:
        """True when no record was refused."""
        return not self.refused

    @property
    def height(self) -> int:
        """The number of history rows (without making them into dictionaries)."""
        return len(self._rows) if self._rows is not None else int(self._frame.height)

    def to_polars(self) -> Any:
        """The rows as a Polars DataFrame (needs the ``analytics`` extra).

        Raises:
            ValidationError: An amount that a 38-digit decimal column cannot
                hold at the table's scale (the columnar reader refuses it while
                reading).
        """
        if self._frame is not None:
            return self._frame.select(
                [c for c in self._frame.columns if not c.startswith(EXACT_TEXT)]
            )
        from salesflow.analytics._require import require

        pl = require("polars")
        rows = self.rows
        always = ("opportunity_id", "at", "sequence", "stage", "close_date")
        names = [
            n for n in HISTORY_COLUMNS if n in always or any(r.get(n) is not None for r in rows)
        ]
        money = widest_scale(
            (r.get(n) for r in rows for n in ("amount", "previous_amount") if r.get(n)),
            least=2,
        )
        wide = wide_amounts(
            [
                (r["opportunity_id"], r[n])
                for r in rows
                for n in ("amount", "previous_amount")
                if r.get(n) is not None
            ],
            money,
        )
        if wide:
            raise ValidationError(
                wide, subject="the history table (decimal columns hold 38 digits)"
            )
        kinds = {
            "at": pl.Datetime("us", "UTC"),
            "sequence": pl.Int64,
            "amount": pl.Decimal(38, money),
            "previous_amount": pl.Decimal(38, money),
            "probability": pl.Decimal(38, widest_scale(r.get("probability") for r in rows)),
            "close_date": pl.Date,
            "previous_close_date": pl.Date,
        }
        schema = {n: kinds.get(n, pl.String) for n in names}
        return pl.DataFrame([{n: r.get(n) for n in names} for r in rows], schema=schema)

    def summary(self) -> str:
        """Read, taken and refused, then each refusal and note on its own line."""
        lines = [
            f"history: {self.read} read, {self.taken} taken, {len(self.refused)} refused, "
            f"{self.height} history rows"
        ]
        lines += [f"  refused {r}" for r in self.refused]
        lines += [f"  {n}" for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"HistoryTable({self.height} rows from {self.read} records: "
            f"{self.taken} taken, {len(self.refused)} refused)"
        )


EXACT_TEXT = "_text_"
"""A history frame's column ``_text_<name>`` holds the exact text of decimal column ``<name>``.

Its rows take their decimals from it (``Decimal("1000")``, as the loop reads
them, not the column's ``Decimal("1000.00")``); ``to_polars()`` leaves it out.
"""


def _rows_of(frame: Any, names: tuple[str, ...]) -> tuple[dict[str, Any], ...]:
    """The rows of a history frame with the loop's keys ``names`` (times in ``timezone.utc``)."""
    utc = zones.utc

    def values(name: str) -> list[Any]:
        if EXACT_TEXT + name in frame.columns:
            texts = frame.get_column(EXACT_TEXT + name).to_list()
            return [None if t is None else Decimal(t) for t in texts]
        if name in frame.columns:
            return list(frame.get_column(name).to_list())
        return [None] * frame.height

    columns = [values(n) for n in names]
    rows = []
    for cells in zip(*columns, strict=True):
        row = dict(zip(names, cells, strict=True))
        row["at"] = row["at"].replace(tzinfo=utc)
        rows.append(row)
    return tuple(rows)


def framed(
    frame: Any,
    *,
    read: int,
    refused: Sequence[Refusal],
    notes: tuple[str, ...] = (),
    keys: tuple[str, ...] = _STAGE_DATE_KEYS,
) -> HistoryTable:
    """A table a reader built in columns: ``frame``, its rows' ``keys``, and its accounting."""
    return HistoryTable(
        frame=frame,
        keys=keys,
        read=read,
        taken=read - len(refused),
        refused=tuple(refused),
        notes=notes,
    )
