"""Stage gates: declarative entry criteria a stage may set.

A gate is data (it can be written in a process file); custom checks are only
*named* there, and Python code registers them on the process with
:meth:`salesflow.SalesProcess.register_check`. Nothing from a file is evaluated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from salesflow._repr import short_repr
from salesflow._validate import names, sequence
from salesflow.errors import Problem, ValidationError, shorten
from salesflow.money import Money
from salesflow.role import Role, RoleName, role_label, to_role

if TYPE_CHECKING:
    from salesflow.opportunity import Opportunity

__all__ = ["Check", "StageGate", "register_check"]

Check = Callable[["Opportunity"], "str | bool | None"]
"""A custom gate check: returns why the opportunity may not enter (a reason, or ``False``), or ``None`` (or ``True``) if it may. A check that raises refuses the move, with the error as its reason."""

GATEABLE_FIELDS = frozenset(
    {"account_id", "amount", "type", "lead_source", "next_step", "owner", "description"}
)
"""Opportunity fields a gate may require to be filled in."""


def _roles(value: Iterable[RoleName] | str) -> tuple[RoleName, ...]:
    if isinstance(value, (str, Role)):
        value = (value,)
    return tuple(to_role(r) for r in sequence(value, of=(str, Role), what="contact roles"))


@attrs.frozen(kw_only=True, repr=False)
class StageGate:
    """What an opportunity must have before it may enter a stage.

    Attributes:
        required_fields: Opportunity fields that must be filled in, e.g.
            ``("amount", "next_step")``.
        primary_contact: Whether a primary contact is required.
        roles: Contact roles some contact must hold, e.g. ``(Role.ECONOMIC_BUYER,)``.
        min_amount: The smallest amount allowed (same currency).
        confirmed: Facts that must be confirmed on the opportunity
            (:meth:`~salesflow.Opportunity.confirm_fact`), e.g. a buying
            phase's exit criterion.
        qualified: Qualification elements that must be validated on the
            opportunity's scorecard, e.g. ``("Champion", "Identify pain")``.
        checks: Names of custom checks registered on the process.
        line_items: Whether the opportunity must have at least one line item.

    >>> gate = StageGate(required_fields=["amount"], primary_contact=True)
    >>> gate.is_empty
    False
    """

    required_fields: tuple[str, ...] = attrs.field(default=(), converter=names)
    primary_contact: bool = False
    roles: tuple[RoleName, ...] = attrs.field(default=(), converter=_roles)
    min_amount: Money | None = None
    confirmed: tuple[str, ...] = attrs.field(default=(), converter=names)
    qualified: tuple[str, ...] = attrs.field(default=(), converter=names)
    checks: tuple[str, ...] = attrs.field(default=(), converter=names)
    line_items: bool = False

    def __attrs_post_init__(self) -> None:
        problems = [
            Problem(
                f"unknown field {field!r}; a gate may require {', '.join(sorted(GATEABLE_FIELDS))}",
                f"$.required_fields[{index}]",
            )
            for index, field in enumerate(self.required_fields)
            if field not in GATEABLE_FIELDS
        ]
        if problems:
            raise ValidationError(problems, subject="stage gate")

    def __repr__(self) -> str:
        return short_repr(self)

    @property
    def is_empty(self) -> bool:
        """Whether the gate requires nothing."""
        return self == _EMPTY

    def unmet(self, opportunity: Opportunity, checks: Mapping[str, Check]) -> list[str]:
        """Every requirement ``opportunity`` does not meet, one sentence each.

        Args:
            opportunity: The opportunity that would enter the stage.
            checks: The custom checks registered on the process, by name.

        Returns:
            The unmet requirements; empty when the gate is passed. A named
            check that is not registered counts as unmet.
        """
        reasons: list[str] = []
        for field in self.required_fields:
            value = getattr(opportunity, field)
            if value is None or (isinstance(value, str) and not value.strip()):
                reasons.append(f"{field} is required")
        if self.line_items and not opportunity.line_items:
            reasons.append("at least one line item is required")
        if self.primary_contact and opportunity.primary_contact_id is None:
            reasons.append("a primary contact is required")
        for role in self.roles:
            if not opportunity.has_role(role):
                reasons.append(f"a contact in the role {role_label(role)!r} is required")
        if self.min_amount is not None and not (
            opportunity.amount is None and "amount" in self.required_fields
        ):
            reasons.extend(self._amount_reasons(opportunity.amount, self.min_amount))
        for fact in self.confirmed:
            if fact not in opportunity.confirmed_facts:
                reasons.append(f"{fact!r} must be confirmed")
        if self.qualified:
            scorecard = opportunity.qualification
            for element in self.qualified:
                if scorecard is None or not scorecard.is_validated(element):
                    reasons.append(f"qualification element {element!r} must be validated")
        for name in self.checks:
            check = checks.get(name)
            if check is None:
                reasons.append(f"custom check {name!r} is not registered on the process")
                continue
            reason = _run(check, opportunity)
            if reason is not None:
                reasons.append(f"{name}: {reason}")
        return reasons

    @staticmethod
    def _amount_reasons(amount: Money | None, minimum: Money) -> list[str]:
        if amount is None:
            return [f"an amount of at least {minimum} is required"]
        if amount.currency != minimum.currency:
            return [f"the amount is in {amount.currency}; the minimum is {minimum}"]
        if amount < minimum:
            return [f"the amount {amount} is below the minimum {minimum}"]
        return []


_EMPTY = StageGate()


def _run(check: Check, opportunity: Opportunity) -> str | None:
    """Run a custom check: ``None`` or ``True`` passes, a reason or ``False`` refuses.

    A check that raises, or returns anything else, refuses the move with a
    reason saying so: a broken check never lets a move through and never
    aborts a replay.
    """
    try:
        result: object = check(opportunity)
    except Exception as exc:  # user code: its failure is the refusal's reason
        return f"the check failed ({type(exc).__name__}: {shorten(str(exc))})"
    if result is None or result is True:
        return None
    if result is False:
        return "the check returned False"
    if isinstance(result, str) and result.strip():
        return result
    return f"the check returned {shorten(result)}; a check returns None (or True) to pass, or a reason"


def register_check(
    checks: dict[str, Check], name: str, check: Check, *, replace: bool = False
) -> None:
    """Add ``check`` to ``checks`` under ``name``; see :meth:`salesflow.SalesProcess.register_check`.

    Raises:
        ValidationError: ``name`` is blank or already taken (without ``replace``),
            or ``check`` is not callable.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(
            [Problem(f"expected a non-blank name, got {name!r}", "$.name")], subject="check"
        )
    if name in checks and not replace:
        raise ValidationError(
            [
                Problem(
                    f"a check named {name!r} is already registered; pass replace=True",
                    "$.name",
                )
            ],
            subject="check",
        )
    if not callable(check):
        raise ValidationError([Problem("expected a callable", "$.check")], subject="check")
    checks[name] = check
