"""Seller-side process presets: Salesforce, Trailhead, HubSpot, Odoo."""

from __future__ import annotations

from collections.abc import Callable

from salesflow.errors import Problem, ValidationError
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
    Closed Lost (0 %, Omitted). Any move is allowed, and, as in Salesforce, a
    closed opportunity may be reopened (moved back to an open stage, or to the
    other closed stage); the move is recorded in its history like any other.

    Salesforce admins forbid reopening with a validation rule; here, turn
    ``allow_reopen`` off:

    >>> import attrs
    >>> p = salesforce_standard()
    >>> p.settings.allow_reopen
    True
    >>> strict = attrs.evolve(p, settings=attrs.evolve(p.settings, allow_reopen=False))
    >>> strict.transition_table.targets(strict.transition_table.index["Closed Won"])
    []
    >>> p.stage("Perception Analysis").probability
    Decimal('70')
    """
    stages = [Stage(n, p, forecast_category=_PIPELINE, guidance=g) for n, p, g in _SALESFORCE_OPEN]
    return SalesProcess(
        name="Salesforce standard",
        stages=[*stages, _won("Closed Won"), _lost("Closed Lost")],
        settings=ProcessSettings(allow_reopen=True),
        description=(
            "Salesforce's default opportunity stage list; closed opportunities may be reopened."
        ),
    )


def trailhead_simple() -> SalesProcess:
    """The Trailhead unit's example stages, plus the Needs Analysis its exercise uses.

    Trailhead's "Work with Opportunities" unit lists six example stages:
    Prospecting, Qualification (needs identification), Proposal/Price Quote,
    Negotiation/Review, Closed Won and Closed Lost. Its hands-on exercise then
    opens the Get Cloudy West opportunity in *Needs Analysis*, a stage of the
    playground org's full (standard) list, so this preset adds it after
    Qualification: seven stages in all. Probabilities and forecast categories
    are Salesforce's standard ones (as in :func:`salesforce_standard`); unlike
    that preset, closed stages are terminal here.

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
        description=(
            "The six example stages of Trailhead's 'Work with Opportunities' unit, plus the "
            "Needs Analysis stage its exercise uses (from Salesforce's standard list)."
        ),
    )


def hubspot_default(*, strict: bool = False) -> SalesProcess:
    """HubSpot's default deal pipeline.

    Appointment scheduled 20 %, Qualified to buy 40 %, Presentation scheduled
    60 %, Decision maker bought-in 80 %, Contract sent 90 %, Closed won 100 %,
    Closed lost 0 %. Like HubSpot's default pipeline, it allows any move:
    skipping stages and moving backward included (closed stages stay
    terminal, as without a reopen).

    HubSpot's pipeline rules that forbid skipping stages and moving backward
    are opt-in (Sales Hub Professional and Enterprise). ``strict=True`` turns both on;
    a deal may still be closed from any stage.

    Args:
        strict: Forbid skipping stages and moving backward.

    >>> hubspot_default().stage("Contract sent").probability
    Decimal('90')
    >>> hubspot_default().settings.allow_skip, hubspot_default(strict=True).settings.allow_skip
    (True, False)
    >>> hubspot_default(strict=True).name
    'HubSpot strict'
    """
    open_stages = [
        ("Appointment scheduled", 20),
        ("Qualified to buy", 40),
        ("Presentation scheduled", 60),
        ("Decision maker bought-in", 80),
        ("Contract sent", 90),
    ]
    stages = [
        *(Stage(n, p, forecast_category=_PIPELINE) for n, p in open_stages),
        _won("Closed won"),
        _lost("Closed lost"),
    ]
    if strict is not False and strict is not True:
        raise ValidationError(
            [Problem(f"expected True or False, got {strict!r}", "$.strict")],
            subject="hubspot_default",
        )
    if strict:
        return SalesProcess(
            name="HubSpot strict",
            stages=stages,
            settings=ProcessSettings(allow_skip=False, allow_backward=False),
            description=(
                "HubSpot's default deal pipeline with the opt-in pipeline rules on: no skipping "
                "stages, no moving backward."
            ),
        )
    return SalesProcess(
        name="HubSpot default",
        stages=stages,
        description="HubSpot's default deal pipeline: any move is allowed.",
    )


def odoo_classic() -> SalesProcess:
    """Odoo CRM's classic stages, as in Odoo 12: New 10 %, Qualified 30 %, Proposition 70 %, Won 100 %.

    The preset follows one release consistently: Odoo 12, the last one whose
    stages carry a probability. There, moving a lead to another stage sets its
    probability to the new stage's, so a probability set by hand does not
    survive a stage change (``keep_manual_probability`` is off). Odoo 13
    dropped stage probabilities for predictive lead scoring, which keeps a
    hand-set value until it is reset; to approximate that, learn the
    probabilities from history and turn ``keep_manual_probability`` on.

    Odoo has no Lost stage: a lost lead is archived with probability 0 and a
    lost reason, so this preset has none either.

    >>> p = odoo_classic()
    >>> from datetime import date
    >>> lead = p.open(name="Lead", close_date=date(2026, 12, 1))
    >>> _ = lead.set_probability(55)
    >>> _ = p.move(lead, "Qualified")
    >>> lead.probability
    Decimal('30')
    """
    return SalesProcess(
        name="Odoo classic",
        stages=[
            Stage("New", 10),
            Stage("Qualified", 30),
            Stage("Proposition", 70),
            _won("Won"),
        ],
        description=(
            "Odoo CRM's stages and stage probabilities as in Odoo 12; a stage change sets the "
            "probability to the stage's."
        ),
    )


SELLER_PRESETS: dict[str, Callable[[], SalesProcess]] = {
    "salesforce_standard": salesforce_standard,
    "trailhead_simple": trailhead_simple,
    "hubspot_default": hubspot_default,
    "odoo_classic": odoo_classic,
    "liferay_enterprise": liferay_enterprise,
}
"""Every seller-process preset, by name."""
