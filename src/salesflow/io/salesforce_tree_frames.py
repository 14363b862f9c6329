"""Importing Salesforce CLI tree-import JSON straight into frames.

:func:`read_salesforce_json_frames` reads what
:func:`~salesflow.io.read_salesforce_json` reads and refuses what it refuses,
for the same reasons at the same paths, and returns the tables
:func:`salesflow.analytics.frames` makes of the opportunities it took. Its
Opportunity and OpportunityHistory records are ruled in columns, as
:func:`~salesflow.io.read_salesforce_frames` rules a CSV export's rows; its
accounts and contacts are read one by one. A property test holds it to
the record loop's answer.

>>> import io, salesflow as sf
>>> from salesflow.io import read_salesforce_json_frames
>>> tree = io.StringIO('''{"records": [
...   {"attributes": {"type": "Account", "referenceId": "AccRef1"}, "Name": "Get Cloudy"},
...   {"attributes": {"type": "Opportunity", "referenceId": "OppRef1"}, "AccountId": "@AccRef1",
...    "Name": "Sneakers", "Amount": 4200.50, "CloseDate": "2026-07-01",
...    "StageName": "Needs Analysis", "CreatedDate": "2026-05-04T09:30:00Z"},
...   {"attributes": {"type": "Opportunity", "referenceId": "OppRef2"}, "AccountId": "@AccRef1",
...    "Name": "Laces", "Amount": 10, "CloseDate": "2026-07-01",
...    "StageName": "Closed/Won", "CreatedDate": "2026-05-04T09:30:00Z"}]}''')
>>> result = read_salesforce_json_frames(
...     tree, process=sf.presets.salesforce_standard(), currency="USD")
>>> result.frames.snapshot.select("id", "account_id", "amount").rows()
[('OppRef1', 'AccRef1', Decimal('4200.50'))]
>>> print(result.refused[0])
<stream> record 3 (OppRef2), Opportunity: unknown stage 'Closed/Won' in process 'Salesforce standard'; did you mean 'Closed Won'? (pass an alias to map it) @ $.StageName
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

import attrs

from salesflow._regular_file import check_limit
from salesflow.account import Account
from salesflow.contact import Contact
from salesflow.io._assemble import ID_FIELDS, Record, Table, _Run, _simple
from salesflow.io._cells import Options, make_options
from salesflow.io._columnar import import_files, tabulated
from salesflow.io._salesforce_fields import SALESFORCE_FIELDS
from salesflow.io._source import MAX_IMPORT_BYTES, Source
from salesflow.io._typed_text import TextFile, jsonl_text
from salesflow.io.policy import CloseDatePolicy
from salesflow.io.result import ImportedFrames
from salesflow.io.salesforce import assembled, tree_records
from salesflow.io.table import JsonColumns
from salesflow.process import SalesProcess

__all__ = ["read_salesforce_json_frames"]

_IN_COLUMNS = frozenset({"Opportunity", "OpportunityHistory", "Account", "Contact"})
_REFERENCE_ID = "attributes.referenceId"
_SCALARS = (str, Decimal, int, bool, type(None))


def read_salesforce_json_frames(
    *files: Source,
    process: SalesProcess,
    aliases: Mapping[str, str] | None = None,
    close_dates: CloseDatePolicy | None = None,
    currency: str | None = None,
    timezone: tzinfo | None = None,
    imported_at: datetime | None = None,
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ImportedFrames:
    """Import Salesforce CLI tree-import files as frames, their deals ruled in columns.

    The same import as :func:`~salesflow.io.read_salesforce_json`: the same
    records taken and refused, with the same reasons; the tables are those
    :func:`salesflow.analytics.frames` makes of the opportunities taken
    (``next_gate_met`` null). The Opportunity and OpportunityHistory records
    are ruled in columns when the files hold only those, accounts and
    contacts (read one by one), each kind in one file, every record of a kind with the same fields, of text,
    numbers, flags and nulls, and every ``@reference`` names a record taken;
    any other files (contact roles, tasks, events; a record the loop would
    refuse for its shape; a reference to a refused or unknown record) are
    read record by record and tabulated: the same answer, at the loop's
    speed. Refusals are listed accounts and contacts first, then opportunities, then
    history rows, each in file order (the loop lists a deal's history rows
    after the deal). Needs the ``analytics`` extra (Polars).

    Args:
        *files: Tree files (``{"records": [...]}``), or a ``data-plan.json``
            path, which stands for the files it lists.
        process: The process whose stages ``StageName`` must name.
        aliases: Source stage name → process stage name.
        close_dates: What to do with an open deal without a close date.
        currency: The currency of amounts without ``CurrencyIsoCode``.
        timezone: The zone of timestamps without an offset.
        imported_at: The creation time of records whose source has none.
        max_bytes: The largest file to read (default 2 GiB).

    Returns:
        The frames, and every record refused with its reasons.

    Raises:
        FileFormatError: A file is unreadable, not a regular file, larger than
            ``max_bytes``, not JSON, or not a tree file.
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
    records = tree_records(files, limit)
    found = _in_columns(records, options)
    if found is not None:
        return found
    return tabulated(assembled(records, options), process)


