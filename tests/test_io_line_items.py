"""Reading Salesforce's OpportunityLineItem and OpportunityLineItemSchedule exports."""

from __future__ import annotations

import io
from datetime import date

import salesflow as sf
from salesflow.io import read_salesforce_line_items

LINES = """Id,OpportunityId,Product2.Name,Product2.Family,Quantity,UnitPrice,ListPrice,Discount,TotalPrice,ServiceDate,CurrencyIsoCode
L1,006A,Custom Sneakers,Footwear,35,108.00,120.00,5,3591.00,2026-07-01,USD
L2,006A,Laces,Footwear,35,0.333,,,11.66,,USD
L3,006B,Socks,Apparel,1,1,,,1,,USD
L4,006A,Insoles,Footwear,0,5,,,0,,USD
L5,006A,Boxes,Footwear,2,1.5,,,9.99,,USD
L6,006A,Wrap,,1,2,,,,,EUR
"""

SCHEDULES = """Id,OpportunityLineItemId,Type,ScheduleDate,Revenue,Quantity
S1,L1,Revenue,2026-07-01,1795.50,
S2,L1,Revenue,2026-08-01,1795.50,
S3,L9,Revenue,2026-08-01,1,
S4,L1,Quantity,not a date,,3
"""


def opportunities() -> list[sf.Opportunity]:
    process = sf.presets.salesforce_standard()
    return [
        process.open(
            name="Get Cloudy West - 35 Custom Sneakers",
            id="006A",
            close_date=date(2026, 6, 30),
            amount=sf.Money("3602.66", "USD"),
        )
    ]


def test_lines_are_attached_and_every_refusal_names_its_field() -> None:
    given = opportunities()
    result = read_salesforce_line_items(
        io.StringIO(LINES), opportunities=given, schedules=io.StringIO(SCHEDULES)
    )
    (opp,) = result.opportunities
    assert [line.id for line in opp.line_items] == ["L1", "L2"]
    assert opp.lines_total == sf.Money("3602.655", "USD")
    assert given[0].line_items == ()  # the given opportunities are not changed
    reasons = {r.id: r.reason for r in result.refused}
    assert "no opportunity '006B' was given @ $.OpportunityId" in reasons["L3"]
    assert "@ $.Quantity" in reasons["L4"]
    assert "@ $.TotalPrice" in reasons["L5"]
    assert "@ $.CurrencyIsoCode" in reasons["L6"]
    assert "no line item 'L9' was taken" in reasons["S3"]
    assert "@ $.ScheduleDate" in reasons["S4"]
    for kind in ("OpportunityLineItem", "OpportunityLineItemSchedule"):
        assert result.read[kind] == result.taken[kind] + result.refused_count(kind)
    sneakers = opp.line_items[0]
    assert sum(s.revenue for s in sneakers.schedule if s.revenue) == sneakers.total_price
    assert sf.loads(sf.dumps(opp), sf.Opportunity) == opp


def test_a_deal_whose_amount_comes_from_its_lines_refuses_them_naming_why() -> None:
    import attrs

    (opp,) = opportunities()
    computed = attrs.evolve(opp, amount=None, amount_from_lines=True)
    result = read_salesforce_line_items(
        io.StringIO(LINES), opportunities=[computed], schedules=io.StringIO(SCHEDULES)
    )
    assert result.opportunities == (computed,)  # nothing half-attached
    reasons = {r.id: r.reason for r in result.refused}
    assert "deal '006A' cannot take its lines" in reasons["L1"]
    assert "deal '006A' cannot take its lines" in reasons["L2"]
    assert "no line item 'L1' was taken" in reasons["S1"]
    for kind in ("OpportunityLineItem", "OpportunityLineItemSchedule"):
        assert result.read[kind] == result.taken[kind] + result.refused_count(kind)
