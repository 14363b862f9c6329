"""The deal score: it learns what the synthetic data hides in activities, and explains itself."""

from __future__ import annotations

import math
from datetime import date

import pytest

import salesflow as sf

pytest.importorskip("polars")
pytest.importorskip("numpy")

from salesflow.analytics import Frames, frames
from salesflow.forecasting import fit_deal_score


def _data() -> tuple[sf.datasets.SyntheticData, Frames]:
    data = sf.datasets.synthetic(sf.presets.trailhead_simple(), 1500, seed=21)
    tables = frames(data.opportunities, data.activities)
    return data, Frames(
        snapshot=tables.snapshot,
        history=tables.history,
        activities=tables.activities,
        process=data.process,
    )


def test_deals_going_quiet_score_lower_as_the_synthetic_data_was_built() -> None:
    _, tables = _data()
    model = fit_deal_score(tables, until=date(2025, 10, 1))
    weights = dict(zip(model.features, model.weights, strict=True))
    assert weights["activities_30d"] > 0
    assert "no_primary_contact" not in model.features  # frames carry no contact roles
    assert model.examples > model.deals > 100


def test_a_reason_is_the_change_when_its_feature_is_put_back_to_usual() -> None:
    _, tables = _data()
    model = fit_deal_score(tables, until=date(2025, 10, 1))
    scores = model.score(tables)
    assert scores and all(0 < s.probability < 1 for s in scores)
    first = scores[0]
    assert len(first.reasons) == 3
    assert [abs(r.points) for r in first.reasons] == sorted(
        (abs(r.points) for r in first.reasons), reverse=True
    )
    learned = model.learned.estimate(first.stage)
    assert first.stage_probability == pytest.approx(
        float(round(100 * learned.probability, 1)) / 100
    )
    # Recompute one reason by hand from the model's parts.
    values = first.features
    z = [
        (values[f] - m) / sd
        for f, m, sd in zip(model.features, model.means, model.scales, strict=True)
    ]
    logit = (
        values["stage"]
        + model.intercept
        + sum(w * v for w, v in zip(model.weights, z, strict=True))
    )
    assert first.probability == pytest.approx(1 / (1 + math.exp(-logit)))
    for reason in first.reasons:
        k = model.features.index(reason.feature)
        without = 1 / (1 + math.exp(-(logit - model.weights[k] * z[k])))
        assert reason.points == pytest.approx(100 * (first.probability - without))
        assert str(reason).endswith(" points")


def test_objects_give_the_primary_contact_feature() -> None:
    data = sf.datasets.synthetic(sf.presets.trailhead_simple(), 800, seed=5)
    model = fit_deal_score(data.opportunities, process=data.process)
    assert "no_primary_contact" in model.features
    assert model.trained_until == max(e.at for o in data.opportunities for e in o.history)


def test_too_little_history_is_refused() -> None:
    data = sf.datasets.synthetic(sf.presets.trailhead_simple(), 20, seed=5)
    with pytest.raises(sf.ValidationError, match="training examples"):
        fit_deal_score(data.opportunities, process=data.process)
