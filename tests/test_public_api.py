from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import salesflow as sf

PUBLIC = [
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


def test_the_public_api_is_exactly_this_sorted_list() -> None:
    assert sf.__all__ == PUBLIC
    assert sorted(sf.__all__) == sf.__all__
    for name in sf.__all__:
        assert hasattr(sf, name), name


def test_the_api_reference_lists_every_public_name() -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text(encoding="utf-8")
    missing = [n for n in sf.__all__ if n != "__version__" and f"`sf.{n}`" not in page]
    assert missing == []


def test_every_error_is_a_salesflow_error_and_a_builtin() -> None:
    errors = [getattr(sf, n) for n in sf.__all__ if n.endswith("Error") and n != "SalesflowError"]
    for error in errors:
        assert issubclass(error, sf.SalesflowError), error
        builtins = (ValueError, KeyError, AttributeError, ImportError, ArithmeticError)
        assert any(b in error.__mro__ for b in builtins), error


def test_the_domain_core_imports_no_dataframe_cli_or_file_format_library() -> None:
    code = (
        "import sys, salesflow, salesflow.presets;"
        "bad = {'yaml', 'tomli_w', 'polars', 'pandas', 'narwhals', 'click', 'typer', 'rich', 'matplotlib', 'hypothesis'};"
        "print(sorted(bad & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_buyer_subpackage_lists_its_api_sorted_and_salesflow_re_exports_it() -> None:
    assert sorted(sf.buyer.__all__) == sf.buyer.__all__
    constants = {"MEDDIC", "MEDDPICC"}
    for name in sf.buyer.__all__:
        assert hasattr(sf.buyer, name), name
        if name not in constants:
            assert getattr(sf, name) is getattr(sf.buyer, name), name


def test_the_package_version_is_the_distributions() -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - tomli is a dependency before 3.11
        import tomli as tomllib

    pyproject = Path(__file__).parents[1] / "pyproject.toml"
    with pyproject.open("rb") as file:
        assert tomllib.load(file)["project"]["version"] == sf.__version__
