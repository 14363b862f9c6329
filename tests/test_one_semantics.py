"""One semantics: replay() equals move() from any opportunity from_dict accepts; check_move() is move()."""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from datetime import date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from tests.strategies import AWARE, DATES, NAMES, PRESETS, money, opportunities, processes

T0 = datetime(2026, 1, 5, tzinfo=timezone.utc)
DAY = date(2026, 12, 1)
LOST_REASONS = st.none() | st.sampled_from(["Price", "Timing", "No decision"])


@st.composite
def loaded_opportunities(draw: st.DrawFn, process: sf.SalesProcess) -> sf.Opportunity:
    """Any opportunity from_dict accepts for ``process``: stage-derived fields need not agree."""
    opp = draw(opportunities(process))
    if not draw(st.booleans()):
        return opp
    is_won = draw(st.booleans())
    is_closed = is_won or draw(st.booleans())
    data = sf.to_dict(opp)
    data.update(
        forecast_category=draw(st.sampled_from(list(sf.ForecastCategory))).value,
        probability=str(draw(st.integers(0, 100))),
        probability_source=draw(st.sampled_from(list(sf.ProbabilitySource))).value,
        is_won=is_won,
        is_closed=is_closed,
        closed_on=draw(st.none() | DATES.map(date.isoformat)) if is_closed else None,
        lost_reason=draw(LOST_REASONS) if is_closed and not is_won else None,
        competitor=draw(st.none() | NAMES) if is_closed else None,
        last_stage_change_at=draw(st.none() | AWARE.map(datetime.isoformat)),
        push_count=draw(st.integers(0, 5)),
    )
    return sf.from_dict(data, sf.Opportunity)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[sf.SalesProcess, sf.Opportunity, list[sf.Move]]:
    process = draw(PRESETS | processes())
    opp = draw(loaded_opportunities(process))
    currency = opp.amount.currency if opp.amount is not None else "USD"
    when = draw(AWARE)
    moves = []
    for _ in range(draw(st.integers(1, 8))):
        # Zero steps on purpose: leave and return at the same instant.
        when += draw(st.sampled_from([timedelta(0), timedelta(hours=1), timedelta(days=40)]))
        moves.append(
            sf.Move(
                opp.id,
                when,
                draw(st.sampled_from(process.stage_names)),
                amount=draw(st.none() | money(st.just(currency))),
                close_date=draw(st.none() | DATES),
                by=draw(st.none() | st.just("rep-1")),
                lost_reason=draw(
                    st.none() | st.sampled_from(process.settings.lost_reasons or ["Price"])
                ),
                competitor=draw(st.none() | st.just("Acme")),
            )
        )
    return process, opp, moves


def _copy(opp: sf.Opportunity) -> sf.Opportunity:
    return sf.loads(sf.dumps(opp), sf.Opportunity)


def _arguments(move: sf.Move) -> dict[str, Any]:
    return {
        "amount": move.amount,
        "close_date": move.close_date,
        "lost_reason": move.lost_reason,
        "competitor": move.competitor,
    }


@given(scenarios())
def test_replay_equals_move_from_any_loadable_opportunity(
    scenario: tuple[sf.SalesProcess, sf.Opportunity, list[sf.Move]],
) -> None:
    process, opp, moves = scenario
    by_move = _copy(opp)
    accepted = []
    for move in moves:
        predicted = process.check_move(by_move, move.to_stage, **_arguments(move))
        try:
            process.move(by_move, move.to_stage, at=move.at, by=move.by, **_arguments(move))
        except sf.StageTransitionError as exc:
            assert predicted == list(exc.reasons)
            accepted.append(False)
        else:
            assert predicted == []
            accepted.append(True)
    result = process.replay(moves, opportunities=[_copy(opp)])
    refused = {r.position for r in result.refused}
    assert accepted == [i not in refused for i in range(len(moves))]
    assert result.opportunities[opp.id] == by_move
    assert sf.loads(sf.dumps(result.opportunities[opp.id]), sf.Opportunity) == by_move


GARBAGE = [None, 5, "", " ", "\ud800", 1.5, b"x", sf.Money("1", "USD"), DAY]


