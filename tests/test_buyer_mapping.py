from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from tests.strategies import MAPPING_PRESETS, mappings

T0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)

# DOMAIN.md §3: the buying phases, the seller's milestones in each, and the exit criteria.
LIFERAY_TABLE = [
    (
        "Solution Development",
        [
            "Qualified Lead",
            "Goal Confirmation",
            "Solution Development",
            "Establishing Business Value",
        ],
        "buyer team has clear requirements and understands the high-level cost",
    ),
    (
        "Evaluation",
        ["Proving Business Value", "Confirming Value and Process"],
        "buyer group has chosen the best alternative",
    ),
    ("Commitment", ["Negotiation", "Contracts", "Closed Won"], "contracts signed"),
]

ANY_MAPPING = mappings() | MAPPING_PRESETS


def _placed(mapping: sf.ProcessMapping) -> list[sf.Stage]:
    """The stages phase_of answers for by name: open and won."""
    return [s for s in mapping.seller_process.stages if not s.is_lost]


# ------------------------------------------------------------------ the issue


def test_the_issue_acceptance_snippet_runs_as_written() -> None:
    import salesflow as sf

    mapping = sf.presets.liferay_mapping()  # Liferay enterprise stages ↔ Liferay buying phases
    assert mapping.phase_of("Goal Confirmation").name == "Solution Development"
    assert [p.name for p in mapping.buyer_process.phases] == [
        "Solution Development",
        "Evaluation",
        "Commitment",
    ]
    assert mapping.phase_of("Negotiation").dominant_concern == "risk"
    sf.presets.salesforce_liferay_mapping().phase_of("Needs Analysis")  # salesflow's judgement


def test_the_liferay_pair_reproduces_the_domain_table() -> None:
    mapping = sf.presets.liferay_mapping()
    rows = [
        (phase.name, [s.name for s in mapping.stages_in(phase)], phase.exit_criterion)
        for phase in mapping.buyer_process.phases
    ]
    assert rows == [(name, stages, exit) for name, stages, exit in LIFERAY_TABLE]


def test_the_liferay_seller_process_has_the_milestones_and_two_ways_not_to_win() -> None:
    process = sf.presets.liferay_enterprise()
    opens = [stage for _, stages, _ in LIFERAY_TABLE for stage in stages if stage != "Closed Won"]
    assert [s.name for s in process.open_stages] == opens
    assert [s.name for s in process.won_stages] == ["Closed Won"]
    assert [s.name for s in process.lost_stages] == ["Closed Lost", "Walked Away"]
    probabilities = [s.probability for s in process.open_stages]
    assert probabilities == sorted(probabilities) and len(set(probabilities)) == len(opens)
    assert "salesflow's choice" in " ".join((sf.presets.liferay_enterprise.__doc__ or "").split())


def test_the_concern_shifts_along_the_liferay_stages() -> None:
    mapping = sf.presets.liferay_mapping()
    stages = [s.name for s in mapping.seller_process.open_stages]
    now = [mapping.dominant_concern(s) for s in stages]
    assert now == ["needs"] * 4 + ["proof"] * 2 + ["risk"] * 2
    assert [mapping.next_concern(s) for s in stages] == ["proof"] * 4 + ["risk"] * 2 + [None] * 2


@pytest.mark.parametrize(
    ("preset", "stage", "phase"),
    [
        ("salesforce_liferay_mapping", "Needs Analysis", "Solution Development"),
        ("salesforce_liferay_mapping", "Proposal/Price Quote", "Evaluation"),
        ("salesforce_liferay_mapping", "Negotiation/Review", "Commitment"),
        ("trailhead_liferay_mapping", "Qualification", "Solution Development"),
        ("trailhead_liferay_mapping", "Proposal/Price Quote", "Evaluation"),
        ("hubspot_liferay_mapping", "Presentation scheduled", "Evaluation"),
        ("hubspot_liferay_mapping", "Contract sent", "Commitment"),
    ],
)
def test_judgement_mappings_place_stages_sensibly_and_say_so(
    preset: str, stage: str, phase: str
) -> None:
    make = sf.presets.MAPPING_PRESETS[preset]
    assert make().phase_of(stage).name == phase
    assert "salesflow's judgement" in " ".join((make.__doc__ or "").split())


# ------------------------------------------------------------------ properties


