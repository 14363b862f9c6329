"""salesflow: model B2B sales processes.

Typed opportunities, accounts and contacts with exact money; sales processes
defined as data and compiled into a stage engine (rules, gates,
python-statemachine machines, bulk replay); the buyer's side (buying phases,
mappings, qualification, pursuit economics); lossless serialization. The guide
is in the project's ``docs/`` folder.

>>> import salesflow as sf
>>> process = sf.presets.salesforce_standard()
>>> process.stage("Needs Analysis").probability
Decimal('20')
"""

from __future__ import annotations

from salesflow import buyer, datasets, presets
from salesflow.account import Account
from salesflow.activity import Activity, ActivityKind
from salesflow.buyer import (
    AccountPriorities,
    AccountPriority,
    BuyerProcess,
    BuyingPhase,
    Concern,
    ConcernProfile,
    Effort,
    FitAssessment,
    FitCriterion,
    FitProfile,
    FitReason,
    Initiation,
    MatrixCell,
    MatrixStrength,
    Priorities,
    Priority,
    ProcessMapping,
    PursuitAssessment,
    QualificationElement,
    QualificationStatus,
    RiskSignal,
    Scorecard,
    WarningSign,
    assess_fit,
    assess_pursuit,
    opportunity_fit,
    prioritise,
    prioritise_accounts,
    risk_signals,
)
from salesflow.columns import Columns
from salesflow.contact import Contact
from salesflow.conversion import Conversion, convert
from salesflow.deal_type import STANDARD_DEAL_TYPES, ArrMovement, DealType
from salesflow.engine.change import Move, RefusedMove, ReplayResult, StageChange
from salesflow.engine.machine import OpportunityMachine
from salesflow.errors import (
    ContactRoleError,
    CurrencyMismatchError,
    FileFormatError,
    LeadConversionError,
    LossWarning,
    MissingExtraError,
    MissingRateError,
    MoneyArithmeticError,
    Problem,
    ReadOnlyFieldError,
    SalesflowError,
    StageGateError,
    StageTransitionError,
    UnknownPhaseError,
    UnknownStageError,
    UnknownStatusError,
    ValidationError,
)
from salesflow.fiscal import FiscalCalendar, Period
from salesflow.forecast import ForecastCategory
from salesflow.gate import Check, StageGate
from salesflow.hierarchy import Hierarchy
from salesflow.history import HistoryEntry
from salesflow.ids import AccountId, ActivityId, ContactId, LeadId, OpportunityId
from salesflow.lead import Lead, LeadStatusChange
from salesflow.lead_process import LeadProcess, LeadStatus
from salesflow.line_item import BillingFrequency, LineItem
from salesflow.money import Money
from salesflow.opportunity import Opportunity
from salesflow.probability import ProbabilitySource
from salesflow.process import SalesProcess
from salesflow.role import ContactRole, Role, RoleName
from salesflow.schedule import Installment, ScheduleMethod, SchedulePeriod
from salesflow.serialization import SCHEMA_VERSION, dumps, from_dict, loads, to_dict
from salesflow.settings import ProcessSettings, TransitionPolicy
from salesflow.stage import Stage
from salesflow.submission import Submission, Submissions
from salesflow.targets import Target, Targets

__version__ = "0.2.0"

__all__ = [
    "Account",
    "AccountId",
    "AccountPriorities",
    "AccountPriority",
    "Activity",
    "ActivityId",
    "ActivityKind",
    "ArrMovement",
    "BillingFrequency",
    "BuyerProcess",
    "BuyingPhase",
    "Check",
    "Columns",
    "Concern",
    "ConcernProfile",
    "Contact",
    "ContactId",
    "ContactRole",
    "ContactRoleError",
    "Conversion",
    "CurrencyMismatchError",
    "DealType",
    "Effort",
    "FileFormatError",
    "FiscalCalendar",
    "FitAssessment",
    "FitCriterion",
    "FitProfile",
    "FitReason",
    "ForecastCategory",
    "Hierarchy",
    "HistoryEntry",
    "Initiation",
    "Installment",
    "Lead",
    "LeadConversionError",
    "LeadId",
    "LeadProcess",
    "LeadStatus",
    "LeadStatusChange",
    "LineItem",
    "LossWarning",
    "MatrixCell",
    "MatrixStrength",
    "MissingExtraError",
    "MissingRateError",
    "Money",
    "MoneyArithmeticError",
    "Move",
    "Opportunity",
    "OpportunityId",
    "OpportunityMachine",
    "Period",
    "Priorities",
    "Priority",
    "ProbabilitySource",
    "Problem",
    "ProcessMapping",
    "ProcessSettings",
    "PursuitAssessment",
    "QualificationElement",
    "QualificationStatus",
    "ReadOnlyFieldError",
    "RefusedMove",
    "ReplayResult",
    "RiskSignal",
    "Role",
    "RoleName",
    "SCHEMA_VERSION",
    "STANDARD_DEAL_TYPES",
    "SalesProcess",
    "SalesflowError",
    "ScheduleMethod",
    "SchedulePeriod",
    "Scorecard",
    "Stage",
    "StageChange",
    "StageGate",
    "StageGateError",
    "StageTransitionError",
    "Submission",
    "Submissions",
    "Target",
    "Targets",
    "TransitionPolicy",
    "UnknownPhaseError",
    "UnknownStageError",
    "UnknownStatusError",
    "ValidationError",
    "WarningSign",
    "__version__",
    "assess_fit",
    "assess_pursuit",
    "buyer",
    "convert",
    "datasets",
    "dumps",
    "from_dict",
    "loads",
    "opportunity_fit",
    "presets",
    "prioritise",
    "prioritise_accounts",
    "risk_signals",
    "to_dict",
]
