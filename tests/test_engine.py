"""The stage engine: rules, moves, gates, machines and replay agree with each other."""

from __future__ import annotations

import asyncio
import copy
from datetime import date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given, note
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import salesflow as sf
from salesflow.testing import _by_machine, _by_move
from tests.strategies import AMOUNTS, DATES, PROBABILITIES, engine_processes, move_streams

T0 = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
DAY = date(2026, 12, 15)


def _snapshot(opp: sf.Opportunity) -> dict[str, object]:
    return {a.name: copy.deepcopy(getattr(opp, a.name)) for a in attrs.fields(sf.Opportunity)}


def expected_allowed(process: sf.SalesProcess, source: str, target: str) -> bool:
    """An independent statement of the documented rules (the oracle for the properties)."""
    s, here, there = process.settings, process.stage(source), process.stage(target)
    if source == target:
        return False
    if here.is_closed:
        return s.allow_reopen and (here.transitions is None or target in here.transitions)
    if there.is_closed and s.close_from_any_stage:
        return True
    if here.transitions is not None:
        return target in here.transitions
    if s.policy is sf.TransitionPolicy.EXPLICIT:
        return False
    names = process.stage_names
    a, b = names.index(source), names.index(target)
    between = [n for n in names[min(a, b) + 1 : max(a, b)] if process.stage(n).is_open]
    if b < a and (s.policy is sf.TransitionPolicy.FORWARD_ONLY or not s.allow_backward):
        return False
    if between and s.policy is sf.TransitionPolicy.ADJACENT_ONLY:
        return False
    return not (between and b > a and not s.allow_skip)


# ------------------------------------------------------------------ examples


def test_the_engine_snippet_runs_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    process = sf.presets.salesforce_standard()
    opp = process.open(
        name="Deal",
        amount=sf.Money("1000", "USD"),
        close_date=datetime(2026, 12, 1).date(),  # noqa: DTZ001 - as in the issue
        stage="Prospecting",
    )
    change = process.move(
        opp, "Proposal/Price Quote", at=datetime(2026, 11, 3, 9, tzinfo=timezone.utc), by="rep-7"
    )
    assert opp.stage == "Proposal/Price Quote" and opp.probability == 75
    assert change.from_stage == "Prospecting" and opp.history[-1].stage == "Proposal/Price Quote"
    process.move(opp, "Closed Won")
    assert opp.is_closed and opp.is_won and opp.probability == 100
    # Salesforce (and so its preset) lets a user reopen a closed deal; a process
    # with reopening off (an admin's validation rule) refuses.
    strict = attrs.evolve(process, settings=attrs.evolve(process.settings, allow_reopen=False))
    try:
        strict.move(opp, "Prospecting")
    except sf.StageTransitionError as exc:
        print(exc)
    assert opp.stage == "Closed Won"
    assert "'Closed Won' is closed and reopening is off" in capsys.readouterr().out
    process.move(opp, "Prospecting")
    assert opp.stage == "Prospecting" and opp.closed_on is None
    assert [e.stage for e in opp.history][-2:] == ["Closed Won", "Prospecting"]


def test_a_stage_change_resets_a_manual_probability() -> None:
    process = sf.presets.salesforce_standard()
    opp = process.open(name="Deal", close_date=DAY, at=T0)
    opp.set_probability(42, at=T0)
    process.move(opp, "Needs Analysis", at=T0)
    assert opp.probability == 20 and opp.probability_source is sf.ProbabilitySource.STAGE
    assert opp.last_stage_change_at == T0


def test_odoo_classic_follows_odoo_12_and_resets_a_manual_probability() -> None:
    # Odoo 12, the release whose stage probabilities the preset has, set the
    # probability from the new stage on every stage change.
    process = sf.presets.odoo_classic()
    opp = process.open(name="Lead", close_date=DAY, at=T0)
    opp.set_probability(42, at=T0)
    process.move(opp, "Qualified", at=T0)
    assert opp.probability == 30 and opp.probability_source is sf.ProbabilitySource.STAGE


