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
- :class:`Effort` and :func:`assess_pursuit`: pursuit economics and the
  walk-away decision.

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
from salesflow.buyer.initiation import Initiation, WarningSign
from salesflow.buyer.mapping import ProcessMapping
from salesflow.buyer.phase import BuyingPhase
from salesflow.buyer.process import BuyerProcess
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
    "BuyerProcess",
    "BuyingPhase",
    "Concern",
    "ConcernProfile",
    "Effort",
    "Initiation",
    "MEDDIC",
    "MEDDPICC",
    "ProcessMapping",
    "PursuitAssessment",
    "QualificationElement",
    "QualificationStatus",
    "RiskSignal",
    "Scorecard",
    "WarningSign",
    "assess_pursuit",
    "risk_signals",
]
