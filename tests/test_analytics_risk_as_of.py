"""at_risk as of a past date: rebuilt from history, or refused, never today's snapshot judged."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import salesflow as sf
from salesflow.testing import move_streams

pytest.importorskip("narwhals")
pytest.importorskip("polars")

from salesflow.analytics import Frames, at_risk, examples, frames

PROCESS = examples.process()
FEB_10 = date(2026, 2, 10)
OBJECT_ONLY = ("has_primary_contact", "next_gate_met")


@pytest.fixture(scope="module")
def tables() -> Frames:
    return frames(examples.opportunities(), examples.activities(), process=PROCESS)


def test_a_past_date_rebuilds_each_deal_from_history(tables: Frames) -> None:
    risk = at_risk(tables, as_of=FEB_10)
    # today C is won, D lost and B in Proposal; on 10 February C had just been won
    # (09:00 that day), D was in Qualification and B in Value Proposition
    assert {r["id"]: r["stage"] for r in risk.rows()} == {
        "A": "Needs Analysis",
        "B": "Value Proposition",
        "D": "Qualification",
        "E": "Prospecting",
    }
    assert risk.policies["rebuilt_from_history"] is True
    assert {"no_primary_contact", "gate_not_met"} <= set(risk.policies["skipped"])
    assert risk.reasons("A") == [
        "no activity logged in 36 days",
        "amount changed by 50 % in one step",
    ]


def test_stale_and_pushes_are_counted_up_to_the_past_date(tables: Frames) -> None:
    # B entered Value Proposition on 20 January (rot after 30 days) and was pushed on 20 February
    march = at_risk(tables, as_of=date(2026, 3, 1))
    assert "no stage change in 40 days (rots after 30)" in march.reasons("B")
    # E's three pushes came on 10, 20 and 25 March
    assert "close date pushed 3 times" not in at_risk(tables, as_of=date(2026, 3, 21)).reasons("E")
    assert "close date pushed 3 times" in at_risk(tables, as_of=date(2026, 3, 26)).reasons("E")


def test_a_date_after_every_change_reads_the_snapshot(tables: Frames) -> None:
    risk = at_risk(tables, as_of=date(2026, 3, 31))
    assert risk.policies["rebuilt_from_history"] is False
    assert risk.policies["skipped"] == []


def test_a_snapshot_later_than_the_date_without_history_is_refused(tables: Frames) -> None:
    with pytest.raises(sf.ValidationError, match="later than as_of 2026-02-10") as caught:
        at_risk(tables.snapshot, as_of=FEB_10)
    assert "give the history table" in str(caught.value)
    assert caught.value.problems[0].path == "$.as_of"


def test_a_rebuild_without_the_process_says_what_to_pass(tables: Frames) -> None:
    bare = Frames(tables.snapshot, tables.history, tables.activities)
    with pytest.raises(
        sf.ValidationError,
        match=r"rebuild the deals as of 2026-02-10 from the history, and no process was given: pass process=SalesProcess",
    ) as caught:
        at_risk(bare, as_of=FEB_10)
    assert caught.value.problems[0].path == "$.process"


def test_a_history_alone_is_rebuilt(tables: Frames) -> None:
    alone = Frames(history=tables.history, process=PROCESS)
    assert {r["id"] for r in at_risk(alone, as_of=FEB_10).rows()} == {"A", "B", "D", "E"}


# ------------------------------------------------------------------ property

START = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
STREAMS = move_streams(PROCESS, opportunity_ids=("o1", "o2", "o3"), max_moves=5)


@settings(max_examples=30)
@given(moves=STREAMS, days=st.integers(0, 150))
def test_at_risk_rebuilt_from_history_equals_the_deals_replayed_up_to_that_date(
    moves: list[sf.Move], days: int
) -> None:
    moment = START + timedelta(days=days)
    everything = _without_object_facts(PROCESS.replay(moves))
    # the deals as they were at `moment`, replayed from the moves made by then:
    # nothing in them is later, so their own snapshot is read as it is
    then = _without_object_facts(PROCESS.replay([m for m in moves if m.at <= moment]))
    rebuilt = at_risk(everything, as_of=moment)
    replayed = at_risk(then, as_of=moment)
    assert not replayed.policies["rebuilt_from_history"]
    assert rebuilt.rows() == replayed.rows()
    assert rebuilt.policies["skipped"] == replayed.policies["skipped"]


def _without_object_facts(replay: sf.ReplayResult) -> Frames:
    """The replayed deals' tables without the contact and gate columns (not in history)."""
    t = frames(list(replay.opportunities.values()), process=PROCESS)
    return Frames(t.snapshot.drop(OBJECT_ONLY), t.history, t.activities, process=PROCESS)