def test_an_odoo_style_process_keeps_a_manual_probability_until_closing() -> None:
    base = sf.presets.odoo_classic()
    process = attrs.evolve(
        base, settings=attrs.evolve(base.settings, keep_manual_probability=True)
    )
    opp = process.open(name="Lead", close_date=DAY, at=T0)
    opp.set_probability(42, at=T0)
    process.move(opp, "Qualified", at=T0)
    assert opp.probability == 42 and opp.probability_source is sf.ProbabilitySource.MANUAL
    replayed = process.replay([sf.Move(opp.id, T0, "Proposition")], opportunities=[opp])
    process.move(opp, "Proposition", at=T0)
    assert replayed.opportunities[opp.id] == opp and opp.probability == 42
    process.move(opp, "Won", at=T0)
    assert opp.probability == 100 and opp.probability_source is sf.ProbabilitySource.STAGE


def test_a_move_can_change_amount_and_close_date_in_one_history_entry() -> None:
    process = sf.presets.salesforce_standard()
    opp = process.open(name="Deal", close_date=DAY, amount=sf.Money("10", "USD"), at=T0)
    process.move(
        opp, "Qualification", at=T0, amount=sf.Money("20", "USD"), close_date=date(2027, 1, 5)
    )
    entry = opp.history[-1]
    assert len(opp.history) == 2
    assert (entry.stage, entry.amount, entry.previous_amount) == (
        "Qualification",
        sf.Money("20", "USD"),
        sf.Money("10", "USD"),
    )
    assert opp.push_count == 1


def test_hubspot_default_allows_any_move_like_hubspots_default_pipeline() -> None:
    process = sf.presets.hubspot_default()
    opp = process.open(name="Deal", close_date=DAY, stage="Qualified to buy")
    assert process.allowed_moves(opp) == [n for n in process.stage_names if n != opp.stage]


def test_strict_hubspot_forbids_skipping_and_moving_back_but_allows_closing() -> None:
    # HubSpot's opt-in pipeline rules (Sales Hub Professional and Enterprise).
    process = sf.presets.hubspot_default(strict=True)
    opp = process.open(name="Deal", close_date=DAY, stage="Qualified to buy")
    assert process.allowed_moves(opp) == ["Presentation scheduled", "Closed won", "Closed lost"]
    assert process.check_move(opp, "Appointment scheduled") == ["moving backward is off"]
    with pytest.raises(sf.StageTransitionError, match="skipping stages is off") as info:
        process.move(opp, "Contract sent")
    assert info.value.from_stage == "Qualified to buy" and info.value.to_stage == "Contract sent"


def test_salesforce_allows_any_move_between_open_stages_and_closing() -> None:
    process = sf.presets.salesforce_standard()
    opp = process.open(name="Deal", close_date=DAY, stage="Negotiation/Review")
    assert process.allowed_moves(opp) == [
        n for n in process.stage_names if n != "Negotiation/Review"
    ]


def test_moving_to_an_unknown_stage_or_from_a_foreign_stage_is_refused() -> None:
    process = sf.presets.salesforce_standard()
    opp = process.open(name="Deal", close_date=DAY)
    # An unknown name is an UnknownStageError (as process.stage() raises), not
    # a transition error, and it suggests the closest stage.
    with pytest.raises(sf.UnknownStageError, match="has no stage 'Nowhere'; its stages are"):
        process.move(opp, "Nowhere")
    with pytest.raises(sf.UnknownStageError, match="did you mean 'Qualification'"):
        process.move(opp, "Qualifcation")
    with pytest.raises(sf.UnknownStageError, match="did you mean 'Closed Won'"):
        process.machine(opp).move_to("closed won")
    assert process.check_move(opp, "Qualifcation") == [
        "the process 'Salesforce standard' has no stage 'Qualifcation'; "
        "did you mean 'Qualification'?"
    ]
    assert opp.stage == "Prospecting" and len(opp.history) == 1
    other = sf.presets.odoo_classic().open(name="Deal", close_date=DAY)
    with pytest.raises(sf.StageTransitionError, match="its stage 'New' is not in the process"):
        process.move(other, "Closed Won")


def test_reopening_when_the_process_allows_it() -> None:
    base = sf.presets.salesforce_standard()
    process = attrs.evolve(base, settings=attrs.evolve(base.settings, allow_reopen=True))
    opp = process.open(name="Deal", close_date=DAY, stage="Closed Lost")
    process.move(opp, "Qualification")
    assert opp.is_open and opp.probability == 10


