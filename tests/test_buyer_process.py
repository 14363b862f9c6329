from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

import salesflow as sf
from tests.strategies import BUYER_PRESETS, buyer_processes, concern_profiles

LIFERAY_EXITS = [
    (
        "Solution Development",
        "buyer team has clear requirements and understands the high-level cost",
    ),
    ("Evaluation", "buyer group has chosen the best alternative"),
    ("Commitment", "contracts signed"),
]


def _levels(concern: str) -> list[int]:
    phases = sf.presets.liferay_buying_phases().phases
    return [p.concerns.level(concern) for p in phases if p.concerns is not None]


def test_liferay_phases_have_the_material_s_names_order_and_exit_criteria() -> None:
    process = sf.presets.liferay_buying_phases()
    assert process.linear
    assert [(p.name, p.exit_criterion) for p in process.phases] == LIFERAY_EXITS


def test_liferay_solution_development_takes_longer_than_the_other_two_together() -> None:
    process = sf.presets.liferay_buying_phases()
    shares = [process.duration_share(name) for name, _ in LIFERAY_EXITS]
    assert [s * 10 for s in shares if s is not None] == [6, 2, 2]  # a 10-month deal
    assert shares[0] is not None and shares[0] > Decimal("0.5")


def test_liferay_needs_are_highest_first_then_decline() -> None:
    needs = _levels("needs")
    assert needs[0] == max(needs) and needs == sorted(needs, reverse=True)
    assert needs[0] > needs[1] > needs[2]


def test_liferay_cost_dips_in_evaluation_and_is_high_again_in_commitment() -> None:
    cost = _levels("cost")
    assert cost[1] < cost[0] and cost[1] < cost[2]


def test_liferay_proof_rises_peaks_in_evaluation_then_falls() -> None:
    proof = _levels("proof")
    assert proof[0] < proof[1] > proof[2] and proof[1] == max(proof)


def test_liferay_risk_rises_to_its_highest_in_commitment() -> None:
    risk = _levels("risk")
    assert risk[0] < risk[1] < risk[2] and risk[2] == max(risk)


def test_liferay_dominant_concerns_shift_from_needs_to_proof_to_risk() -> None:
    phases = sf.presets.liferay_buying_phases().phases
    assert [p.dominant_concern for p in phases] == ["needs", "proof", "risk"]
    assert [p.dominant_concern for p in phases] == [
        sf.Concern.NEEDS,
        sf.Concern.PROOF,
        sf.Concern.RISK,
    ]


def test_gartner_jobs_are_not_linear_and_the_last_two_run_throughout() -> None:
    process = sf.presets.gartner_buying_jobs()
    assert not process.linear
    assert process.phase_names == (
        "Problem Identification",
        "Solution Exploration",
        "Requirements Building",
        "Supplier Selection",
        "Validation",
        "Consensus Creation",
    )
    assert [p.name for p in process.phases if p.runs_throughout] == [
        "Validation",
        "Consensus Creation",
    ]
    # Gartner states no exits, durations or concern profiles: none are invented.
    assert all(p.exit_criterion is None and p.concerns is None for p in process.phases)
    assert process.duration_share("Validation") is None


def test_presets_are_new_equal_objects_each_call() -> None:
    for make in sf.presets.BUYER_PRESETS.values():
        assert make() is not make() and make() == make()


def test_every_problem_in_a_buyer_process_is_reported_at_once() -> None:
    with pytest.raises(sf.ValidationError) as info:
        sf.BuyerProcess(
            name=" ",
            phases=[
                sf.BuyingPhase("A", runs_throughout=True),
                sf.BuyingPhase("A"),
            ],
        )
    assert info.value.messages == [
        "expected a non-blank name, got ' ' @ $.name",
        "a linear process has no phase that runs throughout; set linear to false "
        "@ $.phases[0].runs_throughout",
        "duplicate phase name 'A' @ $.phases[1].name",
    ]


def test_a_buyer_process_needs_phases_and_one_that_does_not_run_throughout() -> None:
    with pytest.raises(sf.ValidationError, match=r"at least one phase is required @ \$\.phases"):
        sf.BuyerProcess(name="Empty", phases=[])
    with pytest.raises(sf.ValidationError, match="at least one phase must not run throughout"):
        sf.BuyerProcess(
            name="Ambient", phases=[sf.BuyingPhase("V", runs_throughout=True)], linear=False
        )


def test_every_problem_in_a_buyer_process_document_is_listed_with_its_path() -> None:
    document = {
        "name": "Doc",
        "linear": "yes",
        "phases": [
            {"name": "A", "relative_duration": "-1", "exit_criterion": " "},
            {
                "name": "B",
                "relative_duration": "six",
                "concerns": {"needs": -1, "cost": 1, "proof": 1, "risk": 1},
            },
            {"name": "C", "concerns": {"needs": 1, "cost": 1}},
        ],
        "colour": "red",
    }
    with pytest.raises(sf.ValidationError) as info:
        sf.BuyerProcess.from_dict(document)
    messages = info.value.messages
    assert "expected a duration >= 0, got -1 @ $.phases[0].relative_duration" in messages
    assert (
        "expected a non-blank exit criterion or none, got ' ' @ $.phases[0].exit_criterion"
        in messages
    )
    assert "expected a decimal string, got 'six' @ $.phases[1].relative_duration" in messages
    assert "expected a whole number >= 0, got -1 @ $.phases[1].concerns.needs" in messages
    assert "required field missing @ $.phases[2].concerns.proof" in messages
    assert "expected true or false, got str @ $.linear" in messages
    assert "unknown keys: colour @ $" in messages


