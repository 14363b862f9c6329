"""Opportunities: potential revenue moving through the stages of a process."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import attrs

from salesflow._validate import aware, names, non_blank
from salesflow.buyer.effort import Effort, check_efforts
from salesflow.buyer.initiation import Initiation, WarningSign, to_initiation, to_warning_signs
from salesflow.buyer.qualification import QualificationStatus, Scorecard, check_scorecard
from salesflow.errors import (
    ContactRoleError,
    CurrencyMismatchError,
    Problem,
    ReadOnlyFieldError,
    ValidationError,
)
from salesflow.forecast import ForecastCategory
from salesflow.history import HistoryEntry
from salesflow.ids import AccountId, ContactId, OpportunityId, new_id
from salesflow.money import Money
from salesflow.probability import ProbabilitySource, to_probability
from salesflow.role import ContactRole, Role, RoleName, role_label, to_role

__all__ = ["MAX_NAME_LENGTH", "Opportunity"]

MAX_NAME_LENGTH = 120
"""Salesforce's limit on an opportunity's name."""

_set = object.__setattr__


def _read_only(verb: str) -> Callable[[Any, attrs.Attribute[Any], Any], Any]:
    def hook(_: Any, attribute: attrs.Attribute[Any], __: Any) -> Any:
        raise ReadOnlyFieldError(attribute.name, verb)

    return hook


def _check_name(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    non_blank(instance, attribute, value)
    if len(value) > MAX_NAME_LENGTH:
        raise ValidationError(
            [
                Problem(
                    f"a name has at most {MAX_NAME_LENGTH} characters, got {len(value)}",
                    "$.name",
                )
            ],
            subject="Opportunity",
        )


def _check_money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Money):
        raise ValidationError(
            [
                Problem(
                    f"expected Money or None, got {type(value).__name__}", f"$.{attribute.name}"
                )
            ],
            subject=type(instance).__name__,
        )


def _check_date(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError(
            [Problem(f"expected a date, got {type(value).__name__}", f"$.{attribute.name}")],
            subject=type(instance).__name__,
        )


def _roles(value: Iterable[ContactRole]) -> tuple[ContactRole, ...]:
    return tuple(value)


def _entries(value: Iterable[HistoryEntry]) -> tuple[HistoryEntry, ...]:
    return tuple(value)


def _new_opportunity_id() -> OpportunityId:
    return OpportunityId(new_id())


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _months(day: date) -> int:
    return day.year * 12 + day.month


@attrs.define(kw_only=True, repr=False)
class Opportunity:
    """A deal with one account, in one stage of a sales process.

    Create one with :meth:`salesflow.SalesProcess.open`, which fills in what the
    stage implies. Stage, probability, forecast category, the closed and won
    flags, amount, close date, contact roles and history change only through
    verbs, which keep every invariant or raise and change nothing; assigning
    them directly raises :class:`~salesflow.ReadOnlyFieldError`. Ordinary
    attributes (``name``, ``next_step``, ``owner`` ...) may be assigned.

    >>> import salesflow as sf
    >>> from datetime import date
    >>> opp = sf.presets.salesforce_standard().open(
    ...     name="Deal", amount=sf.Money("1000", "USD"), close_date=date(2026, 12, 1),
    ...     stage="Qualification", id="opp-1")
    >>> opp
    Opportunity(id='opp-1', name='Deal', stage='Qualification', probability=10, amount=Money('1000', 'USD'), close_date=2026-12-01)
    >>> opp.expected_revenue
    Money('100', 'USD')
    >>> opp.stage = "Closed Won"
    Traceback (most recent call last):
    ...
    salesflow.errors.ReadOnlyFieldError: 'stage' cannot be assigned directly; use SalesProcess.move()
    """

    id: OpportunityId = attrs.field(
        factory=_new_opportunity_id,
        validator=non_blank,
        on_setattr=_read_only("a new Opportunity"),
    )
    name: str = attrs.field(validator=_check_name)
    account_id: AccountId | None = None
    amount: Money | None = attrs.field(
        default=None, validator=_check_money, on_setattr=_read_only("change_amount()")
    )
    close_date: date = attrs.field(
        validator=_check_date, on_setattr=_read_only("change_close_date()")
    )
    stage: str = attrs.field(validator=non_blank, on_setattr=_read_only("SalesProcess.move()"))
    probability: Decimal = attrs.field(
        converter=to_probability, on_setattr=_read_only("set_probability()")
    )
    probability_source: ProbabilitySource = attrs.field(
        default=ProbabilitySource.STAGE, on_setattr=_read_only("set_probability()")
    )
    forecast_category: ForecastCategory = attrs.field(on_setattr=_read_only("SalesProcess.move()"))
    is_closed: bool = attrs.field(default=False, on_setattr=_read_only("SalesProcess.move()"))
    is_won: bool = attrs.field(default=False, on_setattr=_read_only("SalesProcess.move()"))
    type: str | None = None
    lead_source: str | None = None
    next_step: str | None = None
    owner: str | None = None
    description: str | None = None
    process_name: str | None = attrs.field(
        default=None, on_setattr=_read_only("a new Opportunity")
    )
    confirmed_facts: tuple[str, ...] = attrs.field(
        default=(), converter=names, on_setattr=_read_only("confirm_fact()")
    )
    initiation: Initiation | None = attrs.field(
        default=None, converter=to_initiation, on_setattr=_read_only("record_initiation()")
    )
    warning_signs: tuple[WarningSign, ...] = attrs.field(
        default=(), converter=to_warning_signs, on_setattr=_read_only("flag_warning()")
    )
    qualification: Scorecard | None = attrs.field(
        default=None,
        validator=check_scorecard,
        on_setattr=_read_only("set_qualification() and qualify()"),
    )
    pursuit: tuple[Effort, ...] = attrs.field(
        default=(),
        converter=tuple,
        validator=check_efforts,
        on_setattr=_read_only("record_effort()"),
    )
    custom_roles: tuple[str, ...] = attrs.field(
        default=(), converter=names, on_setattr=_read_only("a new Opportunity")
    )
    created_at: datetime = attrs.field(
        factory=_utcnow, validator=aware, on_setattr=_read_only("a new Opportunity")
    )
    last_stage_change_at: datetime | None = attrs.field(
        default=None, on_setattr=_read_only("SalesProcess.move()")
    )
    push_count: int = attrs.field(default=0, on_setattr=_read_only("change_close_date()"))
    contact_roles: tuple[ContactRole, ...] = attrs.field(
        default=(), converter=_roles, on_setattr=_read_only("add_contact_role() and its kin")
    )
    history: tuple[HistoryEntry, ...] = attrs.field(
        default=(), converter=_entries, on_setattr=_read_only("the verbs that change it")
    )

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        if self.is_won and not self.is_closed:
            problems.append(Problem("a won opportunity must be closed", "$.is_won"))
        if (
            isinstance(self.push_count, bool)
            or not isinstance(self.push_count, int)
            or self.push_count < 0
        ):
            problems.append(
                Problem(f"expected a count >= 0, got {self.push_count!r}", "$.push_count")
            )
        problems.extend(self._role_problems(self.contact_roles))
        if problems:
            raise ValidationError(problems, subject=f"Opportunity {self.id}")

    # ----------------------------------------------------------------- derived

    @property
    def expected_revenue(self) -> Money | None:
        """``amount × probability / 100``, or ``None`` when there is no amount."""
        if self.amount is None:
            return None
        return self.amount * self.probability / 100

    @property
    def primary_contact_id(self) -> ContactId | None:
        """The contact whose role is primary, if any."""
        for role in self.contact_roles:
            if role.primary:
                return role.contact_id
        return None

    @property
    def is_open(self) -> bool:
        """Whether the opportunity is in an open stage."""
        return not self.is_closed

    def roles_of(self, contact_id: str) -> tuple[RoleName, ...]:
        """The roles ``contact_id`` holds in this opportunity."""
        return tuple(r.role for r in self.contact_roles if r.contact_id == contact_id)

    def has_role(self, role: RoleName) -> bool:
        """Whether some contact holds ``role``."""
        wanted = to_role(role)
        return any(r.role == wanted for r in self.contact_roles)

    # -------------------------------------------------------- contact roles

    def add_contact_role(
        self, contact_id: str, *, role: RoleName, primary: bool = False
    ) -> ContactRole:
        """Give a contact a role in this opportunity.

        A new primary contact demotes the old one.

        Args:
            contact_id: The contact's id.
            role: A standard :class:`~salesflow.Role`, or a custom role the
                opportunity's process declares.
            primary: Make this the primary contact role.

        Returns:
            The new contact role.

        Raises:
            ContactRoleError: The role is unknown, or the contact already holds it.
        """
        new = ContactRole(
            ContactId(contact_id), self._known_role(contact_id, role), primary=primary
        )
        if any(r.contact_id == new.contact_id and r.role == new.role for r in self.contact_roles):
            raise self._role_error(
                f"contact {contact_id} already has the role {role_label(new.role)!r}", contact_id
            )
        kept = self._demoted() if primary else self.contact_roles
        _set(self, "contact_roles", (*kept, new))
        return new

    def remove_contact_role(
        self, contact_id: str, *, role: RoleName | None = None
    ) -> tuple[ContactRole, ...]:
        """Remove a contact's roles (all of them, or just ``role``).

        Returns:
            The removed contact roles.

        Raises:
            ContactRoleError: The contact holds no such role.
        """
        wanted = None if role is None else to_role(role)

        def matches(r: ContactRole) -> bool:
            return r.contact_id == contact_id and (wanted is None or r.role == wanted)

        removed = tuple(r for r in self.contact_roles if matches(r))
        if not removed:
            what = "any role" if wanted is None else f"the role {role_label(wanted)!r}"
            raise self._role_error(f"contact {contact_id} does not hold {what}", contact_id)
        _set(self, "contact_roles", tuple(r for r in self.contact_roles if not matches(r)))
        return removed

    def change_contact_role(self, contact_id: str, *, role: RoleName, to: RoleName) -> ContactRole:
        """Change a contact's ``role`` to ``to``, keeping whether it is primary.

        Raises:
            ContactRoleError: The contact does not hold ``role``, already holds
                ``to``, or ``to`` is unknown.
        """
        old, new_role = to_role(role), self._known_role(contact_id, to)
        current = [r for r in self.contact_roles if r.contact_id == contact_id and r.role == old]
        if not current:
            raise self._role_error(
                f"contact {contact_id} does not hold the role {role_label(old)!r}", contact_id
            )
        if new_role != old and any(
            r.contact_id == contact_id and r.role == new_role for r in self.contact_roles
        ):
            raise self._role_error(
                f"contact {contact_id} already has the role {role_label(new_role)!r}", contact_id
            )
        changed = attrs.evolve(current[0], role=new_role)
        _set(
            self,
            "contact_roles",
            tuple(changed if r is current[0] else r for r in self.contact_roles),
        )
        return changed

    def set_primary_contact(self, contact_id: str, *, role: RoleName | None = None) -> ContactRole:
        """Make one of a contact's roles the primary one, demoting the old primary.

        Args:
            contact_id: The contact.
            role: Which of its roles, when it holds several (default: the first).

        Raises:
            ContactRoleError: The contact holds no (such) role.
        """
        wanted = None if role is None else to_role(role)
        candidates = [
            r
            for r in self.contact_roles
            if r.contact_id == contact_id and (wanted is None or r.role == wanted)
        ]
        if not candidates:
            raise self._role_error(f"contact {contact_id} holds no such role", contact_id)
        chosen = attrs.evolve(candidates[0], primary=True)
        roles = tuple(
            chosen if r is candidates[0] else attrs.evolve(r, primary=False) if r.primary else r
            for r in self.contact_roles
        )
        _set(self, "contact_roles", roles)
        return chosen

    def _demoted(self) -> tuple[ContactRole, ...]:
        return tuple(
            attrs.evolve(r, primary=False) if r.primary else r for r in self.contact_roles
        )

    def _known_role(self, contact_id: str, role: RoleName) -> RoleName:
        resolved = to_role(role)
        if isinstance(resolved, Role) or resolved in self.custom_roles:
            return resolved
        custom = ", ".join(repr(c) for c in self.custom_roles) or "none"
        raise self._role_error(
            f"unknown role {role!r}: not a standard role, and the process's custom roles are "
            f"{custom}",
            contact_id,
        )

    def _role_error(self, message: str, contact_id: str) -> ContactRoleError:
        return ContactRoleError(message, opportunity_id=self.id, contact_id=contact_id)

    def _role_problems(self, roles: Iterable[ContactRole]) -> list[Problem]:
        problems: list[Problem] = []
        seen: set[tuple[str, RoleName]] = set()
        primaries = 0
        for index, role in enumerate(roles):
            path = f"$.contact_roles[{index}]"
            if (role.contact_id, role.role) in seen:
                problems.append(Problem("the same contact twice in the same role", path))
            seen.add((role.contact_id, role.role))
            primaries += role.primary
            if not isinstance(role.role, Role) and role.role not in self.custom_roles:
                problems.append(Problem(f"unknown role {role.role!r}", f"{path}.role"))
        if primaries > 1:
            problems.append(
                Problem(f"at most one primary contact, got {primaries}", "$.contact_roles")
            )
        return problems

    # ------------------------------------------------------------- facts

    def confirm_fact(self, fact: str) -> None:
        """Record that ``fact`` is confirmed (e.g. a buying phase's exit criterion).

        Stage gates may require confirmed facts. Confirming one twice is harmless.

        Raises:
            ValidationError: ``fact`` is blank.
        """
        if not isinstance(fact, str) or not fact.strip():
            raise ValidationError(
                [Problem(f"expected a non-blank fact, got {fact!r}", "$.fact")],
                subject=f"opportunity {self.id}",
            )
        if fact not in self.confirmed_facts:
            _set(self, "confirmed_facts", (*self.confirmed_facts, fact))

    def retract_fact(self, fact: str) -> None:
        """Withdraw a confirmed fact ("bad news early is good news").

        Raises:
            ValidationError: ``fact`` was not confirmed.
        """
        if fact not in self.confirmed_facts:
            raise ValidationError(
                [Problem(f"{fact!r} is not confirmed", "$.fact")], subject=f"opportunity {self.id}"
            )
        _set(self, "confirmed_facts", tuple(f for f in self.confirmed_facts if f != fact))

    # ------------------------------------------------------ the buyer's side

    def record_initiation(self, initiation: Initiation | str | None) -> None:
        """Record who started the buying (``None`` clears it).

        Args:
            initiation: An :class:`~salesflow.buyer.Initiation` or its value,
                e.g. ``"buyer_other_vendor_preferred"``.

        Raises:
            ValidationError: ``initiation`` names no initiation.
        """
        _set(self, "initiation", to_initiation(initiation))

    def flag_warning(self, sign: WarningSign | str) -> None:
        """Record an observed warning sign; flagging one twice is harmless.

        Raises:
            ValidationError: ``sign`` names no :class:`~salesflow.buyer.WarningSign`.
        """
        (flagged,) = to_warning_signs((sign,))
        if flagged not in self.warning_signs:
            _set(self, "warning_signs", (*self.warning_signs, flagged))

    def clear_warning(self, sign: WarningSign | str) -> None:
        """Withdraw a warning sign that no longer holds.

        Raises:
            ValidationError: ``sign`` is unknown or not flagged.
        """
        (flagged,) = to_warning_signs((sign,))
        if flagged not in self.warning_signs:
            raise ValidationError(
                [Problem(f"{flagged.value!r} is not flagged", "$.sign")],
                subject=f"opportunity {self.id}",
            )
        _set(self, "warning_signs", tuple(s for s in self.warning_signs if s is not flagged))

    def set_qualification(self, scorecard: Scorecard | None) -> None:
        """Attach a qualification scorecard (``None`` removes it).

        Raises:
            ValidationError: ``scorecard`` is not a :class:`~salesflow.buyer.Scorecard`.
        """
        check_scorecard(self, attrs.fields(Opportunity).qualification, scorecard)
        _set(self, "qualification", scorecard)

    def qualify(
        self,
        element: str,
        status: QualificationStatus | str,
        *,
        evidence: str | None = None,
    ) -> Scorecard:
        """Set one element of the scorecard, e.g. ``qualify("Champion", "validated", evidence=...)``.

        Returns:
            The new scorecard (also on ``qualification``).

        Raises:
            ValidationError: No scorecard is attached, the element or status is
                unknown, or a validated element lacks evidence.
        """
        if self.qualification is None:
            raise ValidationError(
                [Problem("no scorecard is attached; call set_qualification() first", "$")],
                subject=f"opportunity {self.id}",
            )
        scorecard = self.qualification.with_status(element, status, evidence=evidence)
        _set(self, "qualification", scorecard)
        return scorecard

    def record_effort(self, effort: Effort) -> None:
        """Record effort spent pursuing the deal (people's time, travel).

        Raises:
            ValidationError: ``effort`` is not an :class:`~salesflow.buyer.Effort`.
            CurrencyMismatchError: It is in another currency than the effort
                already recorded.
        """
        if not isinstance(effort, Effort):
            raise ValidationError(
                [Problem(f"expected an Effort, got {type(effort).__name__}", "$.effort")],
                subject=f"opportunity {self.id}",
            )
        if self.pursuit and effort.currency != self.pursuit[0].currency:
            raise CurrencyMismatchError(self.pursuit[0].currency, effort.currency, "add")
        _set(self, "pursuit", (*self.pursuit, effort))

    @property
    def pursuit_cost(self) -> Money | None:
        """The cost of the recorded pursuit effort, or ``None`` if none is recorded."""
        return Effort.total(self.pursuit)

    # ------------------------------------------------------ recorded changes

    def set_probability(
        self,
        probability: int | Decimal | str,
        *,
        at: datetime | None = None,
        by: str | None = None,
    ) -> HistoryEntry | None:
        """Override the stage's probability by hand, until the next stage change.

        Args:
            probability: A percentage in 0..100 (``int``, ``Decimal`` or string).
            at: When (default: now); timezone-aware.
            by: Who.

        Returns:
            The history entry written, or ``None`` if the value did not change.

        Raises:
            ValidationError: Not a percentage in 0..100, or a bad ``at``.
        """
        value = to_probability(probability)
        when = self._when(at)
        if value == self.probability:
            _set(self, "probability_source", ProbabilitySource.MANUAL)
            return None
        return self._commit(
            {"probability": value, "probability_source": ProbabilitySource.MANUAL}, when, by
        )

    def change_amount(
        self, amount: Money | None, *, at: datetime | None = None, by: str | None = None
    ) -> HistoryEntry | None:
        """Change the amount (``None`` clears it).

        Returns:
            The history entry written, or ``None`` if the amount did not change.

        Raises:
            ValidationError: ``amount`` is not :class:`~salesflow.Money`, or a bad ``at``.
        """
        if amount is not None and not isinstance(amount, Money):
            raise ValidationError(
                [Problem(f"expected Money or None, got {type(amount).__name__}", "$.amount")],
                subject=f"Opportunity {self.id}",
            )
        when = self._when(at)
        if amount == self.amount:
            return None
        return self._commit({"amount": amount}, when, by)

    def change_close_date(
        self, close_date: date, *, at: datetime | None = None, by: str | None = None
    ) -> HistoryEntry | None:
        """Move the expected close date.

        A move to a later month counts as a push (``push_count`` + 1); moving it
        earlier never decreases ``push_count``.

        Returns:
            The history entry written, or ``None`` if the date did not change.

        Raises:
            ValidationError: ``close_date`` is not a date, or a bad ``at``.
        """
        if not isinstance(close_date, date) or isinstance(close_date, datetime):
            raise ValidationError(
                [Problem(f"expected a date, got {type(close_date).__name__}", "$.close_date")],
                subject=f"Opportunity {self.id}",
            )
        when = self._when(at)
        if close_date == self.close_date:
            return None
        return self._commit({"close_date": close_date}, when, by)

    def _when(self, at: datetime | None) -> datetime:
        """Validate a change's time: timezone-aware (default: now)."""
        when = _utcnow() if at is None else at
        if not isinstance(when, datetime) or when.utcoffset() is None:
            raise ValidationError(
                [Problem(f"expected a timezone-aware datetime, got {at!r}", "$.at")],
                subject=f"change to opportunity {self.id}",
            )
        return when

    def _commit(self, changes: dict[str, Any], at: datetime, by: str | None) -> HistoryEntry:
        """Apply validated ``changes`` and append the history entry (cannot fail)."""
        previous_amount, previous_close = self.amount, self.close_date
        new_close = changes.get("close_date", previous_close)
        if _months(new_close) > _months(previous_close):
            changes["push_count"] = self.push_count + 1
        for name, value in changes.items():
            _set(self, name, value)
        entry = HistoryEntry(
            at=at,
            by=by,
            stage=self.stage,
            amount=self.amount,
            probability=self.probability,
            close_date=self.close_date,
            forecast_category=self.forecast_category,
            previous_amount=previous_amount,
            previous_close_date=previous_close,
        )
        _set(self, "history", (*self.history, entry))
        return entry

    def __repr__(self) -> str:
        return (
            f"Opportunity(id={self.id!r}, name={self.name!r}, stage={self.stage!r}, "
            f"probability={self.probability}, amount={self.amount!r}, "
            f"close_date={self.close_date.isoformat()})"
        )