def test_invalid_rules_are_reported_all_at_once() -> None:
    with pytest.raises(sf.ValidationError) as info:
        sf.SalesProcess(
            name="Bad",
            settings=sf.ProcessSettings(
                policy=sf.TransitionPolicy.EXPLICIT, close_from_any_stage=False
            ),
            stages=[
                sf.Stage("A", 10, transitions=["B", "Ghost"]),
                sf.Stage("B", 20, transitions=["B"]),
                sf.Stage("C", 30, transitions=["W"]),
                sf.Stage("W", 100, is_closed=True, is_won=True),
            ],
        )
    assert info.value.messages == [
        "unknown stage 'Ghost' in the moves of 'A' @ $.stages[0].transitions[1]",
        "'B' lists a move to itself @ $.stages[1].transitions[0]",
        "open stage 'B' has no way out @ $.stages[1]",
        "no stage can move to 'C' @ $.stages[2]",
    ]


def test_moves_listed_on_a_closed_stage_need_reopening() -> None:
    with pytest.raises(
        sf.ValidationError, match="closed stage 'W' lists moves, but reopening is off"
    ):
        sf.SalesProcess(
            name="P",
            stages=[
                sf.Stage("A", 10),
                sf.Stage("W", 100, is_closed=True, is_won=True, transitions=["A"]),
            ],
        )


def test_a_missing_amount_is_reported_once_when_a_gate_also_sets_a_minimum() -> None:
    gate = sf.StageGate(required_fields=["amount"], min_amount=sf.Money("1", "USD"))
    opp = sf.presets.salesforce_standard().open(name="D", close_date=DAY)
    assert gate.unmet(opp, {}) == ["amount is required"]


def test_mermaid_draws_stages_moves_and_outcomes() -> None:
    text = sf.presets.hubspot_default(strict=True).to_mermaid()
    assert text.startswith("stateDiagram-v2\n    [*] --> s0\n")
    assert '    state "Contract sent (90%)" as s4' in text
    assert "    s0 --> s1" in text and "    s0 --> s2" not in text
    assert "    class s5 won" in text and "    class s6 lost" in text


# ------------------------------------------------------------------ gates


def _gated() -> sf.SalesProcess:
    base = sf.presets.salesforce_standard()
    gate = sf.StageGate(
        required_fields=["amount", "next_step"],
        primary_contact=True,
        roles=[sf.Role.ECONOMIC_BUYER],
        min_amount=sf.Money("1000", "USD"),
        confirmed=["budget approved"],
        checks=["owner set", "missing check"],
    )
    stages = [
        attrs.evolve(s, gate=gate) if s.name == "Proposal/Price Quote" else s for s in base.stages
    ]
    process = attrs.evolve(base, stages=stages)
    process.register_check("owner set", lambda opp: None if opp.owner else "no owner")
    return process


def test_a_gate_lists_every_unmet_requirement() -> None:
    process = _gated()
    opp = process.open(name="Deal", close_date=DAY, amount=sf.Money("900", "USD"))
    before = _snapshot(opp)
    with pytest.raises(sf.StageGateError) as info:
        process.move(opp, "Proposal/Price Quote")
    assert list(info.value.reasons) == [
        "next_step is required",
        "a primary contact is required",
        "a contact in the role 'Economic Buyer' is required",
        "the amount 900 USD is below the minimum 1,000 USD",
        "'budget approved' must be confirmed",
        "owner set: no owner",
        "custom check 'missing check' is not registered on the process",
    ]
    assert isinstance(info.value, sf.StageTransitionError)
    assert _snapshot(opp) == before


def test_a_gate_passes_once_every_requirement_is_met() -> None:
    process = _gated()
    process.register_check("missing check", lambda opp: None)
    opp = process.open(name="Deal", close_date=DAY, amount=sf.Money("900", "USD"))
    opp.next_step = "Send quote"
    opp.owner = "rep-7"
    opp.add_contact_role("eb", role=sf.Role.ECONOMIC_BUYER, primary=True)
    opp.confirm_fact("budget approved")
    assert process.check_move(opp, "Proposal/Price Quote") == [
        "the amount 900 USD is below the minimum 1,000 USD"
    ]
    # The move's own amount counts.
    process.move(opp, "Proposal/Price Quote", amount=sf.Money("1000", "USD"))
    assert opp.stage == "Proposal/Price Quote"


