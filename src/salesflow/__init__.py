"""salesflow: model B2B sales processes.

Typed opportunities, accounts and contacts; sales processes defined as data;
lossless serialization. See https://github.com/ for the documentation.

>>> import salesflow as sf
>>> process = sf.presets.salesforce_standard()
>>> process.stage("Needs Analysis").probability
Decimal('20')
"""

from __future__ import annotations

from salesflow import presets
from salesflow.account import Account
from salesflow.contact import Contact
from salesflow.engine.change import Move, RefusedMove, ReplayResult, StageChange
from salesflow.engine.machine import OpportunityMachine
from salesflow.errors import (
    ContactRoleError,
    CurrencyMismatchError,
    FileFormatError,
    Problem,
    ReadOnlyFieldError,
    SalesflowError,
    StageGateError,
    StageTransitionError,
    UnknownStageError,
    ValidationError,
)
from salesflow.forecast import ForecastCategory
from salesflow.gate import Check, StageGate
from salesflow.history import HistoryEntry
from salesflow.ids import AccountId, ContactId, OpportunityId
from salesflow.money import Money
from salesflow.opportunity import Opportunity
from salesflow.probability import ProbabilitySource
from salesflow.process import SalesProcess
from salesflow.role import ContactRole, Role, RoleName
from salesflow.serialization import SCHEMA_VERSION, dumps, from_dict, loads, to_dict
from salesflow.settings import ProcessSettings, TransitionPolicy
from salesflow.stage import Stage

__version__ = "0.1.0"

__all__ = [
    "Account",
    "AccountId",
    "Check",
    "Contact",
    "ContactId",
    "ContactRole",
    "ContactRoleError",
    "CurrencyMismatchError",
    "FileFormatError",
    "ForecastCategory",
    "HistoryEntry",
    "Money",
    "Move",
    "Opportunity",
    "OpportunityId",
    "OpportunityMachine",
    "ProbabilitySource",
    "Problem",
    "ProcessSettings",
    "ReadOnlyFieldError",
    "RefusedMove",
    "ReplayResult",
    "Role",
    "RoleName",
    "SCHEMA_VERSION",
    "SalesProcess",
    "SalesflowError",
    "Stage",
    "StageChange",
    "StageGate",
    "StageGateError",
    "StageTransitionError",
    "TransitionPolicy",
    "UnknownStageError",
    "ValidationError",
    "__version__",
    "dumps",
    "from_dict",
    "loads",
    "presets",
    "to_dict",
]
