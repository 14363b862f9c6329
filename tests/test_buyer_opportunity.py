"""The buyer's side on an opportunity: initiation, warning signs, scorecards, effort."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from tests.strategies import CURRENCIES, buyer_opportunities, efforts, scorecards


def _opp(**kwargs: object) -> sf.Opportunity:
    return sf.presets.liferay_enterprise().open(name="Deal", close_date=date(2027, 1, 1), **kwargs)  # type: ignore[arg-type]


# ----------------------------------------------------------------- initiation


def test_each_initiation_carries_the_material_s_guidance() -> None:
    seller = sf.Initiation.SELLER_INITIATED
    other = sf.Initiation.BUYER_OTHER_VENDOR_PREFERRED
    open_field = sf.Initiation.BUYER_NO_PREFERRED_VENDOR
    assert "shape the requirements" in seller.guidance and "longer cycle" in seller.guidance
    assert "no budget" in seller.looks_like
    assert "unexpected RFP" in other.looks_like and "walking away" in other.guidance
    assert "best-aligned vendor" in open_field.guidance
    assert sf.WarningSign.EARLY_PRICE_DEMANDS in other.watch_for
    assert seller.watch_for == () and open_field.watch_for == ()


def test_recording_the_initiation_accepts_its_value_and_refuses_nonsense() -> None:
    opp = _opp()
    opp.record_initiation("buyer_no_preferred_vendor")
    assert opp.initiation is sf.Initiation.BUYER_NO_PREFERRED_VENDOR
    with pytest.raises(sf.ValidationError, match="unknown Initiation 'cold call'"):
        opp.record_initiation("cold call")
    assert opp.initiation is sf.Initiation.BUYER_NO_PREFERRED_VENDOR
    opp.record_initiation(None)
    assert opp.initiation is None


def test_warning_signs_are_flagged_once_and_cleared() -> None:
    opp = _opp()
    opp.flag_warning("unexpected_rfp")
    opp.flag_warning(sf.WarningSign.UNEXPECTED_RFP)
    opp.flag_warning(sf.WarningSign.STRICT_SCHEDULE)
    assert opp.warning_signs == (sf.WarningSign.UNEXPECTED_RFP, sf.WarningSign.STRICT_SCHEDULE)
    opp.clear_warning("unexpected_rfp")
    assert opp.warning_signs == (sf.WarningSign.STRICT_SCHEDULE,)
    with pytest.raises(sf.ValidationError, match="'unexpected_rfp' is not flagged"):
        opp.clear_warning("unexpected_rfp")
    with pytest.raises(sf.ValidationError, match="unknown WarningSign 'rain'"):
        opp.flag_warning("rain")
    assert opp.warning_signs == (sf.WarningSign.STRICT_SCHEDULE,)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("initiation", sf.Initiation.SELLER_INITIATED),
        ("warning_signs", ()),
        ("qualification", None),
        ("pursuit", ()),
    ],
)
def test_the_buyer_side_changes_only_through_verbs(field: str, value: object) -> None:
    opp = _opp()
    with pytest.raises(sf.ReadOnlyFieldError, match=field):
        setattr(opp, field, value)


# ----------------------------------------------------------------- scorecards


def test_meddic_and_meddpicc_have_their_elements() -> None:
    assert sf.Scorecard.meddic().names == (
        "Metrics",
        "Economic buyer",
        "Decision criteria",
        "Decision process",
        "Identify pain",
        "Champion",
    )
    meddpicc = sf.Scorecard.meddpicc()
    assert set(meddpicc.names) - set(sf.buyer.MEDDIC) == {"Paper process", "Competition"}
    assert meddpicc.framework == "MEDDPICC" and meddpicc.gaps == meddpicc.names


def test_a_scorecard_is_immutable_and_a_change_makes_a_new_one() -> None:
    card = sf.Scorecard.meddic()
    named = card.with_status("Champion", "identified", evidence="Dana, head of service")
    assert card.status("Champion") is sf.QualificationStatus.UNKNOWN
    assert named.status("Champion") is sf.QualificationStatus.IDENTIFIED
    assert not named.is_validated("Champion")
    with pytest.raises(AttributeError):
        card.framework = "BANT"  # type: ignore[misc]


def test_a_validated_element_needs_evidence() -> None:
    with pytest.raises(sf.ValidationError, match="a validated element needs evidence"):
        sf.Scorecard.meddic().with_status("Champion", sf.QualificationStatus.VALIDATED)


def test_every_problem_in_a_scorecard_is_listed() -> None:
    with pytest.raises(sf.ValidationError) as info:
        sf.Scorecard(
            framework=" ",
            elements=[sf.QualificationElement("Champion"), sf.QualificationElement("Champion")],
        )
    assert info.value.messages == [
        "expected a non-blank framework name, got ' ' @ $.framework",
        "duplicate element 'Champion' @ $.elements[1].name",
    ]


def test_unknown_elements_and_statuses_are_refused() -> None:
    card = sf.Scorecard.meddic()
    with pytest.raises(sf.ValidationError, match="no element 'Competition'"):
        card.status("Competition")
    with pytest.raises(sf.ValidationError, match="unknown status 'maybe'"):
        card.with_status("Champion", "maybe")
    assert not card.is_validated("Competition")  # a gate asking for it stays closed


@given(scorecards(), st.data())
def test_a_scorecard_change_touches_only_its_element(
    card: sf.Scorecard, data: st.DataObject
) -> None:
    name = data.draw(st.sampled_from(card.names))
    new = card.with_status(name, "validated", evidence="seen")
    assert new.is_validated(name) and name in new.validated
    assert [e for e in new.elements if e.name != name] == [
        e for e in card.elements if e.name != name
    ]
    assert sum(new.counts.values()) == len(card.elements)


def test_an_opportunity_is_qualified_through_its_scorecard() -> None:
    opp = _opp()
    with pytest.raises(sf.ValidationError, match="no scorecard is attached"):
        opp.qualify("Champion", "identified")
    opp.set_qualification(sf.Scorecard.meddpicc())
    card = opp.qualify("Champion", "validated", evidence="ran the internal demo")
    assert opp.qualification is card and card.is_validated("Champion")
    with pytest.raises(sf.ValidationError):
        opp.qualify("Champion", "validated")  # no evidence: nothing changes
    assert opp.qualification is card
    with pytest.raises(sf.ValidationError, match="expected a Scorecard"):
        opp.set_qualification("MEDDIC")  # type: ignore[arg-type]


def test_a_stage_gate_reads_the_scorecard() -> None:
    gate = sf.StageGate(qualified=["Champion", "Identify pain"])
    opp = _opp()
    assert len(gate.unmet(opp, {})) == 2
    opp.set_qualification(sf.Scorecard.meddic())
    opp.qualify("Identify pain", "validated", evidence="outages cost 2M a year")
    assert gate.unmet(opp, {}) == ["qualification element 'Champion' must be validated"]


# ---------------------------------------------------------------------- effort


def test_effort_costs_rate_times_hours_plus_travel_exactly() -> None:
    effort = sf.Effort(
        "Sam",
        "7.5",
        sf.Money("95.10", "EUR"),
        role="sales engineer",
        travel=sf.Money("0.1", "EUR"),
    )
    assert effort.cost == sf.Money("713.35", "EUR")
    assert effort.cost.amount == Decimal("713.350")


def test_bad_effort_is_refused_with_every_problem() -> None:
    with pytest.raises(sf.ValidationError) as info:
        sf.Effort(" ", "-1", sf.Money("-5", "EUR"))
    assert info.value.messages == [
        "expected a non-blank person, got ' ' @ $.person",
        "expected hours >= 0, got -1 @ $.hours",
        "expected an amount >= 0, got -5 EUR @ $.rate",
    ]
    with pytest.raises(sf.ValidationError, match="expected a decimal string, got float"):
        sf.Effort("Sam", 7.5, sf.Money("1", "EUR"))  # type: ignore[arg-type]


def test_travel_in_another_currency_is_a_currency_mismatch() -> None:
    with pytest.raises(sf.CurrencyMismatchError):
        sf.Effort("Sam", "1", sf.Money("1", "EUR"), travel=sf.Money("1", "USD"))


def test_recording_effort_in_another_currency_changes_nothing() -> None:
    opp = _opp()
    opp.record_effort(sf.Effort("Ana", "2", sf.Money("100", "EUR")))
    with pytest.raises(sf.CurrencyMismatchError):
        opp.record_effort(sf.Effort("Bo", "2", sf.Money("100", "USD")))
    with pytest.raises(sf.ValidationError, match="expected an Effort"):
        opp.record_effort("two hours")  # type: ignore[arg-type]
    assert len(opp.pursuit) == 1 and opp.pursuit_cost == sf.Money("200", "EUR")


@given(CURRENCIES.flatmap(lambda c: st.lists(efforts(st.just(c)), min_size=1, max_size=6)))
def test_the_cost_to_date_is_the_exact_sum_in_any_order(items: list[sf.Effort]) -> None:
    total = sf.Effort.total(items)
    assert total is not None
    assert total.amount == sum((e.cost.amount for e in items), Decimal(0))
    assert sf.Effort.total(reversed(items)) == total
    assert sf.Effort.total([]) is None


def test_an_opportunity_document_with_mixed_currency_effort_is_refused() -> None:
    opp = _opp()
    opp.record_effort(sf.Effort("Ana", "2", sf.Money("100", "EUR")))
    document = sf.to_dict(opp)
    extra = sf.to_dict(sf.Effort("Bo", "1", sf.Money("1", "USD")))
    del extra["schema_version"]
    document["pursuit"].append(extra)
    with pytest.raises(sf.ValidationError, match=r"cannot add EUR and USD"):
        sf.from_dict(document, sf.Opportunity)


@given(buyer_opportunities())
def test_an_opportunity_with_the_buyer_side_survives_a_round_trip(opp: sf.Opportunity) -> None:
    back = sf.loads(sf.dumps(opp), sf.Opportunity)
    assert back == opp
    assert (back.initiation, back.warning_signs, back.qualification, back.pursuit) == (
        opp.initiation,
        opp.warning_signs,
        opp.qualification,
        opp.pursuit,
    )
