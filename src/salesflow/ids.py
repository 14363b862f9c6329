"""Typed identifiers for the entities, generated when not given."""

from __future__ import annotations

import uuid
from typing import NewType

__all__ = ["AccountId", "ActivityId", "ContactId", "LeadId", "OpportunityId", "new_id"]

AccountId = NewType("AccountId", str)
ActivityId = NewType("ActivityId", str)
ContactId = NewType("ContactId", str)
LeadId = NewType("LeadId", str)
OpportunityId = NewType("OpportunityId", str)


def new_id() -> str:
    """Return a new random identifier: 32 lower-case hex digits.

    >>> len(new_id())
    32
    """
    return uuid.uuid4().hex
