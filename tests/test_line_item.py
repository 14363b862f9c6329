"""Line items and schedules: exact totals, schedules that add up, amounts from lines."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import attrs
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import salesflow as sf
from salesflow.schedule import schedule_quantity, schedule_revenue
from tests.strategies import CURRENCIES, DATES, SMALL_DECIMALS, line_items

AT = datetime(2026, 1, 5, tzinfo=timezone.utc)


def sneakers(**fields: object) -> sf.LineItem:
    values: dict[str, object] = {
        "product": "Custom Sneakers",
        "quantity": 35,
        "unit_price": sf.Money("120.00", "USD"),
        "id": "sneakers",
    }
    values.update(fields)
    return sf.LineItem(**values)  # type: ignore[arg-type]


def test_total_price_is_quantity_times_unit_price_less_the_discount() -> None:
    assert sneakers().total_price == sf.Money("4200.00", "USD")
    assert sneakers(discount="12.5").total_price == sf.Money("3675", "USD")


def test_a_line_refuses_a_zero_quantity_a_float_and_a_discount_above_100() -> None:
    with pytest.raises(sf.ValidationError, match=r"quantity is not zero @ \$.quantity"):
        sneakers(quantity=0)
    with pytest.raises(sf.ValidationError, match="float"):
        sneakers(quantity=1.5)
    with pytest.raises(sf.ValidationError, match=r"0..100.*\$.discount"):
        sneakers(discount=101)


def test_a_recurring_term_must_be_whole_billing_periods() -> None:
    with pytest.raises(sf.ValidationError, match="not a whole number of quarterly"):
        sneakers(billing_frequency="quarterly", term_months=10)
    with pytest.raises(sf.ValidationError, match="needs term_months"):
        sneakers(billing_frequency="monthly")


def test_arr_mrr_and_tcv_of_a_recurring_line() -> None:
    line = sf.LineItem(
        product="Support",
        quantity=1,
        unit_price=sf.Money("300.00", "EUR"),
        billing_frequency=sf.BillingFrequency.QUARTERLY,
        term_months=24,
    )
    assert line.arr == sf.Money("1200", "EUR")
    assert line.mrr() == sf.Money("100", "EUR")
    assert line.tcv == sf.Money("2400", "EUR")
    assert sneakers().arr == sf.Money("0", "USD")
    assert sneakers().tcv == sneakers().total_price


def test_dividing_puts_the_remainder_cents_on_the_last_installment() -> None:
    steps = schedule_revenue(sf.Money("100.00", "USD"), start=date(2026, 1, 31), installments=3)
    assert [s.revenue for s in steps] == [
        sf.Money("33.33", "USD"),
        sf.Money("33.33", "USD"),
        sf.Money("33.34", "USD"),
    ]
    assert [s.on for s in steps] == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]


def test_repeating_puts_the_whole_amount_in_each_installment() -> None:
    steps = schedule_revenue(
        sf.Money("50", "USD"),
        start=date(2026, 1, 1),
        installments=4,
        period="weekly",
        method="repeat",
    )
    assert {s.revenue for s in steps} == {sf.Money("50", "USD")}
    assert steps[-1].on == date(2026, 1, 22)


@settings(max_examples=200, deadline=None)
@given(
    SMALL_DECIMALS,
    CURRENCIES,
    DATES,
    st.integers(1, 60),
    st.sampled_from(list(sf.SchedulePeriod)),
    st.integers(0, 4),
)
def test_a_divided_revenue_schedule_adds_up_to_the_total(
    amount: Decimal,
    currency: str,
    start: date,
    count: int,
    period: sf.SchedulePeriod,
    places: int,
) -> None:
    total = sf.Money(amount, currency)
    steps = schedule_revenue(total, start=start, installments=count, period=period, places=places)
    assert len(steps) == count
    assert sf.Money.total([s.revenue for s in steps if s.revenue], currency=currency) == total
    assert [s.on for s in steps] == sorted(s.on for s in steps)
    quantum = Decimal(1).scaleb(-places)
    assert all(s.revenue.amount == s.revenue.amount.quantize(quantum) for s in steps[:-1])  # type: ignore[union-attr]


@settings(max_examples=100, deadline=None)
@given(SMALL_DECIMALS, DATES, st.integers(1, 40))
def test_a_divided_quantity_schedule_adds_up_to_the_quantity(
    quantity: Decimal, start: date, count: int
) -> None:
    steps = schedule_quantity(quantity, start=start, installments=count)
    assert sum(s.quantity for s in steps if s.quantity is not None) == quantity


@settings(max_examples=100, deadline=None)
@given(line_items(), st.integers(1, 24))
def test_a_line_scheduled_by_dividing_adds_up_to_its_total_price(
    line: sf.LineItem, count: int
) -> None:
    scheduled = line.with_revenue_schedule(start=date(2026, 1, 1), installments=count)
    assert sum(amount for _, amount in scheduled.revenue_by_date()) == line.total_price


def test_a_schedule_needs_a_start_when_the_line_has_no_service_date() -> None:
    with pytest.raises(sf.ValidationError, match=r"no service date @ \$.start"):
        sneakers().with_revenue_schedule(installments=2)
    line = sneakers(service_date=date(2026, 3, 1)).with_quantity_schedule(installments=4)
    assert [s.quantity for s in line.schedule] == [8, 8, 8, 11]


def lines_process() -> sf.SalesProcess:
    process = sf.presets.salesforce_standard()
    return sf.SalesProcess(
        name="Products",
        stages=process.stages,
        settings=sf.ProcessSettings(amount_from_lines=True),
    )


def test_an_entered_amount_ignores_the_lines() -> None:
    opp = sf.presets.salesforce_standard().open(
        name="Deal", close_date=date(2026, 6, 1), amount=sf.Money("1", "USD"), at=AT
    )
    assert opp.add_line_item(sneakers(), at=AT) is None
    assert opp.amount == sf.Money("1", "USD")
    assert opp.lines_total == sf.Money("4200.00", "USD")
    assert opp.change_amount(sf.Money("2", "USD"), at=AT) is not None


def test_a_computed_amount_follows_the_lines_and_is_recorded_in_history() -> None:
    opp = lines_process().open(name="Lars", close_date=date(2026, 6, 1), at=AT)
    assert opp.amount is None
    entry = opp.add_line_item(sneakers(), at=AT, by="me")
    assert entry is not None and entry.amount == sf.Money("4200.00", "USD")
    assert entry.previous_amount is None
    opp.add_line_item(
        sneakers(id="laces", product="Laces", quantity=35, unit_price=sf.Money("2", "USD"))
    )
    assert opp.amount == sf.Money("4270.00", "USD")
    opp.remove_line_item("sneakers")
    assert opp.amount == sf.Money("70", "USD")
    opp.replace_line_items([])
    assert opp.amount is None and opp.line_items == ()


def test_a_computed_amount_cannot_be_changed_by_hand_and_nothing_changes() -> None:
    opp = lines_process().open(name="Lars", close_date=date(2026, 6, 1), line_items=[sneakers()])
    before = sf.to_dict(opp)
    with pytest.raises(sf.ValidationError, match="computed from the line items"):
        opp.change_amount(sf.Money("1", "USD"))
    with pytest.raises(sf.ValidationError, match="computed from the line items"):
        lines_process().move(opp, "Qualification", amount=sf.Money("1", "USD"))
    with pytest.raises(sf.ValidationError, match="one currency"):
        opp.add_line_item(sneakers(id="eur", unit_price=sf.Money("1", "EUR")))
    with pytest.raises(sf.ValidationError, match="used twice"):
        opp.add_line_item(sneakers())
    with pytest.raises(sf.ValidationError, match="no line item has the id"):
        opp.remove_line_item("nope")
    assert sf.to_dict(opp) == before


def test_opening_with_lines_computes_the_amount_and_refuses_an_entered_one() -> None:
    opp = lines_process().open(name="Lars", close_date=date(2026, 6, 1), line_items=[sneakers()])
    assert opp.amount == sf.Money("4200.00", "USD") and opp.amount_from_lines
    with pytest.raises(sf.ValidationError, match="computes the amount"):
        lines_process().open(name="x", close_date=date(2026, 6, 1), amount=sf.Money("1", "USD"))


@settings(max_examples=60, deadline=None)
@given(st.lists(line_items(st.just("USD")), max_size=6, unique_by=lambda line: line.id))
def test_a_computed_amount_is_the_sum_of_the_lines(lines: list[sf.LineItem]) -> None:
    opp = lines_process().open(name="x", close_date=date(2026, 6, 1), at=AT)
    for line in lines:
        opp.add_line_item(line, at=AT)
    expected = sum((line.total_price for line in lines), sf.Money.zero("USD"))
    assert opp.amount == (expected if lines else None)
    copy = sf.loads(sf.dumps(opp), sf.Opportunity)
    assert copy.line_items == opp.line_items and copy.amount == opp.amount


def test_a_stored_amount_that_disagrees_with_the_lines_is_refused() -> None:
    opp = lines_process().open(name="Lars", close_date=date(2026, 6, 1), line_items=[sneakers()])
    data = sf.to_dict(opp)
    data["amount"] = {"amount": "1", "currency": "USD"}
    with pytest.raises(sf.ValidationError, match=r"computed from the lines .* @ \$.amount"):
        sf.from_dict(data, sf.Opportunity)


def test_a_gate_can_require_line_items() -> None:
    gate = sf.StageGate(line_items=True)
    opp = sf.presets.salesforce_standard().open(name="x", close_date=date(2026, 6, 1))
    assert gate.unmet(opp, {}) == ["at least one line item is required"]
    opp.add_line_item(sneakers())
    assert gate.unmet(opp, {}) == []


def test_documents_without_lines_are_written_as_before() -> None:
    opp = sf.presets.salesforce_standard().open(name="x", close_date=date(2026, 6, 1))
    data = sf.to_dict(opp)
    assert "line_items" not in data and "amount_from_lines" not in data
    assert "line_items" not in sf.to_dict(sf.StageGate())
    assert "amount_from_lines" not in sf.to_dict(sf.ProcessSettings())


@settings(max_examples=100, deadline=None)
@given(line_items())
def test_a_line_item_survives_a_json_round_trip(line: sf.LineItem) -> None:
    assert sf.loads(sf.dumps(line), sf.LineItem) == line


def test_line_items_render_as_html() -> None:
    assert "Custom Sneakers" in sneakers()._repr_html_()
    assert "4,200.00 USD" in sneakers()._repr_html_()


@given(line_items())
def test_every_line_item_document_follows_the_shipped_schema(line: sf.LineItem) -> None:
    jsonschema.validate(sf.to_dict(line), sf.LineItem.json_schema())
    assert sf.from_dict(sf.to_dict(line), sf.LineItem) == line


def test_the_schema_refuses_what_the_reader_refuses() -> None:
    good = sf.to_dict(
        sf.LineItem(product="x", quantity=1, unit_price=sf.Money("1", "EUR"), id="l")
    )
    for bad in (
        {**good, "unit_price": {"amount": "1"}},
        {**good, "billing_frequency": "weekly"},
        {**good, "term_months": 0},
        {**good, "schedule": [{"on": "2026-01-01"}]},
        {**good, "colour": "red"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, sf.LineItem.json_schema())


@given(
    months=st.sampled_from([1, 3, 6, 12]),
    periods=st.integers(min_value=1, max_value=5),
    day=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
)
def test_a_recurring_line_lands_its_price_once_a_billing_period_adding_up_to_its_tcv(
    months: int, periods: int, day: date
) -> None:
    frequency = {1: "monthly", 3: "quarterly", 6: "per_six_months", 12: "annually"}[months]
    line = sf.LineItem(
        product="Seats",
        quantity=Decimal(3),
        unit_price=sf.Money("10.00", "USD"),
        service_date=day,
        billing_frequency=frequency,
        term_months=months * periods,
    )
    landed = line.revenue_by_date()
    assert landed[0][0] == day
    assert len(landed) == periods
    assert sum((m for _, m in landed), sf.Money("0", "USD")) == line.tcv
    undated = attrs.evolve(line, service_date=None)
    assert undated.revenue_by_date() == [(None, line.tcv)]
