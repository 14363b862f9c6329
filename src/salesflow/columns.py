"""The three tables' column names, and how other sources name them.

salesflow's analytics, importers and exporters speak three tables: a
**snapshot** (one row per opportunity), a **history** (one row per change,
Salesforce's OpportunityHistory shape) and **activities**. :class:`Columns`
says what a source calls each of salesflow's columns, so nobody renames
columns by hand. This module imports no dataframe library: it is only names.

>>> from salesflow.columns import Columns
>>> sfdc = Columns.salesforce()
>>> sfdc.source("history", "at")
'CreatedDate'
>>> sfdc.source("snapshot", "stage")
'StageName'
>>> Columns.salesflow().source("snapshot", "stage")
'stage'
>>> mine = sfdc.replace(snapshot={"owner": "Owner.Name"})
>>> mine.source("snapshot", "owner"), mine.source("snapshot", "stage")
('Owner.Name', 'StageName')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Literal

import attrs

from salesflow.errors import Problem, ValidationError

__all__ = [
    "ACTIVITY_COLUMNS",
    "CONTACT_ROLE_COLUMNS",
    "HISTORY_COLUMNS",
    "SNAPSHOT_COLUMNS",
    "Columns",
    "Table",
]

Table = Literal["snapshot", "history", "activities", "contact_roles"]
"""The name of one of the tables."""

SNAPSHOT_COLUMNS = (
    "id",
    "name",
    "account_id",
    "owner",
    "stage",
    "amount",
    "currency",
    "probability",
    "forecast_category",
    "is_closed",
    "is_won",
    "close_date",
    "closed_on",
    "created_at",
    "last_stage_change_at",
    "push_count",
    "lost_reason",
    "competitor",
    "type",
    "lead_source",
    "next_step",
    "description",
    "process_name",
)
"""The snapshot table's columns: one row per opportunity."""

HISTORY_COLUMNS = (
    "opportunity_id",
    "at",
    "sequence",
    "by",
    "owner",
    "stage",
    "amount",
    "currency",
    "probability",
    "forecast_category",
    "close_date",
    "previous_amount",
    "previous_close_date",
)
"""The history table's columns: one row per change, OpportunityHistory's shape.

``sequence`` orders one opportunity's rows that share an instant (1, 2, ...
within the opportunity, in time order): salesflow writes it, the history
readers of :mod:`salesflow.io` write it, and every backend orders rows by
``at`` then ``sequence``. It may be absent: an in-memory table's row order
then breaks ties, and a lazy table with two rows of one deal at one instant is
refused (a lazy engine keeps no row order).
"""

ACTIVITY_COLUMNS = (
    "id",
    "opportunity_id",
    "contact_id",
    "kind",
    "at",
    "owner",
    "subject",
    "done",
    "due_date",
)
"""The activity table's columns: one row per call, email, meeting, task or note."""

CONTACT_ROLE_COLUMNS = ("opportunity_id", "contact_id", "role", "primary")
"""The contact-role table's columns: Salesforce's OpportunityContactRole shape.

One row per contact role of an opportunity; ``role`` may be empty (a role is
optional in Salesforce), ``primary`` marks the one primary contact.
"""

_KNOWN: dict[str, tuple[str, ...]] = {
    "snapshot": SNAPSHOT_COLUMNS,
    "history": HISTORY_COLUMNS,
    "activities": ACTIVITY_COLUMNS,
    "contact_roles": CONTACT_ROLE_COLUMNS,
}


def _mapping(table: str) -> Callable[[object], Mapping[str, str]]:
    def convert(value: object) -> Mapping[str, str]:
        if not isinstance(value, Mapping):
            raise ValidationError(
                [Problem(f"expected a mapping of column names, got {type(value).__name__}")],
                subject=f"Columns.{table}",
            )
        problems = []
        for key, source in value.items():
            if key not in _KNOWN[table]:
                known = ", ".join(_KNOWN[table])
                problems.append(
                    Problem(f"unknown {table} column {key!r}; expected one of {known}", f"$.{key}")
                )
            if not isinstance(source, str) or not source.strip():
                problems.append(
                    Problem(f"expected a non-blank column name, got {source!r}", f"$.{key}")
                )
        if problems:
            raise ValidationError(problems, subject=f"Columns.{table}")
        return MappingProxyType(dict(value))

    return convert


_snapshot = _mapping("snapshot")
_history = _mapping("history")
_activities = _mapping("activities")
_contact_roles = _mapping("contact_roles")


def _snapshot_names(value: object) -> Mapping[str, str]:
    return _snapshot(value)


def _history_names(value: object) -> Mapping[str, str]:
    return _history(value)


def _activity_names(value: object) -> Mapping[str, str]:
    return _activities(value)


def _contact_role_names(value: object) -> Mapping[str, str]:
    return _contact_roles(value)


