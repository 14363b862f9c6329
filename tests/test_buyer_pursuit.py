"""Risk signals and pursuit economics: when to walk away."""

from __future__ import annotations

import runpy
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf

T0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "buyer_seller.py"


def _deal(stage: str = "Goal Confirmation", amount: str | None = "150000") -> sf.Opportunity:
    return sf.presets.liferay_enterprise().open(
        name="Deal",
        close_date=date(2027, 1, 1),
        stage=stage,
        amount=None if amount is None else sf.Money(amount, "EUR"),
        at=T0,
    )


def _codes(opp: sf.Opportunity, mapping: sf.ProcessMapping | None = None) -> list[str]:
    return [s.code for s in sf.risk_signals(opp, mapping=mapping)]


# -------------------------------------------------------------------- signals


def test_a_clean_seller_initiated_deal_shows_no_signals() -> None:
    opp = _deal()
    opp.record_initiation("seller_initiated")
    assert sf.risk_signals(opp) == ()


def test_an_unexpected_rfp_with_a_strict_schedule_and_early_price_demands_is_a_walk_away_warning() -> (
    None
):
    # The Liferay text (and the initiation guidance) needs both signs: a strict
    # schedule *and* early price demands; either alone is only a warning.
    opp = _deal()
    opp.flag_warning("unexpected_rfp")
    assert not any(s.walk_away for s in sf.risk_signals(opp))
    opp.flag_warning("early_price_demands")
    assert not any(s.walk_away for s in sf.risk_signals(opp))
    opp.flag_warning("strict_schedule")
    walk = [s for s in sf.risk_signals(opp) if s.walk_away]
    assert [s.code for s in walk] == ["walk_away"]
    assert "consider walking away" in walk[0].message
    assert "strict schedule" in walk[0].message


def test_a_strict_schedule_without_early_price_demands_is_not_a_walk_away() -> None:
    opp = _deal()
    opp.flag_warning("requirements_from_another_vendor")
    opp.flag_warning("strict_schedule")
    assert not any(s.walk_away for s in sf.risk_signals(opp))


def test_another_vendor_preferred_with_schedule_and_price_demands_is_a_walk_away_warning() -> None:
    opp = _deal()
    opp.record_initiation(sf.Initiation.BUYER_OTHER_VENDOR_PREFERRED)
    assert _codes(opp) == ["another_vendor_preferred"]
    opp.flag_warning("early_price_demands")
    assert _codes(opp) == ["another_vendor_preferred", "early_price_demands"]
    opp.flag_warning("strict_schedule")
    assert _codes(opp) == [
        "another_vendor_preferred",
        "early_price_demands",
        "strict_schedule",
        "walk_away",
    ]


def test_early_price_demands_alone_are_a_warning_not_a_walk_away() -> None:
    opp = _deal()
    opp.record_initiation(sf.Initiation.BUYER_NO_PREFERRED_VENDOR)
    opp.flag_warning("early_price_demands")
    assert [(s.code, s.walk_away) for s in sf.risk_signals(opp)] == [
        ("early_price_demands", False)
    ]


def test_two_vendors_in_negotiation_means_the_stage_is_ahead_of_the_buyer() -> None:
    mapping = sf.presets.liferay_mapping()
    opp = _deal("Negotiation")
    for fact in mapping.with_exit_gates().stage("Negotiation").gate.confirmed:
        opp.confirm_fact(fact)
    opp.flag_warning("two_vendors_in_negotiation")
    assert _codes(opp, mapping) == ["two_vendors_in_negotiation", "stage_ahead_of_buyer"]
    early = _deal("Proving Business Value")
    early.flag_warning("two_vendors_in_negotiation")
    assert "stage_ahead_of_buyer" not in _codes(early, mapping)


def test_going_quiet_in_commitment_says_another_vendor_is_negotiating() -> None:
    opp = _deal("Contracts")
    opp.flag_warning(sf.WarningSign.QUIET_IN_COMMITMENT)
    (signal,) = sf.risk_signals(opp)
    assert "negotiating with another vendor" in signal.message


def test_a_passed_phase_whose_exit_is_unconfirmed_is_bad_news_early() -> None:
    mapping = sf.presets.liferay_mapping()
    opp = _deal("Negotiation")
    assert _codes(opp, mapping) == ["exit_not_confirmed", "exit_not_confirmed"]
    opp.confirm_fact(mapping.buyer_process.phase("Solution Development").exit_criterion or "")
    (signal,) = sf.risk_signals(opp, mapping=mapping)
    assert "'Evaluation'" in signal.message and "chosen the best alternative" in signal.message


# ------------------------------------------------------------------ economics


def test_expected_value_is_probability_times_amount_minus_remaining_cost() -> None:
    opp = _deal("Proving Business Value")  # 50 %
    result = sf.assess_pursuit(opp, remaining_cost=sf.Money("20000", "EUR"))
    assert result.expected_value == sf.Money("55000", "EUR")
    assert result.cost_to_date is None and not result.walk_away


