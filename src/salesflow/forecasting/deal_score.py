"""The deal score: a per-deal win probability from more than the stage, with its reasons."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import attrs
import narwhals as nw
import numpy as np

from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import as_utc
from salesflow.analytics._source import Inputs, door, resolve
from salesflow.analytics.funnel import stage_process
from salesflow.columns import Columns
from salesflow.errors import Problem, ValidationError
from salesflow.forecasting import _checks
from salesflow.forecasting._features import FEATURES, Context, describe, feature_row
from salesflow.forecasting._logistic import fit_logistic, sigmoid
from salesflow.forecasting._state import open_at
from salesflow.forecasting._transitions import stage_entries
from salesflow.forecasting.estimates import LearnedProbabilities
from salesflow.forecasting.learned import learn_probabilities
from salesflow.opportunity import Opportunity
from salesflow.process import SalesProcess

__all__ = ["DealScore", "DealScoreModel", "Reason", "fit_deal_score"]


@attrs.frozen
class Reason:
    """How much one fact moves a deal's score, in percentage points."""

    feature: str
    text: str
    points: float

    def __str__(self) -> str:
        sign = "+" if self.points >= 0 else "−"
        return f"{self.text}: {sign}{abs(self.points):.0f} points"


@attrs.frozen
class DealScore:
    """One deal's score (0..1), the stage probability it starts from, and what moves it most.

    Attributes:
        id: The deal.
        stage: Its stage at the moment scored.
        probability: The score.
        stage_probability: The stage's learned (else default) probability.
        reasons: The facts that move the score most away from a usual deal
            in the same stage, largest first.
        features: The deal's raw feature values.
    """

    id: str
    stage: str
    probability: float
    stage_probability: float
    reasons: tuple[Reason, ...]
    features: Mapping[str, float] = attrs.field(factory=dict, eq=False, repr=False)

    def __str__(self) -> str:
        why = "; ".join(map(str, self.reasons))
        return (
            f"{self.id} ({self.stage}, stage {self.stage_probability:.0%}): "
            f"{self.probability:.0%} — {why}"
        )


