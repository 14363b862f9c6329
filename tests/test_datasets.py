from __future__ import annotations

import itertools
from datetime import datetime, timezone

import pytest

import salesflow as sf
from salesflow.datasets import make_truth, synthetic

WITH_LOST = [
    name for name in sf.presets.SELLER_PRESETS if sf.presets.SELLER_PRESETS[name]().lost_stages
]


def _histories(data: sf.datasets.SyntheticData) -> list[object]:
    return [(o.id, o.history, o.contact_roles, o.owner) for o in data.opportunities]


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data() -> None:
    process = sf.presets.salesforce_standard()
    first = synthetic(process, 300, seed=3)
    assert _histories(first) == _histories(synthetic(process, 300, seed=3))
    assert _histories(first) != _histories(synthetic(process, 300, seed=4))


@pytest.mark.parametrize("preset", WITH_LOST)
def test_every_generated_history_is_legal_under_the_process_and_ends_by_as_of(preset: str) -> None:
    process = sf.presets.SELLER_PRESETS[preset]()
    data = synthetic(process, 400, seed=11)
    table = process.transition_table
    assert len(data.opportunities) == 400
    for opp in data.opportunities:
        times = [entry.at for entry in opp.history]
        assert times == sorted(times)
        assert data.start <= times[0] and times[-1] <= data.as_of
        stages = [entry.stage for entry in opp.history]
        for before, after in itertools.pairwise(stages):
            if before != after:
                assert table.index[after] in table.allowed[table.index[before]], (before, after)
    states = {(o.is_closed, o.is_won) for o in data.opportunities}
    assert states == {(False, False), (True, True), (True, False)}
    assert any(o.push_count >= 2 for o in data.opportunities)
    assert any(o.primary_contact_id is None for o in data.opportunities)


def test_the_truth_win_probabilities_are_the_fixed_point_of_the_chain() -> None:
    process = sf.presets.salesforce_standard()
    truth = synthetic(process, 0).truth
    value = {s.name: (1.0 if s.is_won else 0.0) for s in process.stages}
    for _ in range(2000):  # value iteration: an independent way to the same answer
        for stage, row in truth.transitions.items():
            value[stage] = sum(p * value[t] for t, p in row.items())
    for stage, p in truth.win_probability.items():
        assert p == pytest.approx(value[stage], abs=1e-9)
    assert truth.win_probability["Negotiation/Review"] == pytest.approx(0.58)


def test_a_process_without_a_lost_stage_is_refused_by_name() -> None:
    with pytest.raises(sf.ValidationError, match="has no lost stage"):
        synthetic(sf.presets.odoo_classic(), 10)


def test_a_custom_truth_is_checked_against_the_process_rules() -> None:
    process = sf.presets.hubspot_default(strict=True)  # no skipping, no moving back
    good = synthetic(process, 0).truth
    rows = {k: dict(v) for k, v in good.transitions.items()}
    rows["Appointment scheduled"] = {"Presentation scheduled": 0.5, "Closed lost": 0.4}
    with pytest.raises(sf.ValidationError) as caught:
        make_truth(process, rows, good.mean_days)
    messages = "\n".join(caught.value.messages)
    assert "skipping stages is off" in messages
    assert "sum to 0.9, not 1" in messages


def test_a_custom_truth_drives_the_data() -> None:
    process = sf.presets.trailhead_simple()
    opens = [s.name for s in process.open_stages]
    rows = {name: {"Closed Won": 1.0} for name in opens}
    truth = make_truth(process, rows, dict.fromkeys(opens, 1.0))
    data = synthetic(process, 100, truth=truth, seed=1)
    closed = [o for o in data.opportunities if o.is_closed]
    assert closed and all(o.is_won for o in closed)
    assert truth.win_probability["Prospecting"] == 1.0


def test_gates_that_need_confirmed_facts_are_met_on_the_way() -> None:
    data = synthetic(sf.presets.liferay_enterprise(), 200, seed=2)
    won = [o for o in data.opportunities if o.is_won]
    assert won and all(o.confirmed_facts for o in won)


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"n": -1}, "$.n"),
        ({"seed": "x"}, "$.seed"),
        ({"start": datetime(2025, 1, 1)}, "$.start"),  # noqa: DTZ001 - naive on purpose
        ({"currencies": {"usd": 1}}, "$.currencies"),
        ({"push_rate": 2.0}, "$.push_rate"),
        ({"owners": 0}, "$.owners"),
    ],
)
def test_bad_arguments_are_validation_errors_with_their_path(
    kwargs: dict[str, object], path: str
) -> None:
    arguments: dict[str, object] = {"n": 5, **kwargs}
    n = arguments.pop("n")
    with pytest.raises(sf.ValidationError) as caught:
        synthetic(sf.presets.trailhead_simple(), n, **arguments)  # type: ignore[arg-type]
    assert any(p.path == path for p in caught.value.problems)


