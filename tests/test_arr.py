"""Deal types, the line_items table, analytics by product, and the ARR bridge."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import salesflow as sf
from salesflow.analytics import Frames, arr_bridge, by_product, frames
from salesflow.deal_type import find_deal_type

pl = pytest.importorskip("polars")

AT = datetime(2025, 1, 1, tzinfo=timezone.utc)
PROCESS = sf.presets.salesforce_standard()


def subscription(arr: str, *, product: str = "Platform", family: str = "Software") -> sf.LineItem:
    return sf.LineItem(
        product=product,
        product_family=family,
        quantity=1,
        unit_price=sf.Money(arr, "USD"),
        billing_frequency="annually",
        term_months=12,
    )


def won(oid: str, deal_type: str | None, on: date, *lines: sf.LineItem) -> sf.Opportunity:
    opp = PROCESS.open(
        name=oid, id=oid, close_date=on, at=AT, type=deal_type, line_items=list(lines)
    )
    PROCESS.move(opp, "Closed Won", at=datetime(on.year, on.month, on.day, tzinfo=timezone.utc))
    return opp


def test_deal_types_are_found_by_name_or_alias_ignoring_case() -> None:
    assert sf.STANDARD_DEAL_TYPES[1].matches("existing  business")
    with pytest.raises(sf.ValidationError, match="did you mean 'Renewal'"):
        find_deal_type("Renewl")


def test_the_arr_bridge_splits_movements_by_deal_type() -> None:
    opps = [
        won("a", "New Business", date(2025, 12, 1), subscription("1000")),
        won("b", "New Business", date(2026, 1, 10), subscription("500")),
        won("c", "Existing Business", date(2026, 2, 1), subscription("200")),
        won("d", "Downsell", date(2026, 2, 2), subscription("-100")),
        won("e", "Churn", date(2026, 3, 3), subscription("300")),
        won("f", "Renewal", date(2026, 3, 4), subscription("1000")),
        won("g", "New Business", date(2026, 4, 1), subscription("999")),
    ]
    bridge = arr_bridge(opps, start=date(2026, 1, 1), end=date(2026, 3, 31))
    usd = lambda amount: sf.Money(amount, "USD")  # noqa: E731
    assert bridge.starting == usd("1000")
    assert (bridge.new, bridge.expansion, bridge.contraction, bridge.churn) == (
        usd("500"),
        usd("200"),
        usd("100"),
        usd("300"),
    )
    assert bridge.ending == usd("1300") and bridge.adds_up()
    assert [m.opportunity_id for m in bridge.moves] == ["b", "c", "d", "e", "f"]
    assert "ARR bridge" in bridge._repr_html_()


def test_the_bridge_refuses_unknown_types_naming_the_deal() -> None:
    opps = [won("x", "Mystery", date(2026, 1, 5), subscription("1"))]
    with pytest.raises(sf.ValidationError, match=r"unknown deal type 'Mystery' @ \$\['x'\]"):
        arr_bridge(opps, start=date(2026, 1, 1), end=date(2026, 1, 31))


def test_one_time_lines_and_open_deals_carry_no_arr() -> None:
    one_time = sf.LineItem(product="Sneakers", quantity=35, unit_price=sf.Money("120", "USD"))
    opps = [won("a", None, date(2026, 1, 5), one_time)]
    opps.append(
        PROCESS.open(name="o", close_date=date(2026, 1, 9), line_items=[subscription("5")])
    )
    bridge = arr_bridge(opps, start=date(2026, 1, 1), end=date(2026, 1, 31), currency="USD")
    assert bridge.ending == sf.Money("0", "USD") and bridge.moves == ()


@st.composite
def deals(draw: st.DrawFn) -> list[sf.Opportunity]:
    count = draw(st.integers(0, 8))
    names = [t.name for t in sf.STANDARD_DEAL_TYPES]
    return [
        won(
            f"o{i}",
            draw(st.sampled_from([*names, None])),
            draw(st.dates(date(2025, 6, 1), date(2026, 6, 1))),
            subscription(str(draw(st.decimals(-5000, 5000, places=2)))),
        )
        for i in range(count)
    ]


@settings(max_examples=30, deadline=None)
@given(deals(), st.dates(date(2025, 9, 1), date(2026, 3, 1)), st.integers(0, 120))
def test_the_arr_bridge_always_adds_up(opps: list[sf.Opportunity], start: date, days: int) -> None:
    end = date.fromordinal(start.toordinal() + days)
    bridge = arr_bridge(opps, start=start, end=end, currency="USD")
    assert bridge.starting + bridge.net_new == bridge.ending
    # Ending ARR is ARR through the end, however the period is cut.
    whole = arr_bridge(opps, start=date(2000, 1, 1), end=end, currency="USD")
    assert whole.ending == bridge.ending and whole.starting == sf.Money(0, "USD")


def test_the_line_items_table_and_totals_by_product_family() -> None:
    opps = [
        won(
            "a",
            "New Business",
            date(2026, 1, 5),
            subscription("100"),
            subscription("50", product="Add-on"),
        ),
        won("b", "New Business", date(2026, 1, 6), subscription("10", family="Services")),
    ]
    tables = frames(opps)
    assert tables.line_items.height == 3
    assert set(sf.analytics.LINE_ITEM_COLUMNS) == set(tables.line_items.columns)
    totals = by_product(tables, by="product_family")
    assert [(r["product_family"], r["lines"], r["arr"]) for r in totals.rows] == [
        ("Software", 2, 150),
        ("Services", 1, 10),
    ]
    assert by_product(opps, open_only=True).rows == ()
    pandas_lines = tables.line_items.to_pandas()
    assert len(by_product(pandas_lines).rows) == 2


def test_the_renewal_pipeline_needs_lines_to_quote_and_a_reason_to_churn() -> None:
    process = sf.presets.renewal_pipeline()
    deal = process.open(name="Renewal 2027", close_date=date(2026, 12, 1), type="Renewal")
    with pytest.raises(sf.StageGateError, match="at least one line item"):
        process.move(deal, "Quote Sent")
    deal.add_line_item(subscription("1200"))
    process.move(deal, "Quote Sent")
    assert deal.amount == sf.Money("1200", "USD")
    with pytest.raises(sf.StageTransitionError, match="requires a lost reason"):
        process.move(deal, "Churned")
    process.move(deal, "Churned", lost_reason="Budget")
    assert deal.is_closed and not deal.is_won


def test_the_per_type_presets_serialise_losslessly() -> None:
    for make in sf.presets.RECURRING_PRESETS.values():
        process = make()
        assert sf.loads(sf.dumps(process), sf.SalesProcess) == process


# ------------------------------------------------------------------ every backend

BRIDGE_DEALS = [
    won("a", "New Business", date(2025, 12, 1), subscription("1000")),
    won("b", "New Business", date(2026, 1, 10), subscription("500.25"), subscription("0.50")),
    won("c", "Existing Business", date(2026, 2, 1), subscription("200")),
    won("d", "Downsell", date(2026, 2, 2), subscription("-100")),
    won("e", "Churn", date(2026, 3, 3), subscription("300")),
    won("f", "Renewal", date(2026, 3, 4), subscription("1000")),
    won("g", None, date(2026, 4, 1), subscription("999")),
]


def on_backend(tables: Any, backend: str) -> Any:
    from tests.test_analytics_backends import BACKENDS

    make = BACKENDS[backend]
    return Frames(make(tables.snapshot), line_items=make(tables.line_items))


@pytest.mark.parametrize("backend", ["polars-lazy", "pandas", "pyarrow", "duckdb"])
def test_the_bridge_on_every_backend_equals_the_bridge_of_the_objects(backend: str) -> None:
    expected = arr_bridge(BRIDGE_DEALS, start=date(2026, 1, 1), end=date(2026, 3, 31))
    got = arr_bridge(
        on_backend(frames(BRIDGE_DEALS), backend), start=date(2026, 1, 1), end=date(2026, 3, 31)
    )
    assert got == expected
    assert [str(m) for _, m in got.lines()] == [str(m) for _, m in expected.lines()]
    assert got.ending == sf.Money("1300.75", "USD") and got.adds_up()


@pytest.mark.parametrize("backend", ["polars", "duckdb"])
def test_the_bridge_without_its_moves_has_the_same_totals(backend: str) -> None:
    tables = on_backend(frames(BRIDGE_DEALS), backend)
    full = arr_bridge(tables, start=date(2026, 1, 1), end=date(2026, 3, 31))
    totals = arr_bridge(tables, start=date(2026, 1, 1), end=date(2026, 3, 31), moves=False)
    assert totals.moves == () and len(full.moves) == 5
    assert totals.lines() == full.lines()


@pytest.mark.parametrize("backend", ["polars", "pandas", "duckdb"])
def test_the_bridge_on_frames_refuses_what_it_refuses_on_objects(backend: str) -> None:
    euro = sf.LineItem(
        product="Platform",
        quantity=1,
        unit_price=sf.Money("10", "EUR"),
        billing_frequency="annually",
        term_months=12,
    )
    mixed = frames([*BRIDGE_DEALS, won("h", None, date(2026, 1, 2), euro)])
    with pytest.raises(sf.CurrencyMismatchError, match=r"EUR.*USD"):
        arr_bridge(on_backend(mixed, backend), start=date(2026, 1, 1), end=date(2026, 3, 31))
    odd = frames([*BRIDGE_DEALS, won("x", "Mystery", date(2026, 1, 5), subscription("1"))])
    with pytest.raises(sf.ValidationError, match=r"unknown deal type 'Mystery' @ \$\['x'\]"):
        arr_bridge(on_backend(odd, backend), start=date(2026, 1, 1), end=date(2026, 1, 31))
    with pytest.raises(sf.ValidationError, match=r"the deal has no type @ \$\['g'\]\.type"):
        arr_bridge(
            on_backend(frames(BRIDGE_DEALS), backend),
            start=date(2026, 1, 1),
            end=date(2026, 1, 31),
            untyped=None,
        )


def test_a_won_deal_without_a_close_date_is_refused_by_name() -> None:
    tables = frames(BRIDGE_DEALS)
    snapshot = tables.snapshot.with_columns(
        pl.when(pl.col("id") == "c").then(None).otherwise(pl.col(c)).alias(c)
        for c in ("close_date", "closed_on")
    )
    with pytest.raises(sf.ValidationError, match=r"without closed_on or close_date @ \$\['c'\]"):
        arr_bridge(
            Frames(snapshot, line_items=tables.line_items),
            start=date(2026, 1, 1),
            end=date(2026, 1, 31),
        )


def test_float_arr_in_whole_cents_is_exact_and_finer_floats_are_refused() -> None:
    tables = frames(BRIDGE_DEALS)
    lines = tables.line_items.with_columns(pl.col("arr").cast(pl.Float64))
    got = arr_bridge(
        Frames(tables.snapshot, line_items=lines), start=date(2026, 1, 1), end=date(2026, 3, 31)
    )
    assert got == arr_bridge(BRIDGE_DEALS, start=date(2026, 1, 1), end=date(2026, 3, 31))
    finer = lines.with_columns(pl.col("arr") + 0.001)
    with pytest.raises(
        sf.ValidationError, match=r"more than two decimal places .* @ \$\.line_items\.arr"
    ):
        arr_bridge(
            Frames(tables.snapshot, line_items=finer),
            start=date(2026, 1, 1),
            end=date(2026, 1, 31),
        )
