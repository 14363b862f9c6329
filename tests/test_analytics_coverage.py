"""Every result says what it could not compute: rows left out, checks not made, no data."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from salesflow.analytics import Frames, at_risk, frames, funnel, win_rate
from salesflow.analytics.coverage import Coverage, Gap

MAVEN = sf.SalesProcess(
    name="Maven CRM",
    stages=[
        sf.Stage("Prospecting", 10),
        sf.Stage("Engaging", 50),
        sf.Stage("Won", 100, is_closed=True, is_won=True),
        sf.Stage("Lost", 0, is_closed=True),
    ],
)
AT = datetime(2017, 6, 30, tzinfo=timezone.utc)


def _maven_like() -> pl.DataFrame:
    """Maven's shape: a stage, an engage date, a value; no close date, contacts nor activities."""
    return pl.DataFrame(
        {
            "opportunity_id": ["a", "b", "c", "d", "e"],
            "sales_agent": ["x", "x", "y", "y", "y"],
            "deal_stage": ["Prospecting", "Engaging", "Engaging", "Won", "Lost"],
            "close_value": [None, None, None, Decimal("100.00"), Decimal("0.00")],
        }
    )


def _tables() -> Frames:
    return Frames(_maven_like(), columns=sf.Columns.maven(), process=MAVEN, currency="USD")


def test_a_gap_reads_as_a_sentence_and_only_some_kinds_make_a_result_partial() -> None:
    assert str(Gap("left_out", "open deals", "no history", rows=1500)) == (
        "Left out 1,500 open deals: no history."
    )
    assert not Coverage((Gap("not_checked", "flag stale", "no process"),)).complete
    assert Coverage((Gap("assumed", "deals", "timed by a default"),)).complete
    assert Coverage((Gap("no_data", "funnel", "nothing"),)).empty


def test_at_risk_without_close_dates_contacts_or_activities_flags_nothing_it_cannot_see() -> None:
    result = at_risk(_tables(), as_of=AT)
    assert len(result) == 3  # the open deals
    assert [row["flags"] for row in result.rows()] == [0, 0, 0]
    notes = " ".join(result.coverage.notes())
    for flag in ("past_close_date", "no_activity", "no_primary_contact", "stale"):
        assert f"flag {flag}" in notes
    assert not result.coverage.complete


def test_at_risk_from_objects_without_any_contact_role_does_not_claim_none_is_primary() -> None:
    opps = [MAVEN.open(name=n, close_date=date(2026, 1, 1), id=n, at=AT) for n in ("p", "q", "r")]
    result = at_risk(frames(opps, process=MAVEN), as_of=AT)
    assert all(not row["no_primary_contact"] for row in result.rows())
    (gap,) = [g for g in result.coverage.gaps if g.what == "flag no_primary_contact"]
    assert (gap.kind, gap.rows) == ("not_checked", 3)
    assert any("no_activity" in note and "empty" in note for note in result.coverage.notes())


def test_at_risk_still_flags_a_deal_without_a_primary_when_others_record_theirs() -> None:
    opps = [MAVEN.open(name=n, close_date=date(2026, 1, 1), id=n, at=AT) for n in ("p", "q")]
    opps[0].add_contact_role("c-1", role=sf.Role.DECISION_MAKER, primary=True)
    result = at_risk(frames(opps, process=MAVEN), as_of=AT)
    assert {r["id"]: r["no_primary_contact"] for r in result.rows()} == {"p": False, "q": True}
    assert not [g for g in result.coverage.gaps if g.what == "flag no_primary_contact"]


def test_at_risk_with_no_open_deal_says_it_rests_on_no_data() -> None:
    frame = _maven_like().filter(pl.col("deal_stage").is_in(["Won", "Lost"]))
    tables = Frames(frame, columns=sf.Columns.maven(), process=MAVEN, currency="USD")
    result = at_risk(tables, as_of=AT)
    assert len(result) == 0 and result.coverage.empty


def test_the_funnel_counts_each_deal_in_its_current_stage_without_history() -> None:
    result = funnel(_tables())
    assert [result.reached(s) for s in ("Prospecting", "Engaging", "Won")] == [4, 3, 1]
    assert result.policies["current"] == "reached"


def test_the_funnel_counts_the_current_stage_a_history_does_not_show() -> None:
    start = datetime(2026, 1, 5, tzinfo=timezone.utc)
    opp = MAVEN.open(name="d", close_date=date(2026, 3, 1), id="d", at=start)
    tables = frames([opp], process=MAVEN)
    snapshot = tables.snapshot.with_columns(
        pl.lit("Won").alias("stage"), pl.lit(True).alias("is_closed"), pl.lit(True).alias("is_won")
    )
    tables = Frames(snapshot, tables.history, process=MAVEN)
    assert funnel(tables).reached("Won") == 1 == win_rate(tables).rows()[0]["won"]
    assert funnel(tables, current="history_only").reached("Won") == 0


@given(seed=st.integers(0, 10_000), n=st.integers(1, 40))
def test_the_funnels_won_step_agrees_with_the_win_rate(seed: int, n: int) -> None:
    process = sf.presets.trailhead_simple()
    data = sf.datasets.synthetic(process, n, seed=seed)
    tables = frames(data.opportunities, process=process)
    won = win_rate(tables).rows()[0]["won"]
    last = [s.name for s in process.stages if s.is_won][-1]
    assert funnel(tables, backward="retract").reached(last) == won
    assert funnel(tables).reached(last) >= won


def test_an_unknown_funnel_policy_is_refused() -> None:
    with pytest.raises(sf.ValidationError, match="current='sometimes'"):
        funnel(_tables(), current="sometimes")  # type: ignore[arg-type]