@attrs.frozen(repr=False)
class Columns:
    """What a source calls each of salesflow's columns, per table.

    Each mapping goes from salesflow's name to the source's name; a column not
    listed is looked up under salesflow's own name. Columns a source does not
    have are simply absent: a metric that needs one says which.

    Args:
        snapshot: salesflow name → source name for the snapshot table.
        history: the same for the history table.
        activities: the same for the activity table.
        contact_roles: the same for the contact-role table.
        label: A name for reprs, e.g. ``"salesforce"``.

    Raises:
        ValidationError: An unknown salesflow column name or a blank source name.
    """

    snapshot: Mapping[str, str] = attrs.field(
        factory=dict,
        converter=_snapshot_names,
    )
    history: Mapping[str, str] = attrs.field(
        factory=dict,
        converter=_history_names,
    )
    activities: Mapping[str, str] = attrs.field(
        factory=dict,
        converter=_activity_names,
    )
    contact_roles: Mapping[str, str] = attrs.field(
        factory=dict,
        converter=_contact_role_names,
    )
    label: str = attrs.field(default="custom", kw_only=True)

    @classmethod
    def salesflow(cls) -> Columns:
        """The names salesflow itself writes (what :func:`salesflow.analytics.frames` writes)."""
        return cls(label="salesflow")

    @classmethod
    def salesforce(cls) -> Columns:
        """Salesforce export names: Opportunity, OpportunityHistory and Task.

        Forecast categories may be API values (``BestCase``, ``Forecast``);
        the analytics read both those and the labels.
        """
        return cls(
            snapshot={
                "id": "Id",
                "name": "Name",
                "account_id": "AccountId",
                "owner": "OwnerId",
                "stage": "StageName",
                "amount": "Amount",
                "currency": "CurrencyIsoCode",
                "probability": "Probability",
                "forecast_category": "ForecastCategoryName",
                "is_closed": "IsClosed",
                "is_won": "IsWon",
                "close_date": "CloseDate",
                "created_at": "CreatedDate",
                "last_stage_change_at": "LastStageChangeDate",
                "push_count": "PushCount",
                "type": "Type",
                "lead_source": "LeadSource",
            },
            history={
                "opportunity_id": "OpportunityId",
                "at": "CreatedDate",
                "by": "CreatedById",
                "stage": "StageName",
                "amount": "Amount",
                "currency": "CurrencyIsoCode",
                "probability": "Probability",
                "forecast_category": "ForecastCategory",
                "close_date": "CloseDate",
                "previous_amount": "PrevAmount",
                "previous_close_date": "PrevCloseDate",
            },
            activities={
                "id": "Id",
                "opportunity_id": "WhatId",
                "contact_id": "WhoId",
                "kind": "TaskSubtype",
                "at": "CreatedDate",
                "owner": "OwnerId",
                "subject": "Subject",
                "done": "IsClosed",
                "due_date": "ActivityDate",
            },
            contact_roles={
                "opportunity_id": "OpportunityId",
                "contact_id": "ContactId",
                "role": "Role",
                "primary": "IsPrimary",
            },
            label="salesforce",
        )

    @classmethod
    def maven(cls) -> Columns:
        """The Maven Analytics "CRM Sales Opportunities" ``sales_pipeline.csv``.

        ``close_date`` there is the day a deal was won or lost (empty while
        open), so it maps to ``closed_on``; ``engage_date`` (the day it entered
        Engaging, the first date the file has) to ``created_at``. The file has
        no forecast close date, no currency (the data is in USD) and no
        history: :func:`salesflow.io.read_stage_dates` builds it from the dates.
        """
        return cls(
            snapshot={
                "id": "opportunity_id",
                "owner": "sales_agent",
                "account_id": "account",
                "stage": "deal_stage",
                "amount": "close_value",
                "closed_on": "close_date",
                "created_at": "engage_date",
            },
            label="maven",
        )

    def replace(
        self,
        *,
        snapshot: Mapping[str, str] | None = None,
        history: Mapping[str, str] | None = None,
        activities: Mapping[str, str] | None = None,
        contact_roles: Mapping[str, str] | None = None,
    ) -> Columns:
        """A copy with some names changed (merged over this mapping)."""
        return Columns(
            {**self.snapshot, **(snapshot or {})},
            {**self.history, **(history or {})},
            {**self.activities, **(activities or {})},
            {**self.contact_roles, **(contact_roles or {})},
            label=self.label,
        )

    def source(self, table: Table, column: str) -> str:
        """The source's name for salesflow's ``column`` of ``table``.

        Raises:
            ValidationError: ``table`` or ``column`` is not part of the contract.
        """
        known = _KNOWN.get(table)
        if known is None or column not in known:
            raise ValidationError(
                [Problem(f"no column {column!r} in the {table} table", f"$.{table}")],
                subject="Columns",
            )
        mapping: Mapping[str, str] = getattr(self, table)
        return mapping.get(column, column)

    def __repr__(self) -> str:
        changed = sum(
            len(m) for m in (self.snapshot, self.history, self.activities, self.contact_roles)
        )
        return f"Columns({self.label!r}, {changed} renamed)"
