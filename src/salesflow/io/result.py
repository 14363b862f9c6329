"""What an import returns: the records it took, and every record it refused."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from salesflow.account import Account
from salesflow.activity import Activity
from salesflow.contact import Contact
from salesflow.errors import Problem
from salesflow.io.export import DataSet
from salesflow.lead import Lead
from salesflow.opportunity import Opportunity

__all__ = ["ImportResult", "ImportedFrames", "Note", "Refusal"]


def _problems(value: Iterable[Problem]) -> tuple[Problem, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Refusal:
    """One input record an importer could not take, and every reason why.

    Attributes:
        source: The file it came from (its name, or ``<stream>``).
        kind: What the record was: ``Opportunity``, ``OpportunityHistory``,
            ``Account``, ``Contact``, ``OpportunityContactRole``...
        record: Its 1-based number among the file's records (CSV: data rows
            after the header).
        id: Its id in the source, when it has one.
        problems: What is wrong, each with the source field as its path
            (``$.StageName``).
    """

    source: str
    kind: str
    record: int
    id: str | None = None
    problems: tuple[Problem, ...] = attrs.field(converter=_problems)

    @property
    def reason(self) -> str:
        """The problems as one line."""
        return "; ".join(str(p) for p in self.problems)

    def __str__(self) -> str:
        ident = f" ({self.id})" if self.id else ""
        return f"{self.source} record {self.record}{ident}, {self.kind}: {self.reason}"


@attrs.frozen(kw_only=True)
class Note:
    """A value the import filled in by a rule the caller chose (not a refusal).

    Attributes:
        source: The file.
        record: The record's number in it.
        field: The salesflow field that was filled in, e.g. ``close_date``.
        message: What was done, e.g. ``no close date: set to 2017-03-31 (fixed)``.
    """

    source: str
    record: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.source} record {self.record}: {self.field}: {self.message}"


def _counts(value: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True, repr=False)
class ImportResult:
    """The records an importer took, and those it refused, never dropped silently.

    History and contact roles are attached to their opportunities
    (``Opportunity.history``, ``Opportunity.contact_roles``). For every kind
    of record, ``read[kind] == taken[kind] + refused_count(kind)``.

    Attributes:
        opportunities: The opportunities, in source order.
        accounts: The accounts.
        contacts: The contacts.
        activities: The activities (calls, emails, meetings, tasks) of the
            imported opportunities.
        leads: The leads (:func:`~salesflow.io.read_salesforce_leads`,
            :func:`~salesflow.io.read_hubspot_leads`).
        refused: Every record not taken, with its reasons.
        notes: Every value filled in by a caller's rule (close-date policy,
            creation time), one per record and field.
        read: How many records of each kind were read.
        taken: How many records of each kind were taken.
    """

    opportunities: tuple[Opportunity, ...] = ()
    accounts: tuple[Account, ...] = ()
    contacts: tuple[Contact, ...] = ()
    activities: tuple[Activity, ...] = ()
    leads: tuple[Lead, ...] = ()
    refused: tuple[Refusal, ...] = ()
    notes: tuple[Note, ...] = ()
    read: Mapping[str, int] = attrs.field(factory=dict, converter=_counts)
    taken: Mapping[str, int] = attrs.field(factory=dict, converter=_counts)

    @property
    def dataset(self) -> DataSet:
        """What was imported, as one :class:`~salesflow.io.DataSet` (for :func:`write_json`)."""
        return DataSet(
            opportunities=self.opportunities,
            accounts=self.accounts,
            contacts=self.contacts,
            activities=self.activities,
        )

    @property
    def ok(self) -> bool:
        """Whether every record was taken."""
        return not self.refused

    def refused_count(self, kind: str) -> int:
        """How many records of ``kind`` were refused."""
        return sum(1 for r in self.refused if r.kind == kind)

    def summary(self, *, reasons: int = 12) -> str:
        """A few lines for people: per kind read / imported / refused, then reasons and notes.

        Each distinct problem is shown once with how many records had it, the
        most common first, at most ``reasons`` of them (``.refused`` has all).
        """
        return _summary(self.read, self.taken, self.refused, self.notes, reasons)

    def __repr__(self) -> str:
        leads = f"leads={len(self.leads)}, " if self.leads else ""
        return (
            f"ImportResult(opportunities={len(self.opportunities)}, accounts={len(self.accounts)}, "
            f"contacts={len(self.contacts)}, activities={len(self.activities)}, {leads}"
            f"refused={len(self.refused)}, notes={len(self.notes)})"
        )


def _summary(
    read: Mapping[str, int],
    taken: Mapping[str, int],
    refused: tuple[Refusal, ...],
    notes: tuple[Note, ...],
    reasons: int,
) -> str:
    per_kind = Counter(r.kind for r in refused)
    lines = [
        f"{kind}: {count} read, {taken.get(kind, 0)} imported, {per_kind[kind]} refused"
        for kind, count in read.items()
    ]
    found = Counter(f"{r.kind}: {p.message} @ {p.path}" for r in refused for p in r.problems)
    ranked = found.most_common()
    lines.extend(f"  refused {n}× {reason}" for reason, n in ranked[:reasons])
    if len(ranked) > reasons:
        lines.append(f"  ... and {len(ranked) - reasons} other reasons (see .refused)")
    filled = Counter(f"{n.field}: {n.message}" for n in notes)
    lines.extend(f"  filled in {n}× {note}" for note, n in filled.most_common())
    return "\n".join(lines)


@attrs.frozen(kw_only=True, repr=False)
class ImportedFrames:
    """An import read straight into frames: the tables of the records taken, and the report.

    What :func:`~salesflow.io.read_salesforce_frames` returns: the same report
    as an :class:`ImportResult` (``refused``, ``notes``, ``read``, ``taken``,
    ``summary()``), and instead of objects, ``frames``: the
    :class:`~salesflow.analytics.Frames` that :func:`salesflow.analytics.frames`
    makes of the opportunities taken.

    Attributes:
        frames: The snapshot, history, activities and contact-role tables (Polars).
        refused: Every record not taken, with its reasons: opportunities, then
            history rows, each in file order.
        notes: Every value filled in by a caller's rule.
        read: How many records of each kind were read.
        taken: How many records of each kind were taken.
    """

    frames: Any
    refused: tuple[Refusal, ...] = ()
    notes: tuple[Note, ...] = ()
    read: Mapping[str, int] = attrs.field(factory=dict, converter=_counts)
    taken: Mapping[str, int] = attrs.field(factory=dict, converter=_counts)

    @property
    def ok(self) -> bool:
        """Whether every record was taken."""
        return not self.refused

    def refused_count(self, kind: str) -> int:
        """How many records of ``kind`` were refused."""
        return sum(1 for r in self.refused if r.kind == kind)

    def summary(self, *, reasons: int = 12) -> str:
        """As :meth:`ImportResult.summary`."""
        return _summary(self.read, self.taken, self.refused, self.notes, reasons)

    def __repr__(self) -> str:
        return f"ImportedFrames({self.frames!r}, refused={len(self.refused)}, notes={len(self.notes)})"
