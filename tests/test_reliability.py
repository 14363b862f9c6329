"""Hostile definitions: huge processes, stage names that collide, broken checks, wrong shapes."""

from __future__ import annotations

import io
import keyword
import pathlib
import tokenize
from datetime import date, datetime, timezone

import attrs
import pytest
import statemachine
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from salesflow.engine.rules import TransitionTable
from salesflow.process import MAX_STAGES
from tests.strategies import process_settings

T0 = datetime(2026, 1, 5, tzinfo=timezone.utc)
DAY = date(2026, 12, 1)
WON = sf.Stage("Won", 100, is_closed=True, is_won=True)


# ------------------------------------------------------------- building is quadratic


@st.composite
def stage_lists(draw: st.DrawFn) -> list[sf.Stage]:
    count = draw(st.integers(1, 7))
    names = [f"S{i}" for i in range(count)]
    result = []
    for i, name in enumerate(names):
        is_won = draw(st.booleans())
        is_closed = is_won or draw(st.booleans())
        listed = draw(st.none() | st.lists(st.sampled_from([*names, "Nowhere"]), max_size=3))
        result.append(
            sf.Stage(
                name,
                50,
                is_closed=is_closed,
                is_won=is_won,
                order=i + 1,
                transitions=listed,
            )
        )
    return result


@given(stage_lists(), process_settings())
def test_the_compiled_table_allows_exactly_the_moves_that_have_no_reasons(
    stages: list[sf.Stage], settings: sf.ProcessSettings
) -> None:
    table = TransitionTable(stages, settings)
    for i in range(len(stages)):
        expected = frozenset(j for j in range(len(stages)) if not table.reasons(i, j))
        assert table.allowed[i] == expected


def test_a_process_of_the_largest_size_builds_and_one_more_stage_is_refused() -> None:
    stages = [sf.Stage(f"S{i}", 10) for i in range(MAX_STAGES - 1)]
    process = sf.SalesProcess(name="Big", stages=[*stages, WON])
    assert len(process.allowed_moves(process.open(name="d", close_date=DAY))) == MAX_STAGES - 1
    with pytest.raises(sf.ValidationError, match=f"at most {MAX_STAGES} stages, got"):
        sf.SalesProcess(name="Bigger", stages=[*stages, sf.Stage("One more", 10), WON])


# ------------------------------------------------------- stage names and the machine


def _statemachine_names() -> list[str]:
    """Every identifier in python-statemachine's source, and salesflow's machine's names."""
    root = pathlib.Path(statemachine.__file__).parent
    names: set[str] = set(dir(sf.OpportunityMachine))
    for path in root.rglob("*.py"):
        for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
            if token.type == tokenize.NAME and not keyword.iskeyword(token.string):
                names.add(token.string)
    return sorted(names - {"Won", "Start"})


STATEMACHINE_NAMES = _statemachine_names()


def _through(name: str) -> None:
    process = sf.SalesProcess(name="X", stages=[sf.Stage("Start", 10), sf.Stage(name, 50), WON])
    opp = process.open(name="d", close_date=DAY, at=T0)
    machine = process.machine(opp)
    machine.move_to(name, at=T0)
    assert opp.stage == name
    machine.move_to("Won", at=T0)
    assert opp.stage == "Won" and machine.current_state_value == "Won"


def test_every_name_python_statemachine_uses_works_as_a_stage_name() -> None:
    failures = []
    for name in STATEMACHINE_NAMES:
        try:
            _through(name)
        except Exception as exc:
            failures.append((name, type(exc).__name__, str(exc)[:80]))
    assert failures == []


@given(st.sampled_from(STATEMACHINE_NAMES), st.sampled_from(["", "_", "__", " ", "-", "2"]))
def test_stage_names_near_the_machines_attributes_work(name: str, affix: str) -> None:
    _through(affix + name.title() + affix if affix.strip() else name.upper())


# ---------------------------------------------------------------- custom checks


