"""The columnar import: two CSV files of text cells, ruled in columns, into frames."""

from __future__ import annotations

from collections.abc import Mapping

from salesflow.io._assemble import Table
from salesflow.io._cells import Options
from salesflow.io._csv_frame import csv_frame
from salesflow.io._frame_rules import Checks, refusals, rule
from salesflow.io._frame_tables import tables
from salesflow.io._source import Source
from salesflow.io.result import ImportedFrames

__all__ = ["import_frames"]


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
    opp_file = csv_frame(opportunities, encoding=encoding, max_bytes=max_bytes)
    hist_file = (
        None if history is None else csv_frame(history, encoding=encoding, max_bytes=max_bytes)
    )
    opps = Checks(opp_file, "Opportunity", fields["Opportunity"])
    hist = (
        None
        if hist_file is None
        else Checks(hist_file, "OpportunityHistory", fields["OpportunityHistory"])
    )
    ruled = rule(opps, hist, options)
    refused = refusals(ruled)
    found, notes, taken = tables(ruled, options)
    read = {}
    if hist is not None and hist.frame.height:
        read["OpportunityHistory"] = hist.frame.height
    if opps.frame.height:
        read["Opportunity"] = opps.frame.height
    return ImportedFrames(frames=found, refused=refused, notes=notes, read=read, taken=taken)