def test_a_gate_in_another_currency_is_unmet_not_an_error() -> None:
    gate = sf.StageGate(min_amount=sf.Money("1000", "USD"))
    opp = sf.presets.salesforce_standard().open(
        name="D", close_date=DAY, amount=sf.Money("5000", "EUR")
    )
    assert gate.unmet(opp, {}) == ["the amount is in EUR; the minimum is 1,000 USD"]


def test_a_gate_may_require_only_known_fields() -> None:
    with pytest.raises(sf.ValidationError, match="unknown field 'colour'"):
        sf.StageGate(required_fields=["colour"])


def test_gates_round_trip_through_a_process_file(tmp_path: Any) -> None:
    process = _gated()
    path = tmp_path / "gated.yaml"
    process.to_file(path)
    assert sf.SalesProcess.from_file(path) == process


# ------------------------------------------------------------------ machines


class Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def after_transition(self, source: Any, target: Any) -> None:
        self.seen.append((source.value, target.value))


def test_the_machine_moves_with_the_same_rules_and_history() -> None:
    process = sf.presets.hubspot_default(strict=True)
    opp = process.open(name="Deal", close_date=DAY, at=T0)
    recorder = Recorder()
    sm = process.machine(opp, listeners=[recorder])
    change = sm.move_to("Qualified to buy", at=T0, by="rep-7")
    assert isinstance(change, sf.StageChange) and change.by == "rep-7"
    assert opp.stage == "Qualified to buy" == sm.current_state_value
    assert recorder.seen == [("Appointment scheduled", "Qualified to buy")]
    before = _snapshot(opp)
    with pytest.raises(sf.StageTransitionError, match="skipping stages is off"):
        sm.to_contract_sent()
    with pytest.raises(sf.UnknownStageError, match="has no stage 'Nowhere'"):
        sm.move_to("Nowhere")
    with pytest.raises(sf.StageTransitionError, match="'launch' is not an event of this machine"):
        sm.send("launch")
    assert _snapshot(opp) == before and recorder.seen == [
        ("Appointment scheduled", "Qualified to buy")
    ]


def test_the_machine_is_strict_and_lets_callback_errors_through() -> None:
    process = sf.presets.salesforce_standard()
    opp = process.open(name="Deal", close_date=DAY)

    class Boom:
        def after_transition(self) -> None:
            raise RuntimeError("listener failed")

    sm = process.machine(opp, listeners=[Boom()])
    assert type(sm).allow_event_without_transition is False
    assert type(sm).catch_errors_as_events is False
    with pytest.raises(RuntimeError, match="listener failed"):
        sm.move_to("Qualification")


def test_the_machine_checks_arguments_before_anything_changes() -> None:
    process = sf.presets.salesforce_standard()
    opp = process.open(name="Deal", close_date=DAY)
    sm = process.machine(opp)
    before = _snapshot(opp)
    with pytest.raises(sf.ValidationError, match="expected Money or None, got str"):
        sm.move_to("Qualification", amount="100")
    assert _snapshot(opp) == before and sm.current_state_value == "Prospecting"


def test_the_machine_class_is_generated_once_per_process() -> None:
    process = sf.presets.salesforce_standard()
    a = process.machine(process.open(name="A", close_date=DAY))
    b = process.machine(process.open(name="B", close_date=DAY))
    assert type(a) is type(b) and type(a).__name__ == "SalesforceStandardMachine"


def test_async_listeners_are_awaited() -> None:
    class AsyncRecorder:
        def __init__(self) -> None:
            self.seen: list[str] = []

        async def after_transition(self, target: Any) -> None:
            await asyncio.sleep(0)
            self.seen.append(target.value)

    process = sf.presets.salesforce_standard()
    opp = process.open(name="Deal", close_date=DAY)
    recorder = AsyncRecorder()

    async def main() -> None:
        sm = process.machine(opp, listeners=[recorder])
        await sm.activate_initial_state()
        await sm.send("to_needs_analysis")
        with pytest.raises(sf.StageTransitionError):
            await sm.send("to_needs_analysis")

    asyncio.run(main())
    assert recorder.seen == ["Needs Analysis"] and opp.stage == "Needs Analysis"


# ------------------------------------------------------------------ properties


