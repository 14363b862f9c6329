"""Reading HubSpot's line item export onto its deals (salesflow.io.read_hubspot_line_items)."""

from __future__ import annotations

import io
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import salesflow as sf
from salesflow.io import (
    CloseDatePolicy,
    line_item_rows,
    line_items_from_rows,
    read_hubspot_csv,
    read_hubspot_line_items,
)

GALLERY = Path(__file__).parent / "gallery"


def _deals() -> tuple[sf.Opportunity, ...]:
    process = sf.presets.hubspot_default()
    deals = read_hubspot_csv(
        GALLERY / "hubspot-deals.csv",
        process=process,
        currency="USD",
        timezone=timezone.utc,
        close_dates=CloseDatePolicy.fixed(date(2026, 3, 31)),
        imported_at=datetime(2026, 3, 1, tzinfo=timezone.utc),
    )
    assert deals.ok
    return deals.opportunities


def test_an_export_with_labels_is_read_onto_its_deals_and_every_refusal_names_row_and_field() -> (
    None
):
    result = read_hubspot_line_items(GALLERY / "hubspot-line-items.csv", opportunities=_deals())
    umbrella, hooli, vandelay = result.opportunities
    assert [line.id for line in umbrella.line_items] == ["5001", "5002", "5003"]
    assert [line.id for line in hooli.line_items] == ["5004"]
    assert vandelay.line_items == ()
    assert (result.read["LineItem"], result.taken["LineItem"]) == (10, 4)
    assert result.read["LineItem"] == result.taken["LineItem"] + result.refused_count("LineItem")
    refused = {r.record: r.reason for r in result.refused}
    assert refused == {
        5: "Net price 25.00 is not the line's total 20 @ $.Net price",
        6: "expected one of monthly, quarterly, per_six_months, annually, got 'weekly' "
        "@ $.Billing frequency; a term of P4W is not a whole number of months @ $.Term",
        7: "both a unit discount and a discount percentage; HubSpot applies one @ $.Unit discount",
        8: "no deal '999' was given @ $.Associated Deal IDs",
        9: "a line item belongs to one deal, got 2: 101;102 @ $.Associated Deal IDs",
        10: "the deal's other lines are not in EUR @ $.Currency",
    }
    assert [r.id for r in result.refused] == ["5005", "5006", "5007", "5008", "5009", "5010"]


def test_prices_discounts_and_terms_are_kept_exactly() -> None:
    result = read_hubspot_line_items(GALLERY / "hubspot-line-items.csv", opportunities=_deals())
    licence, onboarding, support = result.opportunities[0].line_items
    assert (licence.discount, licence.total_price, licence.arr, licence.tcv) == (
        Decimal(10),
        sf.Money("3600.00", "USD"),
        sf.Money("3600.00", "USD"),
        sf.Money("3600.00", "USD"),
    )
    assert (licence.billing_frequency, licence.term_months, licence.service_date) == (
        sf.BillingFrequency.ANNUALLY,
        12,
        date(2026, 2, 1),
    )
    # A unit discount: the unit price as sold, the price before it as the list price.
    assert (onboarding.unit_price, onboarding.list_price, onboarding.discount) == (
        sf.Money("1250.00", "USD"),
        sf.Money("1500.00", "USD"),
        None,
    )
    assert (support.term_months, support.tcv) == (24, sf.Money("2399.76", "USD"))
    assert result.opportunities[0].lines_total == sf.Money("4949.99", "USD")
    seats = result.opportunities[1].line_items[0]
    assert seats.total_price == sf.Money("2.331", "USD")  # the export's 2.33, unrounded


def test_what_is_read_survives_the_table_form_and_json() -> None:
    result = read_hubspot_line_items(GALLERY / "hubspot-line-items.csv", opportunities=_deals())
    opps = list(result.opportunities)
    back = line_items_from_rows(line_item_rows(opps), line_item_rows(opps, table="schedules"))
    assert back == [(o.id, line) for o in opps for line in o.line_items]
    assert sf.loads(sf.dumps(opps), list[sf.Opportunity]) == opps


def _deal(**changes: object) -> sf.Opportunity:
    deal = sf.presets.hubspot_default().open(
        name="Sneakers", id="101", close_date=date(2026, 6, 30), amount=sf.Money("10", "EUR")
    )
    return attrs.evolve(deal, **changes)


def test_the_deal_column_is_configurable_and_its_absence_is_a_file_error() -> None:
    export = "hs_object_id,name,quantity,price,amount,deal\n1,Socks,2,5,10,101\n"
    result = read_hubspot_line_items(
        io.StringIO(export), opportunities=[_deal()], deal_column="Deal"
    )
    assert result.ok and result.opportunities[0].line_items[0].currency == "EUR"
    with pytest.raises(sf.FileFormatError, match="no deal column"):
        read_hubspot_line_items(io.StringIO(export), opportunities=[_deal()])


def test_the_older_term_in_months_is_read_and_must_agree_with_the_period() -> None:
    export = (
        "hs_object_id,name,quantity,price,recurringbillingfrequency,hs_recurring_billing_period,"
        "hs_term_in_months,deal_id\n"
        "1,Care,1,2,quarterly,,12,101\n"
        "2,Care,1,2,quarterly,P1Y,24,101\n"
        "3,Care,1,2,monthly,,,101\n"
        "4,Care,1,2,,P12M,,101\n"
    )
    result = read_hubspot_line_items(io.StringIO(export), opportunities=[_deal()])
    assert [(x.id, x.term_months) for x in result.opportunities[0].line_items] == [("1", 12)]
    assert [r.reason for r in result.refused] == [
        "hs_term_in_months is 24 but hs_recurring_billing_period is P1Y @ $.hs_term_in_months",
        "a recurring line needs term_months @ $.hs_recurring_billing_period",
        "a term needs a billing_frequency @ $.recurringbillingfrequency",
    ]


def test_lines_a_deal_cannot_take_are_refused_not_dropped() -> None:
    # A deal whose amount is computed from its lines: HubSpot's import leaves the amount alone.
    computed = _deal(amount_from_lines=True, amount=None)
    export = "hs_object_id,name,quantity,price,deal_id\n1,Socks,2,5,101\n"
    result = read_hubspot_line_items(io.StringIO(export), opportunities=[computed], currency="EUR")
    assert result.opportunities == (computed,)
    (refusal,) = result.refused
    assert refusal.record == 1 and "cannot take its lines" in refusal.reason
    assert refusal.problems[0].path == "$.deal_id"
