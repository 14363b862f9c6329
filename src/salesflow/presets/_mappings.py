"""Mappings of seller-process presets onto Liferay's buying phases."""

from __future__ import annotations

from collections.abc import Callable

from salesflow.buyer.mapping import ProcessMapping
from salesflow.presets._buyer import liferay_buying_phases
from salesflow.presets._liferay import liferay_enterprise
from salesflow.presets._seller import hubspot_default, salesforce_standard, trailhead_simple

__all__ = [
    "MAPPING_PRESETS",
    "hubspot_liferay_mapping",
    "liferay_mapping",
    "salesforce_liferay_mapping",
    "trailhead_liferay_mapping",
]

_SD, _EVALUATION, _COMMITMENT = "Solution Development", "Evaluation", "Commitment"


def liferay_mapping() -> ProcessMapping:
    """Liferay enterprise stages ↔ Liferay buying phases, as in the material.

    Solution Development: Qualified Lead, Goal Confirmation, Solution
    Development, Establishing Business Value. Evaluation: Proving Business
    Value, Confirming Value and Process. Commitment: Negotiation, Contracts
    (and Closed Won, which closes it).

    >>> liferay_mapping().phase_of("Goal Confirmation").name
    'Solution Development'
    """
    return ProcessMapping(
        liferay_enterprise(),
        liferay_buying_phases(),
        {
            "Qualified Lead": _SD,
            "Goal Confirmation": _SD,
            "Solution Development": _SD,
            "Establishing Business Value": _SD,
            "Proving Business Value": _EVALUATION,
            "Confirming Value and Process": _EVALUATION,
            "Negotiation": _COMMITMENT,
            "Contracts": _COMMITMENT,
        },
    )


def salesforce_liferay_mapping() -> ProcessMapping:
    """Salesforce's standard stages ↔ Liferay buying phases: salesflow's judgement.

    Solution Development: Prospecting, Qualification, Needs Analysis, Value
    Proposition (the buyer forms requirements and a budget figure).
    Evaluation: Id. Decision Makers, Perception Analysis, Proposal/Price Quote
    (the buying group compares alternatives and proposals). Commitment:
    Negotiation/Review. The material maps no Salesforce stages; this is
    salesflow's reading.

    >>> salesforce_liferay_mapping().phase_of("Needs Analysis").name
    'Solution Development'
    """
    return ProcessMapping(
        salesforce_standard(),
        liferay_buying_phases(),
        {
            "Prospecting": _SD,
            "Qualification": _SD,
            "Needs Analysis": _SD,
            "Value Proposition": _SD,
            "Id. Decision Makers": _EVALUATION,
            "Perception Analysis": _EVALUATION,
            "Proposal/Price Quote": _EVALUATION,
            "Negotiation/Review": _COMMITMENT,
        },
    )


def trailhead_liferay_mapping() -> ProcessMapping:
    """Trailhead's simple stages ↔ Liferay buying phases: salesflow's judgement.

    Solution Development: Prospecting, Qualification, Needs Analysis.
    Evaluation: Proposal/Price Quote. Commitment: Negotiation/Review.

    >>> trailhead_liferay_mapping().phase_of("Proposal/Price Quote").name
    'Evaluation'
    """
    return ProcessMapping(
        trailhead_simple(),
        liferay_buying_phases(),
        {
            "Prospecting": _SD,
            "Qualification": _SD,
            "Needs Analysis": _SD,
            "Proposal/Price Quote": _EVALUATION,
            "Negotiation/Review": _COMMITMENT,
        },
    )


def hubspot_liferay_mapping() -> ProcessMapping:
    """HubSpot's default pipeline ↔ Liferay buying phases: salesflow's judgement.

    Solution Development: Appointment scheduled, Qualified to buy.
    Evaluation: Presentation scheduled (the customised demo). Commitment:
    Decision maker bought-in (the buyer has chosen: Evaluation's exit is
    met), Contract sent.

    >>> hubspot_liferay_mapping().phase_of("Decision maker bought-in").name
    'Commitment'
    """
    return ProcessMapping(
        hubspot_default(),
        liferay_buying_phases(),
        {
            "Appointment scheduled": _SD,
            "Qualified to buy": _SD,
            "Presentation scheduled": _EVALUATION,
            "Decision maker bought-in": _COMMITMENT,
            "Contract sent": _COMMITMENT,
        },
    )


MAPPING_PRESETS: dict[str, Callable[[], ProcessMapping]] = {
    "liferay_mapping": liferay_mapping,
    "salesforce_liferay_mapping": salesforce_liferay_mapping,
    "trailhead_liferay_mapping": trailhead_liferay_mapping,
    "hubspot_liferay_mapping": hubspot_liferay_mapping,
}
"""Every mapping preset, by name."""
