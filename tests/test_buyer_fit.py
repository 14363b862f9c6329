from __future__ import annotations

import math
from typing import Any

import jsonschema
import pytest
from attrs import evolve
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from salesflow.buyer import FitCriterion, FitProfile, MatrixCell, assess_fit
from salesflow.buyer.fit import MATRIX
from tests.strategies import fit_assessments, fit_evidence, fit_profiles

LIFERAY = sf.presets.liferay_fit()


@given(fit_profiles(), st.booleans())
def test_weights_are_normalised_over_the_criteria_that_count(
    profile: FitProfile, matrix: bool
) -> None:
    weights = profile.weights(matrix=matrix)
    assert math.isclose(sum(weights.values()), 1.0)
    assert set(weights) - {MATRIX} == {c.name for c in profile.criteria if c.weight > 0}


@given(st.data())
def test_the_fit_score_is_monotone_in_each_criterions_evidence(data: st.DataObject) -> None:
    profile = data.draw(fit_profiles())
    evidence = data.draw(fit_evidence(profile))
    criterion = data.draw(st.sampled_from(profile.criteria))
    top = len(criterion.levels) - 1
    low = data.draw(st.integers(0, top))
    high = data.draw(st.integers(low, top))
    scores = [
        assess_fit(
            profile, {**evidence, criterion.name: level}, solution="Portal", industry="Banking"
        ).score
        for level in (low, high)
    ]
    assert scores[0] <= scores[1] + 1e-12


@given(fit_assessments())
def test_an_assessments_reasons_name_every_criterion_that_counted_and_add_up(
    assessment: sf.buyer.FitAssessment,
) -> None:
    assert 0.0 <= assessment.score <= 1.0
    assert math.isclose(sum(r.points for r in assessment.reasons), assessment.score, abs_tol=1e-9)
    assert assessment.grade == sf.buyer.fit.fit_grade(assessment.score)


@given(st.data())
def test_every_weighted_criterion_has_a_reason(data: st.DataObject) -> None:
    profile = data.draw(fit_profiles())
    assessment = assess_fit(profile, data.draw(fit_evidence(profile)))
    named = [r.criterion for r in assessment.reasons]
    assert named == [c.name for c in profile.criteria if c.weight > 0]


@given(fit_profiles())
def test_every_fit_profile_conforms_to_its_json_schema_and_reads_back(profile: FitProfile) -> None:
    document = sf.to_dict(profile)
    jsonschema.validate(document, FitProfile.json_schema())
    assert sf.from_dict(document, FitProfile) == profile


def test_the_fit_schema_names_exactly_the_fields_of_each_type() -> None:
    schema = FitProfile.json_schema()
    for node, cls in (
        (schema["properties"], FitProfile),
        (schema["$defs"]["criterion"]["properties"], FitCriterion),
        (schema["$defs"]["cell"]["properties"], MatrixCell),
    ):
        fields = {a.name for a in cls.__attrs_attrs__}
        assert set(node) - {"schema_version"} == fields


def test_a_prospect_with_all_three_confirmed_and_references_fits_fully() -> None:
    evidence = dict.fromkeys(LIFERAY.names, "confirmed")
    a = assess_fit(LIFERAY, evidence, solution="Public portal", industry="Government")
    assert (a.score, a.grade, a.missing) == (1.0, "strong", ())


def test_missing_evidence_counts_as_the_lowest_level_and_is_named() -> None:
    a = assess_fit(LIFERAY, {"security": "claimed"})
    assert a.missing == ("complexity", "enterprise")
    assert math.isclose(a.score, 1 / 6)
    assert a.grade == "weak"
    assert "no evidence given" in str(a)


def test_a_pair_not_in_the_matrix_says_it_is_no_sign_of_unfitness() -> None:
    a = assess_fit(LIFERAY, {}, solution="Intranet", industry="Retail")
    assert a.reasons[-1].criterion == MATRIX
    assert a.reasons[-1].level == "unlisted"
    assert "not a sign of unfitness" in a.reasons[-1].text


def test_the_matrix_counts_only_with_both_solution_and_industry() -> None:
    a = assess_fit(LIFERAY, dict.fromkeys(LIFERAY.names, "confirmed"), solution="Intranet")
    assert MATRIX not in [r.criterion for r in a.reasons]
    assert a.score == 1.0


@pytest.mark.parametrize(
    ("evidence", "path"),
    [({"budget": "confirmed"}, "$['budget']"), ({"security": "certain"}, "$['security']")],
)
def test_unknown_criteria_and_levels_are_refused_with_their_path(
    evidence: dict[str, Any], path: str
) -> None:
    with pytest.raises(sf.ValidationError) as info:
        assess_fit(LIFERAY, evidence)
    assert info.value.problems[0].path == path


@pytest.mark.parametrize(
    ("build", "path"),
    [
        (lambda: FitCriterion("x", -1), "$.weight"),
        (lambda: FitCriterion("x", math.nan), "$.weight"),
        (lambda: FitCriterion("x", 1, ("only",)), "$.levels"),
        (lambda: FitCriterion("x", 1, ("a", "a")), "$.levels[1]"),
        (lambda: MatrixCell("Portal", " "), "$.industry"),
        (lambda: MatrixCell("Portal", "Banking", "strong"), "$.strength"),
        (lambda: FitProfile(name="p", criteria=[FitCriterion("x", 0)]), "$.criteria"),
        (
            lambda: FitProfile(name="p", criteria=[FitCriterion("x"), FitCriterion("x")]),
            "$.criteria[1].name",
        ),
        (
            lambda: evolve(LIFERAY, matrix=[*LIFERAY.matrix, LIFERAY.matrix[0]]),
            f"$.matrix[{len(LIFERAY.matrix)}]",
        ),
    ],
)
def test_a_bad_profile_is_refused_naming_where(build: Any, path: str) -> None:
    with pytest.raises(sf.ValidationError) as info:
        build()
    assert [p.path for p in info.value.problems] == [path]


def test_profiles_and_assessments_show_as_html_tables() -> None:
    a = assess_fit(LIFERAY, {"complexity": 2}, solution="B2B commerce", industry="Manufacturing")
    assert LIFERAY._repr_html_().startswith("<table><caption>Fit profile Liferay")
    assert "B2B commerce in Manufacturing: references" in a._repr_html_()