def test_the_remaining_cost_is_extrapolated_over_the_buying_journey() -> None:
    mapping = sf.presets.liferay_mapping()
    opp = _deal("Proving Business Value")  # progress 0.6 + 0.2 × 1/4 = 0.65
    opp.record_effort(sf.Effort("Ana", "40", sf.Money("150.00", "EUR")))
    result = sf.assess_pursuit(opp, mapping=mapping)
    assert mapping.progress(opp) == Decimal("0.65")
    assert result.cost_to_date == sf.Money("6000.00", "EUR")
    assert result.remaining_cost == sf.Money("3230.77", "EUR")  # 6000 × 0.35 / 0.65
    assert result.expected_value == sf.Money("71769.23", "EUR")


def test_without_a_mapping_or_an_estimate_the_remaining_cost_is_unknown() -> None:
    opp = _deal()
    opp.record_effort(sf.Effort("Ana", "40", sf.Money("150", "EUR")))
    result = sf.assess_pursuit(opp)
    assert result.remaining_cost is None and result.expected_value is None


def test_a_negative_expected_value_advises_walking_away() -> None:
    opp = _deal("Goal Confirmation")  # 10 % of 150,000 = 15,000
    result = sf.assess_pursuit(opp, remaining_cost=sf.Money("15000.01", "EUR"))
    assert result.expected_value == sf.Money("-0.01", "EUR")
    assert result.walk_away and "is negative" in result.reasons[0]


def test_accumulated_warning_signs_advise_walking_away() -> None:
    opp = _deal()
    opp.flag_warning("contact_not_decision_maker")
    opp.flag_warning("strict_schedule")
    assert not sf.assess_pursuit(opp).walk_away
    opp.flag_warning("requirements_from_another_vendor")
    result = sf.assess_pursuit(opp)
    assert result.walk_away
    # The count rule is salesflow's, not the material's: the reason says so.
    assert result.reasons == (
        "3 warning signs are flagged (3 or more is too many: salesflow's judgement, "
        "not the material's)",
    )
    assert not sf.assess_pursuit(opp, warning_limit=4).walk_away
    with pytest.raises(sf.ValidationError, match="warning_limit"):
        sf.assess_pursuit(opp, warning_limit=0)


def test_a_closed_deal_has_nothing_left_to_spend_and_no_advice() -> None:
    mapping = sf.presets.liferay_mapping()
    opp = _deal()
    opp.record_effort(sf.Effort("Ana", "40", sf.Money("150", "EUR")))
    for flag in ("unexpected_rfp", "early_price_demands", "strict_schedule"):
        opp.flag_warning(flag)
    mapping.seller_process.move(opp, "Walked Away", at=T0 + timedelta(days=1))
    result = sf.assess_pursuit(opp, mapping=mapping)
    assert result.remaining_cost == sf.Money("0", "EUR")
    assert result.expected_value == sf.Money("0", "EUR")
    assert not result.walk_away and result.reasons == ()


def test_mixing_currencies_in_the_economics_raises() -> None:
    opp = _deal()
    opp.record_effort(sf.Effort("Ana", "1", sf.Money("150", "USD")))
    with pytest.raises(sf.CurrencyMismatchError):
        sf.assess_pursuit(opp)
    with pytest.raises(sf.ValidationError, match="remaining_cost"):
        sf.assess_pursuit(_deal(), remaining_cost=sf.Money("-1", "EUR"))


def test_the_same_spend_leaves_less_to_spend_later_in_the_journey() -> None:
    mapping = sf.presets.liferay_mapping()
    remaining = []
    for stage in mapping.seller_process.open_stages:
        opp = _deal(stage.name)
        opp.record_effort(sf.Effort("Ana", "100", sf.Money("100", "EUR")))
        result = sf.assess_pursuit(opp, mapping=mapping)
        assert result.remaining_cost is not None
        remaining.append(result.remaining_cost.amount)
    assert remaining == sorted(remaining, reverse=True) and len(set(remaining)) == len(remaining)


@given(
    st.decimals(min_value=0, max_value=10**6, places=2),
    st.decimals(min_value=0, max_value=10**6, places=2),
    st.sampled_from([s.name for s in sf.presets.liferay_enterprise().open_stages]),
)
def test_walking_away_on_value_is_exactly_a_negative_expected_value(
    amount: Decimal, remaining: Decimal, stage: str
) -> None:
    opp = _deal(stage, amount=str(amount))
    result = sf.assess_pursuit(opp, remaining_cost=sf.Money(remaining, "EUR"))
    expected = amount * opp.probability / 100 - remaining
    assert result.expected_value == sf.Money(expected, "EUR")
    assert result.walk_away is (expected < 0)


# -------------------------------------------------------------------- example


def test_the_buyer_seller_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = capsys.readouterr().out
    assert "Closed Won" in out and "-> Walked Away in Solution Development" in out
    assert "needs now, proof next" in out and "proof now, risk next" in out