def test_a_concern_profile_needs_one_concern_above_zero() -> None:
    with pytest.raises(sf.ValidationError, match="at least one concern must be above zero"):
        sf.ConcernProfile(needs=0, cost=0, proof=0, risk=0)
    with pytest.raises(sf.ValidationError, match="unknown concern 'price'"):
        sf.ConcernProfile(needs=1, cost=0, proof=0, risk=0).level("price")


@given(concern_profiles())
def test_the_dominant_concern_is_the_highest_with_ties_in_the_fixed_order(
    profile: sf.ConcernProfile,
) -> None:
    top = max(profile.level(c) for c in sf.Concern)
    first = next(c for c in sf.Concern if profile.level(c) == top)
    assert profile.dominant is first
    assert [profile.level(c) for c in profile.ranked] == sorted(
        (profile.level(c) for c in sf.Concern), reverse=True
    )


@given(buyer_processes())
def test_duration_shares_of_the_sequential_phases_add_up_to_one_when_known(
    process: sf.BuyerProcess,
) -> None:
    shares = [process.duration_share(p) for p in process.sequential_phases]
    if all(s is not None for s in shares):
        total = sum(s for s in shares if s is not None)
        assert abs(total - 1) < Decimal("1e-25")  # 28 significant digits: thirds round
    for phase in process.phases:
        if phase.runs_throughout:
            assert process.duration_share(phase) is None


@given(buyer_processes())
def test_phases_are_found_by_name_and_unknown_ones_name_the_known(
    process: sf.BuyerProcess,
) -> None:
    for index, phase in enumerate(process.phases):
        assert process.phase(phase.name) is phase and process.index(phase) == index
    with pytest.raises(sf.UnknownPhaseError) as info:
        process.phase("\x00 no such phase")
    assert isinstance(info.value, KeyError) and info.value.known == process.phase_names


def test_an_unknown_phase_error_lists_the_phases() -> None:
    with pytest.raises(sf.UnknownPhaseError, match="its phases are 'Solution Development'"):
        sf.presets.liferay_buying_phases().phase("Discovery")


@pytest.mark.parametrize("suffix", [".json", ".toml", ".yaml", ".yml"])
@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(process=buyer_processes() | BUYER_PRESETS)
def test_a_buyer_process_written_to_a_file_reads_back_equal(
    tmp_path: Path, suffix: str, process: sf.BuyerProcess
) -> None:
    path = tmp_path / f"buyer{suffix}"
    process.to_file(path)
    assert sf.BuyerProcess.from_file(path) == process


@given(buyer_processes() | BUYER_PRESETS)
def test_a_buyer_process_survives_a_dict_round_trip(process: sf.BuyerProcess) -> None:
    assert sf.BuyerProcess.from_dict(process.to_dict()) == process


def test_a_hand_written_yaml_buyer_process(tmp_path: Path) -> None:
    path = tmp_path / "jobs.yaml"
    path.write_text(
        """
name: Our buyers
linear: false
phases:
  - {name: Explore, relative_duration: 2.5, exit_criterion: shortlist agreed}
  - {name: Decide, relative_duration: 1,
     concerns: {needs: 1, cost: 3, proof: 2, risk: 4}}
  - {name: Consensus, runs_throughout: true}
""",
        encoding="utf-8",
    )
    process = sf.BuyerProcess.from_file(path)
    assert str(process.phase("Explore").relative_duration) == "2.5"
    assert process.phase("Decide").dominant_concern == "risk"
    assert [p.name for p in process.sequential_phases] == ["Explore", "Decide"]


def test_a_bad_buyer_process_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('name = "X"\nlinear = true\n[[phases]]\nname = "A"\n[[phases]]\nname = "A"\n')
    with pytest.raises(sf.ValidationError) as info:
        sf.BuyerProcess.from_file(path)
    assert str(path) in str(info.value)
    assert info.value.messages == ["duplicate phase name 'A' @ $.phases[1].name"]


@given(buyer_processes() | BUYER_PRESETS)
def test_every_buyer_process_document_conforms_to_the_shipped_json_schema(
    process: sf.BuyerProcess,
) -> None:
    jsonschema.validate(process.to_dict(), sf.BuyerProcess.json_schema())


@pytest.mark.parametrize(
    ("pointer", "cls"),
    [
        (("properties",), sf.BuyerProcess),
        (("$defs", "phase", "properties"), sf.BuyingPhase),
        (("$defs", "concerns", "properties"), sf.ConcernProfile),
    ],
)
def test_the_buyer_json_schema_names_exactly_the_fields_of_each_type(
    pointer: tuple[str, ...], cls: type
) -> None:
    node: Any = sf.BuyerProcess.json_schema()
    for key in pointer:
        node = node[key]
    fields = {a.alias for a in attrs.fields(cls) if a.init}
    assert set(node) - {"schema_version"} == fields


def test_the_buyer_json_schema_refuses_what_salesflow_refuses() -> None:
    schema = sf.BuyerProcess.json_schema()
    bad = {"name": "X", "phases": [{"name": "A", "relative_duration": "-1", "colour": "red"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
