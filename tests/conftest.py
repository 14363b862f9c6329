"""Test configuration: hypothesis profiles and shared fixtures.

Profiles (chosen by ``SALESFLOW_HYPOTHESIS_PROFILE``; ``ci`` when ``CI`` is set, else ``dev``):

- ``ci``: derandomized and bounded, so CI is repeatable and quick;
- ``dev``: hypothesis's defaults, random, with its example database;
- ``thorough``: many more examples, for exploring by hand.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=150,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "thorough", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(
    os.environ.get("SALESFLOW_HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
)

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The real data beside the project; skips when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA} (../shared/data beside the project)")
    return SHARED_DATA
