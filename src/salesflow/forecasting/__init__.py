"""Honest forecasts: learned stage probabilities, calibration and backtests.

Every estimate says what it was learned from and how many deals stand behind
it; every model can be scored on held-out time. The counting runs on the
frame door of :mod:`salesflow.analytics` (pandas, Polars, DuckDB, PySpark);
the small fitted models run locally with NumPy. Needs the ``analytics`` extra.
The guide is ``docs/probabilities.md``.
"""

from __future__ import annotations

from salesflow.analytics._require import require

require("narwhals")
require("numpy")

from salesflow.forecasting._checks import MAX_DRAWS  # noqa: E402
from salesflow.forecasting.attainment import ATTAINMENT_COLUMNS, Attainment, attainment  # noqa: E402
from salesflow.forecasting.attainment_backtest import (  # noqa: E402
    AttainmentBacktest,
    backtest_attainment,
)
from salesflow.forecasting.backtest import Backtest, backtest, calibration  # noqa: E402
from salesflow.forecasting.calibration import MAX_BUCKETS, Bucket, Calibration, score  # noqa: E402
from salesflow.forecasting.close_dates import (  # noqa: E402
    CloseDate,
    CloseTimes,
    learn_close_times,
    predict_close_dates,
)
from salesflow.forecasting.deal_score import (  # noqa: E402
    DealScore,
    DealScoreModel,
    Reason,
    fit_deal_score,
)
from salesflow.forecasting.estimates import LearnedProbabilities, StageEstimate  # noqa: E402
from salesflow.forecasting.learned import learn_probabilities  # noqa: E402
from salesflow.forecasting.revenue import RevenueForecast, forecast_revenue  # noqa: E402
from salesflow.forecasting.submissions import (  # noqa: E402
    SubmissionAccuracy,
    submission_accuracy,
)

__all__ = [
    "ATTAINMENT_COLUMNS",
    "MAX_BUCKETS",
    "MAX_DRAWS",
    "Attainment",
    "AttainmentBacktest",
    "Backtest",
    "Bucket",
    "Calibration",
    "CloseDate",
    "CloseTimes",
    "DealScore",
    "DealScoreModel",
    "LearnedProbabilities",
    "Reason",
    "RevenueForecast",
    "StageEstimate",
    "SubmissionAccuracy",
    "attainment",
    "backtest",
    "backtest_attainment",
    "calibration",
    "fit_deal_score",
    "forecast_revenue",
    "learn_close_times",
    "learn_probabilities",
    "predict_close_dates",
    "score",
    "submission_accuracy",
]
