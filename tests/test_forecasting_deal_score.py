"""The deal score: it learns what the synthetic data hides in activities, and explains itself."""

from __future__ import annotations

import math
from datetime import date, timedelta

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


def _auc_brier(
    data: sf.datasets.SyntheticData, tables: Frames, fit: dict[str, float] | None
) -> tuple[float, float]:
    """Train until 120 days before the end; score the deals open then whose outcome is known."""
    cut = data.as_of - timedelta(days=120)
    model = fit_deal_score(tables, until=cut, fit=fit)
    outcome = {o.id: o.is_won for o in data.opportunities if o.is_closed}
    scored = [
        (s.probability, outcome[s.id]) for s in model.score(tables, at=cut) if s.id in outcome
    ]
    wins = [p for p, y in scored if y]
    losses = [p for p, y in scored if not y]
    auc = sum((w > x) + 0.5 * (w == x) for w in wins for x in losses) / (len(wins) * len(losses))
    brier = sum((p - y) ** 2 for p, y in scored) / len(scored)
    return auc, brier


def _fit_data(effect: float) -> tuple[sf.datasets.SyntheticData, Frames]:
    data = sf.datasets.synthetic(sf.presets.trailhead_simple(), 2000, seed=1, fit_effect=effect)
    tables = frames(data.opportunities, data.activities)
    return data, Frames(
        snapshot=tables.snapshot,
        history=tables.history,
        activities=tables.activities,
        process=data.process,
    )


def test_fit_predicts_winning_where_the_data_gives_it_an_effect_and_not_where_it_does_not() -> (
    None
):
    data, tables = _fit_data(0.5)
    without, with_fit = _auc_brier(data, tables, None), _auc_brier(data, tables, dict(data.fit))
    assert with_fit[0] > without[0] + 0.02  # AUC
    assert with_fit[1] < without[1]  # Brier
    control, control_tables = _fit_data(0.0)
    plain, noise = (
        _auc_brier(control, control_tables, None),
        _auc_brier(control, control_tables, dict(control.fit)),
    )
    assert noise[0] < plain[0] + 0.01


def test_a_fit_column_of_the_snapshot_is_read_and_named_in_the_reasons() -> None:
    import polars as pl

    data, tables = _fit_data(0.5)
    snapshot = tables.snapshot.with_columns(
        pl.col("id").replace_strict(dict(data.fit), return_dtype=pl.Float64).alias("fit")
    )
    with_column = Frames(
        snapshot=snapshot,
        history=tables.history,
        activities=tables.activities,
        process=data.process,
    )
    model = fit_deal_score(with_column, until=date(2025, 10, 1))
    given = fit_deal_score(tables, until=date(2025, 10, 1), fit=dict(data.fit))
    assert model.weights == pytest.approx(given.weights)
    weights = dict(zip(model.features, model.weights, strict=True))
    assert weights["fit"] > 0
    texts = [r.text for s in model.score(with_column, top=10) for r in s.reasons]
    assert any(t.startswith("fit ") and t.endswith("%") for t in texts)


@pytest.mark.parametrize(("fit", "path"), [({"x": 2.0}, "$.fit['x']"), ([0.5], "$.fit")])
def test_a_bad_fit_mapping_is_refused(fit: object, path: str) -> None:
    _, tables = _data()
    with pytest.raises(sf.ValidationError) as info:
        fit_deal_score(tables, fit=fit)  # type: ignore[arg-type]
    assert info.value.problems[0].path == path
