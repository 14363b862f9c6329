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

from salesflow.forecasting.learned import (  # noqa: E402
    LearnedProbabilities,
    StageEstimate,
    learn_probabilities,
)

__all__ = ["LearnedProbabilities", "StageEstimate", "learn_probabilities"]
