"""History entries: what Salesforce writes to OpportunityHistory."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import attrs

from salesflow._validate import a_date, aware, kind, money_or_none, non_blank, optional
from salesflow.forecast import ForecastCategory
from salesflow.money import Money
from salesflow.probability import to_probability

__all__ = ["HistoryEntry"]


# No __weakref__ slot: replay builds entries as plain slotted objects and then
# gives them this class, which CPython allows only between equal layouts
# without one (see salesflow.engine.replay).
@attrs.frozen(kw_only=True, weakref_slot=False)
class HistoryEntry:
    """One row of an opportunity's history, as Salesforce writes to OpportunityHistory.

    A row is written whenever the stage, amount, probability, close date or
    forecast category changes. It holds the values *after* the change, plus the previous amount and close
    date, when it happened and who did it.

    Attributes:
        at: When the change happened (timezone-aware).
        by: Who made it, if known.
        owner: Who owned the opportunity at that time, if known (so per-rep
            pipelines can be rebuilt as of a past date).
        stage: The stage after the change.
        amount: The amount after the change.
        probability: The probability (0..100) after the change.
        close_date: The close date after the change.
        forecast_category: The forecast category after the change.
        previous_amount: The amount before the change.
        previous_close_date: The close date before the change.
    """

    at: datetime = attrs.field(validator=aware)
    by: str | None = attrs.field(default=None, validator=optional(kind(str)))
    owner: str | None = attrs.field(default=None, validator=optional(kind(str)))
    stage: str = attrs.field(validator=non_blank)
    amount: Money | None = attrs.field(validator=money_or_none)
    probability: Decimal = attrs.field(converter=to_probability, repr=str)
    close_date: date = attrs.field(validator=a_date)
    forecast_category: ForecastCategory = attrs.field(validator=kind(ForecastCategory))
    previous_amount: Money | None = attrs.field(default=None, validator=money_or_none)
    previous_close_date: date | None = attrs.field(default=None, validator=optional(a_date))

    @property
    def expected_revenue(self) -> Money | None:
        """``amount × probability / 100`` at this point, or ``None`` without an amount."""
        if self.amount is None:
            return None
        return self.amount * self.probability / 100
