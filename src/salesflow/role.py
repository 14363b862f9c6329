"""Contact roles: who a contact is in a deal."""

from __future__ import annotations

import enum

import attrs

from salesflow._validate import kind, non_blank
from salesflow.errors import Problem, ValidationError
from salesflow.ids import ContactId

__all__ = ["ContactRole", "Role", "RoleName", "to_role"]


class Role(enum.Enum):
    """The nine standard opportunity contact roles.

    A process may declare extra, custom role names (e.g. ``"Champion"``);
    those are plain strings.
    """

    BUSINESS_USER = "Business User"
    DECISION_MAKER = "Decision Maker"
    ECONOMIC_BUYER = "Economic Buyer"
    ECONOMIC_DECISION_MAKER = "Economic Decision Maker"
    EVALUATOR = "Evaluator"
    EXECUTIVE_SPONSOR = "Executive Sponsor"
    INFLUENCER = "Influencer"
    TECHNICAL_BUYER = "Technical Buyer"
    OTHER = "Other"


RoleName = Role | str
"""A standard :class:`Role` or the name of a custom role."""

_BY_VALUE = {role.value: role for role in Role}


def to_role(value: RoleName) -> RoleName:
    """Return the standard :class:`Role` a name stands for, else the name itself.

    >>> to_role("Economic Buyer")
    <Role.ECONOMIC_BUYER: 'Economic Buyer'>
    >>> to_role("Champion")
    'Champion'
    """
    if isinstance(value, Role):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            [Problem(f"expected a role name, got {value!r}", "$.role")], subject="contact role"
        )
    return _BY_VALUE.get(value, value)


def role_label(role: RoleName | None) -> str:
    """The display name of a role (``"(no role)"`` for a contact role without one)."""
    if role is None:
        return "(no role)"
    return role.value if isinstance(role, Role) else role


def _optional_role(value: RoleName | None) -> RoleName | None:
    return None if value is None else to_role(value)


@attrs.frozen
class ContactRole:
    """A contact's role in one opportunity; at most one per opportunity is primary.

    The role may be ``None``: Salesforce's ``OpportunityContactRole.Role`` is
    optional (converting a lead creates the primary contact role without one),
    so salesflow keeps such a record as it is rather than refusing it or
    guessing ``Other``. A role-less contact role never satisfies a gate's
    ``roles``, but does count as the primary contact.

    >>> ContactRole(ContactId("c1"), "Decision Maker", primary=True).role
    <Role.DECISION_MAKER: 'Decision Maker'>
    >>> ContactRole(ContactId("c2"), None, primary=True).label
    '(no role)'
    """

    contact_id: ContactId = attrs.field(validator=non_blank)
    role: RoleName | None = attrs.field(converter=_optional_role)
    primary: bool = attrs.field(default=False, kw_only=True, validator=kind(bool))

    @property
    def label(self) -> str:
        """The role's display name."""
        return role_label(self.role)
