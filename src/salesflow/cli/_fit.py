"""The report's fit, read from the snapshot file: a ``fit`` column, or a profile's evidence.

A ``fit`` column holds a score in 0..1 per deal; an empty cell is a deal of
unknown fit (ranked after those with one, never taken as 0). With
``--fit-profile FILE`` the fit is assessed instead from ``fit_<criterion>``
columns holding evidence levels (``none``, ``claimed``, ``confirmed``, or a
level's index). A cell that is not a number in 0..1, or not a level of its
criterion, refuses the report, naming its line (CSV, the header is line 1)
or row (Parquet) and the deal: nothing is dropped silently.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from salesflow.buyer.fit import FitAssessment, FitProfile, assess_fit
from salesflow.cli._priorities import Fits, given_fit
from salesflow.errors import FileFormatError, Problem, ValidationError
from salesflow.files import read_document
from salesflow.serialization import from_dict

__all__ = ["EVIDENCE_PREFIX", "FIT_COLUMN", "read_fit_profile", "read_fits"]

FIT_COLUMN = "fit"
EVIDENCE_PREFIX = "fit_"


def read_fit_profile(path: str) -> FitProfile:
    """A :class:`~salesflow.FitProfile` from a JSON, TOML or YAML file (``salesflow.dumps`` form).

    Raises:
        FileFormatError: Not a readable document.
        ValidationError: Not a valid fit profile, each problem at its path.
    """
    return from_dict(read_document(path), FitProfile, subject=f"fit profile {path}")


def _jsonl(path: str, max_bytes: int) -> tuple[list[str], list[Mapping[str, Any]], str]:
    """A JSON Lines snapshot's keys (in order met) and objects; a line no object holds none."""
    import json
    from decimal import Decimal

    from salesflow.io.table import jsonl_content

    _, text = jsonl_content(path, max_bytes)
    rows: list[Mapping[str, Any]] = []
    for line in text.removeprefix("\ufeff").split("\n"):
        if not line.strip():
            continue
        try:
            value = json.loads(line, parse_float=Decimal)
        except (ValueError, RecursionError):
            continue  # the import refuses the line and says why
        if isinstance(value, dict):
            rows.append(value)
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return columns, rows, "row"


def _table(path: str, max_bytes: int) -> tuple[list[str], list[Mapping[str, Any]], str]:
    """The file's columns, its rows, and what a row number is called (``line`` or ``row``)."""
    if Path(path).suffix.lower() == ".jsonl":
        return _jsonl(path, max_bytes)
    if Path(path).suffix.lower() == ".csv":
        from salesflow.io.plans import _rows  # the targets reader's: UTF-8, regular file, bounded

        rows = _rows(path, max_bytes)
        columns = list(rows[0]) if rows else []
        return columns, list(rows), "line"
    from salesflow.analytics._require import require
    from salesflow.io._source import binary_file

    pl = require("polars")
    with binary_file(path, max_bytes=max_bytes) as handle:
        try:
            frame = pl.read_parquet(handle)
        except Exception as exc:  # polars raises many kinds; all mean "not readable"
            raise FileFormatError(path, f"cannot read as Parquet: {exc}") from exc
    return list(frame.columns), list(frame.iter_rows(named=True)), "row"


def _header(path: str, max_bytes: int) -> list[str]:
    """The file's column names, without reading its rows (a JSON Lines file's: all of it)."""
    if Path(path).suffix.lower() == ".jsonl":
        return _jsonl(path, max_bytes)[0]
    if Path(path).suffix.lower() == ".csv":
        from salesflow.io._source import csv_rows

        _, header, _ = csv_rows(path, max_bytes=max_bytes)
        return header
    from salesflow.analytics._require import require
    from salesflow.io._source import binary_file

    pl = require("polars")
    with binary_file(path, max_bytes=max_bytes) as handle:
        try:
            return list(pl.read_parquet_schema(handle))
        except Exception as exc:  # polars raises many kinds; all mean "not readable"
            raise FileFormatError(path, f"cannot read as Parquet: {exc}") from exc


