"""Lead processes: the ordered statuses a lead goes through, defined as data.

A lead process is not a :class:`~salesflow.SalesProcess`: a lead status has no
probability, forecast category or won flag, and a lead never wins; it
*converts*, into an account, a contact and optionally an opportunity. So
statuses are their own small value type with the three facts that matter:
whether a lead in it is **qualified** (may be converted), whether it is
**closed**, and whether it is the status of a **converted** lead (Salesforce's
"Closed - Converted"). Converting sets a converted status; nothing else may.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any, ClassVar

import attrs

from salesflow._document import Document
from salesflow._html import table_html
from salesflow._locks import exclusive
from salesflow._validate import sequence, text_problem
from salesflow.errors import LeadConversionError, Problem, UnknownStatusError, ValidationError
from salesflow.ids import LeadId
from salesflow.lead import Lead, LeadStatusChange

__all__ = ["LeadProcess", "LeadStatus"]


@attrs.frozen(kw_only=True)
class LeadStatus:
    """One status of a lead process.

    Args:
        name: The status's name, unique in its process.
        qualified: Whether a lead in this status may be converted (an open status).
        is_closed: Whether a lead in it is closed (worked to an end).
        converted: Whether it is the status of a converted lead (closed);
            only :func:`salesflow.convert` sets it.
        order: Position in the process, 1-based; filled in by the process.

    >>> LeadStatus(name="Closed - Converted", is_closed=True, converted=True).is_open
    False
    """

    name: str
    qualified: bool = False
    is_closed: bool = False
    converted: bool = False
    order: int | None = None

    def __attrs_post_init__(self) -> None:
        problems = []
        name = text_problem(self.name, "$.name", blank=False, noun="name")
        if name is not None:
            problems.append(name)
        for flag in ("qualified", "is_closed", "converted"):
            if not isinstance(getattr(self, flag), bool):
                problems.append(Problem(f"expected true or false, got {flag}", f"$.{flag}"))
        if problems:
            raise ValidationError(problems, subject="lead status")
        if self.converted and not self.is_closed:
            problems.append(Problem("a converted status must be closed", "$.converted"))
        if self.qualified and self.is_closed:
            problems.append(
                Problem("a closed status cannot be qualified (convert from an open one)", "$")
            )
        if self.order is not None and (
            isinstance(self.order, bool) or not isinstance(self.order, int) or self.order < 1
        ):
            problems.append(
                Problem(f"expected a whole number >= 1, got {self.order!r}", "$.order")
            )
        if problems:
            raise ValidationError(problems, subject=f"lead status {self.name!r}")

    @property
    def is_open(self) -> bool:
        """Whether a lead in this status is still being worked."""
        return not self.is_closed


def _number(statuses: Iterable[LeadStatus]) -> tuple[LeadStatus, ...]:
    result = []
    for position, status in enumerate(
        sequence(statuses, of=LeadStatus, what="lead statuses"), start=1
    ):
        result.append(status if status.order is not None else attrs.evolve(status, order=position))
    return tuple(result)


_SET_BY_VERBS = frozenset(
    {
        "converted_at",
        "converted_account_id",
        "converted_contact_id",
        "converted_opportunity_id",
        "created_at",
        "history",
        "process_name",
    }
)
_ORDINARY = frozenset({"company", "title", "email", "phone", "source", "owner", "description"})


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@attrs.frozen(kw_only=True, repr=False)
class LeadProcess(Document):
    """A named lead process: ordered statuses, some qualified, one or more converted.

    Validated on construction, every problem at once: unique names, at least
    one open status, at least one qualified status, at least one converted
    status, increasing orders.

    >>> p = LeadProcess(name="Tiny", statuses=[
    ...     LeadStatus(name="New"), LeadStatus(name="Qualified", qualified=True),
    ...     LeadStatus(name="Converted", is_closed=True, converted=True)])
    >>> p.status_names, p.converted_status.name
    (('New', 'Qualified', 'Converted'), 'Converted')
    >>> LeadProcess(name="Bad", statuses=[LeadStatus(name="New")])
    Traceback (most recent call last):
    ...
    salesflow.errors.ValidationError: invalid lead process 'Bad': 2 problems
      - at least one status must be qualified (a lead is converted from it) @ $.statuses
      - at least one status must be converted (a converted lead is in it) @ $.statuses
    """

    document_name: ClassVar[str] = "lead process"
    schema_file: ClassVar[str] = "lead-process.schema.json"

    name: str
    statuses: tuple[LeadStatus, ...] = attrs.field(converter=_number)
    description: str | None = None
    _by_name: dict[str, LeadStatus] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        problems = list(self._problems())
        if problems:
            raise ValidationError(problems, subject=f"lead process {self.name!r}")
        object.__setattr__(self, "_by_name", {s.name: s for s in self.statuses})

    def _problems(self) -> list[Problem]:
        problems = []
        name = text_problem(self.name, "$.name", blank=False, noun="name")
        if name is not None:
            problems.append(name)
        if self.description is not None and (d := text_problem(self.description, "$.description")):
            problems.append(d)
        seen: set[str] = set()
        last = 0
        for index, status in enumerate(self.statuses):
            if status.name in seen:
                problems.append(
                    Problem(f"duplicate status name {status.name!r}", f"$.statuses[{index}].name")
                )
            seen.add(status.name)
            order = status.order or 0
            if order <= last:
                problems.append(
                    Problem(
                        f"orders must increase, got {order} after {last}",
                        f"$.statuses[{index}].order",
                    )
                )
            last = order
        for what, flag in (
            ("open (a new lead starts in it)", "is_open"),
            ("qualified (a lead is converted from it)", "qualified"),
            ("converted (a converted lead is in it)", "converted"),
        ):
            if not any(getattr(s, flag) for s in self.statuses):
                problems.append(Problem(f"at least one status must be {what}", "$.statuses"))
        return problems

    def __repr__(self) -> str:
        return f"LeadProcess(name={self.name!r}, statuses=[{', '.join(map(repr, self.status_names))}])"

    def _repr_html_(self) -> str:
        body = [
            (
                s.name,
                "yes" if s.qualified else "no",
                "yes" if s.is_closed else "no",
                "yes" if s.converted else "no",
            )
            for s in self.statuses
        ]
        names = ["status", "qualified", "closed", "converted"]
        return table_html(f"Lead process {self.name}", names, body)

    # --------------------------------------------------------------- lookup

    def status(self, name: str) -> LeadStatus:
        """The status called ``name``.

        Raises:
            UnknownStatusError: The process has no such status.
        """
        try:
            return self._by_name[name]
        except (KeyError, TypeError):
            raise UnknownStatusError(name, self.name, self.status_names) from None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._by_name

    @property
    def status_names(self) -> tuple[str, ...]:
        """The statuses' names, in order."""
        return tuple(s.name for s in self.statuses)

    @property
    def open_statuses(self) -> tuple[LeadStatus, ...]:
        """The open statuses, in order: the steps of the lead funnel."""
        return tuple(s for s in self.statuses if s.is_open)

    @property
    def converted_statuses(self) -> tuple[LeadStatus, ...]:
        """The statuses of converted leads, in order."""
        return tuple(s for s in self.statuses if s.converted)

    @property
    def converted_status(self) -> LeadStatus:
        """The status :func:`salesflow.convert` sets by default: the first converted one."""
        return self.converted_statuses[0]

    @property
    def first_status(self) -> LeadStatus:
        """The first open status, where :meth:`open` starts by default."""
        return self.open_statuses[0]

    # ---------------------------------------------------------------- verbs

    def open(
        self,
        *,
        name: str,
        status: str | None = None,
        id: str | None = None,
        at: datetime | None = None,
        by: str | None = None,
        **attributes: Any,
    ) -> Lead:
        """Create a lead in ``status`` (default: the first open status), with its first history entry.

        Args:
            name: The person's name.
            status: An open status of this process.
            id: The lead's id (default: a new one).
            at: When it was created (default: now); timezone-aware.
            by: Who created it.
            **attributes: Ordinary attributes: ``company``, ``source``, ``owner``,
                ``email``, ``phone``, ``title``, ``description``.

        Raises:
            UnknownStatusError: ``status`` is not in the process.
            ValidationError: A closed status, a conversion field, or a bad attribute.
        """
        chosen = self.first_status if status is None else self.status(status)
        problems = [
            Problem(f"{key} is set by the verbs, not when a lead is opened", f"$.{key}")
            for key in sorted(set(attributes) & _SET_BY_VERBS)
        ]
        problems += [
            Problem(f"a lead has no attribute {key!r}", f"$.{key}")
            for key in sorted(set(attributes) - _ORDINARY - _SET_BY_VERBS)
        ]
        if chosen.is_closed:
            problems.append(
                Problem(f"a new lead starts in an open status, not {chosen.name!r}", "$.status")
            )
        if problems:
            raise ValidationError(problems, subject="new lead")
        when = _utcnow() if at is None else at
        first = LeadStatusChange(at=when, status=chosen.name, by=by)
        extra: dict[str, Any] = {} if id is None else {"id": LeadId(id)}
        return Lead(
            name=name,
            status=chosen.name,
            process_name=self.name,
            created_at=when,
            history=(first,),
            **extra,
            **attributes,
        )

    def set_status(
        self, lead: Lead, status: str, *, at: datetime | None = None, by: str | None = None
    ) -> LeadStatusChange | None:
        """Move ``lead`` to another status that is not a converted one (use :func:`salesflow.convert`).

        Returns:
            The history entry written, or ``None`` when the lead is already in ``status``.

        Raises:
            UnknownStatusError: ``status`` is not in the process.
            LeadConversionError: A converted lead (closed for good), a converted
                status, a lead of another process, or a bad ``at`` or ``by``;
                nothing changed.
        """
        target = self.status(status)
        with exclusive(lead):
            reasons = []
            if not isinstance(lead, Lead):
                raise ValidationError(
                    [Problem(f"expected a Lead, got {type(lead).__name__}", "$.lead")],
                    subject="set_status",
                )
            reasons.extend(self.foreign(lead))
            if lead.is_converted:
                reasons.append(
                    f"it was converted on {lead.converted_at:%Y-%m-%d}; it stays converted"
                )
            if target.converted:
                reasons.append(f"{target.name!r} is a converted status: use salesflow.convert()")
            when = _utcnow() if at is None else at
            reasons.extend(when_problems(when, by, lead))
            if reasons:
                raise LeadConversionError(
                    lead_id=lead.id, reasons=reasons, verb="change the status of"
                )
            if target.name == lead.status:
                return None
            return lead._record(target.name, when, by, {})

    def foreign(self, lead: Lead) -> list[str]:
        """Why ``lead`` is not this process's: another process, or a status it lacks."""
        if lead.process_name is not None and lead.process_name != self.name:
            return [f"it follows lead process {lead.process_name!r}, not {self.name!r}"]
        if lead.status not in self:
            return [f"its status {lead.status!r} is not in lead process {self.name!r}"]
        return []


def when_problems(at: object, by: object, lead: Lead) -> list[str]:
    """Why ``at`` (timezone-aware, not before the lead's creation) or ``by`` (text) is refused."""
    reasons = []
    if not isinstance(at, datetime) or at.utcoffset() is None:
        reasons.append(f"expected a timezone-aware datetime for at, got {at!r}")
    elif at < lead.created_at:
        reasons.append(
            f"at {at.isoformat()} is before the lead was created ({lead.created_at.isoformat()})"
        )
    if by is not None and text_problem(by, "$.by") is not None:
        reasons.append(f"expected who made the change as text, got {type(by).__name__}")
    return reasons