@given(ANY_MAPPING)
def test_stages_in_and_phase_of_are_inverse(mapping: sf.ProcessMapping) -> None:
    placed = _placed(mapping)
    for phase in mapping.buyer_process.phases:
        for stage in mapping.stages_in(phase):
            assert mapping.phase_of(stage) == phase
    for stage in placed:
        assert stage in mapping.stages_in(mapping.phase_of(stage))
    everything = [s for p in mapping.buyer_process.phases for s in mapping.stages_in(p)]
    assert sorted(s.name for s in everything) == sorted(s.name for s in placed)


@given(ANY_MAPPING)
def test_every_sequential_phase_has_an_open_stage_and_won_closes_the_final_one(
    mapping: sf.ProcessMapping,
) -> None:
    for phase in mapping.buyer_process.sequential_phases:
        assert any(s.is_open for s in mapping.stages_in(phase))
    final = mapping.phase_of(mapping.seller_process.open_stages[-1])
    for stage in mapping.seller_process.won_stages:
        assert mapping.phase_of(stage) == final


@given(mappings(linear=True) | MAPPING_PRESETS)
def test_in_a_linear_mapping_phase_order_follows_stage_order(mapping: sf.ProcessMapping) -> None:
    buyer = mapping.buyer_process
    order = [buyer.index(mapping.phase_of(s)) for s in _placed(mapping)]
    assert order == sorted(order)
    for stage in mapping.seller_process.open_stages:
        index = buyer.index(mapping.phase_of(stage))
        after = mapping.next_phase(stage)
        expected = buyer.phases[index + 1] if index + 1 < len(buyer.phases) else None
        assert after == expected
        assert list(mapping.passed_phases(stage)) == list(buyer.phases[:index])


@given(ANY_MAPPING)
def test_progress_runs_from_zero_to_one_along_the_stages(mapping: sf.ProcessMapping) -> None:
    values = [mapping.progress(s) for s in mapping.seller_process.open_stages]
    assert all(0 <= v <= 1 for v in values)
    if mapping.buyer_process.linear:
        assert values == sorted(values)
    for stage in mapping.seller_process.won_stages:
        assert mapping.progress(stage) == 1


@given(ANY_MAPPING, st.data())
def test_an_open_opportunity_is_in_its_stage_s_phase(
    mapping: sf.ProcessMapping, data: st.DataObject
) -> None:
    stage = data.draw(st.sampled_from([s.name for s in _placed(mapping)]))
    opp = mapping.seller_process.open(name="Deal", close_date=date(2027, 1, 1), stage=stage)
    assert mapping.phase_of(opp) == mapping.phase_of(stage)
    assert mapping.exit_criterion(opp) == mapping.phase_of(stage).exit_criterion
    assert mapping.dominant_concern(opp) == mapping.phase_of(stage).dominant_concern


@given(ANY_MAPPING)
def test_exit_gates_require_the_exits_of_every_passed_phase_and_never_block_walking_away(
    mapping: sf.ProcessMapping,
) -> None:
    gated = mapping.with_exit_gates()
    seller = mapping.seller_process
    assert gated.stage_names == seller.stage_names and gated.name == seller.name
    for before, after in zip(seller.stages, gated.stages, strict=True):
        assert (before.probability, before.is_closed, before.is_won) == (
            after.probability,
            after.is_closed,
            after.is_won,
        )
        if before.is_lost:
            assert after == before
            continue
        exits = [p.exit_criterion for p in mapping.passed_phases(before) if p.exit_criterion]
        assert set(after.gate.confirmed) == set(before.gate.confirmed) | set(exits)
    # The gated process is still mapped the same way.
    again = sf.ProcessMapping(gated, mapping.buyer_process, mapping.phases)
    assert [again.phase_of(s.name) for s in _placed(again)] == [
        mapping.phase_of(s.name) for s in _placed(mapping)
    ]


@given(ANY_MAPPING)
def test_a_mapping_survives_a_json_round_trip(mapping: sf.ProcessMapping) -> None:
    back = sf.loads(sf.dumps(mapping), sf.ProcessMapping)
    assert back == mapping and dict(back.phases) == dict(mapping.phases)


# ------------------------------------------------------------ invalid mappings


