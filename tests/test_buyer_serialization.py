from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from tests.strategies import (
    BUYER_OBJECTS,
    JSON_VALUES,
    MAPPING_PRESETS,
    buyer_processes,
    buying_phases,
    concern_profiles,
    efforts,
    mappings,
    qualification_elements,
    scorecards,
)

TYPES = [
    sf.ConcernProfile,
    sf.BuyingPhase,
    sf.BuyerProcess,
    sf.ProcessMapping,
    sf.QualificationElement,
    sf.Scorecard,
    sf.Effort,
    sf.FitCriterion,
    sf.FitProfile,
    sf.MatrixCell,
    sf.FitAssessment,
    sf.Priorities,
    sf.AccountPriorities,
]


@given(BUYER_OBJECTS)
def test_every_buyer_side_type_survives_a_json_round_trip(obj: Any) -> None:
    assert sf.loads(sf.dumps(obj), type(obj)) == obj
    assert sf.from_dict(sf.to_dict(obj), type(obj)) == obj
    # Equal decimals can differ in exponent (1.0 vs 1.00); the text must not.
    assert sf.dumps(sf.loads(sf.dumps(obj), type(obj))) == sf.dumps(obj)


@given(JSON_VALUES, st.sampled_from(TYPES))
def test_a_buyer_side_document_of_any_shape_raises_only_salesflow_errors(
    data: Any, cls: type
) -> None:
    with contextlib.suppress(sf.SalesflowError):
        sf.from_dict(data, cls)


ONE_OF_EACH = st.one_of(
    concern_profiles(),
    buying_phases(throughout=None),
    buyer_processes(),
    mappings() | MAPPING_PRESETS,
    qualification_elements(),
    scorecards(),
    efforts(),
)


@given(ONE_OF_EACH, st.data())
def test_a_buyer_side_document_with_a_wrong_field_is_refused_with_its_path(
    obj: Any, data: st.DataObject
) -> None:
    cls = type(obj)
    document = sf.to_dict(obj)
    key = data.draw(st.sampled_from(sorted(k for k in document if k != "schema_version")))
    document[key] = {"x": [1.5]}
    try:
        sf.from_dict(document, cls)
    except sf.ValidationError as exc:
        assert any(p.path.startswith(f"$.{key}") for p in exc.problems), exc.messages
    else:  # pragma: no cover - no field of these types takes such an object
        raise AssertionError(f"{cls.__name__}.{key} accepted a nonsense object")


def test_enum_values_are_checked_with_the_known_ones_listed() -> None:
    document = sf.to_dict(sf.QualificationElement("Champion"))
    document["status"] = "probably"
    try:
        sf.from_dict(document, sf.QualificationElement)
    except sf.ValidationError as exc:
        assert exc.messages == [
            "expected one of 'unknown', 'identified', 'validated', got 'probably' @ $.status"
        ]
    else:  # pragma: no cover
        raise AssertionError("accepted")


def test_a_fit_profile_written_by_hand_in_a_file_reads_its_weights_as_numbers(
    tmp_path: Any,
) -> None:
    """Files are read digit for digit (decimals); a float field takes a finite decimal."""
    import json

    import pytest

    from salesflow.files import read_document
    from salesflow.serialization import from_dict

    profile = sf.presets.liferay_fit()
    path = tmp_path / "fit.json"
    path.write_text(sf.dumps(profile))
    assert from_dict(read_document(str(path)), sf.FitProfile) == profile
    data = json.loads(sf.dumps(profile))
    data["criteria"][0]["weight"] = "NaN"
    path.write_text(json.dumps(data))
    with pytest.raises(sf.ValidationError, match="weight"):
        from_dict(read_document(str(path)), sf.FitProfile)
