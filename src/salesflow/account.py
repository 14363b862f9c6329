"""Accounts: the companies that buy."""

from __future__ import annotations

import attrs

from salesflow._validate import Undeletable, non_blank
from salesflow.ids import AccountId, new_id

__all__ = ["Account"]


def _new_account_id() -> AccountId:
    return AccountId(new_id())


@attrs.define(kw_only=True)
class Account(Undeletable):
    """A buying company.

    >>> Account(name="Get Cloudy West", id=AccountId("acc-1"))
    Account(id='acc-1', name='Get Cloudy West', industry=None, website=None, description=None)
    """

    id: AccountId = attrs.field(factory=_new_account_id, validator=non_blank)
    name: str = attrs.field(validator=non_blank)
    industry: str | None = None
    website: str | None = None
    description: str | None = None