def test_every_problem_in_a_mapping_is_listed_at_once() -> None:
    with pytest.raises(sf.ValidationError) as info:
        sf.ProcessMapping(
            sf.presets.trailhead_simple(),
            sf.presets.liferay_buying_phases(),
            {
                "Prospecting": "Evaluation",
                "Qualification": "Solution Development",
                "Nope": "Evaluation",
                "Needs Analysis": "Later",
                "Negotiation/Review": "Evaluation",
                "Closed Won": "Solution Development",
                "Closed Lost": "Commitment",
            },
        )
    assert info.value.messages == [
        "unknown stage 'Nope'; the seller process 'Trailhead simple' has 'Prospecting', "
        "'Qualification', 'Needs Analysis', 'Proposal/Price Quote', 'Negotiation/Review', "
        "'Closed Won', 'Closed Lost' @ $.phases['Nope']",
        "unknown phase 'Later'; the buyer process 'Liferay buying phases' has "
        "'Solution Development', 'Evaluation', 'Commitment' @ $.phases['Needs Analysis']",
        "won stage 'Closed Won' closes the final phase 'Evaluation' (that of the last open "
        "stage 'Negotiation/Review'), not 'Solution Development' @ $.phases['Closed Won']",
        "closed stage 'Closed Lost' is not won: it closes whichever phase the opportunity is "
        "in, so it is not mapped @ $.phases['Closed Lost']",
        "open stage 'Proposal/Price Quote' is not mapped to a phase @ $.phases",
        "phase 'Commitment' has no open stage mapped to it @ $.phases",
        "stage 'Qualification' maps to 'Solution Development', before 'Evaluation' of the "
        "earlier stage 'Prospecting'; a linear buyer process does not go back "
        "@ $.phases['Qualification']",
    ]


@given(mappings(), st.data())
def test_a_mapping_missing_an_open_stage_is_refused(
    mapping: sf.ProcessMapping, data: st.DataObject
) -> None:
    stage = data.draw(st.sampled_from([s.name for s in mapping.seller_process.open_stages]))
    phases = {k: v for k, v in mapping.phases.items() if k != stage}
    with pytest.raises(sf.ValidationError) as info:
        sf.ProcessMapping(mapping.seller_process, mapping.buyer_process, phases)
    assert f"open stage {stage!r} is not mapped to a phase @ $.phases" in info.value.messages


@given(mappings(linear=True))
def test_a_linear_mapping_that_goes_back_is_refused(mapping: sf.ProcessMapping) -> None:
    buyer, seller = mapping.buyer_process, mapping.seller_process
    first, last = seller.open_stages[0].name, seller.open_stages[-1].name
    if mapping.phases[first] == mapping.phases[last]:
        return  # a single phase cannot go back
    # Swap the first and last stages' phases: the last stage now goes back.
    swapped = {**mapping.phases, first: mapping.phases[last], last: mapping.phases[first]}
    phases = {k: v for k, v in swapped.items() if k in {s.name for s in seller.open_stages}}
    with pytest.raises(sf.ValidationError) as info:
        sf.ProcessMapping(seller, buyer, phases)
    assert any("a linear buyer process does not go back" in m for m in info.value.messages)


def test_a_non_linear_buyer_process_may_be_mapped_in_any_order() -> None:
    jobs = sf.presets.gartner_buying_jobs()
    mapping = sf.ProcessMapping(
        sf.presets.trailhead_simple(),
        jobs,
        {
            "Prospecting": "Problem Identification",
            "Qualification": "Requirements Building",
            "Needs Analysis": "Solution Exploration",  # revisited out of the typical order
            "Proposal/Price Quote": "Validation",  # runs throughout: may be mapped, or not
            "Negotiation/Review": "Supplier Selection",
        },
    )
    assert mapping.phase_of("Needs Analysis").name == "Solution Exploration"
    # A job that runs throughout is never "next".
    assert mapping.next_phase("Needs Analysis") == jobs.phase("Supplier Selection")
    assert mapping.phase_of("Closed Won").name == "Supplier Selection"
    assert mapping.stages_in("Consensus Creation") == ()


def test_a_mapping_of_another_process_s_opportunity_is_refused() -> None:
    opp = sf.presets.hubspot_default().open(name="x", close_date=date(2027, 1, 1))
    with pytest.raises(sf.ValidationError, match="follows the process 'HubSpot default'"):
        sf.presets.liferay_mapping().phase_of(opp)


