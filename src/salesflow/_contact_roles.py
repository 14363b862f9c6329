"""Contact-role verbs of an opportunity: at most one primary, no role held twice."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs

from salesflow._locks import locked
from salesflow.errors import ContactRoleError, Problem
from salesflow.ids import ContactId
from salesflow.role import ContactRole, Role, RoleName, role_label, to_role

if TYPE_CHECKING:
    from salesflow.ids import OpportunityId

__all__ = ["ContactRoles"]

_set = object.__setattr__


class ContactRoles:
    """The contact roles of an opportunity and the verbs that change them.

    A mixin of :class:`~salesflow.Opportunity`: every verb keeps the
    invariants (at most one primary contact; a contact holds a role once; only
    standard roles and the process's custom ones) or raises and changes nothing.
    """

    __slots__ = ()

    if TYPE_CHECKING:
        id: OpportunityId
        contact_roles: tuple[ContactRole, ...]
        custom_roles: tuple[str, ...]

    @property
    def primary_contact_id(self) -> ContactId | None:
        """The contact whose role is primary, if any."""
        for role in self.contact_roles:
            if role.primary:
                return role.contact_id
        return None

    def roles_of(self, contact_id: str) -> tuple[RoleName, ...]:
        """The roles ``contact_id`` holds in this opportunity."""
        return tuple(
            r.role for r in self.contact_roles if r.contact_id == contact_id and r.role is not None
        )

    def has_role(self, role: RoleName) -> bool:
        """Whether some contact holds ``role``."""
        wanted = to_role(role)
        return any(r.role == wanted for r in self.contact_roles)

    @locked
    def add_contact_role(
        self, contact_id: str, *, role: RoleName | None, primary: bool = False
    ) -> ContactRole:
        """Give a contact a role in this opportunity.

        A new primary contact demotes the old one.

        Args:
            contact_id: The contact's id.
            role: A standard :class:`~salesflow.Role`, a custom role the
                opportunity's process declares, or ``None``: the contact is
                involved in no named role (legal in Salesforce, where the
                field is optional).
            primary: Make this the primary contact role.

        Returns:
            The new contact role.

        Raises:
            ContactRoleError: The role is unknown, or the contact already holds it.
        """
        known = None if role is None else self._known_role(contact_id, role)
        new = ContactRole(ContactId(contact_id), known, primary=primary)
        if any(r.contact_id == new.contact_id and r.role == new.role for r in self.contact_roles):
            held = "a contact role without a role" if new.role is None else "the role"
            raise self._role_error(
                f"contact {contact_id} already has {held} {role_label(new.role)!r}", contact_id
            )
        kept = self._demoted() if primary else self.contact_roles
        _set(self, "contact_roles", (*kept, new))
        return new

    @locked
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

    @locked
    def change_contact_role(
        self, contact_id: str, *, role: RoleName | None, to: RoleName
    ) -> ContactRole:
        """Change a contact's ``role`` to ``to``, keeping whether it is primary.

        ``role=None`` names the contact's role-less contact role.

        Raises:
            ContactRoleError: The contact does not hold ``role``, already holds
                ``to``, or ``to`` is unknown.
        """
        old = None if role is None else to_role(role)
        new_role = self._known_role(contact_id, to)
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

    @locked
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
        seen: set[tuple[str, RoleName | None]] = set()
        primaries = 0
        for index, role in enumerate(roles):
            path = f"$.contact_roles[{index}]"
            if (role.contact_id, role.role) in seen:
                problems.append(Problem("the same contact twice in the same role", path))
            seen.add((role.contact_id, role.role))
            primaries += role.primary
            if role.role is not None and not (
                isinstance(role.role, Role) or role.role in self.custom_roles
            ):
                problems.append(Problem(f"unknown role {role.role!r}", f"{path}.role"))
        if primaries > 1:
            problems.append(
                Problem(f"at most one primary contact, got {primaries}", "$.contact_roles")
            )
        return problems
