"""Buyer-process presets: Liferay's three buying phases, Gartner's buying jobs."""

from __future__ import annotations

from collections.abc import Callable

from salesflow.buyer.concern import ConcernProfile
from salesflow.buyer.phase import BuyingPhase
from salesflow.buyer.process import BuyerProcess

__all__ = ["BUYER_PRESETS", "gartner_buying_jobs", "liferay_buying_phases"]

SOLUTION_DEVELOPMENT_EXIT = "buyer team has clear requirements and understands the high-level cost"
EVALUATION_EXIT = "buyer group has chosen the best alternative"
COMMITMENT_EXIT = "contracts signed"


def liferay_buying_phases() -> BuyerProcess:
    """The three buying phases of Liferay's sales-enablement material.

    Solution Development → Evaluation → Commitment, linear, with the exit
    criteria of the material, the duration split of a 10-month
    seller-initiated deal (6 + 2 + 2 months: Solution Development is usually
    longer than the other two together), and the shifting concerns after Neil
    Rackham on a 1 (low) to 5 (highest) scale:

    - needs: 5 (highest), 3 (declining), 1 (low);
    - cost: 4 (a budget figure), 2 (dips), 4 (high again: the price);
    - proof: 2 (rising), 5 (highest), 3 (lower);
    - risk: 1 (low), 3 (rising), 5 (highest).

    The numbers are salesflow's reading of the material's words.

    >>> [p.dominant_concern.value for p in liferay_buying_phases().phases]
    ['needs', 'proof', 'risk']
    """
    return BuyerProcess(
        name="Liferay buying phases",
        phases=[
            BuyingPhase(
                "Solution Development",
                description=(
                    "The buyer turns a goal, need or problem into requirements and a budget "
                    "figure. Seller's tools: ideal-customer lists, personas, success stories, "
                    "first-call decks, a menu of goals (for Goal Confirmation), solution "
                    "decks, competitive intelligence, battle cards, access to the decision maker "
                    "(while establishing business value), demo planning."
                ),
                exit_criterion=SOLUTION_DEVELOPMENT_EXIT,
                relative_duration=6,
                concerns=ConcernProfile(needs=5, cost=4, proof=2, risk=1),
            ),
            BuyingPhase(
                "Evaluation",
                description=(
                    "The buyer group compares the alternatives; usually one vendor goes on. "
                    "Seller's tools while proving business value: a customised demo, ROI/TCO, "
                    "a sequence of events counted back from go-live to the contract date; while "
                    "confirming value and process: a proof of concept or trial, reference calls "
                    "(a must), a draft implementation plan."
                ),
                exit_criterion=EVALUATION_EXIT,
                relative_duration=2,
                concerns=ConcernProfile(needs=3, cost=2, proof=5, risk=3),
            ),
            BuyingPhase(
                "Commitment",
                description=(
                    "The buyer settles risk, then the price, usually with one vendor. Resolve "
                    "risk (terms, security, SLAs, timing) before negotiating price. Seller's "
                    "tools: security assessment, certificates, terms and conditions review, "
                    "detailed pricing."
                ),
                exit_criterion=COMMITMENT_EXIT,
                relative_duration=2,
                concerns=ConcernProfile(needs=1, cost=4, proof=3, risk=5),
            ),
        ],
        description=(
            "The buyer's side of an enterprise deal, from Liferay's sales-enablement module "
            "'Sales funnel and best practices for opportunity progress'."
        ),
    )


def gartner_buying_jobs() -> BuyerProcess:
    """Gartner's six B2B buying jobs.

    Problem Identification, Solution Exploration, Requirements Building and
    Supplier Selection are listed in their typical order, but the process is
    not linear: buyers revisit jobs, and Validation and Consensus Creation run
    throughout. Gartner states no exit criteria, durations or concern
    profiles, so none are given.

    >>> p = gartner_buying_jobs()
    >>> p.linear, [j.name for j in p.phases if j.runs_throughout]
    (False, ['Validation', 'Consensus Creation'])
    """
    jobs = [
        ("Problem Identification", "The buying group agrees that something needs doing.", False),
        ("Solution Exploration", "It looks for the solutions that exist.", False),
        ("Requirements Building", "It sets out what the purchase must do.", False),
        ("Supplier Selection", "It chooses among the suppliers that fit.", False),
        ("Validation", "It checks what it learns against its own and others' views.", True),
        ("Consensus Creation", "It gets the whole buying group to agree.", True),
    ]
    return BuyerProcess(
        name="Gartner buying jobs",
        phases=[
            BuyingPhase(name, description=text, runs_throughout=throughout)
            for name, text, throughout in jobs
        ],
        linear=False,
        description=(
            "Gartner's six B2B buying jobs: revisited rather than done in order; the last two "
            "run throughout."
        ),
    )


BUYER_PRESETS: dict[str, Callable[[], BuyerProcess]] = {
    "liferay_buying_phases": liferay_buying_phases,
    "gartner_buying_jobs": gartner_buying_jobs,
}
"""Every buyer-process preset, by name."""
