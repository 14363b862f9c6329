r"""Importing a Salesforce Opportunity (and OpportunityHistory) CSV straight into frames.

:func:`read_salesforce_frames` reads what :func:`~salesflow.io.read_salesforce_csv`
reads, refuses what it refuses, for the same reasons at the same paths, and
returns the tables :func:`salesflow.analytics.frames` would make of the
opportunities it took, without making them: every rule is a column
expression over the whole file (Polars, the ``analytics`` extra). A property
test holds the two paths to the same records, reasons and frames.

>>> import io, salesflow as sf
>>> from salesflow.io import read_salesforce_frames
>>> export = io.StringIO(
...     "Id,Name,StageName,CloseDate,Amount,CurrencyIsoCode\n"
...     "006A,Acme,Prospecting,2026-03-31,100.5,USD\n"
...     "006B,Initech,Nowhere,2026-03-31,200,USD\n")
>>> result = read_salesforce_frames(export, process=sf.presets.salesforce_standard())
>>> result.frames.snapshot.select("id", "stage", "amount").rows()
[('006A', 'Prospecting', Decimal('100.50'))]
>>> print(result.refused[0])
<stream> record 2 (006B), Opportunity: unknown stage 'Nowhere' in process 'Salesforce standard'; its stages are ... @ $.StageName
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo

from salesflow._regular_file import check_limit
from salesflow.io._cells import make_options
from salesflow.io._columnar import import_frames
from salesflow.io._salesforce_fields import SALESFORCE_FIELDS
from salesflow.io._source import MAX_IMPORT_BYTES, Source
from salesflow.io.policy import CloseDatePolicy
from salesflow.io.result import ImportedFrames
from salesflow.process import SalesProcess

__all__ = ["read_salesforce_frames"]


def read_salesforce_frames(
    opportunities: Source,
    *,
    process: SalesProcess,
    history: Source | None = None,
    aliases: Mapping[str, str] | None = None,
    close_dates: CloseDatePolicy | None = None,
    currency: str | None = None,
    timezone: tzinfo | None = None,
    imported_at: datetime | None = None,
    encoding: str = "utf-8",
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ImportedFrames:
    """Import a Salesforce Opportunity CSV (and its OpportunityHistory) as frames, at columnar speed.

    The same import as :func:`~salesflow.io.read_salesforce_csv` with only
    these two exports: the same records are taken and refused, with the same
    reasons; the tables are those :func:`salesflow.analytics.frames` makes
    of the opportunities taken, except that ``next_gate_met`` is null (a gate
    is evaluated on an object). Needs the ``analytics`` extra (Polars).

    Args:
        opportunities: The Opportunity export.
        process: The process whose stages ``StageName`` must name.
        history: An OpportunityHistory export.
        aliases: Source stage name → process stage name.
        close_dates: What to do with an open deal without a close date.
        currency: The currency of amounts without ``CurrencyIsoCode``.
        timezone: The zone of timestamps without an offset (read cell by
            cell in Python: slower).
        imported_at: The creation time of records whose source has none.
        encoding: The files' encoding.
        max_bytes: The largest file to read (default 2 GiB).

    Returns:
        The frames, and every record refused with its reasons.

    Raises:
        FileFormatError: A file is unreadable, not a regular file, larger than
            ``max_bytes``, empty, repeats a column, or (a text stream only)
            holds text that is not unicode.
        ValidationError: An alias names a stage the process lacks, a bad
            ``max_bytes``, or an amount that a 38-digit decimal column cannot hold.
        MissingExtraError: Polars is not installed.
    """
    limit = check_limit(max_bytes)
    options = make_options(
        process,
        aliases=aliases,
        close_dates=close_dates,
        currency=currency,
        zone=timezone,
        imported_at=imported_at,
    )
    return import_frames(
        opportunities, history, SALESFORCE_FIELDS, options, encoding=encoding, max_bytes=limit
    )