def test_several_currencies_are_drawn_by_weight() -> None:
    data = synthetic(
        sf.presets.trailhead_simple(),
        300,
        currencies={"USD": 3, "EUR": 1},
        start=datetime(2024, 1, 1, tzinfo=timezone.utc),
    )
    codes = [o.amount.currency for o in data.opportunities if o.amount is not None]
    assert 0.6 < codes.count("USD") / len(codes) < 0.9
    assert data.as_of == datetime(2024, 12, 31, tzinfo=timezone.utc)


def test_activities_belong_to_their_deals_and_happen_in_the_period() -> None:
    data = synthetic(sf.presets.trailhead_simple(), 300, seed=5)
    by_id = {o.id: o for o in data.opportunities}
    assert data.activities
    for activity in data.activities:
        opp = by_id[activity.opportunity_id]
        assert opp.created_at <= activity.at <= data.as_of
        if not activity.done:
            assert opp.is_open and activity.due_date is not None
    assert len({a.id for a in data.activities}) == len(data.activities)


def test_deals_on_their_way_to_a_loss_go_quiet_before_it() -> None:
    data = synthetic(sf.presets.trailhead_simple(), 1500, seed=6)
    last: dict[str, datetime] = {}
    for activity in data.activities:
        last[activity.opportunity_id] = max(
            activity.at, last.get(activity.opportunity_id, activity.at)
        )

    def silence(won: bool) -> float:
        gaps = [
            (o.history[-1].at - last.get(o.id, o.created_at)).days
            for o in data.opportunities
            if o.is_closed and o.is_won is won
        ]
        return sum(gaps) / len(gaps)

    assert silence(False) > 1.5 * silence(True)


def test_lost_deals_carry_a_reason_from_the_process_list_and_late_deals_get_overrides() -> None:
    process = sf.presets.trailhead_simple()
    process = sf.SalesProcess(
        name=process.name,
        stages=process.stages,
        settings=sf.ProcessSettings(
            lost_reasons=["Price", "No Decision"], require_lost_reason=True
        ),
    )
    data = synthetic(process, 300, seed=8)
    lost = [o for o in data.opportunities if o.is_closed and not o.is_won]
    assert lost and {o.lost_reason for o in lost} == {"Price", "No Decision"}
    assert all(o.closed_on is not None for o in data.opportunities if o.is_closed)
    categories = {e.forecast_category for o in data.opportunities for e in o.history}
    assert {sf.ForecastCategory.COMMIT, sf.ForecastCategory.BEST_CASE} <= categories


def test_without_a_fit_effect_no_fit_is_drawn_and_with_zero_the_deals_are_the_same() -> None:
    process = sf.presets.salesforce_standard()
    plain = synthetic(process, 300, seed=3)
    control = synthetic(process, 300, seed=3, fit_effect=0.0)
    assert (plain.fit, plain.fit_effect) == ({}, None)
    assert _histories(control) == _histories(plain)
    assert sorted(control.fit) == sorted(o.id for o in control.opportunities)
    assert all(0 <= f <= 1 for f in control.fit.values())


def test_fit_has_its_known_effect_on_winning() -> None:
    process = sf.presets.trailhead_simple()
    data = synthetic(process, 3000, seed=5, fit_effect=0.5)
    first = process.first_stage.name
    closed = [o for o in data.opportunities if o.is_closed]
    for low, high in ((0.0, 0.5), (0.5, 1.0)):
        group = [o.is_won for o in closed if low <= data.fit[o.id] < high]
        expected = (
            sum(
                data.win_probability(first, f / 100)
                for f in range(int(low * 100), int(high * 100))
            )
            / 50
        )
        assert abs(sum(group) / len(group) - expected) < 0.05, (low, expected)
    assert data.win_probability(first, 1.0) > data.win_probability(first, 0.0)
    assert data.win_probability(first, 0.5) == pytest.approx(data.truth.win_probability[first])


@pytest.mark.parametrize("effect", [-0.1, 1.5, True, "0.3"])
def test_a_bad_fit_effect_is_refused(effect: object) -> None:
    with pytest.raises(sf.ValidationError) as info:
        synthetic(sf.presets.trailhead_simple(), 1, fit_effect=effect)  # type: ignore[arg-type]
    assert info.value.problems[0].path == "$.fit_effect"
