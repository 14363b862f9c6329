"""The buyer's side of a deal: buyer processes, their mapping onto seller processes.

No CRM models the buyer's side; salesflow makes it a first-class,
configurable object, after Liferay's sales-enablement material:

- :class:`BuyerProcess` and :class:`BuyingPhase`: the buyer's phases, each with
  an exit criterion, a relative duration and a :class:`ConcernProfile`;
- :class:`ProcessMapping`: which phase the buyer is in at each seller stage,
  and phase exits as stage gates;
- :class:`Initiation` and :class:`WarningSign`: how the buying started and
  what to watch for; :func:`risk_signals` reads them;
- :class:`Scorecard`: MEDDIC / MEDDPICC qualification, usable in stage gates;
- :class:`FitProfile` and :func:`assess_fit`: where the seller is strongest
  and how well a prospect matches it;
- :class:`Effort` and :func:`assess_pursuit`: pursuit economics and the
  walk-away decision;
- :func:`prioritise`: the open deals ranked by amount × win chance × fit;
  :func:`prioritise_accounts`: prospects (accounts) ranked by fit.

>>> import salesflow as sf
>>> mapping = sf.presets.liferay_mapping()
>>> mapping.phase_of("Goal Confirmation").name
'Solution Development'
>>> mapping.phase_of("Negotiation").dominant_concern == "risk"
True
"""

from __future__ import annotations

from salesflow.buyer.concern import Concern, ConcernProfile
from salesflow.buyer.effort import Effort
from salesflow.buyer.fit import (
    FitAssessment,
    FitCriterion,
    FitProfile,
    FitReason,
    MatrixCell,
    MatrixStrength,
    assess_fit,
)
from salesflow.buyer.initiation import Initiation, WarningSign
from salesflow.buyer.mapping import ProcessMapping
from salesflow.buyer.phase import BuyingPhase
from salesflow.buyer.priority import Priorities, Priority, opportunity_fit, prioritise
from salesflow.buyer.process import BuyerProcess
from salesflow.buyer.prospect import AccountPriorities, AccountPriority, prioritise_accounts
from salesflow.buyer.pursuit import PursuitAssessment, assess_pursuit
from salesflow.buyer.qualification import (
    MEDDIC,
    MEDDPICC,
    QualificationElement,
    QualificationStatus,
    Scorecard,
)
from salesflow.buyer.signal import RiskSignal, risk_signals

__all__ = [
    "AccountPriorities",
    "AccountPriority",
    "BuyerProcess",
    "BuyingPhase",
    "Concern",
    "ConcernProfile",
    "Effort",
    "FitAssessment",
    "FitCriterion",
    "FitProfile",
    "FitReason",
    "Initiation",
    "MEDDIC",
    "MEDDPICC",
    "MatrixCell",
    "MatrixStrength",
    "Priorities",
    "Priority",
    "ProcessMapping",
    "PursuitAssessment",
    "QualificationElement",
    "QualificationStatus",
    "RiskSignal",
    "Scorecard",
    "WarningSign",
    "assess_fit",
    "assess_pursuit",
    "opportunity_fit",
    "prioritise",
    "prioritise_accounts",
    "risk_signals",
]