@st.composite
def process_and_stream(
    draw: st.DrawFn, ids: tuple[str, ...] = ("o1",)
) -> tuple[sf.SalesProcess, list[sf.Move]]:
    process = draw(engine_processes())
    return process, draw(move_streams(process, ids))


@given(process_and_stream(("o1", "o2")))
def test_move_machine_and_replay_accept_the_same_moves_and_agree(
    case: tuple[sf.SalesProcess, list[sf.Move]],
) -> None:
    process, stream = case
    # The same helpers salesflow.testing.check_process uses (they also check invariants).
    by_move, accepted = _by_move(process, stream)
    by_machine, accepted_machine = _by_machine(process, stream)
    result = process.replay(stream)
    refused = {r.position for r in result.refused}
    accepted_replay = [i not in refused for i in range(len(stream))]
    note(f"accepted={accepted} machine={accepted_machine} replay={accepted_replay}")
    assert accepted == accepted_machine == accepted_replay
    assert by_move == by_machine == dict(result.opportunities)
    assert result.applied == sum(accepted)
    for opp in result.opportunities.values():  # replay's fast constructor builds valid objects
        assert sf.loads(sf.dumps(opp), sf.Opportunity) == opp


@given(process_and_stream(("o1",)))
def test_every_move_is_accepted_exactly_when_the_documented_rules_allow_it(
    case: tuple[sf.SalesProcess, list[sf.Move]],
) -> None:
    process, stream = case
    opp: sf.Opportunity | None = None
    for mv in stream:
        if opp is None:
            opp = process.open(
                name="o1", close_date=mv.close_date, stage=mv.to_stage, amount=mv.amount, at=mv.at
            )  # type: ignore[arg-type]
            continue
        before = _snapshot(opp)
        if mv.to_stage not in process:
            legal = False
        elif mv.to_stage == opp.stage:
            legal = (mv.amount is not None and mv.amount != opp.amount) or (
                mv.close_date is not None and mv.close_date != opp.close_date
            )
        else:
            legal = expected_allowed(process, opp.stage, mv.to_stage)
        reasons = process.check_move(opp, mv.to_stage, amount=mv.amount, close_date=mv.close_date)
        gate_reasons = (
            []
            if not legal or mv.to_stage == opp.stage
            else process.stage(mv.to_stage).gate.unmet(
                attrs.evolve(opp, amount=mv.amount or opp.amount), process.checks
            )
        )
        assert (not reasons) == (legal and not gate_reasons), (opp.stage, mv.to_stage, reasons)
        try:
            process.move(opp, mv.to_stage, at=mv.at, amount=mv.amount, close_date=mv.close_date)
        except sf.StageTransitionError as exc:
            assert list(exc.reasons) == reasons
            assert isinstance(exc, sf.StageGateError) == (legal and bool(gate_reasons))
            assert _snapshot(opp) == before
        except sf.UnknownStageError as exc:
            # check_move gives the same sentence as a reason; move raises it.
            assert mv.to_stage not in process and len(reasons) == 1
            assert reasons[0].startswith(f"the process {process.name!r} has no stage")
            assert exc.stage == mv.to_stage and _snapshot(opp) == before


@given(process_and_stream(("o1", "o2", "o3")))
def test_replaying_interleaved_streams_equals_replaying_each_alone(
    case: tuple[sf.SalesProcess, list[sf.Move]],
) -> None:
    process, stream = case
    together = process.replay(stream)
    for oid in ("o1", "o2", "o3"):
        own = [mv for mv in stream if mv.opportunity_id == oid]
        alone = process.replay(own)
        assert alone.opportunities[oid] == together.opportunities[oid]
        assert [r.move for r in alone.refused] == [
            r.move for r in together.refused if r.move.opportunity_id == oid
        ]
        assert [r.reasons for r in alone.refused] == [
            r.reasons for r in together.refused if r.move.opportunity_id == oid
        ]


@given(process_and_stream(("o1",)))
def test_replaying_an_opportunitys_own_history_reproduces_it(
    case: tuple[sf.SalesProcess, list[sf.Move]],
) -> None:
    process, stream = case
    original = process.replay(stream).opportunities["o1"]
    first, *rest = original.history
    again = [
        sf.Move(
            "o1",
            first.at,
            first.stage,
            amount=first.amount,
            close_date=first.close_date,
            by=first.by,
        )
    ]
    again += [
        sf.Move("o1", e.at, e.stage, amount=e.amount, close_date=e.close_date, by=e.by)
        for e in rest
    ]
    result = process.replay(again)
    assert result.refused == ()
    assert result.opportunities["o1"] == original


