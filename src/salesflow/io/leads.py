r"""Importing leads: a Salesforce Lead export, a HubSpot contacts export.

Both readers return an :class:`~salesflow.io.ImportResult` whose ``leads``
hold the leads taken; every row not taken is a :class:`~salesflow.io.Refusal`
naming the row and the source's field (``read == taken + refused``). Column
names match ignoring case, as the other importers do. A status must be one of
the lead process's, or mapped by ``aliases``; a converted lead must say when
and into which account and contact. Exports hold only the current status, so
imported leads have no status history.

>>> import io, salesflow as sf
>>> from salesflow.io import read_salesforce_leads
>>> export = io.StringIO(
...     "Id,Name,Company,Status,LeadSource,OwnerId,IsConverted,CreatedDate,ConvertedDate,"
...     "ConvertedAccountId,ConvertedContactId,ConvertedOpportunityId\n"
...     "00Q1,Lars Johnson,Get Cloudy,Closed - Converted,Web,005A,true,"
...     "2026-03-02T09:00:00Z,2026-03-09,001A,003A,006A\n"
...     "00Q2,Aparna,Get Cloudy,Closed/Converted,Web,005A,false,2026-03-02T09:00:00Z,,,,\n")
>>> result = read_salesforce_leads(export)
>>> lead = result.leads[0]
>>> lead.status, lead.converted_opportunity_id, lead.days_to_convert
('Closed - Converted', '006A', 6.625)
>>> print(result.refused[0])
<stream> record 2 (00Q2), Lead: unknown status 'Closed/Converted' in lead process 'Salesforce leads'; did you mean 'Closed - Converted'? (pass an alias to map it) @ $.Status
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone, tzinfo
from typing import Any

import attrs

from salesflow._regular_file import check_limit
from salesflow.errors import Problem, ValidationError, did_you_mean
from salesflow.ids import LeadId
from salesflow.io._assemble import Record, Table
from salesflow.io._cells import Cells
from salesflow.io._repeated_ids import Place, id_key, same_ids, twice
from salesflow.io._source import MAX_IMPORT_BYTES, Source, csv_rows, fields, stem
from salesflow.io._values import Reject, read_bool, read_text
from salesflow.io.result import ImportResult, Note, Refusal
from salesflow.lead import Lead
from salesflow.lead_process import LeadProcess
from salesflow.presets._leads import HUBSPOT_LIFECYCLE_STAGES, hubspot_lifecycle, salesforce_leads

__all__ = [
    "HUBSPOT_LEAD_FIELDS",
    "SALESFORCE_LEAD_FIELDS",
    "read_hubspot_leads",
    "read_salesforce_leads",
]

_PERSON: Table = {
    "email": ("Email",),
    "phone": ("Phone", "Phone Number"),
    "description": ("Description",),
}

SALESFORCE_LEAD_FIELDS: Table = {
    "id": ("Id", "Lead ID"),
    "name": ("Name", "Full Name"),
    "first_name": ("FirstName", "First Name"),
    "last_name": ("LastName", "Last Name"),
    "company": ("Company", "Company / Account"),
    "title": ("Title",),
    **_PERSON,
    "source": ("LeadSource", "Lead Source"),
    "owner": ("Owner.Name", "Lead Owner", "OwnerId"),
    "status": ("Status", "Lead Status"),
    "is_converted": ("IsConverted", "Converted"),
    "created_at": ("CreatedDate", "Create Date", "Created Date"),
    "converted_at": ("ConvertedDate", "Converted Date"),
    "converted_account_id": ("ConvertedAccountId", "Converted Account ID"),
    "converted_contact_id": ("ConvertedContactId", "Converted Contact ID"),
    "converted_opportunity_id": ("ConvertedOpportunityId", "Converted Opportunity ID"),
}
"""The Lead fields read: salesflow field → Salesforce API names and report labels."""

HUBSPOT_LEAD_FIELDS: Table = {
    "id": ("hs_object_id", "Record ID", "Contact ID", "vid"),
    "first_name": ("firstname", "First Name"),
    "last_name": ("lastname", "Last Name"),
    "company": ("company", "Company Name"),
    "title": ("jobtitle", "Job Title"),
    **_PERSON,
    "source": ("hs_analytics_source", "Original Source", "Original Traffic Source"),
    "owner": ("hubspot_owner_id", "Contact owner", "Contact Owner"),
    "status": ("lifecyclestage", "Lifecycle Stage"),
    "lead_status": ("hs_lead_status", "Lead Status"),
    "created_at": ("createdate", "Create Date"),
    "became_opportunity": ("hs_lifecyclestage_opportunity_date", "Became an Opportunity Date"),
    "became_customer": ("hs_lifecyclestage_customer_date", "Became a Customer Date"),
    "became_evangelist": ("hs_lifecyclestage_evangelist_date", "Became an Evangelist Date"),
    "converted_account_id": (
        "associatedcompanyid",
        "Associated Company IDs (Primary)",
        "Associated Company ID",
    ),
    "converted_opportunity_id": ("associateddealid", "Associated Deal IDs", "Associated Deal"),
}
"""The contact properties read: salesflow field → HubSpot internal names and labels."""

_ORDINARY = ("company", "title", "email", "phone", "source", "owner", "description")
_BECAME = ("became_opportunity", "became_customer", "became_evangelist")


@attrs.frozen(kw_only=True)
class _Options:
    process: LeadProcess
    aliases: Mapping[str, str]
    zone: tzinfo | None
    imported_at: datetime


def _options(
    process: LeadProcess,
    aliases: Mapping[str, str] | None,
    zone: tzinfo | None,
    imported_at: datetime | None,
) -> _Options:
    problems: list[Problem] = []
    if not isinstance(process, LeadProcess):
        problems.append(
            Problem(f"expected a LeadProcess, got {type(process).__name__}", "$.process")
        )
    elif aliases is not None:
        if not isinstance(aliases, Mapping):
            problems.append(Problem("expected a mapping of status names", "$.aliases"))
        else:
            problems.extend(
                Problem(
                    f"the alias for {source!r} names {target!r}, which lead process "
                    f"{process.name!r} lacks{did_you_mean(target, process.status_names)}",
                    f"$.aliases[{source!r}]",
                )
                for source, target in aliases.items()
                if target not in process
            )
    if zone is not None and not isinstance(zone, tzinfo):
        problems.append(Problem(f"expected a tzinfo, got {type(zone).__name__}", "$.timezone"))
    if imported_at is not None and (
        not isinstance(imported_at, datetime) or imported_at.utcoffset() is None
    ):
        problems.append(
            Problem(f"expected a timezone-aware datetime, got {imported_at!r}", "$.imported_at")
        )
    if problems:
        raise ValidationError(problems, subject="lead import options")
    return _Options(
        process=process,
        aliases=dict(aliases or {}),
        zone=zone,
        imported_at=datetime.now(timezone.utc) if imported_at is None else imported_at,
    )


def _status(value: object, options: _Options, ids: Mapping[str, str] | None = None) -> str | None:
    text = read_text(value)
    if text is None:
        return None
    process = options.process
    for candidate in (text, options.aliases.get(text), (ids or {}).get(text.casefold())):
        if candidate is not None and candidate in process:
            return candidate
    hint = did_you_mean(text, process.status_names)
    raise Reject(
        f"unknown status {text!r} in lead process {process.name!r}{hint} (pass an alias to map it)"
    )


def _name(cells: Cells) -> str | None:
    name = cells.text("name")
    if name is None:
        parts = [cells.text("first_name"), cells.text("last_name")]
        name = " ".join(p.strip() for p in parts if p and p.strip()) or None
    if name is None or not name.strip():
        cells.problem("name" if cells.has("name") else "last_name", "no name")
        return None
    return name


def _build(
    cells: Cells,
    options: _Options,
    *,
    status: str | None,
    converted: bool | None,
    converted_at: datetime | None,
    default_id: str,
    notes: list[Note],
    source: str,
    record: int,
) -> Lead | None:
    """A lead from one row's cells, or ``None`` with ``cells.problems`` saying why."""
    ident = cells.text("id") if cells.has("id") else default_id
    if ident is None or not ident.strip():
        cells.problem("id", "no id")
    name = _name(cells)
    values: dict[str, Any] = {field: cells.text(field) for field in _ORDINARY}
    values |= {
        field: cells.text(field)
        for field in ("converted_account_id", "converted_contact_id", "converted_opportunity_id")
    }
    created = cells.when("created_at", options.zone)
    if status is None and cells.values.get("status") in (None, ""):
        cells.problem("status", "no status")
    target = None if status is None else options.process.status(status)
    is_converted = converted if target is None or converted is not None else target.converted
    if target is not None and target.converted != is_converted:
        cells.problem(
            "status",
            f"{status!r} is {'a' if target.converted else 'not a'} converted status, but the "
            f"lead is {'converted' if is_converted else 'not converted'}",
        )
    if is_converted and converted_at is None:
        cells.problem("converted_at", "a converted lead without the time it was converted")
    if is_converted:
        cells.problems.extend(
            Problem(f"a converted lead names the {field[10:-3]} it became", cells.path(field))
            for field in ("converted_account_id", "converted_contact_id")
            if values[field] is None
        )
    if is_converted is False and converted_at is not None:
        cells.problem("converted_at", "a lead not converted with a conversion time")
    if created is None:
        created = options.imported_at
        notes.append(
            Note(
                source=source,
                record=record,
                field="created_at",
                message=f"no creation time: set to {created.isoformat()} (imported_at)",
            )
        )
    if cells.problems or status is None or name is None or ident is None:
        return None
    try:
        return Lead(
            id=LeadId(ident.strip()),
            name=name,
            status=status,
            process_name=options.process.name,
            created_at=created,
            converted_at=converted_at,
            **values,
        )
    except ValidationError as exc:
        cells.adopt(exc)
        return None


