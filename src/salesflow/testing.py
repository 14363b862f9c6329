"""Property-test your own sales processes with Hypothesis (``pip install 'salesflow[testing]'``).

The properties salesflow checks of its own engine, offered for the processes
you write and the custom gate checks you register:

>>> import salesflow as sf
>>> from salesflow.testing import check_process
>>> check_process(sf.presets.hubspot_default(), max_examples=20)

:func:`check_process` replays random move streams through
:meth:`~salesflow.SalesProcess.move`, the python-statemachine machine and
:meth:`~salesflow.SalesProcess.replay`, and fails (with the smallest stream it
finds) if they disagree, if an invariant breaks, or if a registered check raises.
:func:`move_streams` is the strategy behind it, for properties of your own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesflow.engine.change import Move
from salesflow.engine.machine import OpportunityMachine
from salesflow.errors import StageTransitionError, UnknownStageError
from salesflow.ids import OpportunityId
from salesflow.money import Money
from salesflow.opportunity import Opportunity, opening_name
from salesflow.probability import ProbabilitySource
from salesflow.process import SalesProcess

__all__ = ["check_process", "move_streams"]

_START = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
_DATES = st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31))


def move_streams(
    process: SalesProcess,
    *,
    opportunity_ids: Sequence[str] = ("o1", "o2"),
    max_moves: int = 8,
    amounts: st.SearchStrategy[Money] | None = None,
    targets: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[list[Move]]:
    """Random streams of moves for a few opportunities, interleaved, in time order per opportunity.

    Each opportunity starts with a move that opens it (with a close date), then
    up to ``max_moves`` moves to random stages of ``process``, some carrying a
    new amount or close date.

    Args:
        process: The process whose stages the moves go to.
        opportunity_ids: The opportunities' ids.
        max_moves: The most moves per opportunity after the opening one.
        amounts: Amounts the moves may carry (default: a few in the process's
            currency, or USD).
        targets: The stages the moves after the opening one go to (default:
            the process's stages; add names it lacks to test refusals).
    """
    currency = process.settings.currency or "USD"
    money = amounts
    if money is None:
        money = st.sampled_from(["100", "500", "2500.00", "10000"]).map(
            lambda value: Money(value, currency)
        )
    stages = st.sampled_from(process.stage_names)
    later = stages if targets is None else targets

    @st.composite
    def stream(draw: st.DrawFn, name: str) -> list[Move]:
        oid = OpportunityId(name)
        when = _START
        moves = [
            Move(oid, when, draw(stages), amount=draw(st.none() | money), close_date=draw(_DATES))
        ]
        for _ in range(draw(st.integers(0, max_moves))):
            when += draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)))
            moves.append(
                Move(
                    oid,
                    when,
                    draw(later),
                    amount=draw(st.none() | money),
                    close_date=draw(st.none() | _DATES),
                    by=draw(st.none() | st.sampled_from(["rep-1", "rep-2"])),
                )
            )
        return moves

    @st.composite
    def interleaved(draw: st.DrawFn) -> list[Move]:
        pending = [draw(stream(oid)) for oid in opportunity_ids]
        merged: list[Move] = []
        while any(pending):
            queue = draw(st.sampled_from([q for q in pending if q]))
            merged.append(queue.pop(0))
        return merged

    return interleaved()


def _open(process: SalesProcess, move: Move) -> Opportunity:
    """Open an opportunity as replay does on its first move."""
    assert move.close_date is not None, "an opening move carries a close date"
    return process.open(
        name=opening_name(move.opportunity_id),
        id=move.opportunity_id,
        close_date=move.close_date,
        stage=move.to_stage,
        amount=move.amount,
        at=move.at,
        by=move.by,
    )


def _by_move(
    process: SalesProcess, stream: Sequence[Move]
) -> tuple[dict[str, Opportunity], list[bool]]:
    opportunities: dict[str, Opportunity] = {}
    accepted: list[bool] = []
    for move in stream:
        opp = opportunities.get(move.opportunity_id)
        if opp is None:
            opportunities[move.opportunity_id] = _open(process, move)
            accepted.append(True)
            continue
        before = (opp.stage, opp.history)
        try:
            process.move(
                opp,
                move.to_stage,
                at=move.at,
                by=move.by,
                amount=move.amount,
                close_date=move.close_date,
            )
        except (StageTransitionError, UnknownStageError):
            assert (opp.stage, opp.history) == before, "a refused move changed the opportunity"
            accepted.append(False)
            continue
        _check_invariants(process, opp)
        accepted.append(True)
    return opportunities, accepted


def _check_invariants(process: SalesProcess, opp: Opportunity) -> None:
    stage = process.stage(opp.stage)
    assert (opp.is_closed, opp.is_won, opp.forecast_category) == (
        stage.is_closed,
        stage.is_won,
        stage.forecast_category,
    ), f"{opp.stage!r}: flags or forecast category do not follow the stage"
    if opp.probability_source is ProbabilitySource.STAGE:
        assert opp.probability == stage.probability, f"{opp.stage!r}: not the stage's probability"
    last = opp.history[-1]
    assert (last.stage, last.amount, last.probability, last.close_date) == (
        opp.stage,
        opp.amount,
        opp.probability,
        opp.close_date,
    ), "the last history entry does not match the opportunity"


def _by_machine(
    process: SalesProcess, stream: Sequence[Move]
) -> tuple[dict[str, Opportunity], list[bool]]:
    machines: dict[str, OpportunityMachine] = {}
    accepted: list[bool] = []
    for move in stream:
        machine = machines.get(move.opportunity_id)
        if machine is None:
            machines[move.opportunity_id] = process.machine(_open(process, move))
            accepted.append(True)
            continue
        try:
            machine.move_to(
                move.to_stage,
                at=move.at,
                by=move.by,
                amount=move.amount,
                close_date=move.close_date,
            )
            accepted.append(True)
        except (StageTransitionError, UnknownStageError):
            accepted.append(False)
    return {oid: m.opportunity for oid, m in machines.items()}, accepted


def check_process(process: SalesProcess, *, max_examples: int = 100) -> None:
    """Property-test ``process`` and its registered checks on random move streams.

    For every stream: ``move()``, the machine and ``replay()`` accept and
    refuse the same moves and end with equal opportunities; a refused move
    changes nothing; after every move the stage's flags, forecast category and
    (unless set by hand) probability hold and the last history entry matches
    the opportunity; a registered check that raises fails the property.

    Args:
        process: The process to test, with its custom checks registered.
        max_examples: How many streams to try.

    Raises:
        AssertionError: A property failed; the message shows the smallest
            stream Hypothesis found.
    """

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(move_streams(process))
    def agree(stream: list[Move]) -> None:
        by_move, accepted = _by_move(process, stream)
        by_machine, accepted_by_machine = _by_machine(process, stream)
        result = process.replay(stream)
        broken = [
            reason
            for refusal in result.refused
            for reason in refusal.reasons
            if ": the check failed (" in reason or ": the check returned " in reason
        ]
        assert not broken, f"a registered check is broken: {broken[0]}"
        refused = {r.position for r in result.refused}
        accepted_by_replay = [i not in refused for i in range(len(stream))]
        assert accepted == accepted_by_machine == accepted_by_replay, (
            f"accepted by move(): {accepted}, by the machine: {accepted_by_machine}, "
            f"by replay(): {accepted_by_replay}"
        )
        assert by_move == by_machine == dict(result.opportunities), (
            "the final opportunities differ"
        )

    agree()
