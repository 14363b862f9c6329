"""The engine on real data: the Maven Analytics CRM opportunities (../shared/data)."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path

import salesflow as sf

MAVEN = sf.SalesProcess(
    name="Maven CRM",
    stages=[
        sf.Stage("Prospecting", 10),
        sf.Stage("Engaging", 40),
        sf.Stage("Won", 100, is_closed=True, is_won=True),
        sf.Stage("Lost", 0, is_closed=True),
    ],
    settings=sf.ProcessSettings(policy=sf.TransitionPolicy.FORWARD_ONLY),
)


def _at(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(12), tzinfo=timezone.utc)


def test_replaying_the_closed_maven_deals_reproduces_their_outcomes(shared_data: Path) -> None:
    with (shared_data / "maven-crm" / "sales_pipeline.csv").open(
        newline="", encoding="utf-8"
    ) as f:
        rows = list(csv.DictReader(f))
    closed = [r for r in rows if r["deal_stage"] in ("Won", "Lost")]
    assert len(rows) == 8800 and len(closed) == 6711
    moves = []
    for r in closed:
        value = sf.Money(r["close_value"], "USD")
        close = date.fromisoformat(r["close_date"])
        moves.append(
            sf.Move(r["opportunity_id"], _at(r["engage_date"]), "Engaging", close_date=close)
        )
        moves.append(
            sf.Move(r["opportunity_id"], _at(r["close_date"]), r["deal_stage"], amount=value)
        )
    moves.sort(key=lambda m: m.at)

    result = MAVEN.replay(moves)

    assert result.refused == () and result.applied == 2 * len(closed)
    outcomes = Counter("Won" if o.is_won else "Lost" for o in result.opportunities.values())
    assert outcomes == Counter(r["deal_stage"] for r in closed) == Counter(Won=4238, Lost=2473)
    won_value = sum(
        (o.amount.amount for o in result.opportunities.values() if o.is_won and o.amount),
        Decimal(0),
    )
    assert won_value == sum(Decimal(r["close_value"]) for r in closed if r["deal_stage"] == "Won")
    for opp in result.opportunities.values():
        assert [e.stage for e in opp.history] == ["Engaging", "Won" if opp.is_won else "Lost"]
        assert opp.history[0].at <= opp.history[-1].at


def test_moving_a_closed_maven_deal_back_is_refused(shared_data: Path) -> None:
    with (shared_data / "maven-crm" / "sales_pipeline.csv").open(
        newline="", encoding="utf-8"
    ) as f:
        row = next(r for r in csv.DictReader(f) if r["deal_stage"] == "Won")
    moves = [
        sf.Move(
            row["opportunity_id"],
            _at(row["engage_date"]),
            "Engaging",
            close_date=date.fromisoformat(row["close_date"]),
        ),
        sf.Move(row["opportunity_id"], _at(row["close_date"]), "Won"),
        sf.Move(row["opportunity_id"], _at(row["close_date"]), "Engaging"),
    ]
    result = MAVEN.replay(moves)
    assert [r.reasons for r in result.refused] == [("'Won' is closed and reopening is off",)]
