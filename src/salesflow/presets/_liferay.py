"""The seller process of Liferay's sales-enablement material."""

from __future__ import annotations

from salesflow.forecast import ForecastCategory
from salesflow.gate import StageGate
from salesflow.process import SalesProcess
from salesflow.stage import Stage

__all__ = ["GOAL_CONFIRMED", "liferay_enterprise"]

GOAL_CONFIRMED = "the buyer shared a goal, need or problem, and it is confirmed solvable"
"""The fact that makes a lead an opportunity, required to leave Goal Confirmation."""

_PIPELINE = ForecastCategory.PIPELINE

# name, probability, forecast category, guidance — in order.
_OPEN = (
    (
        "Qualified Lead",
        5,
        ForecastCategory.OMITTED,
        "An MQL or SQL, not yet an opportunity (it counts in no pipeline total or win rate). "
        "Use ideal-customer lists, personas and success stories; open with a first-call deck.",
    ),
    (
        "Goal Confirmation",
        10,
        _PIPELINE,
        "No opportunity unless the buyer shared a goal, need or problem and it is confirmed "
        "solvable: a menu of goals helps the buyer name one. Bad news early is good news.",
    ),
    (
        "Solution Development",
        20,
        _PIPELINE,
        "Shape the requirements with solution decks; use competitive intelligence and battle "
        "cards.",
    ),
    (
        "Establishing Business Value",
        30,
        _PIPELINE,
        "Get access to the decision maker and plan the demo; make sure the buyer team has "
        "clear requirements and understands the high-level cost.",
    ),
    (
        "Proving Business Value",
        50,
        _PIPELINE,
        "A customised demo and ROI/TCO; agree a sequence of events counted back from go-live "
        "to the contract date.",
    ),
    (
        "Confirming Value and Process",
        65,
        _PIPELINE,
        "A proof of concept or trial, reference calls (a must) and a draft implementation "
        "plan, until the buyer group has chosen.",
    ),
    (
        "Negotiation",
        80,
        _PIPELINE,
        "Usually with one vendor. Resolve risk first (security assessment, certificates, terms "
        "and conditions), then negotiate detailed pricing.",
    ),
    (
        "Contracts",
        90,
        _PIPELINE,
        "Terms and conditions review and detailed pricing, until the contracts are signed.",
    ),
)


def liferay_enterprise() -> SalesProcess:
    """An enterprise sales process with the milestones of Liferay's material.

    Eight open stages: Qualified Lead (an MQL/SQL that Liferay says is not yet
    an opportunity: ``is_opportunity=False`` and the Omitted forecast category,
    so it counts in no pipeline total, forecast or win rate), Goal
    Confirmation, Solution
    Development, Establishing Business Value, Proving Business Value,
    Confirming Value and Process, Negotiation and Contracts; then Closed Won
    and two closed-not-won outcomes the material tells apart: Closed Lost,
    and Walked Away (a deliberate early exit, "the other winner"; both 0 %,
    Omitted, so analytics can tell them apart by stage). Every stage past
    Goal Confirmation, Closed Won included, needs the confirmed fact
    :data:`GOAL_CONFIRMED` (skipping a stage does not skip it); pair the process with
    :func:`~salesflow.presets.liferay_mapping` for the buying phases' exit gates.

    The probabilities (5, 10, 20, 30, 50, 65, 80, 90 %) are salesflow's
    choice, not the material's. Any move is allowed, as in Salesforce.

    >>> [s.name for s in liferay_enterprise().lost_stages]
    ['Closed Lost', 'Walked Away']
    """
    goal = StageGate(confirmed=[GOAL_CONFIRMED])
    stages = [
        Stage(
            name,
            probability,
            forecast_category=category,
            guidance=guidance,
            gate=goal if position >= 2 else StageGate(),
            is_opportunity=position > 0,
        )
        for position, (name, probability, category, guidance) in enumerate(_OPEN)
    ]
    closed = [
        Stage(
            "Closed Won", 100, is_closed=True, is_won=True, guidance="Contracts signed.", gate=goal
        ),
        Stage("Closed Lost", 0, is_closed=True, guidance="Another vendor won, or no decision."),
        Stage(
            "Walked Away",
            0,
            is_closed=True,
            guidance=(
                "A deliberate early exit: the time and money go to deals that can be won. "
                "In every deal there are two winners: the one awarded the deal and the one "
                "who walked away first."
            ),
        ),
    ]
    return SalesProcess(
        name="Liferay enterprise",
        stages=[*stages, *closed],
        description=(
            "Enterprise milestones from Liferay's sales-enablement material, from the qualified "
            "lead to contracts signed; probabilities are salesflow's choice."
        ),
    )