def _in_columns(records: list[Record], options: Options) -> ImportedFrames | None:
    """The import with the deals ruled in columns, or ``None`` where only the loop can say."""
    if any(r.kind not in _IN_COLUMNS or r.problems for r in records):
        return None
    kinds: dict[str, list[Record]] = {kind: [] for kind in _IN_COLUMNS}
    for record in records:
        kinds[record.kind].append(record)
    opps, hist = kinds["Opportunity"], kinds["OpportunityHistory"]
    if not opps:
        return None
    refs = {r.ref for r in records if r.ref is not None}
    run = _Run(options)
    _simple(run, kinds["Account"], SALESFORCE_FIELDS["Account"], refs, Account)
    _simple(run, kinds["Contact"], SALESFORCE_FIELDS["Contact"], refs, Contact)
    hist_table = SALESFORCE_FIELDS["OpportunityHistory"]
    hist_text = None
    if hist:
        hist_text = _text(hist, "OpportunityHistory", hist_table, refs, frozenset())
        if hist_text is None:
            return None
        # a history row without an opportunity is refused first: a reference to it, refused
        run.refused_refs.update(  # as the loop reads them, before the deals
            r.ref
            for r in hist
            if r.ref is not None and r.cells(hist_table, refs).text("opportunity_id") is None
        )
    opp_table = _with_reference_ids(opps)
    if opp_table is None:
        return None
    opp_text = _text(opps, "Opportunity", opp_table, refs, frozenset(run.refused_refs))
    if opp_text is None:
        return None
    fields = {**SALESFORCE_FIELDS, "Opportunity": opp_table}
    typed = {
        "Opportunity": opp_text.typed,
        "OpportunityHistory": frozenset() if hist_text is None else hist_text.typed,
    }
    found = import_files(
        opp_text.file, None if hist_text is None else hist_text.file, fields, options, typed=typed
    )
    if found is None:
        return None
    return _with_accounts(found, run, opps, hist)


def _with_reference_ids(opps: list[Record]) -> Table | None:
    """The Opportunity fields; where the records have no id, their reference ids (all or none).

    A record with an ``Id`` field is named by it (a refusal without one by its
    reference id: see :func:`_with_accounts`); one without takes its
    reference id, else the file's stem and its number: ``None`` if only some have one.
    """
    table = SALESFORCE_FIELDS["Opportunity"]
    if any(name.casefold() in opps[0].data for name in table["id"]):
        return table
    with_ref = {r.ref is not None for r in opps}
    if with_ref == {True}:
        return {**table, "id": (*table["id"], _REFERENCE_ID)}
    return table if with_ref == {False} else None


def _text(
    records: list[Record], kind: str, table: Table, refs: set[str], refused: frozenset[str]
) -> TextFile | None:
    """One kind's records as text cells, references resolved; ``None``: the loop must read them."""
    first = records[0]
    source = first.source
    spelled = {k: v for k, v in first.spelled.items() if k != "attributes"}
    keys = list(spelled)
    if any(
        r.source != source or r.data.keys() != spelled.keys() or r.spelled != first.spelled
        for r in records
    ):
        return None
    values: list[tuple[Any, ...]] = []
    for key in keys:
        column: list[Any] | None = [r.data[key] for r in records]
        if _picked(key, table, keys):
            column = _resolved(column or [], refs, refused)
            if column is None:
                return None
        values.append(tuple(column or []))
    header = [spelled[k] for k in keys]
    if _REFERENCE_ID in table.get("id", ()):
        header.append(_REFERENCE_ID)
        values.append(tuple(r.ref for r in records))
    types = [set(map(type, column)) for column in values]
    if any(not all(t in _SCALARS for t in found) for found in types):
        return None
    columns = JsonColumns(tuple(header), [r.number for r in records], values, types)
    return jsonl_text(source, columns, kind, table)


def _picked(key: str, table: Table, keys: Sequence[str]) -> bool:
    """Whether the key is the one an id field is read from (its first name the records have)."""
    for field in ID_FIELDS & table.keys():
        for name in table[field]:
            if name.casefold() in keys:
                if name.casefold() == key:
                    return True
                break
    return False


def _resolved(column: list[Any], refs: set[str], refused: frozenset[str]) -> list[Any] | None:
    """An id column, ``@references`` to records taken resolved; ``None``: another, or no text."""
    out: list[Any] = []
    for value in column:
        if value is None:
            out.append(value)
        elif type(value) is not str:
            return None  # the loop names a refusal by a text id only
        elif value.startswith("@"):
            if value[1:] in refused or value[1:] not in refs:
                return None  # the loop words the problem
            out.append(value[1:])
        else:
            out.append(value)
    return out


def _with_accounts(
    found: ImportedFrames, run: _Run, opps: list[Record], hist: list[Record]
) -> ImportedFrames:
    """The columnar import with the accounts' and contacts' refusals and counts (``run``);
    refusals named as the loop names them."""  # noqa: D205, D209
    opp_refs = {r.number: r.ref for r in opps}
    hist_refs = {r.number: r.ref for r in hist}
    refused = []
    for refusal in found.refused:
        if refusal.kind == "OpportunityHistory":
            refusal = attrs.evolve(refusal, id=hist_refs.get(refusal.record))
        elif not refusal.id:
            refusal = attrs.evolve(refusal, id=opp_refs.get(refusal.record))
        refused.append(refusal)
    return ImportedFrames(  # accounts and contacts first, as the loop reads them
        frames=found.frames,
        refused=(*run.refused, *refused),
        notes=found.notes,
        read={**run.read, **found.read},
        taken={**run.taken, **found.taken},
    )
