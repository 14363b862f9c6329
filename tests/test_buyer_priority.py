"""Fit in the pursuit economics, and a pipeline prioritised by amount × win chance × fit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from salesflow.buyer.priority import Candidate, rank

LIFERAY = sf.presets.liferay_fit()
PROCESS = sf.presets.trailhead_simple()
STAGES = [s.name for s in PROCESS.open_stages]


def _deal(id: str, amount: int | None, stage: str = "Prospecting", **kw: object) -> sf.Opportunity:
    return PROCESS.open(
        name=f"Deal {id}",
        id=id,
        close_date=date(2027, 1, 1),
        stage=stage,
        amount=None if amount is None else sf.Money(amount, "EUR"),
        **kw,  # type: ignore[arg-type]
    )


def test_a_weak_fit_is_a_reason_to_walk_away_but_leaves_the_expected_value() -> None:
    opp = _deal("o1", 100_000)
    weak = sf.assess_fit(LIFERAY, {"security": "claimed"})
    plain = sf.assess_pursuit(opp, remaining_cost=sf.Money(1000, "EUR"))
    judged = sf.assess_pursuit(opp, remaining_cost=sf.Money(1000, "EUR"), fit=weak)
    assert judged.expected_value == plain.expected_value
    assert (plain.walk_away, judged.walk_away) == (False, True)
    assert "far from the seller's strengths" in judged.reasons[-1]
    assert judged.fit is weak


def test_a_good_fit_adds_no_reason_and_the_floor_is_adjustable() -> None:
    opp = _deal("o1", 100_000)
    good = sf.assess_fit(LIFERAY, {"security": 2, "complexity": 1})
    assert not sf.assess_pursuit(opp, fit=good).walk_away
    assert sf.assess_pursuit(opp, fit=good, fit_floor=0.9).walk_away


def test_a_closed_deal_is_never_told_to_walk_away_for_its_fit() -> None:
    opp = _deal("o1", 100_000)
    PROCESS.move(opp, "Closed Lost", lost_reason="Price")
    assert not sf.assess_pursuit(opp, fit=sf.assess_fit(LIFERAY, {})).walk_away


@pytest.mark.parametrize(
    ("kw", "path"), [({"fit": 0.5}, "$.fit"), ({"fit_floor": 2}, "$.fit_floor")]
)
def test_a_bad_fit_argument_is_refused(kw: dict[str, object], path: str) -> None:
    with pytest.raises(sf.ValidationError) as info:
        sf.assess_pursuit(_deal("o1", 1), **kw)  # type: ignore[arg-type]
    assert info.value.problems[0].path == path


def test_confirmed_facts_and_the_accounts_industry_are_read_as_evidence() -> None:
    opp = _deal("o1", 1, account_id="acc-1")
    opp.confirm_fact("enterprise")
    bank = sf.Account(id="acc-1", name="Bank", industry="Insurance")
    other = sf.Account(id="acc-2", name="Other", industry="Insurance")
    fit = sf.opportunity_fit(LIFERAY, opp, account=bank, solution="Customer portal")
    assert [(r.criterion, r.level) for r in fit.reasons] == [
        ("complexity", "none"),
        ("security", "none"),
        ("enterprise", "confirmed"),
        ("solution × industry", "references"),
    ]
    assert fit.score == 0.5
    assert len(sf.opportunity_fit(LIFERAY, opp, account=other, solution="x").reasons) == 3
    overridden = sf.opportunity_fit(LIFERAY, opp, evidence={"enterprise": "none"})
    assert overridden.score == 0.0


@given(
    st.lists(
        st.tuples(
            st.none() | st.integers(1, 10**7),
            st.sampled_from(STAGES),
            st.fixed_dictionaries({}, optional=dict.fromkeys(LIFERAY.names, st.integers(0, 2))),
        ),
        max_size=12,
    )
)
def test_the_pipeline_is_ranked_by_amount_times_chance_times_fit(
    deals: list[tuple[int | None, str, dict[str, int]]],
) -> None:
    opps = [_deal(f"o{i}", a, stage) for i, (a, stage, _) in enumerate(deals)]
    evidence = {f"o{i}": e for i, (_, _, e) in enumerate(deals)}
    ranked = sf.prioritise(opps, profile=LIFERAY, evidence=evidence)
    assert [p.rank for p in ranked] == list(range(1, len(opps) + 1))
    valued = [p.value.amount for p in ranked if p.value is not None]
    assert valued == sorted(valued, reverse=True)
    seen_unvalued = False
    for p in ranked:
        seen_unvalued = seen_unvalued or p.value is None
        assert not (seen_unvalued and p.value is not None)
        expected = sf.assess_fit(LIFERAY, evidence[p.opportunity_id])
        assert p.fit == expected
        if p.amount is not None:
            exact = p.amount.amount * p.probability / 100 * Decimal(expected.score)
            assert abs(p.value.amount - exact) <= Decimal("0.005")  # type: ignore[union-attr]


def test_closed_deals_are_left_out_and_top_keeps_the_first_rows() -> None:
    won = _deal("w", 10**6)
    PROCESS.move(won, "Closed Won")
    opps = [won, _deal("a", 100), _deal("b", 200), _deal("c", None)]
    ranked = sf.prioritise(opps, profile=LIFERAY, evidence={"a": {"security": 2}})
    assert [p.opportunity_id for p in ranked] == ["a", "b", "c"]
    assert "no amount" in ranked[2].reasons[-1]
    assert [p.opportunity_id for p in sf.prioritise(opps, profile=LIFERAY, top=1)] == ["a"]
    assert "<caption>Prioritised pipeline" in ranked._repr_html_()
    assert sf.loads(sf.dumps(ranked), sf.Priorities) == ranked


def test_mixed_currencies_and_bad_arguments_are_refused() -> None:
    usd = PROCESS.open(name="u", close_date=date(2027, 1, 1), amount=sf.Money(1, "USD"))
    with pytest.raises(sf.CurrencyMismatchError):
        sf.prioritise([_deal("e", 1), usd], profile=LIFERAY)
    with pytest.raises(sf.ValidationError) as info:
        sf.prioritise(["x"], profile=LIFERAY)  # type: ignore[list-item]
    assert info.value.problems[0].path == "$.opportunities[0]"
    with pytest.raises(sf.ValidationError):
        sf.prioritise([], profile=LIFERAY, top=0)


def _candidate(id: str, amount: int | None, fit: float | None) -> Candidate:
    given = None
    if fit is not None:
        given = sf.FitAssessment(profile="the fit column", score=fit, grade="good", reasons=())
    return Candidate(
        id=id,
        name=f"Deal {id}",
        stage="Prospecting",
        amount=None if amount is None else sf.Money(amount, "EUR"),
        probability=Decimal(50),
        fit=given,
    )


def test_without_any_fit_the_deals_rank_by_expected_value_and_say_so() -> None:
    ranked = rank([_candidate("a", 100, None), _candidate("b", 300, None)])
    assert [(p.opportunity_id, str(p.value)) for p in ranked] == [
        ("b", "150.00 EUR"),
        ("a", "50.00 EUR"),
    ]
    assert ranked[0].fit is None
    assert ranked[0].reasons[1] == "no fit given: ranked by amount × win chance"
    assert ranked.to_rows()[0]["fit"] is None
    assert "<td>-</td>" in ranked._repr_html_()


def test_a_deal_of_unknown_fit_ranks_after_those_with_one_never_as_fit_zero() -> None:
    ranked = rank([_candidate("unknown", 10**6, None), _candidate("known", 100, 0.1)])
    assert [p.opportunity_id for p in ranked] == ["known", "unknown"]
    assert ranked[1].value == sf.Money(500_000, "EUR")  # not 0: the fit is not taken as 0
    assert ranked[1].reasons[1].endswith("after the deals with one")
    assert ranked[0].reasons[1] == "good fit (10%), from the fit column"


@given(
    st.lists(
        st.tuples(st.none() | st.integers(0, 10**6), st.none() | st.floats(0, 1)), max_size=10
    )
)
def test_the_ranking_groups_amount_then_known_fit_and_orders_by_value_within(
    deals: list[tuple[int | None, float | None]],
) -> None:
    ranked = rank([_candidate(f"o{i}", a, f) for i, (a, f) in enumerate(deals)])
    groups = [(p.amount is None, p.fit is None) for p in ranked]
    assert groups == sorted(groups)
    for group in set(groups):
        values = [p.value.amount for p in ranked if p.value and (False, p.fit is None) == group]
        assert values == sorted(values, reverse=True)
