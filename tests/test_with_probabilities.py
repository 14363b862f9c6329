from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

import salesflow as sf


def test_learned_percentages_become_the_stage_defaults_the_engine_uses() -> None:
    process = sf.presets.salesforce_standard()
    learned = process.with_probabilities({"Needs Analysis": "31.5", "Closed Won": 100})
    assert learned.stage("Needs Analysis").probability == Decimal("31.5")
    assert learned.stage("Prospecting").probability == Decimal(10)
    assert process.stage("Needs Analysis").probability == Decimal(20)
    opp = learned.open(name="Deal", close_date=date(2027, 1, 1))
    learned.move(opp, "Needs Analysis")
    assert opp.probability == Decimal("31.5")
    assert opp.probability_source is sf.ProbabilitySource.STAGE
    assert "learned from history" in (learned.description or "")


def test_an_object_with_percentages_and_its_source_is_accepted() -> None:
    class Learned:
        def __init__(self) -> None:
            self.percentages = {"Prospecting": Decimal("4.2")}
            self.learned_from = "120 moves of 80 opportunities"

    learned = sf.presets.trailhead_simple().with_probabilities(Learned())
    assert learned.stage("Prospecting").probability == Decimal("4.2")
    assert (
        learned.description is not None and "120 moves of 80 opportunities" in learned.description
    )


def test_registered_checks_carry_over() -> None:
    process = sf.presets.salesforce_standard()
    process.register_check("always", lambda opp: None)
    assert process.with_probabilities({}).registered_checks == ("always",)


def test_unknown_stages_and_bad_percentages_are_all_listed() -> None:
    with pytest.raises(sf.ValidationError) as caught:
        sf.presets.salesforce_standard().with_probabilities({"Nope": 5, "Prospecting": 120})
    assert len(caught.value.problems) == 2
    with pytest.raises(sf.ValidationError):
        sf.presets.salesforce_standard().with_probabilities([("Prospecting", 5)])
