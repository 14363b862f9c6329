"""Pipeline inspection: metrics over opportunities or any dataframe.

Needs the ``analytics`` extra (``pip install 'salesflow[analytics]'``:
narwhals and Polars); importing this package without it raises
:class:`~salesflow.MissingExtraError` saying so. ``import salesflow`` never
imports a dataframe library.

Two doors, one implementation: every metric takes the three tables (see
:mod:`salesflow.columns`) as pandas, Polars, PyArrow, DuckDB or PySpark
frames, or opportunities and activities as objects, which :func:`frames`
turns into those tables first. The guide is ``docs/analytics.md``.

>>> from salesflow.analytics import examples, pipeline_summary
>>> pipeline_summary(examples.opportunities()).line("Closed Won").count
1
"""

from __future__ import annotations

from salesflow.analytics._require import require

require("narwhals")

from salesflow.analytics import examples  # noqa: E402
from salesflow.analytics._dated_convert import convert_dated  # noqa: E402
from salesflow.analytics._source import AMOUNT_LIMIT  # noqa: E402
from salesflow.analytics.activity import ActivitySummary, activity_summary  # noqa: E402
from salesflow.analytics.arr import ArrBridge, ArrMove, arr_bridge  # noqa: E402
from salesflow.analytics.as_of import PipelineAsOf, pipeline_as_of  # noqa: E402
from salesflow.analytics.bridge import MOVEMENTS, Bridge, BridgeTotals, bridge  # noqa: E402
from salesflow.analytics.category_movement import (  # noqa: E402
    MOVEMENT_FROM,
    MOVEMENT_TO,
    CategoryMovement,
    category_movement,
)
from salesflow.analytics.coverage import Coverage, Gap  # noqa: E402
from salesflow.analytics.dated_rates import DatedRates  # noqa: E402
from salesflow.analytics.frames import Frames, frames  # noqa: E402
from salesflow.analytics.funnel import Funnel, funnel  # noqa: E402
from salesflow.analytics.history_check import (  # noqa: E402
    TransitionPair,
    check_history,
    transition_pairs,
)
from salesflow.analytics.lead_frames import (  # noqa: E402
    SALESFORCE_LEAD_COLUMNS,
    LeadFrames,
    lead_frames,
)
from salesflow.analytics.leads import (  # noqa: E402
    LeadConversion,
    LeadFunnel,
    lead_conversion,
    lead_funnel,
)
from salesflow.analytics.line_items import INSTALLMENT_COLUMNS, LINE_ITEM_COLUMNS  # noqa: E402
from salesflow.analytics.over_time import PipelineOverTime, pipeline_over_time  # noqa: E402
from salesflow.analytics.products import ProductTotals, by_product  # noqa: E402
from salesflow.analytics.rates import Rates  # noqa: E402
from salesflow.analytics.result import Result  # noqa: E402
from salesflow.analytics.revenue import RevenueByPeriod, revenue_by_period  # noqa: E402
from salesflow.analytics.risk import FLAGS, AtRisk, at_risk  # noqa: E402
from salesflow.analytics.slippage import Slippage, slippage  # noqa: E402
from salesflow.analytics.summary import Summary, SummaryLine, pipeline_summary  # noqa: E402
from salesflow.analytics.timing import (  # noqa: E402
    CycleLength,
    DealAge,
    TimeInStage,
    cycle_length,
    deal_age,
    time_in_stage,
)
from salesflow.analytics.trends import TREND_CATEGORIES, Trends, forecast_trends  # noqa: E402
from salesflow.analytics.velocity import Velocity, sales_velocity  # noqa: E402
from salesflow.analytics.win_rate import WinRate, win_rate  # noqa: E402
from salesflow.columns import Columns  # noqa: E402

__all__ = [
    "AMOUNT_LIMIT",
    "FLAGS",
    "INSTALLMENT_COLUMNS",
    "LINE_ITEM_COLUMNS",
    "MOVEMENTS",
    "MOVEMENT_FROM",
    "MOVEMENT_TO",
    "SALESFORCE_LEAD_COLUMNS",
    "TREND_CATEGORIES",
    "ActivitySummary",
    "ArrBridge",
    "ArrMove",
    "AtRisk",
    "Bridge",
    "BridgeTotals",
    "CategoryMovement",
    "Columns",
    "Coverage",
    "CycleLength",
    "DatedRates",
    "DealAge",
    "Frames",
    "Funnel",
    "Gap",
    "LeadConversion",
    "LeadFrames",
    "LeadFunnel",
    "PipelineAsOf",
    "PipelineOverTime",
    "ProductTotals",
    "Rates",
    "Result",
    "RevenueByPeriod",
    "Slippage",
    "Summary",
    "SummaryLine",
    "TimeInStage",
    "TransitionPair",
    "Trends",
    "Velocity",
    "WinRate",
    "activity_summary",
    "arr_bridge",
    "at_risk",
    "bridge",
    "by_product",
    "category_movement",
    "check_history",
    "convert_dated",
    "cycle_length",
    "deal_age",
    "examples",
    "forecast_trends",
    "frames",
    "funnel",
    "lead_conversion",
    "lead_frames",
    "lead_funnel",
    "pipeline_as_of",
    "pipeline_over_time",
    "pipeline_summary",
    "revenue_by_period",
    "sales_velocity",
    "slippage",
    "time_in_stage",
    "transition_pairs",
    "win_rate",
]