@given(process_and_stream(("o1", "o2")), st.data())
def test_replay_continues_from_given_opportunities_without_changing_them(
    case: tuple[sf.SalesProcess, list[sf.Move]], data: st.DataObject
) -> None:
    process, stream = case
    cut = data.draw(st.integers(0, len(stream)))
    first = process.replay(stream[:cut])
    snapshot = {k: _snapshot(v) for k, v in first.opportunities.items()}
    second = process.replay(stream[cut:], opportunities=first.opportunities)
    assert {k: _snapshot(v) for k, v in first.opportunities.items()} == snapshot
    assert dict(second.opportunities) == dict(process.replay(stream).opportunities)


def test_replay_from_opportunities_of_another_process_is_refused_up_front() -> None:
    odoo = sf.presets.odoo_classic().open(name="x", id="x", close_date=DAY)
    with pytest.raises(sf.ValidationError) as info:
        sf.presets.salesforce_standard().replay([], opportunities=iter([odoo]))
    assert info.value.messages == [
        "its stage 'New' is not in the process 'Salesforce standard' @ $['x'].stage"
    ]


def test_replay_continues_from_opportunities_given_as_any_iterable() -> None:
    process = sf.presets.salesforce_standard()
    opp = process.open(name="x", id="x", close_date=DAY, at=T0)
    result = process.replay([sf.Move("x", T0, "Closed Won")], opportunities=iter([opp]))
    assert result.opportunities["x"].is_won and not opp.is_won


def test_replay_refuses_with_reasons_and_never_drops_a_move() -> None:
    process = sf.presets.hubspot_default(strict=True)
    stream: list[Any] = [
        sf.Move("a", T0, "Closed won"),
        sf.Move("b", T0, "Appointment scheduled", close_date=DAY),
        sf.Move("b", T0, "Contract sent"),
        sf.Move("b", T0, "Nowhere"),
        sf.Move("b", T0, "Appointment scheduled"),
        ("b", T0, "Qualified to buy"),
    ]
    result = process.replay(stream)
    assert [(r.position, r.reasons[0][:40]) for r in result.refused] == [
        (0, "opportunity a is unknown, and the move c"),
        (2, "skipping stages is off (this skips 'Qual"),
        (3, "the process 'HubSpot strict' has no stag"),
        (4, "it is already in 'Appointment scheduled'"),
        (5, "expected a Move, got tuple"),
    ]
    assert result.applied == 1 and list(result.opportunities) == ["b"]
    assert repr(result) == "ReplayResult(1 opportunities, 1 moves applied, 5 refused)"


class EngineMachine(RuleBasedStateMachine):
    """Random processes and random moves: the engine's invariants always hold."""

    @initialize(process=engine_processes(), data=st.data())
    def open(self, process: sf.SalesProcess, data: st.DataObject) -> None:
        self.process = process
        self.now = T0
        self.opp = process.open(
            name="Deal",
            close_date=DAY,
            stage=data.draw(st.sampled_from(process.stage_names)),
            amount=data.draw(st.none() | AMOUNTS),
            at=T0,
        )
        self.manual = False
        self.history: tuple[sf.HistoryEntry, ...] = self.opp.history

    @rule(data=st.data(), amount=st.none() | AMOUNTS, close=st.none() | DATES)
    def move(self, data: st.DataObject, amount: sf.Money | None, close: date | None) -> None:
        target = data.draw(st.sampled_from([*self.process.stage_names, "Nowhere"]))
        self.now += timedelta(hours=1)
        before = _snapshot(self.opp)
        was_closed, source = self.opp.is_closed, self.opp.stage
        try:
            self.process.move(self.opp, target, at=self.now, amount=amount, close_date=close)
        except sf.StageTransitionError as exc:
            note(f"refused {source} -> {target}: {exc.reasons}")
            assert _snapshot(self.opp) == before
            return
        except sf.UnknownStageError:
            assert target == "Nowhere" and _snapshot(self.opp) == before
            return
        if target != source:
            assert not (was_closed and not self.process.settings.allow_reopen), (
                "a closed stage was left"
            )
            assert expected_allowed(self.process, source, target)
            keeps = self.process.settings.keep_manual_probability and self.opp.is_open
            self.manual = self.manual and keeps

    @rule(value=PROBABILITIES)
    def set_probability(self, value: Any) -> None:
        self.now += timedelta(hours=1)
        self.opp.set_probability(value, at=self.now)
        self.manual = True

    @precondition(lambda self: self.opp.amount is None)
    @rule(amount=AMOUNTS)
    def give_an_amount(self, amount: sf.Money) -> None:
        self.opp.change_amount(amount, at=self.now)

    @invariant()
    def the_stage_is_one_of_the_process_stages(self) -> None:
        assert self.opp.stage in self.process.stage_names

    @invariant()
    def probability_is_the_stage_default_unless_set_by_hand_since_the_last_move(self) -> None:
        stage = self.process.stage(self.opp.stage)
        if not self.manual:
            assert self.opp.probability == stage.probability
            assert self.opp.probability_source is sf.ProbabilitySource.STAGE
        assert (self.opp.is_closed, self.opp.is_won, self.opp.forecast_category) == (
            stage.is_closed,
            stage.is_won,
            stage.forecast_category,
        )

    @invariant()
    def history_is_append_only_and_its_last_entry_matches(self) -> None:
        assert self.opp.history[: len(self.history)] == self.history
        self.history = self.opp.history
        last = self.opp.history[-1]
        assert (last.stage, last.amount, last.probability, last.close_date) == (
            self.opp.stage,
            self.opp.amount,
            self.opp.probability,
            self.opp.close_date,
        )


