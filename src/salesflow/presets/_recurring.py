"""Per-deal-type process presets: a new-logo pipeline and a renewal pipeline."""

from __future__ import annotations

from collections.abc import Callable

from salesflow.forecast import ForecastCategory
from salesflow.gate import StageGate
from salesflow.process import SalesProcess
from salesflow.settings import ProcessSettings
from salesflow.stage import Stage

__all__ = ["RECURRING_PRESETS", "new_logo_pipeline", "renewal_pipeline"]

_LINES = StageGate(line_items=True)


def _won(name: str) -> Stage:
    return Stage(name, 100, is_closed=True, is_won=True, forecast_category=ForecastCategory.CLOSED)


def _lost(name: str) -> Stage:
    return Stage(name, 0, is_closed=True, forecast_category=ForecastCategory.OMITTED)


def new_logo_pipeline() -> SalesProcess:
    """A pipeline for new business (deal type "New Business"): products price the deal.

    Discovery 10 %, Qualified 20 %, Solution Fit 40 %, Proposal 60 % (entered
    only with line items), Negotiation 80 % (Best Case), Closed Won,
    Closed Lost. The amount is computed from the line items
    (``amount_from_lines``), and a loss needs a reason.

    >>> from datetime import date
    >>> import salesflow as sf
    >>> p = new_logo_pipeline()
    >>> deal = p.open(name="Get Cloudy West", close_date=date(2026, 9, 1), type="New Business")
    >>> "Proposal" in p.allowed_moves(deal)
    False
    >>> _ = deal.add_line_item(sf.LineItem(product="Sneakers", quantity=35,
    ...                                    unit_price=sf.Money("120", "USD")))
    >>> _ = p.move(deal, "Proposal"); deal.amount
    Money('4200', 'USD')
    """
    return SalesProcess(
        name="New logo",
        stages=[
            Stage("Discovery", 10, guidance="Find the buyer's goal, need or problem."),
            Stage("Qualified", 20, guidance="Budget, authority, need and timing confirmed."),
            Stage("Solution Fit", 40, guidance="Demo and proof of value."),
            Stage("Proposal", 60, guidance="Products and prices proposed.", gate=_LINES),
            Stage(
                "Negotiation",
                80,
                forecast_category=ForecastCategory.BEST_CASE,
                guidance="Terms, security and paper process.",
                gate=_LINES,
            ),
            _won("Closed Won"),
            _lost("Closed Lost"),
        ],
        settings=ProcessSettings(amount_from_lines=True, require_lost_reason=True),
        description="New business: a new customer's first contract, priced by its line items.",
    )


def renewal_pipeline() -> SalesProcess:
    """A pipeline for renewals (deal type "Renewal"): most renew, so probabilities start high.

    Upcoming 70 %, Engaged 80 %, Quote Sent 90 % (entered only with line
    items; Most Likely), Verbal Commit 95 % (Commit), Renewed (won), Churned
    (lost; with a reason from the list). The amount is computed from the
    renewed lines. A renewal at the same price leaves ARR as it was (see
    :class:`salesflow.DealType`); book an uplift as an expansion deal and a
    loss as a churn deal.

    >>> p = renewal_pipeline()
    >>> [s.name for s in p.stages][-2:]
    ['Renewed', 'Churned']
    """
    return SalesProcess(
        name="Renewal",
        stages=[
            Stage("Upcoming", 70, guidance="The term ends within the renewal window."),
            Stage("Engaged", 80, guidance="The customer confirmed the renewal talks."),
            Stage(
                "Quote Sent",
                90,
                forecast_category=ForecastCategory.MOST_LIKELY,
                guidance="Renewal lines quoted.",
                gate=_LINES,
            ),
            Stage(
                "Verbal Commit",
                95,
                forecast_category=ForecastCategory.COMMIT,
                guidance="Signature pending.",
                gate=_LINES,
            ),
            _won("Renewed"),
            _lost("Churned"),
        ],
        settings=ProcessSettings(
            amount_from_lines=True,
            require_lost_reason=True,
            lost_reasons=(
                "Budget",
                "Switched Vendor",
                "No Longer Needed",
                "Product Fit",
                "Company Closed",
            ),
        ),
        description="Renewals of recurring contracts, priced by the renewed line items.",
    )


RECURRING_PRESETS: dict[str, Callable[[], SalesProcess]] = {
    "new_logo_pipeline": new_logo_pipeline,
    "renewal_pipeline": renewal_pipeline,
}
"""The per-deal-type presets, by name (apart from SELLER_PRESETS: their amounts come from lines)."""