_Done = tuple[Place, str | None, str, Refusal, Lead | None, list[Note]]
"""One row read: where, its id's key, the id's column, its refusal, its lead, its notes."""


def _collect(name: str, done: list[_Done]) -> ImportResult:
    """Take each built lead unless another row gives its id; refuse the rest."""
    repeated = same_ids((key, where) for where, key, *_ in done)
    taken: list[Lead] = []
    refused: list[Refusal] = []
    notes: list[Note] = []
    for where, key, path, refusal, lead, mine in done:
        held = None if key is None else repeated.get(key)
        if key is not None and held is not None:
            first = twice(key, where, held, path)
            refused.append(attrs.evolve(refusal, problems=(first, *refusal.problems)))
        elif lead is None:
            refused.append(refusal)
        else:
            taken.append(lead)
            notes.extend(mine)
    return ImportResult(
        leads=tuple(taken),
        refused=tuple(refused),
        notes=tuple(notes),
        read={name: len(done)},
        taken={name: len(taken)},
    )


def read_salesforce_leads(
    leads: Source,
    *,
    process: LeadProcess | None = None,
    aliases: Mapping[str, str] | None = None,
    timezone: tzinfo | None = None,
    imported_at: datetime | None = None,
    encoding: str = "utf-8",
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ImportResult:
    """Import a Salesforce Lead export (Data Loader, or a report with standard columns).

    ``IsConverted``, ``ConvertedDate`` (a date: midnight UTC), and the
    converted account, contact and opportunity ids are read as the lead's
    conversion; a converted lead must be in a converted status, and the
    other way round. ``Name``, else ``FirstName`` and ``LastName``.

    Args:
        leads: The Lead CSV.
        process: The lead process (default: :func:`~salesflow.presets.salesforce_leads`).
        aliases: Source status → process status, for statuses the process lacks.
        timezone: The zone of timestamps without an offset; without it they are refused.
        imported_at: The creation time of leads whose row has none (noted).
        encoding: The file's encoding.
        max_bytes: The largest file to read (default 2 GiB).

    Returns:
        An :class:`~salesflow.io.ImportResult` with ``leads`` and every row refused.

    Raises:
        FileFormatError: The file is unreadable, not a regular file, too large,
            empty, or repeats a column.
        ValidationError: A bad option, or an alias naming a status the process lacks.
    """
    limit = check_limit(max_bytes)
    options = _options(process or salesforce_leads(), aliases, timezone, imported_at)
    name, _, rows = csv_rows(leads, encoding=encoding, max_bytes=limit)
    done = []
    for number, row, problems in rows:
        record, cells = _opened(name, "Lead", number, row, problems, SALESFORCE_LEAD_FIELDS)
        status = cells.read("status", lambda v: _status(v, options))
        converted = cells.read("is_converted", read_bool)
        converted_at = cells.when("converted_at", options.zone)
        done.append(
            _built(
                record,
                cells,
                options,
                status=status,
                converted=converted,
                converted_at=converted_at,
                default_id=f"{stem(name)}-{number}",
                notes=[],
            )
        )
    return _collect("Lead", done)


def read_hubspot_leads(
    contacts: Source,
    *,
    process: LeadProcess | None = None,
    aliases: Mapping[str, str] | None = None,
    timezone: tzinfo | None = None,
    imported_at: datetime | None = None,
    encoding: str = "utf-8",
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ImportResult:
    """Import a HubSpot contacts export as leads (``lifecyclestage`` and ``hs_lead_status``).

    The status is the lifecycle stage (its internal value, ``salesqualifiedlead``,
    or its label); a contact not converted whose lead status is
    ``UNQUALIFIED`` is in ``Unqualified``. A contact in a converted stage
    (Opportunity, Customer, Evangelist) was converted at the earliest of its
    ``hs_lifecyclestage_*_date`` values, into its primary company
    (``associatedcompanyid``, required) and itself (HubSpot keeps lead and
    contact on one record); ``associateddealid`` is its opportunity (the first,
    noted, when several are listed).

    Args:
        contacts: The contacts CSV.
        process: The lead process (default: :func:`~salesflow.presets.hubspot_lifecycle`).
        aliases: Source stage → process status, for custom lifecycle stages.
        timezone: The zone of timestamps without an offset.
        imported_at: The creation time of contacts whose row has none (noted).
        encoding: The file's encoding.
        max_bytes: The largest file to read (default 2 GiB).

    Returns:
        An :class:`~salesflow.io.ImportResult` with ``leads`` and every row refused.

    Raises:
        FileFormatError: The file is unreadable, not a regular file, too large,
            empty, or repeats a column.
        ValidationError: A bad option, or an alias naming a status the process lacks.
    """
    limit = check_limit(max_bytes)
    options = _options(process or hubspot_lifecycle(), aliases, timezone, imported_at)
    ids = {k: v for k, v in HUBSPOT_LIFECYCLE_STAGES.items() if v in options.process}
    name, _, rows = csv_rows(contacts, encoding=encoding, max_bytes=limit)
    done = []
    for number, row, problems in rows:
        record, cells = _opened(name, "Contact", number, row, problems, HUBSPOT_LEAD_FIELDS)
        status = cells.read("status", lambda v: _status(v, options, ids))
        converted = None if status is None else options.process.status(status).converted
        lead_status = cells.text("lead_status")
        unqualified = (lead_status or "").strip().casefold() == "unqualified"
        if (
            status is not None
            and not converted
            and unqualified
            and "Unqualified" in options.process
        ):
            status = "Unqualified"
        times = [cells.when(field, options.zone) for field in _BECAME]
        converted_at = min((t for t in times if t is not None), default=None)
        mine: list[Note] = []
        became = cells.where.get(
            "became_opportunity", HUBSPOT_LEAD_FIELDS["became_opportunity"][0]
        )
        cells.where = {**cells.where, "converted_at": became}
        if converted:
            _link_hubspot(cells, mine, name, number, f"contact-{number}")
        else:  # a contact moved back from a later stage is not converted: no links
            converted_at = None
            cells.values = {
                **cells.values,
                "converted_account_id": None,
                "converted_opportunity_id": None,
            }
        done.append(
            _built(
                record,
                cells,
                options,
                status=status,
                converted=converted,
                converted_at=converted_at,
                default_id=f"contact-{number}",
                notes=mine,
            )
        )
    return _collect("Contact", done)


def _opened(
    name: str,
    kind: str,
    number: int,
    row: Mapping[str, str] | None,
    problems: list[Problem],
    table: Table,
) -> tuple[Record, Cells]:
    """One CSV row as a record and its cells under salesflow's names, its problems so far."""
    data, more = fields(row or {})
    record = Record(name, kind, number, data, {k.casefold(): k for k in row or {}})
    cells = record.cells(table)
    cells.problems.extend([*problems, *more])
    return record, cells


def _built(
    record: Record,
    cells: Cells,
    options: _Options,
    *,
    status: str | None,
    converted: bool | None,
    converted_at: datetime | None,
    default_id: str,
    notes: list[Note],
) -> _Done:
    """The row's lead (or ``None``) with its refusal and id, for :func:`_collect`."""
    lead = _build(
        cells,
        options,
        status=status,
        converted=converted,
        converted_at=converted_at,
        default_id=default_id,
        notes=notes,
        source=record.source,
        record=record.number,
    )
    refusal = record.refusal(cells.problems, cells.values.get("id"))
    key = id_key(cells.values.get("id"))
    return (Place(record.source, record.number), key, cells.path("id"), refusal, lead, notes)


def _link_hubspot(
    cells: Cells, notes: list[Note], source: str, record: int, default_id: str
) -> None:
    """A converted contact: itself as the contact, its company, its first deal."""
    deals = cells.text("converted_opportunity_id")
    values = dict(cells.values)
    values["converted_contact_id"] = cells.text("id") or default_id
    if deals is not None and ";" in deals:
        listed = [d.strip() for d in deals.split(";") if d.strip()]
        values["converted_opportunity_id"] = listed[0] if listed else None
        notes.append(
            Note(
                source=source,
                record=record,
                field="converted_opportunity_id",
                message=f"{len(listed)} deals listed: linked the first, {listed[0]!r}",
            )
        )
    cells.values = values
