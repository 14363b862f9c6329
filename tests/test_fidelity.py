"""Presets and settings match what the vendors' systems and the Liferay material do."""

from __future__ import annotations

from datetime import date

import attrs
import pytest

import salesflow as sf

DAY = date(2027, 1, 15)


def test_opening_into_a_gated_stage_is_not_gated_by_default() -> None:
    process = sf.presets.liferay_enterprise()
    assert not process.settings.gates_on_open
    opp = process.open(name="Imported", close_date=DAY, stage="Proving Business Value")
    assert opp.stage == "Proving Business Value"


def test_a_process_may_gate_opening_as_salesforce_validation_rules_fire_on_insert() -> None:
    base = sf.presets.liferay_enterprise()
    process = attrs.evolve(base, settings=attrs.evolve(base.settings, gates_on_open=True))
    with pytest.raises(sf.StageGateError) as caught:
        process.open(name="New", id="o1", close_date=DAY, stage="Proving Business Value")
    assert str(caught.value).startswith("cannot open opportunity o1 in 'Proving Business Value'")
    assert caught.value.from_stage == "" and caught.value.to_stage == "Proving Business Value"
    # An ungated stage opens as before.
    assert process.open(name="Lead", close_date=DAY).stage == "Qualified Lead"


def test_gates_on_open_reads_the_fields_given_to_open() -> None:
    gate = sf.StageGate(required_fields=["amount"])
    process = sf.SalesProcess(
        name="Gated",
        stages=[
            sf.Stage("Talking", 30, gate=gate),
            sf.Stage("Won", 100, is_closed=True, is_won=True),
        ],
        settings=sf.ProcessSettings(gates_on_open=True),
    )
    with pytest.raises(sf.StageGateError, match="amount is required"):
        process.open(name="x", close_date=DAY)
    assert process.open(name="x", close_date=DAY, amount=sf.Money("5", "EUR")).amount


def test_gates_on_open_round_trips_through_a_process_file() -> None:
    process = attrs.evolve(
        sf.presets.trailhead_simple(), settings=sf.ProcessSettings(gates_on_open=True)
    )
    assert sf.loads(sf.dumps(process), sf.SalesProcess) == process
    assert process.to_dict()["settings"]["gates_on_open"] is True


def test_the_qualified_lead_is_a_lead_stage_that_counts_in_no_pipeline() -> None:
    process = sf.presets.liferay_enterprise()
    lead = process.stage("Qualified Lead")
    assert lead.is_opportunity is False
    assert lead.forecast_category is sf.ForecastCategory.OMITTED
    assert [s.name for s in process.stages if not s.is_opportunity] == ["Qualified Lead"]


def test_is_opportunity_defaults_to_true_and_a_won_stage_must_be_one() -> None:
    assert sf.Stage("Talking", 30).is_opportunity
    with pytest.raises(sf.ValidationError, match="a won stage must be an opportunity"):
        sf.Stage("Won", 100, is_closed=True, is_won=True, is_opportunity=False)
    data = sf.presets.liferay_enterprise().to_dict()
    assert data["stages"][0]["is_opportunity"] is False
    assert sf.SalesProcess.from_dict(data) == sf.presets.liferay_enterprise()


def test_liferay_tools_sit_in_the_stages_the_material_puts_them() -> None:
    guidance = {s.name: s.guidance or "" for s in sf.presets.liferay_enterprise().stages}
    assert "menu of goals" in guidance["Goal Confirmation"]
    assert "menu of goals" not in guidance["Qualified Lead"]
    assert "decision maker" in guidance["Establishing Business Value"]
    assert "decision maker" not in guidance["Solution Development"]
    assert "sequence of events" in guidance["Proving Business Value"]
    assert "proof of concept" in guidance["Confirming Value and Process"]
    assert "reference calls" in guidance["Confirming Value and Process"]
    assert "proof of concept" not in guidance["Proving Business Value"]


def test_a_contact_role_without_a_role_is_kept_as_salesforce_allows() -> None:
    process = sf.presets.salesforce_standard()
    opp = process.open(name="Converted lead", close_date=DAY)
    role = opp.add_contact_role("c1", role=None, primary=True)
    assert role.role is None and role.label == "(no role)"
    assert opp.primary_contact_id == "c1" and opp.roles_of("c1") == ()
    assert not opp.has_role(sf.Role.OTHER)  # never guessed
    assert sf.loads(sf.dumps(opp), sf.Opportunity) == opp
    with pytest.raises(sf.ContactRoleError, match="without a role"):
        opp.add_contact_role("c1", role=None)
    opp.change_contact_role("c1", role=None, to="Decision Maker")
    assert opp.roles_of("c1") == (sf.Role.DECISION_MAKER,) and opp.primary_contact_id == "c1"


def test_a_role_less_contact_role_does_not_meet_a_role_gate() -> None:
    gate = sf.StageGate(roles=[sf.Role.OTHER])
    process = sf.presets.salesforce_standard()
    opp = process.open(name="x", close_date=DAY)
    opp.add_contact_role("c1", role=None)
    assert gate.unmet(opp, {}) == ["a contact in the role 'Other' is required"]
