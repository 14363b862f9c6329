"""Data sets for trying and testing salesflow: synthetic opportunities with a known truth.

:func:`synthetic` draws opportunities through the real stage engine from a
known stage chain (:class:`SyntheticTruth`), so anything estimated from them
(stage probabilities, durations, calibration) can be checked against the truth.
Core only: no dataframe or NumPy needed.

>>> import salesflow as sf
>>> data = sf.datasets.synthetic(sf.presets.trailhead_simple(), 50, seed=1)
>>> len(data.opportunities), round(data.truth.win_probability["Closed Won"], 1)
(50, 1.0)
"""

from __future__ import annotations

from salesflow.datasets._synthetic import SyntheticData, synthetic
from salesflow.datasets._truth import SyntheticTruth, default_truth, make_truth

__all__ = ["SyntheticData", "SyntheticTruth", "default_truth", "make_truth", "synthetic"]
