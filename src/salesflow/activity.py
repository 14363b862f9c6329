"""Activities: calls, emails, meetings, tasks and notes logged against an opportunity."""

from __future__ import annotations

import enum
from datetime import date, datetime

import attrs

from salesflow._validate import a_date, aware, non_blank, optional
from salesflow._validate import kind as of_type
from salesflow.errors import Problem, ValidationError
from salesflow.ids import ActivityId, ContactId, OpportunityId, new_id

__all__ = ["Activity", "ActivityKind", "ActivityKindName", "to_activity_kind"]


class ActivityKind(enum.Enum):
    """The standard kinds of activity (Salesforce's Task and Event, HubSpot's engagements).

    A process or an import may use its own kind as plain text (``"demo"``).
    """

    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    TASK = "task"
    NOTE = "note"


ActivityKindName = ActivityKind | str
"""A standard :class:`ActivityKind` or a custom kind's text."""


def to_activity_kind(value: ActivityKindName) -> ActivityKindName:
    """A standard kind for its value (any case), any other non-blank text as a custom kind."""
    if isinstance(value, ActivityKind):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            [Problem(f"expected an activity kind, got {value!r}", "$.kind")], subject="Activity"
        )
    try:
        return ActivityKind(value.strip().lower())
    except ValueError:
        return value


def _new_activity_id() -> ActivityId:
    return ActivityId(new_id())


@attrs.frozen(kw_only=True)
class Activity:
    """One logged activity, kept apart from the opportunity like Salesforce's Task and Event.

    Activities feed the pipeline inspection's activity view (last activity,
    activities in the last 7 / 30 days, days since the last one) and its
    "no activity" risk flag. A planned task has ``done=False`` and a
    ``due_date``.

    Attributes:
        id: The activity's id (default: a new one).
        opportunity_id: The opportunity it belongs to.
        kind: A :class:`ActivityKind`, or custom text.
        at: When it happened (or was logged), timezone-aware.
        contact_id: The contact involved, if any.
        owner: Who did it.
        subject: A short description.
        done: Whether it is completed (a past call) or still open (a task).
        due_date: When an open task is due.

    >>> from datetime import datetime, timezone
    >>> Activity(opportunity_id="opp-1", kind="Call", id="a-1",
    ...          at=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc), owner="Ana")
    Activity(id='a-1', opportunity_id='opp-1', kind=<ActivityKind.CALL: 'call'>, at=datetime.datetime(2026, 11, 3, 9, 30, tzinfo=datetime.timezone.utc), contact_id=None, owner='Ana', subject=None, done=True, due_date=None)
    """

    id: ActivityId = attrs.field(factory=_new_activity_id, validator=non_blank)
    opportunity_id: OpportunityId = attrs.field(validator=non_blank)
    kind: ActivityKindName = attrs.field(converter=to_activity_kind)
    at: datetime = attrs.field(validator=aware)
    contact_id: ContactId | None = attrs.field(default=None, validator=optional(non_blank))
    owner: str | None = attrs.field(default=None, validator=optional(of_type(str)))
    subject: str | None = attrs.field(default=None, validator=optional(of_type(str)))
    done: bool = attrs.field(default=True, validator=of_type(bool))
    due_date: date | None = attrs.field(default=None, validator=optional(a_date))

    @property
    def kind_name(self) -> str:
        """The kind as text: a standard kind's value, or the custom text."""
        return self.kind.value if isinstance(self.kind, ActivityKind) else self.kind