def _checked(check: sf.Check) -> tuple[sf.SalesProcess, sf.Opportunity]:
    base = sf.presets.hubspot_default()
    stages = [
        attrs.evolve(s, gate=sf.StageGate(checks=("custom",)))
        if s.name == "Qualified to buy"
        else s
        for s in base.stages
    ]
    process = attrs.evolve(base, stages=stages)
    process.register_check("custom", check)
    return process, process.open(name="Deal", close_date=DAY, at=T0)


def _boom(_: sf.Opportunity) -> str | None:
    raise ZeroDivisionError("broken check")


@pytest.mark.parametrize(
    ("check", "reason"),
    [
        (_boom, "custom: the check failed (ZeroDivisionError: 'broken check')"),
        (lambda _: False, "custom: the check returned False"),
        (lambda _: 0, "custom: the check returned 0; a check returns None"),
        (lambda _: "", "custom: the check returned ''; a check returns None"),
        (lambda _: "no budget", "custom: no budget"),
    ],
)
def test_a_failing_custom_check_is_a_refused_move_with_its_reason(
    check: sf.Check, reason: str
) -> None:
    process, opp = _checked(check)
    before = sf.dumps(opp)
    assert process.check_move(opp, "Qualified to buy")[0].startswith(reason)
    with pytest.raises(sf.StageGateError) as info:
        process.move(opp, "Qualified to buy", at=T0)
    assert info.value.reasons[0].startswith(reason)
    assert sf.dumps(opp) == before
    machine = process.machine(opp)
    with pytest.raises(sf.StageGateError):
        machine.move_to("Qualified to buy", at=T0)
    assert sf.dumps(opp) == before
    result = process.replay(
        [
            sf.Move(opp.id, T0, "Qualified to buy"),
            sf.Move("other", T0, "Closed won", close_date=DAY),
        ],
        opportunities=[opp],
    )
    assert result.refused[0].reasons[0].startswith(reason)
    assert result.opportunities[opp.id].stage == opp.stage and "other" in result.opportunities


@pytest.mark.parametrize("passing", [lambda _: None, lambda _: True])
def test_a_check_returning_none_or_true_lets_the_move_through(passing: sf.Check) -> None:
    process, opp = _checked(passing)
    assert process.check_move(opp, "Qualified to buy") == []
    process.move(opp, "Qualified to buy", at=T0)
    assert opp.stage == "Qualified to buy"


# ---------------------------------------------------------- shapes at the door


@pytest.mark.parametrize(
    "qualified",
    [{"Evaluation": "Champion"}, {"Evaluation": [1]}, ["Evaluation"], "Evaluation"],
)
def test_exit_gates_refuse_a_string_where_a_list_of_names_belongs(qualified: object) -> None:
    with pytest.raises(sf.ValidationError):
        sf.presets.liferay_mapping().with_exit_gates(qualified=qualified)  # type: ignore[arg-type]


def test_exit_gates_accept_a_list_of_element_names() -> None:
    gated = sf.presets.liferay_mapping().with_exit_gates(qualified={"Evaluation": ["Champion"]})
    assert any("Champion" in s.gate.qualified for s in gated.stages)


@pytest.mark.parametrize("field", ["owner", "type", "lead_source", "next_step", "description"])
@pytest.mark.parametrize("value", [5, 1.5, b"x", ["a"], "\ud800"])
def test_ordinary_attributes_are_checked_when_set_and_when_built(
    field: str, value: object
) -> None:
    process = sf.presets.salesforce_standard()
    opp = process.open(name="Deal", close_date=DAY, at=T0)
    with pytest.raises(sf.ValidationError, match=rf"@ \$\.{field}"):
        setattr(opp, field, value)
    assert getattr(opp, field) is None
    assert sf.loads(sf.dumps(opp), sf.Opportunity) == opp
    with pytest.raises(sf.ValidationError):
        process.open(name="Deal", close_date=DAY, **{field: value})
    setattr(opp, field, "fine")
    assert sf.loads(sf.dumps(opp), sf.Opportunity) == opp
