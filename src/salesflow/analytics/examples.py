"""A small, fixed pipeline to try the metrics on (the guide and the tests use it).

Five deals in Salesforce's standard process, all in USD, January to March 2026:

====  ================  =====  =========================================================
id    name              owner  story
====  ================  =====  =========================================================
A     Acme renewal      ana    Prospecting → Qualification → Needs Analysis (10,000 →
                               15,000), overridden to Best Case; open
B     Globex expansion  bo     Qualification → Value Proposition, close date pushed from
                               February to April, → Proposal/Price Quote, Commit; open
C     Initech pilot     ana    Prospecting → Closed Won on 10 February (10,000 → 12,000)
D     Umbrella          bo     Prospecting → Needs Analysis (skipping Qualification) →
                               back to Qualification → Closed Lost on 1 March (Price)
E     Stark             cy     opened 1 February in Prospecting, close date pushed three
                               times (March → May → June → July); open
====  ================  =====  =========================================================

>>> from salesflow.analytics import examples
>>> [o.stage for o in examples.opportunities()]
['Needs Analysis', 'Proposal/Price Quote', 'Closed Won', 'Closed Lost', 'Prospecting']
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import attrs

from salesflow.activity import Activity
from salesflow.ids import ActivityId, OpportunityId
from salesflow.money import Money
from salesflow.opportunity import Opportunity
from salesflow.presets import salesforce_standard
from salesflow.process import SalesProcess

__all__ = ["START", "activities", "opportunities", "process"]

START = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
"""When the first deals were opened (a Monday, 09:00 UTC)."""


def _day(n: int) -> datetime:
    return START + timedelta(days=n)


def _usd(amount: str) -> Money:
    return Money(amount, "USD")


def process() -> SalesProcess:
    """Salesforce's standard process, with 30 rot days on every open stage."""
    standard = salesforce_standard()
    stages = [s if s.is_closed else attrs.evolve(s, rot_days=30) for s in standard.stages]
    return attrs.evolve(standard, stages=stages)


def opportunities() -> list[Opportunity]:
    """The five deals A..E, built through the verbs, with their history."""
    p = process()
    a = p.open(
        name="Acme renewal",
        id="A",
        amount=_usd("10000.00"),
        close_date=date(2026, 3, 31),
        at=_day(0),
        owner="ana",
        account_id="acme",
    )
    a.add_contact_role("c-wile", role="Decision Maker", primary=True)
    p.move(a, "Qualification", at=_day(7), by="ana")
    p.move(a, "Needs Analysis", at=_day(28), by="ana", amount=_usd("15000.00"))
    a.set_forecast_category("Best Case", at=_day(30), by="ana")

    b = p.open(
        name="Globex expansion",
        id="B",
        stage="Qualification",
        amount=_usd("20000.00"),
        close_date=date(2026, 2, 27),
        at=_day(0),
        owner="bo",
        account_id="globex",
    )
    b.add_contact_role("c-hank", role="Evaluator")
    p.move(b, "Value Proposition", at=_day(15), by="bo")
    b.change_close_date(date(2026, 4, 30), at=_day(46), by="bo")
    p.move(b, "Proposal/Price Quote", at=_day(56), by="bo")
    b.set_forecast_category("Commit", at=_day(57), by="bo")

    c = p.open(
        name="Initech pilot",
        id="C",
        amount=_usd("10000.00"),
        close_date=date(2026, 2, 15),
        at=_day(5),
        owner="ana",
        account_id="initech",
    )
    p.move(c, "Closed Won", at=_day(36), by="ana", amount=_usd("12000.00"))

    d = p.open(
        name="Umbrella",
        id="D",
        amount=_usd("8000.00"),
        close_date=date(2026, 3, 13),
        at=_day(10),
        owner="bo",
        account_id="umbrella",
    )
    p.move(d, "Needs Analysis", at=_day(20), by="bo")
    p.move(d, "Qualification", at=_day(31), by="bo")
    p.move(d, "Closed Lost", at=_day(55), by="bo", lost_reason="Price", competitor="Hooli")

    e = p.open(
        name="Stark",
        id="E",
        amount=_usd("20000.00"),
        close_date=date(2026, 3, 20),
        at=_day(27),
        owner="cy",
        account_id="stark",
    )
    e.change_close_date(date(2026, 5, 20), at=_day(64), by="cy")
    e.change_close_date(date(2026, 6, 30), at=_day(74), by="cy")
    e.change_close_date(date(2026, 7, 31), at=_day(79), by="cy")
    return [a, b, c, d, e]


def activities() -> list[Activity]:
    """Five activities: two on A, one each on B and C, an open task on E."""
    return [
        Activity(
            id=ActivityId("a1"),
            opportunity_id=OpportunityId("A"),
            kind="call",
            at=_day(60),
            owner="ana",
        ),
        Activity(
            id=ActivityId("a2"),
            opportunity_id=OpportunityId("A"),
            kind="email",
            at=_day(84),
            owner="ana",
        ),
        Activity(
            id=ActivityId("a3"),
            opportunity_id=OpportunityId("B"),
            kind="meeting",
            at=_day(40),
            owner="bo",
        ),
        Activity(
            id=ActivityId("a4"),
            opportunity_id=OpportunityId("C"),
            kind="call",
            at=_day(30),
            owner="ana",
        ),
        Activity(
            id=ActivityId("a5"),
            opportunity_id=OpportunityId("E"),
            kind="task",
            at=_day(30),
            owner="cy",
            done=False,
            due_date=date(2026, 2, 10),
        ),
    ]