def test_an_unknown_stage_or_phase_in_a_query_raises_a_key_error() -> None:
    mapping = sf.presets.liferay_mapping()
    with pytest.raises(sf.UnknownStageError):
        mapping.phase_of("Discovery")
    with pytest.raises(sf.UnknownPhaseError):
        mapping.stages_in("Discovery")
    with pytest.raises(sf.UnknownPhaseError):
        mapping.with_exit_gates(qualified={"Discovery": ["Champion"]})


@pytest.mark.parametrize(
    ("phases", "message"),
    [
        ([1], "expected an object, got list @ $.phases"),
        ({"Qualified Lead": 1}, "expected a string, got int @ $.phases['Qualified Lead']"),
    ],
)
def test_a_bad_mapping_document_is_refused_with_a_path(phases: object, message: str) -> None:
    document = sf.to_dict(sf.presets.liferay_mapping())
    document["phases"] = phases
    with pytest.raises(sf.ValidationError) as info:
        sf.from_dict(document, sf.ProcessMapping)
    assert message in info.value.messages


# ----------------------------------------------------- closed stages and gates


def _moved(process: sf.SalesProcess, opp: sf.Opportunity, *stages: str) -> None:
    for step, stage in enumerate(stages, start=1):
        process.move(opp, stage, at=T0 + timedelta(days=step))


def test_a_lost_opportunity_is_in_the_phase_it_was_lost_in() -> None:
    mapping = sf.presets.liferay_mapping()
    process = mapping.seller_process
    opp = process.open(name="Deal", close_date=date(2027, 1, 1), at=T0)
    opp.confirm_fact(process.stage("Solution Development").gate.confirmed[0])
    _moved(process, opp, "Proving Business Value", "Closed Lost")
    assert mapping.phase_of(opp).name == "Evaluation"
    assert mapping.next_phase(opp) is None
    with pytest.raises(sf.ValidationError, match="has no fixed phase; pass the opportunity"):
        mapping.phase_of("Closed Lost")


def test_walking_away_at_once_closes_the_first_phase() -> None:
    mapping = sf.presets.liferay_mapping()
    opp = mapping.seller_process.open(
        name="Deal", close_date=date(2027, 1, 1), stage="Walked Away", at=T0
    )
    assert mapping.phase_of(opp).name == "Solution Development"


def test_exit_gates_refuse_leaving_a_phase_until_its_exit_is_confirmed() -> None:
    mapping = sf.presets.liferay_mapping()
    gated = mapping.with_exit_gates(qualified={"Evaluation": ["Champion", "Identify pain"]})
    opp = gated.open(name="Deal", close_date=date(2027, 1, 1), at=T0)
    opp.confirm_fact(gated.stage("Solution Development").gate.confirmed[0])
    _moved(gated, opp, "Establishing Business Value")
    with pytest.raises(sf.StageGateError) as info:
        gated.move(opp, "Proving Business Value", at=T0 + timedelta(days=5))
    assert list(info.value.reasons) == [
        "'buyer team has clear requirements and understands the high-level cost' must be "
        "confirmed",
        "qualification element 'Champion' must be validated",
        "qualification element 'Identify pain' must be validated",
    ]
    assert opp.stage == "Establishing Business Value"
    # Skipping ahead does not skip the criterion.
    assert gated.check_move(opp, "Negotiation")[0].startswith("'buyer team has clear")
    # Walking away is never blocked.
    assert gated.check_move(opp, "Walked Away") == []

    opp.confirm_fact(mapping.exit_criterion(opp) or "")
    opp.set_qualification(sf.Scorecard.meddpicc())
    opp.qualify("Champion", "validated", evidence="the COO sponsors the project")
    opp.qualify("Identify pain", "validated", evidence="call-centre costs")
    _moved(gated, opp, "Proving Business Value")
    assert mapping.phase_of(opp).name == "Evaluation"


def test_exit_gates_keep_existing_gates_and_registered_checks() -> None:
    mapping = sf.presets.liferay_mapping()
    mapping.seller_process.register_check("budget", lambda opp: None)
    gated = mapping.with_exit_gates()
    assert gated.registered_checks == ("budget",)
    assert gated.stage("Solution Development").gate.confirmed == (
        mapping.seller_process.stage("Solution Development").gate.confirmed
    )
    assert gated.stage("Closed Won").gate.confirmed[-1] == "contracts signed"
