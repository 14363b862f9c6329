"""Leads as plain rows: one table of leads, one of their status changes, and back.

The table form of :class:`~salesflow.Lead`: one ``dict`` per row, keyed by
:data:`LEAD_COLUMNS` (and :data:`LEAD_HISTORY_COLUMNS`), holding Python values
(text, ``bool``, UTC ``datetime`` s, ``None``). :func:`leads_from_rows` reads
them back into equal leads (times come back in UTC: the same instants), so
any table library or file format can carry leads without loss.
:func:`salesflow.analytics.lead_frames` builds its frames from these rows.

>>> import salesflow as sf
>>> from datetime import datetime, timezone
>>> lead = sf.presets.salesforce_leads().open(
...     name="Lars Johnson", company="Get Cloudy West", id="l-1",
...     at=datetime(2026, 3, 2, tzinfo=timezone.utc))
>>> row = lead_rows([lead])[0]
>>> row["id"], row["status"], row["is_converted"]
('l-1', 'Open - Not Contacted', False)
>>> leads_from_rows(lead_rows([lead]), lead_rows([lead], table="history")) == [lead]
True
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any, Literal

from salesflow.errors import Problem, ValidationError
from salesflow.lead import Lead, LeadStatusChange

__all__ = ["LEAD_COLUMNS", "LEAD_HISTORY_COLUMNS", "LeadTable", "lead_rows", "leads_from_rows"]

LeadTable = Literal["leads", "history"]
"""The name of one of the two lead tables."""

LEAD_COLUMNS = (
    "id",
    "name",
    "company",
    "title",
    "email",
    "phone",
    "source",
    "owner",
    "description",
    "status",
    "process_name",
    "is_converted",
    "created_at",
    "converted_at",
    "converted_account_id",
    "converted_contact_id",
    "converted_opportunity_id",
)
"""The leads table's columns: one row per lead (Salesforce's Lead shape)."""

LEAD_HISTORY_COLUMNS = ("lead_id", "at", "sequence", "status", "previous_status", "by")
"""The lead history table's columns: one row per status change."""

_TEXT = ("company", "title", "email", "phone", "source", "owner", "description", "process_name")
_IDS = ("converted_account_id", "converted_contact_id", "converted_opportunity_id")


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(timezone.utc)


def _lead(lead: Lead) -> dict[str, Any]:
    row: dict[str, Any] = {"id": str(lead.id), "name": lead.name}
    row |= {name: getattr(lead, name) for name in _TEXT[:-1]}
    row |= {
        "status": lead.status,
        "process_name": lead.process_name,
        "is_converted": lead.is_converted,
        "created_at": _utc(lead.created_at),
        "converted_at": _utc(lead.converted_at),
    }
    row |= {name: getattr(lead, name) for name in _IDS}
    return {column: row[column] for column in LEAD_COLUMNS}


def _history(lead: Lead) -> list[dict[str, Any]]:
    return [
        {
            "lead_id": str(lead.id),
            "at": _utc(change.at),
            "sequence": number,
            "status": change.status,
            "previous_status": change.previous_status,
            "by": change.by,
        }
        for number, change in enumerate(lead.history, start=1)
    ]


def lead_rows(leads: Iterable[Lead], *, table: LeadTable = "leads") -> list[dict[str, Any]]:
    """One lead table's rows: ``"leads"`` (one per lead) or ``"history"`` (one per status change).

    History rows keep each lead's order (``sequence`` 1, 2, ...).

    Raises:
        ValidationError: An unknown table, or an item that is not a Lead.
    """
    if table not in ("leads", "history"):
        raise ValidationError(
            [Problem(f"expected 'leads' or 'history', got {table!r}", "$.table")],
            subject="lead rows",
        )
    if isinstance(leads, (str, bytes)) or not isinstance(leads, Iterable):
        raise ValidationError(
            [Problem(f"expected a list of leads, got {type(leads).__name__}", "$")],
            subject="lead rows",
        )
    listed = list(leads)
    problems = [
        Problem(f"expected Lead, got {type(item).__name__}", f"$[{index}]")
        for index, item in enumerate(listed)
        if not isinstance(item, Lead)
    ]
    if problems:
        raise ValidationError(problems, subject="lead rows")
    if table == "leads":
        return [_lead(lead) for lead in listed]
    return [row for lead in listed for row in _history(lead)]


def leads_from_rows(
    leads: Iterable[Mapping[str, Any]], history: Iterable[Mapping[str, Any]] = ()
) -> list[Lead]:
    """Leads from the rows of :func:`lead_rows` (history attached by ``lead_id``, by ``sequence``).

    Missing optional columns are ``None``; ``is_converted``, when given, must
    agree with ``converted_at``.

    Raises:
        ValidationError: Every problem of every row, with its place
            (``$.leads[3].converted_at``, ``$.history[7].lead_id``).
    """
    problems: list[Problem] = []
    changes: dict[str, list[tuple[int, LeadStatusChange]]] = defaultdict(list)
    for index, row in enumerate(history):
        fields: dict[str, Any] = {c: row.get(c) for c in ("at", "status", "previous_status", "by")}
        try:
            change = LeadStatusChange(**fields)
        except ValidationError as exc:
            problems.extend(_located(exc, f"$.history[{index}]"))
            continue
        sequence = row.get("sequence")
        changes[str(row.get("lead_id"))].append(
            (sequence if isinstance(sequence, int) else index, change)
        )
    result = []
    seen: set[str] = set()
    for index, row in enumerate(leads):
        where = f"$.leads[{index}]"
        ident = row.get("id")
        values: dict[str, Any] = {
            c: row.get(c) for c in LEAD_COLUMNS if c not in ("is_converted", "id")
        }
        flag = row.get("is_converted")
        if flag is not None and flag is not (values["converted_at"] is not None):
            problems.append(
                Problem(
                    f"is_converted is {flag} but converted_at is {values['converted_at']}",
                    f"{where}.is_converted",
                )
            )
        try:
            lead = Lead(
                **({} if ident is None else {"id": ident}),
                history=[c for _, c in sorted(changes.pop(str(ident), []), key=lambda p: p[0])],
                **values,
            )
        except ValidationError as exc:
            problems.extend(_located(exc, where))
            continue
        if lead.id in seen:
            problems.append(Problem(f"lead {lead.id!r} given twice", f"{where}.id"))
        seen.add(lead.id)
        result.append(lead)
    problems.extend(
        Problem(f"status changes of lead {ident!r}, which is not in the leads table", "$.history")
        for ident in changes
    )
    if problems:
        raise ValidationError(problems, subject="lead rows")
    return result


def _located(exc: ValidationError, where: str) -> list[Problem]:
    return [Problem(p.message, where + p.path[1:]) for p in exc.problems]