TestEngineMachine = EngineMachine.TestCase


def test_registering_checks_refuses_blank_names_duplicates_and_non_callables() -> None:
    process = sf.presets.salesforce_standard()
    process.register_check("owner", lambda opp: None)
    with pytest.raises(sf.ValidationError, match="already registered; pass replace=True"):
        process.register_check("owner", lambda opp: "no")
    process.register_check("owner", lambda opp: "no", replace=True)
    with pytest.raises(sf.ValidationError, match="non-blank name"):
        process.register_check(" ", lambda opp: None)
    with pytest.raises(sf.ValidationError, match="expected a callable"):
        process.register_check("x", "not code")  # type: ignore[arg-type]
    assert process.registered_checks == ("owner",)
    assert process.checks["owner"](process.open(name="x", close_date=DAY)) == "no"


def test_resetting_a_manual_probability_records_the_stage_default() -> None:
    process = sf.presets.odoo_classic()
    opp = process.open(name="Lead", close_date=DAY, stage="Qualified", at=T0)
    assert process.reset_probability(opp, at=T0) is None
    opp.set_probability(55, at=T0)
    entry = process.reset_probability(opp, at=T0, by="rep-7")
    assert entry is opp.history[-1] and entry.probability == 30 and entry.by == "rep-7"
    assert opp.probability_source is sf.ProbabilitySource.STAGE
    foreign = sf.presets.salesforce_standard().open(name="x", close_date=DAY)
    with pytest.raises(sf.UnknownStageError):
        process.reset_probability(foreign)


def test_replay_names_a_new_opportunity_by_its_id_within_the_name_limit() -> None:
    long_id = "x" * 150
    result = sf.presets.salesforce_standard().replay(
        [sf.Move(long_id, T0, "Prospecting", close_date=DAY)]
    )
    opp = result.opportunities[long_id]
    assert opp.id == long_id and opp.name == "x" * 120
    assert sf.loads(sf.dumps(opp), sf.Opportunity) == opp


def test_replayed_history_entries_are_ordinary_frozen_history_entries() -> None:
    process = sf.presets.salesforce_standard()
    result = process.replay(
        [
            sf.Move("o1", T0, "Prospecting", close_date=DAY),
            sf.Move("o1", T0 + timedelta(hours=1), "Qualification", by="rep-1"),
        ]
    )
    history = result.opportunities["o1"].history
    assert [type(entry) for entry in history] == [sf.HistoryEntry, sf.HistoryEntry]
    rebuilt = sf.HistoryEntry(**attrs.asdict(history[1], recurse=False))
    assert history[1] == rebuilt and hash(history[1]) == hash(rebuilt)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        history[1].stage = "Closed Won"  # type: ignore[misc]
    assert copy.deepcopy(history) == history
