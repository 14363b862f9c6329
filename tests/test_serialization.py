from __future__ import annotations

import contextlib
import json
from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from tests.strategies import ANY_OBJECT, JSON_VALUES, PRESETS, opportunities

TYPES = [
    sf.Money,
    sf.Account,
    sf.Contact,
    sf.ContactRole,
    sf.Stage,
    sf.StageGate,
    sf.Move,
    sf.StageChange,
    sf.ProcessSettings,
    sf.SalesProcess,
    sf.HistoryEntry,
    sf.Opportunity,
    sf.Activity,
]


@given(ANY_OBJECT)
def test_every_public_type_survives_a_json_round_trip(obj: Any) -> None:
    text = sf.dumps(obj)
    assert sf.loads(text, type(obj)) == obj
    assert sf.from_dict(sf.to_dict(obj), type(obj)) == obj


@given(ANY_OBJECT)
def test_round_trips_keep_decimals_exactly_as_written(obj: Any) -> None:
    # Equal decimals can differ in exponent (1.0 vs 1.00); the text must not.
    assert sf.dumps(sf.loads(sf.dumps(obj), type(obj))) == sf.dumps(obj)


@given(PRESETS)
def test_every_preset_survives_a_round_trip(process: sf.SalesProcess) -> None:
    assert sf.SalesProcess.from_dict(process.to_dict()) == process


@given(ANY_OBJECT)
def test_documents_carry_a_schema_version(obj: Any) -> None:
    assert sf.to_dict(obj)["schema_version"] == sf.SCHEMA_VERSION


@given(JSON_VALUES, st.sampled_from(TYPES))
def test_a_document_of_any_shape_raises_only_salesflow_errors(data: Any, cls: type) -> None:
    with contextlib.suppress(sf.SalesflowError):
        sf.from_dict(data, cls)


@given(opportunities(), st.data())
def test_a_corrupted_opportunity_document_is_refused_with_a_path(
    opp: sf.Opportunity, data: st.DataObject
) -> None:
    document = sf.to_dict(opp)
    key = data.draw(st.sampled_from(sorted(k for k in document if k != "schema_version")))
    document[key] = data.draw(st.sampled_from([1.5, {"x": 1}, True]))
    try:
        result = sf.from_dict(document, sf.Opportunity)
    except sf.ValidationError as exc:
        assert any(p.path.startswith(f"$.{key}") for p in exc.problems), exc.messages
    else:  # a few fields accept some of these (e.g. a list for a list)
        assert isinstance(result, sf.Opportunity)


def test_every_problem_is_listed_with_its_path() -> None:
    document = {
        "name": "P",
        "stages": [
            {"name": "A", "probability": "ten"},
            {"name": "B", "probability": 120, "colour": "red"},
            {"name": "W", "probability": 100, "is_closed": "yes", "is_won": True},
        ],
        "custom_roles": "Champion",
    }
    with pytest.raises(sf.ValidationError) as info:
        sf.from_dict(document, sf.SalesProcess)
    messages = info.value.messages
    assert "expected a decimal string, got 'ten' @ $.stages[0].probability" in messages
    assert "expected a percentage in 0..100, got 120 @ $.stages[1].probability" in messages
    assert "unknown keys: colour @ $.stages[1]" in messages
    assert "expected true or false, got str @ $.stages[2].is_closed" in messages
    assert "expected a list, got str @ $.custom_roles" in messages


def test_a_float_amount_is_refused_with_its_path() -> None:
    document = json.loads(sf.dumps(sf.Money("1.5", "USD")))
    document["amount"] = 1.5
    with pytest.raises(
        sf.ValidationError, match=r"expected a decimal string, got float .* @ \$\.amount"
    ):
        sf.from_dict(document, sf.Money)


def test_unknown_keys_are_refused() -> None:
    with pytest.raises(sf.ValidationError, match=r"unknown keys: colour @ \$"):
        sf.from_dict({"amount": "1", "currency": "USD", "colour": "red"}, sf.Money)


def test_naive_datetimes_are_refused() -> None:
    entry = sf.to_dict(
        sf.presets.salesforce_standard().open(name="x", close_date=date(2026, 1, 1)).history[0]
    )
    entry["at"] = "2026-01-01T09:00:00"
    with pytest.raises(sf.ValidationError, match=r"timezone-aware .* @ \$\.at"):
        sf.from_dict(entry, sf.HistoryEntry)


def test_an_unknown_schema_version_is_refused() -> None:
    with pytest.raises(sf.ValidationError, match="unsupported schema_version 99"):
        sf.from_dict({"schema_version": 99, "amount": "1", "currency": "USD"}, sf.Money)


@pytest.mark.parametrize("text", ["{", "[" * 100_000, '{"a":' * 100_000, b"\xff"])
def test_text_that_is_not_json_is_refused(text: str | bytes) -> None:
    with pytest.raises(sf.ValidationError, match="not valid JSON"):
        sf.loads(text, sf.Money)


def test_validation_errors_are_value_errors() -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        sf.loads("[]", sf.Opportunity)


def test_custom_roles_and_unicode_survive() -> None:
    process = sf.SalesProcess(
        name="Ünïcødé 🚀 プロセス",
        stages=[sf.Stage("話す", 20), sf.Stage("Won ✅", 100, is_closed=True, is_won=True)],
        custom_roles=["Champion"],
    )
    opp = process.open(name="Deal \u202e reversed", close_date=date(2026, 1, 1))
    opp.add_contact_role("c", role="Champion", primary=True)
    back = sf.loads(sf.dumps(opp), sf.Opportunity)
    assert back == opp and back.contact_roles[0].role == "Champion"


GARBAGE = st.sampled_from(
    [None, 1.5, -1, True, "", "x", [], {}, b"bytes", object(), [1], ["x", None], {"a": 1}]
)


@given(ANY_OBJECT, st.data())
def test_building_any_type_with_a_wrong_field_raises_only_salesflow_errors(
    obj: Any, data: st.DataObject
) -> None:
    fields = [a for a in attrs.fields(type(obj)) if a.init]
    field = data.draw(st.sampled_from(fields))
    values = {a.alias: getattr(obj, a.name) for a in fields}
    values[field.alias] = data.draw(GARBAGE)
    with contextlib.suppress(sf.SalesflowError):
        type(obj)(**values)


@given(st.lists(opportunities(), max_size=3))
def test_a_list_of_opportunities_survives_a_json_round_trip(opps: list[sf.Opportunity]) -> None:
    text = sf.dumps(opps)
    assert sf.loads(text, list[sf.Opportunity]) == opps
    assert sf.loads(text, tuple[sf.Opportunity, ...]) == tuple(opps)


@given(st.lists(ANY_OBJECT, max_size=3).map(tuple))
def test_a_tuple_of_any_objects_is_written_as_a_json_array(objs: tuple[Any, ...]) -> None:
    data = json.loads(sf.dumps(objs))
    assert data == [sf.to_dict(obj) for obj in objs]


def test_every_problem_of_every_list_item_is_listed_with_its_index() -> None:
    with pytest.raises(sf.ValidationError) as caught:
        sf.loads('[1, {"amount": 1.5, "currency": "USD"}]', list[sf.Money])
    assert caught.value.messages == [
        "expected an object, got int @ $[0]",
        "expected a decimal string, got float (1.5 is not exact; write '1.5') @ $[1].amount",
    ]


@given(JSON_VALUES)
def test_a_list_document_of_any_shape_raises_only_salesflow_errors(data: Any) -> None:
    with contextlib.suppress(sf.SalesflowError):
        sf.from_dict(data, list[sf.Opportunity])
