"""The columnar import: two CSV files of text cells, ruled in columns, into frames."""

from __future__ import annotations

from collections.abc import Mapping

from salesflow.io._assemble import Table
from salesflow.io._cells import Options
from salesflow.io._csv_frame import CsvFrame
from salesflow.io._frame_rules import Checks, refusals, rule
from salesflow.io._frame_tables import tables
from salesflow.io.result import ImportedFrames

__all__ = ["import_frames"]


def import_frames(
    opportunities: CsvFrame,
    history: CsvFrame | None,
    fields: Mapping[str, Table],
    options: Options,
) -> ImportedFrames:
    """The frames of the records taken, every record refused, and the counts.

    ``fields`` names each salesflow field's possible columns, for the kinds
    ``Opportunity`` and ``OpportunityHistory``.
    """
    opps = Checks(opportunities, "Opportunity", fields["Opportunity"])
    hist = (
        None
        if history is None
        else Checks(history, "OpportunityHistory", fields["OpportunityHistory"])
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