@pytest.mark.parametrize("key", ["amount", "close_date", "lost_reason", "competitor", "to_stage"])
@pytest.mark.parametrize("value", GARBAGE, ids=repr)
def test_check_move_answers_exactly_what_move_does(key: str, value: object) -> None:
    process = sf.presets.salesforce_standard()
    opp = process.open(name="Deal", close_date=DAY, at=T0)
    arguments: dict[str, Any] = {"to_stage": "Closed Lost"}
    arguments[key] = value
    to_stage = arguments.pop("to_stage")
    try:
        predicted: object = process.check_move(opp, to_stage, **arguments)
    except sf.SalesflowError as exc:
        predicted = type(exc)
    before = sf.dumps(opp)
    try:
        process.move(opp, to_stage, at=T0, **arguments)
    except sf.StageTransitionError as exc:
        assert predicted == list(exc.reasons)
        assert sf.dumps(opp) == before
    except sf.UnknownStageError as exc:  # check_move() gives the same words as a reason
        assert isinstance(predicted, list) and f"has no stage {exc.stage!r}" in predicted[0]
        assert sf.dumps(opp) == before
    except sf.SalesflowError as exc:
        assert predicted is type(exc)
        assert sf.dumps(opp) == before
    else:
        assert predicted == []


def test_two_given_opportunities_with_one_id_are_an_error() -> None:
    process = sf.presets.salesforce_standard()
    a = process.open(name="A", close_date=DAY, id="same", at=T0)
    b = process.open(name="B", close_date=DAY, id="same", at=T0)
    with pytest.raises(sf.ValidationError, match=r"given twice \(also at \[0\]\) @ \$\[1\]\.id"):
        process.replay([], opportunities=[a, b])


@pytest.mark.parametrize("oid", [" " * 130 + "x", "x" + " " * 200, "  padded  "])
def test_replay_opens_only_opportunities_that_load(oid: str) -> None:
    process = sf.presets.salesforce_standard()
    result = process.replay([sf.Move(oid, T0, "Prospecting", close_date=DAY)])
    opp = result.opportunities[sf.OpportunityId(oid)]
    assert opp.name == oid.strip()[: sf.opportunity.MAX_NAME_LENGTH]
    assert sf.loads(sf.dumps(opp), sf.Opportunity) == opp


# ------------------------------------------------------------------ threads


def test_concurrent_moves_of_one_opportunity_take_turns() -> None:
    standard = sf.presets.salesforce_standard()
    base = attrs.evolve(standard, settings=attrs.evolve(standard.settings, allow_reopen=False))
    # A gate check that takes a moment (as one that looks something up would)
    # lets other threads run between a move's check and its change.
    gate = sf.StageGate(checks=("slow",))
    process = attrs.evolve(base, stages=[attrs.evolve(s, gate=gate) for s in base.stages])
    process.register_check("slow", lambda _: time.sleep(0.0002))
    opp = process.open(name="Deal", close_date=DAY, at=T0, amount=sf.Money("1", "USD"))
    stages = [*process.stage_names[:8], "Closed Won"]
    barrier = threading.Barrier(6)

    def worker(seed: int) -> None:
        barrier.wait()
        for i in range(60):
            stage = stages[(seed * 7 + i) % len(stages)]
            with contextlib.suppress(sf.StageTransitionError):
                process.move(
                    opp,
                    stage,
                    at=T0 + timedelta(seconds=i),
                    amount=sf.Money(str(i % 5 + 1), "USD"),
                    close_date=DAY + timedelta(days=31 * ((seed + i) % 3)),
                )

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = opp.history
    won_at = next((i for i, e in enumerate(entries) if e.stage == "Closed Won"), None)
    if won_at is not None:
        assert all(e.stage == "Closed Won" for e in entries[won_at:]), "a won deal was reopened"
    pushes = sum(
        (b.close_date.year, b.close_date.month) > (a.close_date.year, a.close_date.month)
        for a, b in itertools.pairwise(entries)
    )
    assert opp.push_count == pushes
    for a, b in itertools.pairwise(entries):
        assert (b.previous_amount, b.previous_close_date) == (a.amount, a.close_date)
    last = entries[-1]
    assert (last.stage, last.amount, last.close_date) == (opp.stage, opp.amount, opp.close_date)


def test_an_opportunity_stays_plain_data_that_pickles_and_copies() -> None:
    import copy
    import pickle

    opp = sf.presets.salesforce_standard().open(name="Deal", close_date=DAY, at=T0)
    assert pickle.loads(pickle.dumps(opp)) == opp
    assert copy.deepcopy(opp) == opp
    assert attrs.evolve(opp) == opp
