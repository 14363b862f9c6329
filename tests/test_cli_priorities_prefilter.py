"""The report's priorities build candidates only for the deals that can rank: the same list."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import salesflow as sf
from salesflow.cli import _priorities

pl = pytest.importorskip("polars")

PROCESS = sf.presets.salesforce_standard()
_OPEN = [s.name for s in PROCESS.stages if not s.is_closed]
_AMOUNTS = (
    st.none()
    | st.sampled_from(
        [Decimal("100"), Decimal("100.01"), Decimal("99.99"), Decimal("0"), Decimal("-50")]
    )
    | st.decimals(min_value=-(10**9), max_value=10**12, places=2, allow_nan=False)
)


def _tables(deals: list[tuple[Decimal | None, str, Decimal | None]]) -> sf.analytics.Frames:
    snapshot = pl.DataFrame(
        {
            "id": [f"o{i}" for i in range(len(deals))],
            "name": [f"Deal {i}" for i in range(len(deals))],
            "stage": [stage for _, stage, _ in deals],
            "amount": [amount for amount, _, _ in deals],
            "currency": ["USD"] * len(deals),
            "probability": [chance for _, _, chance in deals],
            "close_date": [date(2026, 6, 30)] * len(deals),
        },
        schema={
            "id": pl.String,
            "name": pl.String,
            "stage": pl.String,
            "amount": pl.Decimal(38, 2),
            "currency": pl.String,
            "probability": pl.Decimal(38, 2),
            "close_date": pl.Date,
        },
    )
    return sf.analytics.Frames(snapshot, process=PROCESS)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            _AMOUNTS,
            st.sampled_from(_OPEN),
            st.none() | st.sampled_from([Decimal("10"), Decimal("33.33"), Decimal("0")]),
        ),
        max_size=60,
    ),
    st.integers(1, 8),
)
def test_the_top_deals_are_those_of_ranking_them_all(
    deals: list[tuple[Decimal | None, str, Decimal | None]], top: int
) -> None:
    tables = _tables(deals)
    fast = _priorities.priorities_section(tables, rates=None, fits=None, top=top)
    everyone = _priorities._contenders
    try:
        _priorities._contenders = lambda table, *_: table  # type: ignore[assignment]
        full = _priorities.priorities_section(tables, rates=None, fits=None, top=top)
    finally:
        _priorities._contenders = everyone
    assert fast == full


def test_a_deal_that_ties_after_rounding_to_cents_keeps_its_place() -> None:
    """100.00 and 100.01 at 33.33 % are both worth 33.33: the first in the file ranks first."""
    chance = Decimal("33.33")
    deals = [(Decimal("100"), _OPEN[0], chance), (Decimal("100.01"), _OPEN[0], chance)]
    deals += [(Decimal("1"), _OPEN[0], chance)] * 10
    section = _priorities.priorities_section(_tables(deals), rates=None, fits=None, top=1)
    assert [(r["id"], r["value"]) for r in section.rows] == [("o0", Decimal("33.33"))]
