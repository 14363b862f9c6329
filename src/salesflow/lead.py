"""Leads: people and companies not yet qualified, and what they converted into."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any

import attrs

from salesflow._document import shipped_schema
from salesflow._html import table_html
from salesflow._validate import Undeletable, aware, non_blank, optional, sequence, text
from salesflow.errors import Problem, ReadOnlyFieldError, ValidationError
from salesflow.ids import AccountId, ContactId, LeadId, OpportunityId, new_id

__all__ = ["Lead", "LeadStatusChange"]

_set = object.__setattr__


def _read_only(verb: str) -> Callable[[Any, attrs.Attribute[Any], Any], Any]:
    def hook(_: Any, attribute: attrs.Attribute[Any], __: Any) -> Any:
        raise ReadOnlyFieldError(attribute.name, verb)

    return hook


def _new_lead_id() -> LeadId:
    return LeadId(new_id())


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@attrs.frozen(kw_only=True)
class LeadStatusChange:
    """One change of a lead's status: the status it entered, when, and who moved it.

    Attributes:
        at: When (timezone-aware).
        status: The status entered.
        previous_status: The status left (``None`` for the lead's first status).
        by: Who made the change, if known.
    """

    at: datetime = attrs.field(validator=aware)
    status: str = attrs.field(validator=non_blank)
    previous_status: str | None = attrs.field(default=None, validator=optional(non_blank))
    by: str | None = attrs.field(default=None, validator=text)


def _changes(value: Iterable[LeadStatusChange]) -> tuple[LeadStatusChange, ...]:
    return sequence(value, of=LeadStatusChange, what="lead status changes")


_CONVERTED = ("converted_account_id", "converted_contact_id", "converted_opportunity_id")


@attrs.define(kw_only=True, repr=False)
class Lead(Undeletable):
    """A lead: a person at a company, worked through the statuses of a lead process.

    Create one with :meth:`salesflow.LeadProcess.open`; change its status with
    :meth:`~salesflow.LeadProcess.set_status` and convert it with
    :func:`salesflow.convert`, which keep every invariant or raise and change
    nothing. ``status``, the conversion fields and ``history`` cannot be
    assigned; ordinary attributes (``owner``, ``email`` ...) may be.

    Invariants: a converted lead (``converted_at`` set) names the account and
    the contact it became, and possibly an opportunity (optional, as in
    Salesforce); a lead not converted names none; it was converted no
    earlier than it was created.

    >>> import salesflow as sf
    >>> from datetime import datetime, timezone
    >>> lead = sf.presets.salesforce_leads().open(
    ...     name="Lars Johnson", company="Get Cloudy West", source="Trade Show",
    ...     id="l-1", at=datetime(2026, 3, 2, tzinfo=timezone.utc))
    >>> lead
    Lead(id='l-1', name='Lars Johnson', company='Get Cloudy West', status='Open - Not Contacted', converted=False)
    >>> lead.cohort
    '2026-03'
    >>> lead.status = "Closed - Converted"
    Traceback (most recent call last):
    ...
    salesflow.errors.ReadOnlyFieldError: 'status' cannot be assigned directly; use LeadProcess.set_status() or salesflow.convert()
    """

    id: LeadId = attrs.field(
        factory=_new_lead_id, validator=non_blank, on_setattr=_read_only("a new Lead")
    )
    name: str = attrs.field(validator=non_blank)
    company: str | None = attrs.field(default=None, validator=text)
    title: str | None = attrs.field(default=None, validator=text)
    email: str | None = attrs.field(default=None, validator=text)
    phone: str | None = attrs.field(default=None, validator=text)
    source: str | None = attrs.field(default=None, validator=text)
    owner: str | None = attrs.field(default=None, validator=text)
    description: str | None = attrs.field(default=None, validator=text)
    status: str = attrs.field(
        validator=non_blank,
        on_setattr=_read_only("LeadProcess.set_status() or salesflow.convert()"),
    )
    process_name: str | None = attrs.field(
        default=None, validator=text, on_setattr=_read_only("a new Lead")
    )
    created_at: datetime = attrs.field(
        factory=_utcnow, validator=aware, on_setattr=_read_only("a new Lead")
    )
    converted_at: datetime | None = attrs.field(
        default=None, validator=optional(aware), on_setattr=_read_only("salesflow.convert()")
    )
    converted_account_id: AccountId | None = attrs.field(
        default=None, validator=optional(non_blank), on_setattr=_read_only("salesflow.convert()")
    )
    converted_contact_id: ContactId | None = attrs.field(
        default=None, validator=optional(non_blank), on_setattr=_read_only("salesflow.convert()")
    )
    converted_opportunity_id: OpportunityId | None = attrs.field(
        default=None, validator=optional(non_blank), on_setattr=_read_only("salesflow.convert()")
    )
    history: tuple[LeadStatusChange, ...] = attrs.field(
        default=(), converter=_changes, on_setattr=_read_only("the verbs that change it")
    )

    def __attrs_post_init__(self) -> None:
        problems = self._problems()
        if problems:
            raise ValidationError(problems, subject=f"Lead {self.id}")

    def _problems(self) -> list[Problem]:
        problems: list[Problem] = []
        if self.converted_at is None:
            problems.extend(
                Problem(
                    "a lead not converted (no converted_at) names no " + name[10:], f"$.{name}"
                )
                for name in _CONVERTED
                if getattr(self, name) is not None
            )
        else:
            problems.extend(
                Problem(f"a converted lead names the {name[10:-3]} it became", f"$.{name}")
                for name in _CONVERTED[:2]
                if getattr(self, name) is None
            )
            if self.converted_at < self.created_at:
                problems.append(
                    Problem(
                        f"converted at {self.converted_at.isoformat()}, before it was created "
                        f"({self.created_at.isoformat()})",
                        "$.converted_at",
                    )
                )
        return problems

    # ----------------------------------------------------------------- derived

    @property
    def is_converted(self) -> bool:
        """Whether the lead was converted (Salesforce's ``IsConverted``)."""
        return self.converted_at is not None

    @property
    def cohort(self) -> str:
        """The month the lead was created, ``YYYY-MM`` (in UTC): its cohort."""
        return self.created_at.astimezone(timezone.utc).strftime("%Y-%m")

    @property
    def days_to_convert(self) -> float | None:
        """Days from creation to conversion, or ``None`` when not converted."""
        if self.converted_at is None:
            return None
        return (self.converted_at - self.created_at).total_seconds() / 86400

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The JSON Schema (draft 2020-12) of a lead document, as shipped with salesflow.

        >>> Lead.json_schema()["title"]
        'salesflow lead'
        """
        return shipped_schema("lead.schema.json")

    # ------------------------------------------------------------- changes

    def _record(
        self, status: str, at: datetime, by: str | None, changes: dict[str, Any]
    ) -> LeadStatusChange:
        """Apply validated ``changes`` and the new ``status`` with its history entry (cannot fail)."""
        entry = LeadStatusChange(at=at, status=status, previous_status=self.status, by=by)
        for name, value in changes.items():
            _set(self, name, value)
        _set(self, "status", status)
        _set(self, "history", (*self.history, entry))
        return entry

    def _repr_html_(self) -> str:
        fields = [
            ("company", self.company),
            ("status", self.status),
            ("source", self.source),
            ("owner", self.owner),
            ("created", self.created_at.isoformat()),
            ("converted", None if self.converted_at is None else self.converted_at.isoformat()),
            ("account", self.converted_account_id),
            ("contact", self.converted_contact_id),
            ("opportunity", self.converted_opportunity_id),
            ("status changes", len(self.history)),
        ]
        return table_html(f"Lead {self.id}: {self.name}", ["field", "value"], fields)

    def __repr__(self) -> str:
        return (
            f"Lead(id={self.id!r}, name={self.name!r}, company={self.company!r}, "
            f"status={self.status!r}, converted={self.is_converted})"
        )
