"""Stage changes: asked for (:class:`Move`), made (:class:`StageChange`), refused."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

import attrs

from salesflow._validate import a_date, aware, kind, money_or_none, non_blank, optional
from salesflow.ids import OpportunityId
from salesflow.money import Money
from salesflow.opportunity import Opportunity

__all__ = ["Move", "RefusedMove", "ReplayResult", "StageChange"]


@attrs.frozen
class Move:
    """A request to move one opportunity to a stage at a time, as replayed in bulk.

    The amount and close date, when given, change in the same step (one
    history entry); a lost reason and a competitor go with closing moves, as
    in :meth:`~salesflow.SalesProcess.move`. A move to the opportunity's current stage that carries a
    new amount or close date is an update and is not checked against the
    transition rules.

    >>> from datetime import datetime, timezone
    >>> Move("opp-1", datetime(2026, 11, 3, tzinfo=timezone.utc), "Qualification")
    Move(opportunity_id='opp-1', at=datetime.datetime(2026, 11, 3, 0, 0, tzinfo=datetime.timezone.utc), to_stage='Qualification', amount=None, close_date=None, by=None, lost_reason=None, competitor=None)
    """

    opportunity_id: OpportunityId = attrs.field(validator=non_blank)
    at: datetime = attrs.field(validator=aware)
    to_stage: str = attrs.field(validator=non_blank)
    amount: Money | None = attrs.field(default=None, kw_only=True, validator=money_or_none)
    close_date: date | None = attrs.field(default=None, kw_only=True, validator=optional(a_date))
    by: str | None = attrs.field(default=None, kw_only=True, validator=optional(kind(str)))
    lost_reason: str | None = attrs.field(
        default=None, kw_only=True, validator=optional(non_blank)
    )
    competitor: str | None = attrs.field(default=None, kw_only=True, validator=optional(non_blank))


@attrs.frozen(kw_only=True)
class StageChange:
    """A stage change that was made, as returned by :meth:`~salesflow.SalesProcess.move`.

    Attributes:
        opportunity_id: The opportunity that moved.
        from_stage: Its stage before.
        to_stage: Its stage after.
        at: When.
        by: Who, if known.
    """

    opportunity_id: OpportunityId
    from_stage: str
    to_stage: str
    at: datetime
    by: str | None = None


@attrs.frozen(kw_only=True)
class RefusedMove:
    """A move that replay refused, with every reason; nothing is silently dropped.

    Attributes:
        position: The move's 0-based position in the input stream.
        move: The move itself.
        reasons: Why it was refused.
    """

    position: int
    move: Move
    reasons: tuple[str, ...]


@attrs.frozen(kw_only=True)
class ReplayResult:
    """The outcome of :meth:`~salesflow.SalesProcess.replay`.

    Attributes:
        opportunities: The final opportunities by id, with full history.
        refused: The refused moves, in input order.
        applied: How many moves were applied.
    """

    opportunities: Mapping[OpportunityId, Opportunity]
    refused: tuple[RefusedMove, ...]
    applied: int

    def __repr__(self) -> str:
        return (
            f"ReplayResult({len(self.opportunities)} opportunities, "
            f"{self.applied} moves applied, {len(self.refused)} refused)"
        )
