"""Pipeline inspection: metrics over opportunities or any dataframe.

Needs the ``analytics`` extra (``pip install 'salesflow[analytics]'``:
narwhals and Polars); importing this package without it raises
:class:`~salesflow.MissingExtraError` saying so. ``import salesflow`` never
imports a dataframe library.

Two doors, one implementation: every metric takes the three tables (see
:mod:`salesflow.columns`) as pandas, Polars, PyArrow, DuckDB or PySpark
frames, or opportunities and activities as objects, which :func:`frames`
turns into those tables first. The guide is ``docs/analytics.md``.
"""

from __future__ import annotations

from salesflow.analytics._require import require

require("narwhals")

from salesflow.analytics.frames import Frames, frames  # noqa: E402
from salesflow.columns import Columns  # noqa: E402

__all__ = ["Columns", "Frames", "frames"]