def _where(kind: str, index: int, column: str, deal: object) -> str:
    number = index + 2 if kind == "line" else index + 1
    return f"{kind} {number}, column {column} (deal {deal!r})"


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _score(value: object) -> float | None:
    """A cell as a score in 0..1, or ``None`` when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            return None
    if not isinstance(value, (int, float, Decimal)):
        return None
    score = float(value)
    return score if math.isfinite(score) and 0 <= score <= 1 else None


def _level(value: object) -> str | int | None:
    if _blank(value):
        return None
    text = str(value).strip()
    return int(text) if text.isdigit() else text


def _given(
    rows: Sequence[Mapping[str, Any]], id_column: str, kind: str
) -> tuple[dict[str, FitAssessment], list[Problem]]:
    fits: dict[str, FitAssessment] = {}
    problems = []
    for index, row in enumerate(rows):
        cell = row.get(FIT_COLUMN)
        if _blank(cell):
            continue
        score = _score(cell)
        if score is None:
            where = _where(kind, index, FIT_COLUMN, row.get(id_column))
            problems.append(Problem(f"expected a fit score in 0..1, got {cell!r}", where))
        else:
            fits[str(row.get(id_column))] = given_fit(score, "the fit column")
    return fits, problems


def _assessed(
    rows: Sequence[Mapping[str, Any]], id_column: str, kind: str, profile: FitProfile
) -> tuple[dict[str, FitAssessment], list[Problem]]:
    named = {c.name: EVIDENCE_PREFIX + c.name for c in profile.criteria}
    fits: dict[str, FitAssessment] = {}
    problems = []
    for index, row in enumerate(rows):
        evidence = {name: _level(row.get(column)) for name, column in named.items()}
        try:
            fits[str(row.get(id_column))] = assess_fit(profile, evidence)
        except ValidationError as exc:
            for p in exc.problems:
                name = p.path.removeprefix("$['").removesuffix("']")
                column = named.get(name, EVIDENCE_PREFIX + name)
                problems.append(
                    Problem(p.message, _where(kind, index, column, row.get(id_column)))
                )
    return fits, problems


def read_fits(
    path: str, *, id_column: str, profile: FitProfile | None, max_bytes: int
) -> Fits | None:
    """The deals' fits from the snapshot file at ``path``, or ``None`` when it gives none.

    Args:
        path: The CSV, Parquet or JSON Lines snapshot.
        id_column: What the file calls the deal's id.
        profile: Assess fit from the ``fit_<criterion>`` columns against it
            (the ``fit`` column is then not read).
        max_bytes: The largest file to read.

    Raises:
        ValidationError: A bad cell (each named by its line or row, column and
            deal), no id column, or a profile none of whose evidence columns
            the file has.
    """
    if profile is None and FIT_COLUMN not in _header(path, max_bytes):
        return None  # not a row read for nothing
    columns, rows, kind = _table(path, max_bytes)
    if id_column not in columns:
        raise ValidationError(
            [Problem(f"no {id_column!r} column to match the fits to the deals", "$")],
            subject=f"{path}: fit",
        )
    if profile is None:
        fits, problems = _given(rows, id_column, kind)
        source = "the snapshot's fit column, a score in 0..1 per deal"
    else:
        evidence = [EVIDENCE_PREFIX + name for name in profile.names]
        if not set(evidence) & set(columns):
            raise ValidationError(
                [Problem(f"none of the evidence columns {', '.join(evidence)}", "$")],
                subject=f"{path}: fit profile {profile.name!r}",
            )
        fits, problems = _assessed(rows, id_column, kind, profile)
        source = (
            f"assessed against the fit profile {profile.name!r} from the columns "
            f"{', '.join(c for c in evidence if c in columns)} (evidence not given is the "
            "lowest level; no industry or solution, so no matrix)"
        )
    if problems:
        raise ValidationError(problems, subject=f"{path}: fit")
    return Fits(by_id=fits, source=source)
