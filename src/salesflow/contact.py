"""Contacts: the people at accounts."""

from __future__ import annotations

import attrs

from salesflow._validate import Undeletable, non_blank
from salesflow.ids import AccountId, ContactId, new_id

__all__ = ["Contact"]


def _new_contact_id() -> ContactId:
    return ContactId(new_id())


@attrs.define(kw_only=True)
class Contact(Undeletable):
    """A person, usually at an account.

    >>> Contact(name="Lars Johnson", id=ContactId("c-1")).name
    'Lars Johnson'
    """

    id: ContactId = attrs.field(factory=_new_contact_id, validator=non_blank)
    name: str = attrs.field(validator=non_blank)
    account_id: AccountId | None = None
    title: str | None = None
    email: str | None = None
    phone: str | None = None
