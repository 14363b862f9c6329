"""Mistakes a new user makes are reported where and when they are made."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

import salesflow as sf

WON = {"name": "Won", "probability": 100, "is_closed": True, "is_won": True}


def _messages(data: dict[str, Any]) -> list[str]:
    with pytest.raises(sf.ValidationError) as caught:
        sf.SalesProcess.from_dict(data)
    return caught.value.messages


def test_a_gate_requiring_an_undeclared_role_is_refused_when_the_process_is_built() -> None:
    messages = _messages(
        {
            "name": "X",
            "custom_roles": ["Champion"],
            "stages": [{"name": "A", "probability": 10, "gate": {"roles": ["Champoin"]}}, WON],
        }
    )
    assert messages == [
        "the gate of 'A' requires the role 'Champoin', which the process does not declare (no "
        "contact could hold it, so 'A' would be unreachable; add it to custom_roles); did you "
        "mean 'Champion'? @ $.stages[0].gate.roles[0]"
    ]
    declared = sf.SalesProcess(
        name="X",
        custom_roles=["Champion"],
        stages=[sf.Stage("A", 10, gate=sf.StageGate(roles=["Champion"])), sf.Stage(**WON)],
    )
    assert declared.stage("A").gate.roles == ("Champion",)


def test_forward_only_with_backward_moves_allowed_is_a_contradiction() -> None:
    messages = _messages(
        {
            "name": "X",
            "settings": {"policy": "forward_only", "allow_backward": True},
            "stages": [{"name": "A", "probability": 10}, WON],
        }
    )
    assert len(messages) == 1 and messages[0].endswith("@ $.settings.allow_backward")
    assert "forbids backward moves" in messages[0]
    # Left out, allow_backward follows the policy, so the process shows what it does.
    settings = sf.ProcessSettings(policy=sf.TransitionPolicy.FORWARD_ONLY)
    assert settings.allow_backward is False and repr(settings).count("allow_backward") == 0


def test_field_and_cross_field_problems_are_reported_together() -> None:
    messages = _messages(
        {
            "name": "X",
            "stages": [{"name": "A", "probability": 120}, {"name": "A", "probability": 20}, WON],
        }
    )
    assert messages == [
        "expected a percentage in 0..100, got 120 @ $.stages[0].probability",
        "duplicate stage name 'A' @ $.stages[1].name",
    ]


def test_a_process_is_read_from_yaml_text() -> None:
    text = "name: Tiny\nstages:\n  - {name: Talking, probability: 30}\n" + (
        "  - {name: Won, probability: 100, is_closed: true, is_won: true}\n"
    )
    process = sf.SalesProcess.from_yaml(text)
    assert process == sf.SalesProcess.from_text(text, format="yaml")
    assert process.stage("Talking").probability == 30
    json_text = sf.dumps(process)
    assert sf.SalesProcess.from_text(json_text, format="json") == process


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ("name: [", "yaml", "cannot parse YAML"),
        ("name: X\nname: Y\n", "yaml", "found the key 'name' twice"),
        ("- 1\n", "yaml", "expected a mapping at the top level"),
        ("{}", "xml", "unknown format 'xml'"),
    ],
)
def test_unreadable_text_is_a_file_format_error(text: str, fmt: str, message: str) -> None:
    with pytest.raises(sf.FileFormatError, match=message):
        sf.SalesProcess.from_text(text, format=fmt)


def test_text_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(sf.FileFormatError, match="expected text, got bytes"):
        sf.SalesProcess.from_yaml(b"name: X")  # type: ignore[arg-type]


def test_registered_checks_are_not_part_of_the_process_value() -> None:
    process = sf.presets.salesforce_standard()
    plain = sf.presets.salesforce_standard()
    process.register_check("has owner", lambda opp: None if opp.owner else "no owner")
    assert process == plain and hash(process) == hash(plain)
    assert "registered_checks=('has owner',)" in repr(process)
    copy = sf.loads(sf.dumps(process), sf.SalesProcess)
    assert copy == process and copy.registered_checks == ()
    assert "registered_checks" not in sf.dumps(process)


def test_unknown_names_suggest_the_closest_one() -> None:
    process = sf.presets.salesforce_standard()
    opp = process.open(name="x", close_date=date(2027, 1, 1))
    with pytest.raises(sf.UnknownStageError) as caught:
        process.move(opp, "Zebra")
    assert "did you mean" not in str(caught.value)  # nothing close enough
    with pytest.raises(sf.UnknownStageError, match="did you mean 'Needs Analysis'"):
        process.move(opp, "Need Analysis")
    with pytest.raises(sf.UnknownStageError, match="did you mean 'Needs Analysis'"):
        process.stage("needs analysis")
    with pytest.raises(sf.ValidationError, match="did you mean 'Prospecting'"):
        process.with_probabilities({"Prospectin": 5})
    with pytest.raises(sf.UnknownPhaseError, match="did you mean 'Evaluation'"):
        sf.presets.liferay_buying_phases().phase("Evalution")