@attrs.frozen(kw_only=True, repr=False)
class DealScoreModel:
    """A fitted deal score: a logistic regression on top of the stage's log-odds.

    ``logit(score) = logit(stage probability) + intercept + Σ weight × z``,
    where ``z`` are the standardised features that vary in the training
    data. A reason's points are how far the score moves when that feature is
    put back to its training mean.

    Attributes:
        features: The features used, in order.
        intercept: The model's intercept.
        weights: One weight per standardised feature.
        means: The training mean of each feature (its "usual" value).
        scales: The training standard deviation of each feature.
        context: What the features are measured against.
        learned: The stage probabilities the score starts from.
        examples: Training examples (deal × moment) behind the fit.
        deals: Distinct deals behind them.
        trained_until: The time the training data ends.
        process: The process whose stages it scores.
    """

    features: tuple[str, ...]
    intercept: float
    weights: tuple[float, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    context: Context
    learned: LearnedProbabilities
    examples: int
    deals: int
    trained_until: datetime
    process: SalesProcess

    def _z(self, values: Mapping[str, float]) -> np.ndarray:
        raw = np.array([values[f] for f in self.features])
        return np.asarray((raw - np.array(self.means)) / np.array(self.scales))

    def score_rows(
        self, rows: Sequence[Mapping[str, Any]], moment: datetime, *, top: int = 3
    ) -> list[DealScore]:
        """Score rows of deals open at ``moment`` (as :func:`open_at` gives them)."""
        result = []
        w = np.array(self.weights)
        for row in rows:
            values = feature_row(row, moment, self.context)
            z = self._z(values)
            logit = values["stage"] + self.intercept + float(z @ w)
            p = float(sigmoid(np.array(logit)))
            reasons = []
            for k, feature in enumerate(self.features):
                without = float(sigmoid(np.array(logit - w[k] * z[k])))
                reasons.append(
                    Reason(feature, describe(feature, row, values, moment), 100 * (p - without))
                )
            reasons.sort(key=lambda r: -abs(r.points))
            base = self.context.stage_probability.get(row["stage"], 0.5)
            result.append(
                DealScore(str(row["id"]), row["stage"], p, base, tuple(reasons[:top]), values)
            )
        return result

    def score(
        self, data: Any, *, at: date | datetime | None = None, top: int = 3
    ) -> list[DealScore]:
        """Score every deal open at ``at`` (default: the end of training).

        Returns:
            One :class:`DealScore` per open deal, sorted by id.
        """
        moment = self.trained_until if at is None else as_utc(at, what="at")
        state = open_at(resolve(data), self.process, moment)
        return self.score_rows(list(state.iter_rows(named=True)), moment, top=top)

    def __repr__(self) -> str:
        weights = ", ".join(
            f"{f} {w:+.2f}" for f, w in zip(self.features, self.weights, strict=True)
        )
        return (
            f"DealScoreModel({self.examples} examples of {self.deals} deals until "
            f"{self.trained_until.date().isoformat()}; weights per SD: {weights})"
        )


def _stage_days(inputs: Inputs, moment: datetime) -> dict[str, float]:
    spells = (
        stage_entries(inputs, until=moment)
        .filter(~nw.col("_next_at").is_null())
        .select(
            "stage", ((nw.col("_next_at") - nw.col("at")).dt.total_seconds() / 86400).alias("d")
        )
        .group_by("stage")
        .agg(nw.col("d").median())
        .collect(backend="polars")
    )
    return {row["stage"]: max(float(row["d"]), 1.0) for row in spells.iter_rows(named=True)}


def _primary(data: Any) -> dict[str, bool] | None:
    if isinstance(data, (list, tuple)) and data and all(isinstance(o, Opportunity) for o in data):
        return {str(o.id): o.primary_contact_id is not None for o in data}
    return None


def _fits(fit: Mapping[str, float] | None, inputs: Inputs) -> dict[str, float] | None:
    """Deal id → fit, from the argument or else the snapshot's ``fit`` column."""
    if fit is None:
        snapshot = inputs.snapshot
        if snapshot is None or "fit" not in snapshot.collect_schema().names():
            return None
        table = snapshot.select("id", "fit").collect(backend="polars")
        fit = {str(r["id"]): r["fit"] for r in table.iter_rows(named=True) if r["fit"] is not None}
    if not isinstance(fit, Mapping):
        raise ValidationError(
            [Problem(f"expected {{deal id: fit}}, got {type(fit).__name__}", "$.fit")],
            subject="deal score",
        )
    problems = [
        Problem(f"expected a fit in 0..1, got {value!r}", f"$.fit[{key!r}]")
        for key, value in fit.items()
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1
    ]
    if problems:
        raise ValidationError(problems[:10], subject="deal score")
    return {str(key): float(value) for key, value in fit.items()}


@translated("fit_deal_score")
def fit_deal_score(
    data: Any,
    *,
    process: SalesProcess | None = None,
    until: date | datetime | None = None,
    every_days: int = 30,
    min_sample: int = 30,
    penalty: float = 1.0,
    rates: Mapping[str, float] | None = None,
    columns: Columns | None = None,
    currency: str | None = None,
    fit: Mapping[str, float] | None = None,
) -> DealScoreModel:
    """Fit the deal score on the deals whose outcome was known by ``until``.

    Training examples are the deals open at moments ``every_days`` apart up to
    ``until``, each with what was known about it then (stage, days in stage
    relative to the stage's median, pushes, days since the last activity,
    activities in 30 days, amount third, primary contact, fit when given) and whether it was
    won, for deals closed by ``until``. Contact roles have no history: their
    current state is used (object door only). Features that do not vary
    (no activity table, no close-date history) are left out.

    Args:
        data: Opportunities, or :class:`~salesflow.analytics.Frames` (with an
            activity table for the activity features).
        process: The process (default: ``Frames.process``).
        until: Train as of this time (default: the end of the history).
        every_days: Days between the training moments.
        min_sample: For the stage probabilities the score starts from.
        penalty: The L2 penalty on the standardised weights.
        rates: Currency → rate into one currency, for the amount thirds.
        columns: What a bare frame's source calls salesflow's columns (see :class:`~salesflow.Columns`).
        currency: The currency of amounts in tables without a currency column.
        fit: Deal id → its fit to the seller's strengths, 0..1 (e.g. a
            :class:`~salesflow.buyer.FitAssessment`'s score, or
            ``SyntheticData.fit``); without it, a ``fit`` column of the
            snapshot table is read when there is one. A deal without a fit is
            taken at ½. The model keeps the mapping to score open deals.

    Raises:
        ValidationError: Too few examples, no process, or a bad option.
    """
    primary = _primary(data)  # contact roles live on the objects only
    data = door(data, columns=columns, process=process, currency=currency)
    if isinstance(every_days, bool) or not isinstance(every_days, int) or every_days < 1:
        raise ValidationError(
            [Problem(f"expected days >= 1, got {every_days!r}", "$.every_days")],
            subject="deal score",
        )
    chosen = stage_process(process, data, "fit_deal_score")
    inputs = resolve(data)
    fits = _fits(fit, inputs)
    history = inputs.table("history", needs=("opportunity_id", "at", "stage"))
    first, last = _checks.history_span(history, "deal score")
    end = as_utc(until, what="until") if until is not None else last
    learned = learn_probabilities(data, process=chosen, until=end, min_sample=min_sample)
    stage_probability = {
        s.name: float(s.probability) / 100 for s in chosen.with_probabilities(learned).stages
    }
    rows: list[tuple[dict[str, Any], datetime]] = []
    moment = first + timedelta(days=every_days)
    while moment <= end:
        state = open_at(inputs, chosen, moment)
        known = state.filter(state["closed_at"].is_not_null() & (state["closed_at"] <= end))
        rows.extend((row, moment) for row in known.iter_rows(named=True))
        moment += timedelta(days=every_days)
    amounts = [
        float(r["amount"]) * (rates or {}).get(r["currency"], 1.0)
        for r, _ in rows
        if r["amount"] is not None
    ]
    cuts = None
    if len(amounts) >= 3:
        q = statistics.quantiles(amounts, n=3)
        cuts = (q[0], q[1])
    context = Context(
        stage_probability=stage_probability,
        stage_days=_stage_days(inputs, end),
        amount_cuts=cuts,
        primary=primary,
        rates=rates,
        fit=fits,
    )
    if len(rows) < 2 * min_sample:
        raise ValidationError(
            [
                Problem(
                    f"{len(rows)} training examples; the deal score needs at least {2 * min_sample}",
                    "$",
                )
            ],
            subject="deal score",
        )
    candidates = [f for f in FEATURES if f != "stage"]
    values = [feature_row(r, m, context) for r, m in rows]
    table = np.array([[v[f] for f in candidates] for v in values])
    offset = np.array([v["stage"] for v in values])
    y = np.array([1.0 if r["is_won"] else 0.0 for r, _ in rows])
    scales = table.std(axis=0)
    keep = [k for k in range(len(candidates)) if scales[k] > 1e-9]
    means, sd = table[:, keep].mean(axis=0), scales[keep]
    intercept, weights = fit_logistic(
        (table[:, keep] - means) / sd, y, offset=offset, penalty=penalty
    )
    return DealScoreModel(
        features=tuple(candidates[k] for k in keep),
        intercept=intercept,
        weights=tuple(float(w) for w in weights),
        means=tuple(float(m) for m in means),
        scales=tuple(float(s) for s in sd),
        context=context,
        learned=learned,
        examples=len(rows),
        deals=len({r["id"] for r, _ in rows}),
        trained_until=end,
        process=chosen,
    )
