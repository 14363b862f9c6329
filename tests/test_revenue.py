"""Revenue by period: schedules, recurring terms and service dates placed in fiscal periods."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import salesflow as sf
from salesflow.analytics import (
    INSTALLMENT_COLUMNS,
    Frames,
    RevenueByPeriod,
    frames,
    revenue_by_period,
)
from tests import strategies

pl = pytest.importorskip("polars")

PROCESS = sf.presets.salesforce_standard()
AT = datetime(2025, 12, 1, tzinfo=timezone.utc)


def usd(amount: str, currency: str = "USD") -> sf.Money:
    return sf.Money(amount, currency)


def deal(oid: str, outcome: str | None, *lines: sf.LineItem, owner: str = "ana") -> sf.Opportunity:
    opp = PROCESS.open(
        name=oid, id=oid, close_date=date(2026, 1, 10), at=AT, owner=owner, line_items=list(lines)
    )
    if outcome is not None:
        PROCESS.move(opp, outcome, at=datetime(2026, 1, 10, tzinfo=timezone.utc))
    return opp


CARE = sf.LineItem(
    product="Care",
    quantity=1,
    unit_price=usd("100"),
    billing_frequency="monthly",
    term_months=3,
    service_date=date(2026, 1, 15),
    id="care",
)
SETUP = sf.LineItem(
    product="Setup", quantity=2, unit_price=usd("50.50"), service_date=date(2026, 2, 1), id="setup"
).with_revenue_schedule(installments=4, period="monthly")
UNDATED = sf.LineItem(product="Extra", quantity=1, unit_price=usd("7"), id="extra")
BOX = sf.LineItem(product="Box", quantity=1, unit_price=usd("40"), service_date=date(2026, 5, 2))
EURO = sf.LineItem(
    product="Care", quantity=1, unit_price=usd("10", "EUR"), service_date=date(2026, 3, 1)
)
DEALS = [
    deal("w1", "Closed Won", CARE, SETUP, UNDATED),
    deal("w2", "Closed Won", EURO, owner="bo"),
    deal("w3", "Closed Won", BOX, owner="bo"),
    deal(
        "o1",
        None,
        sf.LineItem(
            product="Box", quantity=1, unit_price=usd("1000"), service_date=date(2026, 6, 1)
        ),
    ),
    deal(
        "l1",
        "Closed Lost",
        sf.LineItem(
            product="Box", quantity=1, unit_price=usd("500"), service_date=date(2026, 2, 1)
        ),
    ),
]


def table(result: RevenueByPeriod, *names: str) -> list[tuple[Any, ...]]:
    return [tuple(row[n] for n in names) for row in result.rows()]


def test_schedules_recurring_terms_and_service_dates_land_in_their_months() -> None:
    result = revenue_by_period(DEALS, currency="USD")
    assert table(result, "period", "revenue", "lines") == [
        ("FY2026 P01", Decimal("100"), 1),  # care, first month
        ("FY2026 P02", Decimal("125.25"), 2),  # care + the first installment of setup
        ("FY2026 P03", Decimal("125.25"), 2),
        ("FY2026 P04", Decimal("25.25"), 1),
        ("FY2026 P05", Decimal("65.25"), 2),  # setup's last installment + the box
    ]
    assert result.rows()[0]["start"] == date(2026, 1, 1)
    assert result.coverage.notes() == [
        "Left out 1 lines: in another currency than USD.",
        "Left out 1 lines: no revenue schedule and no service date.",
    ]
    assert "FY2026 P05" in repr(result) and "65.25 USD" in repr(result)
    assert "<table" in result._repr_html_() and "another currency" in result._repr_html_()


def test_quarters_of_a_fiscal_calendar_and_one_row_per_currency() -> None:
    fiscal = sf.FiscalCalendar.standard(start_month=2)
    result = revenue_by_period(DEALS, grain="quarter", calendar=fiscal)
    assert table(result, "period", "currency", "revenue") == [
        ("FY2026 Q4", "USD", Decimal("100")),  # January is the last month of FY2026
        ("FY2027 Q1", "EUR", Decimal("10")),
        ("FY2027 Q1", "USD", Decimal("275.75")),  # February to April
        ("FY2027 Q2", "USD", Decimal("65.25")),
    ]


def test_the_deals_policy_takes_won_open_or_all_deals() -> None:
    def total(deals: str) -> Decimal:
        rows = revenue_by_period(DEALS, deals=deals, currency="USD").rows()  # type: ignore[arg-type]
        return sum((r["revenue"] for r in rows), Decimal(0))

    assert total("won") == Decimal("441")  # 300 care + 101 setup + 40 box
    assert total("open") == Decimal("1000")
    assert total("all") == Decimal("1941")


def test_a_period_keeps_the_revenue_earned_in_it_grouped_by_product_or_owner() -> None:
    result = revenue_by_period(DEALS, period="FY2026 Q2", by="product", currency="USD")
    assert table(result, "period", "product", "revenue") == [
        ("FY2026 P04", "Setup", Decimal("25.25")),
        ("FY2026 P05", "Box", Decimal("40")),
        ("FY2026 P05", "Setup", Decimal("25.25")),
    ]
    owners = revenue_by_period(DEALS, grain="year", by="owner")
    assert table(owners, "owner", "currency", "revenue") == [
        ("ana", "USD", Decimal("401")),
        ("bo", "EUR", Decimal("10")),
        ("bo", "USD", Decimal("40")),
    ]
    assert revenue_by_period(DEALS, grain="year", currency="USD").by_period() == {
        "FY2026": usd("441")
    }


def test_the_installments_table_lists_every_installment_of_every_line() -> None:
    tables = frames(DEALS)
    assert tuple(tables.installments.columns) == INSTALLMENT_COLUMNS
    assert tables.installments.height == 4
    assert tables.installments["revenue"].sum() == Decimal("101.00")


def test_frames_without_installments_place_lines_on_their_service_date_and_say_so() -> None:
    tables = frames(DEALS)
    bare = Frames(tables.snapshot, line_items=tables.line_items)
    result = revenue_by_period(bare, grain="year", currency="USD")
    assert table(result, "period", "revenue") == [("FY2026", Decimal("441"))]  # 101 in February
    assert "Not checked: revenue schedules" in result.coverage.notes()[0]
    assert not result.coverage.complete


def test_nothing_to_place_is_no_data_not_zero() -> None:
    result = revenue_by_period([deal("x", "Closed Won", UNDATED)])
    assert len(result) == 0 and result.coverage.empty


def test_unknown_grain_policy_or_column_is_refused_by_name() -> None:
    with pytest.raises(sf.ValidationError, match=r"@ \$\.grain") as caught:
        revenue_by_period(DEALS, grain="fortnight", deals="some")  # type: ignore[arg-type]
    assert "$.deals" in str(caught.value)
    with pytest.raises(sf.ValidationError, match=r"no column 'region'"):
        revenue_by_period(DEALS, by="region")
    with pytest.raises(sf.ValidationError, match="line_items"):
        revenue_by_period(Frames(frames(DEALS).snapshot))


@pytest.mark.parametrize("backend", ["polars-lazy", "pandas", "pyarrow", "duckdb"])
def test_every_backend_gives_the_result_of_the_objects(backend: str) -> None:
    from tests.test_analytics_backends import BACKENDS, rows_of

    make = BACKENDS[backend]
    tables = frames(DEALS)
    on = Frames(
        make(tables.snapshot),
        line_items=make(tables.line_items),
        installments=make(tables.installments),
    )
    for options in ({}, {"grain": "quarter", "by": "owner"}, {"currency": "USD", "deals": "all"}):
        expected = revenue_by_period(DEALS, **options)  # type: ignore[arg-type]
        got = revenue_by_period(on, **options)  # type: ignore[arg-type]
        assert rows_of(got.to_frame()) == rows_of(expected.to_frame()), options
        assert got.coverage == expected.coverage


# ------------------------------------------------------------------ the property


def _taken(line: sf.LineItem) -> Decimal | None:
    """What a line contributes in all: its revenue schedule, else its TCV (``None``: no day)."""
    revenue = [s.revenue.amount for s in line.schedule if s.revenue is not None]
    if revenue:
        return sum(revenue, Decimal(0))
    return None if line.service_date is None else line.tcv.amount


@st.composite
def won_deals(draw: st.DrawFn) -> list[sf.Opportunity]:
    found = []
    for index in range(draw(st.integers(0, 4))):
        lines = draw(
            st.lists(
                strategies.line_items(currency=st.just("USD")),
                max_size=3,
                unique_by=lambda line: line.id,
            )
        )
        outcome = draw(st.sampled_from(["Closed Won", "Closed Lost", None]))
        found.append(deal(f"d{index}", outcome, *lines))
    return found


@settings(max_examples=60, deadline=None)
@given(
    opps=won_deals(),
    grain=st.sampled_from(["month", "quarter", "year", "week"]),
    fiscal=strategies.fiscal_calendars(),
)
def test_the_periods_revenue_adds_up_to_the_lines_taken(
    opps: list[sf.Opportunity], grain: str, fiscal: sf.FiscalCalendar
) -> None:
    result = revenue_by_period(opps, grain=grain, calendar=fiscal)  # type: ignore[arg-type]
    taken = [_taken(line) for opp in opps if opp.is_won for line in opp.line_items]
    expected = sum((t for t in taken if t is not None), Decimal(0))
    assert sum((r["revenue"] for r in result.rows()), Decimal(0)) == expected
    undated = sum(1 for t in taken if t is None)
    notes = " ".join(result.coverage.notes())
    assert (f"Left out {undated} lines: no revenue schedule" in notes) == bool(undated)
    labels = [r["period"] for r in result.rows()]
    assert len(labels) == len(set(labels))  # one row per period (one currency, no groups)
    assert all(r["start"] <= r["end"] for r in result.rows())
