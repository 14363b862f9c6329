"""The columnar import: files of text cells, ruled in columns, into frames."""

from __future__ import annotations

import contextvars
from collections.abc import Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from salesflow.io._assemble import Table
from salesflow.io._cells import Options
from salesflow.io._csv_frame import CsvFrame, csv_frame
from salesflow.io._frame_rules import Checks, refusals, rule
from salesflow.io._frame_tables import tables
from salesflow.io._source import Source
from salesflow.io.result import ImportedFrames, ImportResult
from salesflow.process import SalesProcess

__all__ = ["import_files", "import_frames", "tabulated"]


def import_frames(
    opportunities: Source,
    history: Source | None,
    fields: Mapping[str, Table],
    options: Options,
    *,
    encoding: str,
    max_bytes: int,
) -> ImportedFrames:
    """Read both CSV files in columns: the frames of the records taken, every record refused.

    ``fields`` names each salesflow field's possible columns, for the kinds
    ``Opportunity`` and ``OpportunityHistory``; ``max_bytes`` is checked already.
    """
    if history is None:
        opp_file = csv_frame(opportunities, encoding=encoding, max_bytes=max_bytes)
        hist_file = None
    else:  # Polars parses and writes back one file while Python reads the other
        with ThreadPoolExecutor(1) as pool:  # in this context: a slow read reports progress
            read = partial(csv_frame, history, encoding=encoding, max_bytes=max_bytes)
            later = pool.submit(contextvars.copy_context().run, read)
            opp_file = csv_frame(opportunities, encoding=encoding, max_bytes=max_bytes)
            hist_file = later.result()
    found = import_files(opp_file, hist_file, fields, options)
    assert found is not None  # nothing was typed
    return found


def import_files(
    opp_file: CsvFrame,
    hist_file: CsvFrame | None,
    fields: Mapping[str, Table],
    options: Options,
    *,
    typed: Mapping[str, Collection[str]] | None = None,
) -> ImportedFrames | None:
    """Rule two files of text cells: the frames of the records taken, every record refused.

    ``typed`` names, per kind, the columns whose cells were typed values
    written as text (a Parquet file's): a cell of one of them that a reader
    refuses gives ``None``, for the refusal is the record loop's to word (it
    names the typed value, not its text).
    """
    opps = Checks(opp_file, "Opportunity", fields["Opportunity"])
    hist = (
        None
        if hist_file is None
        else Checks(hist_file, "OpportunityHistory", fields["OpportunityHistory"])
    )
    for checks in (opps, hist):
        if checks is not None and typed is not None:
            checks.typed = frozenset(typed.get(checks.kind, ()))
    ruled = rule(opps, hist, options)
    if typed is not None and any(
        _worded_from_text(checks, typed.get(checks.kind, ()))
        for checks in (opps, hist)
        if checks is not None
    ):
        return None
    refused = refusals(ruled)
    found, notes, taken = tables(ruled, options)
    read = {}
    if hist is not None and hist.frame.height:
        read["OpportunityHistory"] = hist.frame.height
    if opps.frame.height:
        read["Opportunity"] = opps.frame.height
    return ImportedFrames(frames=found, refused=refused, notes=notes, read=read, taken=taken)


def _worded_from_text(checks: Checks, typed: Collection[str]) -> bool:
    """Whether a message on a typed column quotes its cell: a reader refused the text.

    Every reader's refusal quotes the cell (``got '2026-13-01'``); the loop
    words it from the typed value instead (``got Decimal('55.00')``, ``got
    int``). Other messages on a typed column (``a closed deal without a close
    date``, ``says True, but ...``) come from values both paths read alike.
    A typed column's text holds no quote or backslash, so its repr is itself
    in quotes.
    """
    pl = checks.pl
    cells = {f"$.{name}": f"c{i}" for i, name in enumerate(checks.file.header) if name in typed}
    for messages, path in checks.messages:
        if path not in cells:
            continue
        quoted = pl.lit("'") + checks.frame[cells[path]] + pl.lit("'")
        found = pl.select(messages.str.contains(quoted, literal=True).any()).item()
        if found:
            return True
    return False


def tabulated(result: ImportResult, process: SalesProcess) -> ImportedFrames:
    """The loop's import as frames: what :func:`salesflow.analytics.frames` makes of its
    deals and activities."""  # noqa: D205, D209
    from salesflow.analytics.frames import Frames, frames

    made = frames(result.opportunities, result.activities)
    return ImportedFrames(
        frames=Frames(
            made.snapshot, made.history, made.activities, made.contact_roles, process=process
        ),
        refused=result.refused,
        notes=result.notes,
        read=result.read,
        taken=result.taken,
    )
