"""Prospects (accounts, with or without a deal) ranked by fit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from tests.strategies import account_priorities, fit_evidence, fit_profiles

LIFERAY = sf.presets.liferay_fit()


def _account(id: str, industry: str | None = None) -> sf.Account:
    return sf.Account(id=sf.AccountId(id), name=f"Account {id}", industry=industry)


@given(fit_profiles(), st.data())
def test_prospects_are_ranked_best_fit_first_each_scored_as_assess_fit_scores_it(
    profile: sf.FitProfile, data: st.DataObject
) -> None:
    found = [_account(f"a{i}", data.draw(st.sampled_from([None, "Banking"]))) for i in range(6)]
    evidence = {a.id: data.draw(fit_evidence(profile)) for a in found}
    solutions = {a.id: "Portal" for a in found if data.draw(st.booleans())}
    ranked = sf.prioritise_accounts(found, profile=profile, evidence=evidence, solutions=solutions)
    assert [p.rank for p in ranked] == list(range(1, len(found) + 1))
    assert sorted(p.account_id for p in ranked) == sorted(a.id for a in found)
    scores = [p.fit.score for p in ranked]
    assert scores == sorted(scores, reverse=True)
    by_id = {a.id: a for a in found}
    for p in ranked:
        account = by_id[sf.AccountId(p.account_id)]
        assert p.fit == sf.assess_fit(
            profile,
            evidence[account.id],
            solution=solutions.get(account.id),
            industry=account.industry,
        )
        assert p.industry == account.industry


def test_ties_keep_the_input_order_and_top_keeps_the_first_rows() -> None:
    found = [_account("c"), _account("a"), _account("b")]
    ranked = sf.prioritise_accounts(found, profile=LIFERAY, evidence={"b": {"security": 1}})
    assert [p.account_id for p in ranked] == ["b", "c", "a"]
    top = sf.prioritise_accounts(found, profile=LIFERAY, evidence={"b": {"security": 1}}, top=1)
    assert [p.account_id for p in top] == ["b"]


def test_the_reasons_say_what_counted_what_had_no_evidence_and_why_no_matrix() -> None:
    bank = _account("bank", "Financial services")
    ranked = sf.prioritise_accounts([bank], profile=LIFERAY, evidence={"bank": {"security": 2}})
    assert ranked[0].reasons == (
        "complexity: none (no evidence given): +0 points",
        "security: confirmed: +33 points",
        "enterprise: none (no evidence given): +0 points",
        "no solution: the solution × industry matrix was not assessed",
    )
    assert ranked[0].fit.missing == ("complexity", "enterprise")
    matched = sf.prioritise_accounts(
        [bank], profile=LIFERAY, solutions={"bank": "Customer portal"}
    )
    assert (
        matched[0].reasons[-1] == "Customer portal in Financial services: references: +25 points"
    )
    assert str(matched[0]).startswith("1. Account bank: partial fit (25%) — ")


def test_the_result_shows_as_a_table_and_gives_plain_rows() -> None:
    ranked = sf.prioritise_accounts(
        [_account("a", "Retail"), _account("b")], profile=LIFERAY, evidence={"b": {"security": 2}}
    )
    assert "<caption>Prospects by fit" in ranked._repr_html_()
    rows = ranked.to_rows()
    assert [r["account_id"] for r in rows] == ["b", "a"]
    assert rows[0]["grade"] == "partial" and rows[1]["industry"] == "Retail"
    assert rows[1]["missing"] == "complexity, security, enterprise"
    assert len(ranked) == 2 and str(ranked).count("\n") == 1


@given(account_priorities())
def test_prospects_by_fit_survive_a_json_round_trip(ranked: sf.AccountPriorities) -> None:
    assert sf.loads(sf.dumps(ranked), sf.AccountPriorities) == ranked


@pytest.mark.parametrize(
    ("kw", "path"),
    [
        ({"top": 0}, "$.top"),
        ({"evidence": {"zz": {}}}, "$.evidence['zz']"),
        ({"solutions": {"zz": "Portal"}}, "$.solutions['zz']"),
        ({"evidence": {"a": {"speed": "none"}}}, "$.evidence['a']['speed']"),
        ({"evidence": {"a": {"security": "huge"}}}, "$.evidence['a']['security']"),
        ({"evidence": {"a": ["security"]}}, "$.evidence['a']"),
    ],
)
def test_bad_arguments_are_refused_naming_the_account(kw: dict[str, object], path: str) -> None:
    with pytest.raises(sf.ValidationError) as info:
        sf.prioritise_accounts([_account("a")], profile=LIFERAY, **kw)  # type: ignore[arg-type]
    assert [p.path for p in info.value.problems] == [path]


def test_not_accounts_and_duplicate_ids_are_refused_by_position() -> None:
    with pytest.raises(sf.ValidationError) as info:
        sf.prioritise_accounts(
            [_account("a"), "b", _account("a")],  # type: ignore[list-item]
            profile=LIFERAY,
        )
    assert [p.path for p in info.value.problems] == ["$.accounts[1]", "$.accounts[2]"]
    assert "duplicate account 'a'" in info.value.problems[1].message
