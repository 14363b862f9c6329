"""Seller-side process presets: Salesforce, Trailhead, HubSpot, Odoo."""

from __future__ import annotations

from collections.abc import Callable

from salesflow.forecast import ForecastCategory
from salesflow.presets._liferay import liferay_enterprise
from salesflow.process import SalesProcess
from salesflow.settings import ProcessSettings
from salesflow.stage import Stage

__all__ = [
    "SELLER_PRESETS",
    "hubspot_default",
    "odoo_classic",
    "salesforce_standard",
    "trailhead_simple",
]

_PIPELINE = ForecastCategory.PIPELINE

# name, probability, guidance — Salesforce's default org, in order.
_SALESFORCE_OPEN = (
    ("Prospecting", 10, "Find the buyer's goal, need or problem."),
    ("Qualification", 10, "Confirm budget, authority, need and timing."),
    ("Needs Analysis", 20, "Understand requirements and who decides."),
    ("Value Proposition", 50, "Show how the solution meets the need."),
    ("Id. Decision Makers", 60, "Know every decision maker and their criteria."),
    ("Perception Analysis", 70, "Check how the buyer sees the offer."),
    ("Proposal/Price Quote", 75, "Send the proposal and the price."),
    ("Negotiation/Review", 90, "Agree terms; review the contract."),
)


def _won(name: str) -> Stage:
    return Stage(name, 100, is_closed=True, is_won=True, forecast_category=ForecastCategory.CLOSED)


def _lost(name: str) -> Stage:
    return Stage(name, 0, is_closed=True, forecast_category=ForecastCategory.OMITTED)


def salesforce_standard() -> SalesProcess:
    """Salesforce's standard opportunity stages (the default org), exactly.

    Ten stages: eight open ones in the Pipeline category with probabilities
    10, 10, 20, 50, 60, 70, 75 and 90 %, then Closed Won (100 %, Closed) and
    Closed Lost (0 %, Omitted). Any move is allowed; closed stages are
    terminal (no reopen).

    >>> p = salesforce_standard()
    >>> p.stage("Perception Analysis").probability
    Decimal('70')
    """
    stages = [Stage(n, p, forecast_category=_PIPELINE, guidance=g) for n, p, g in _SALESFORCE_OPEN]
    return SalesProcess(
        name="Salesforce standard",
        stages=[*stages, _won("Closed Won"), _lost("Closed Lost")],
        description="Salesforce's default opportunity stage list.",
    )


def trailhead_simple() -> SalesProcess:
    """The seven stages of the Trailhead course the project grew from.

    Prospecting, Qualification, Needs Analysis, Proposal/Price Quote,
    Negotiation/Review, Closed Won, Closed Lost; probabilities and categories
    as in :func:`salesforce_standard`.

    >>> [int(s.probability) for s in trailhead_simple().stages]
    [10, 10, 20, 75, 90, 100, 0]
    """
    keep = {
        "Prospecting",
        "Qualification",
        "Needs Analysis",
        "Proposal/Price Quote",
        "Negotiation/Review",
    }
    stages = [
        Stage(n, p, forecast_category=_PIPELINE, guidance=g)
        for n, p, g in _SALESFORCE_OPEN
        if n in keep
    ]
    return SalesProcess(
        name="Trailhead simple",
        stages=[*stages, _won("Closed Won"), _lost("Closed Lost")],
        description="The sales process of Trailhead's 'Work with Opportunities' unit.",
    )


def hubspot_default() -> SalesProcess:
    """HubSpot's default deal pipeline.

    Appointment scheduled 20 %, Qualified to buy 40 %, Presentation scheduled
    60 %, Decision maker bought-in 80 %, Contract sent 90 %, Closed won 100 %,
    Closed lost 0 %. Its pipeline rules forbid skipping stages and moving
    backward; a deal may still be closed from any stage.

    >>> hubspot_default().stage("Contract sent").probability
    Decimal('90')
    """
    open_stages = [
        ("Appointment scheduled", 20),
        ("Qualified to buy", 40),
        ("Presentation scheduled", 60),
        ("Decision maker bought-in", 80),
        ("Contract sent", 90),
    ]
    return SalesProcess(
        name="HubSpot default",
        stages=[
            *(Stage(n, p, forecast_category=_PIPELINE) for n, p in open_stages),
            _won("Closed won"),
            _lost("Closed lost"),
        ],
        settings=ProcessSettings(allow_skip=False, allow_backward=False),
        description="HubSpot's default deal pipeline, with skipping and moving backward forbidden.",
    )


def odoo_classic() -> SalesProcess:
    """Odoo CRM's classic stages: New 10 %, Qualified 30 %, Proposition 70 %, Won 100 %.

    Odoo has no Lost stage: a lost lead is archived with probability 0 and a
    lost reason, so this preset has none either. Like Odoo, it keeps a
    probability set by hand when the lead moves on (``keep_manual_probability``).
    """
    return SalesProcess(
        name="Odoo classic",
        stages=[
            Stage("New", 10),
            Stage("Qualified", 30),
            Stage("Proposition", 70),
            _won("Won"),
        ],
        settings=ProcessSettings(keep_manual_probability=True),
        description="Odoo CRM's stages with the probabilities of its older versions.",
    )


SELLER_PRESETS: dict[str, Callable[[], SalesProcess]] = {
    "salesforce_standard": salesforce_standard,
    "trailhead_simple": trailhead_simple,
    "hubspot_default": hubspot_default,
    "odoo_classic": odoo_classic,
    "liferay_enterprise": liferay_enterprise,
}
"""Every seller-process preset, by name."""
