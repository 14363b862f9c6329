"""Line items as plain rows (salesflow.line_item_rows): the table form, and back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from salesflow import analytics
from salesflow.io import (
    LINE_ITEM_COLUMNS,
    LINE_ITEM_SCHEDULE_COLUMNS,
    line_item_rows,
    line_items_from_rows,
)
from tests.strategies import opportunities_with_lines


def _deal() -> sf.Opportunity:
    deal = sf.presets.salesforce_standard().open(
        name="Get Cloudy West", close_date=date(2026, 6, 30), id="006A"
    )
    care = sf.LineItem(
        product="Sneaker Care",
        quantity=35,
        unit_price=sf.Money("2.00", "USD"),
        discount="12.5",
        billing_frequency="quarterly",
        term_months=24,
        service_date=date(2026, 7, 1),
        id="L1",
    ).with_revenue_schedule(installments=3)
    deal.replace_line_items([care])
    return deal


@given(st.lists(opportunities_with_lines(), max_size=3, unique_by=lambda o: o.id))
def test_any_opportunitys_line_items_survive_the_table_form(opps: list[sf.Opportunity]) -> None:
    lines = line_item_rows(opps)
    schedules = line_item_rows(opps, table="schedules")
    assert all(tuple(row) == LINE_ITEM_COLUMNS for row in lines)
    assert all(tuple(row) == LINE_ITEM_SCHEDULE_COLUMNS for row in schedules)
    expected = [(o.id, line) for o in opps for line in o.line_items]
    back = line_items_from_rows(lines, schedules)
    assert back == expected
    for (_, read), (_, given_line) in zip(back, expected, strict=True):
        # Equal is not enough: the same decimals, digit for digit, and the same types.
        assert sf.to_dict(read) == sf.to_dict(given_line)


def test_the_rows_are_the_analytics_line_items_table() -> None:
    assert analytics.LINE_ITEM_COLUMNS == LINE_ITEM_COLUMNS
    table = analytics.frames([_deal()]).line_items
    assert table.columns == list(LINE_ITEM_COLUMNS)
    (row,) = table.rows(named=True)
    assert row == line_item_rows([_deal()])[0]


def test_a_quarterly_line_is_one_row_and_each_installment_one_row_keyed_by_line() -> None:
    (row,) = line_item_rows([_deal()])
    assert (row["total_price"], row["arr"], row["tcv"]) == (
        Decimal("61.250"),
        Decimal("245.000"),
        Decimal("490.000"),
    )
    assert (row["billing_frequency"], row["term_months"], row["discount"]) == (
        "quarterly",
        24,
        Decimal("12.5"),
    )
    steps = line_item_rows([_deal()], table="schedules")
    assert [(s["line_id"], s["sequence"], s["schedule_date"], s["revenue"]) for s in steps] == [
        ("L1", 1, date(2026, 7, 1), Decimal("20.41")),
        ("L1", 2, date(2026, 8, 1), Decimal("20.41")),
        ("L1", 3, date(2026, 9, 1), Decimal("20.43")),
    ]


def test_installments_are_put_back_in_sequence_order_whatever_the_row_order() -> None:
    deal = _deal()
    steps = line_item_rows([deal], table="schedules")
    ((_, line),) = line_items_from_rows(line_item_rows([deal]), list(reversed(steps)))
    assert line == deal.line_items[0]


def test_bad_rows_are_refused_each_with_its_row_and_column() -> None:
    (row,) = line_item_rows([_deal()])
    steps = line_item_rows([_deal()], table="schedules")
    rows = [
        row | {"total_price": Decimal("61.26")},
        row | {"line_id": "L2", "discount": Decimal("101"), "total_price": None},
        row | {"line_id": "L3", "currency": "usd"},
        row | {"line_id": "L4", "term_months": 25, "arr": None, "tcv": None},
        row | {"line_id": "L5", "opportunity_id": None},
        row | {"line_id": "L6"},
        row | {"line_id": "L6"},
    ]
    schedules = [
        steps[0] | {"line_id": "L6", "currency": "EUR"},
        steps[1] | {"line_id": "L6", "schedule_date": "2026-08-01"},
        steps[2] | {"line_id": "L9"},
    ]
    with pytest.raises(sf.ValidationError) as caught:
        line_items_from_rows(rows, schedules)
    assert caught.value.messages == [
        "total_price is 61.26 but the line's is 61.250 @ $.line_items[0].total_price",
        "expected a percentage in 0..100, got 101 @ $.line_items[1].discount",
        "expected an ISO 4217 code of three capital letters, got 'usd' @ $.line_items[2].currency",
        "a term of 25 months is not a whole number of quarterly periods (3 months) "
        "@ $.line_items[3].term_months",
        "expected an opportunity id, got None @ $.line_items[4].opportunity_id",
        "the line is in USD, not 'EUR' @ $.schedules[0].currency",
        "expected a date, got str @ $.schedules[1].schedule_date",
        "line 'L6' of opportunity '006A' given twice @ $.line_items[6].line_id",
        "an installment of line 'L9' of opportunity '006A', which is not in the line items "
        "table @ $.schedules[2].line_id",
    ]


def test_only_opportunities_and_the_two_tables_are_written() -> None:
    with pytest.raises(sf.ValidationError, match=r"expected Opportunity, got str @ \$\[0\]"):
        line_item_rows(["006A"])  # type: ignore[list-item]
    with pytest.raises(sf.ValidationError, match="expected 'line_items' or 'schedules'"):
        line_item_rows([_deal()], table="history")  # type: ignore[arg-type]
