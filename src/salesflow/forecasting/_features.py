"""The deal score's features: what was known about an open deal at one moment, and in words."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

__all__ = ["FEATURES", "Context", "describe", "feature_row"]

FEATURES = (
    "stage",
    "age_in_stage",
    "pushes",
    "days_since_activity",
    "activities_30d",
    "small_amount",
    "large_amount",
    "no_primary_contact",
    "fit",
)
"""The candidate features; those that do not vary in the training data are dropped."""

_QUIET_CAP = 60.0
_NO_FIT = 0.5


def _logit(p: float) -> float:
    p = min(max(p, 0.005), 0.995)
    return math.log(p / (1 - p))


@attrs.frozen
class Context:
    """What the features are measured against, learned from the training history.

    Attributes:
        stage_probability: Stage → learned (else default) win probability, 0..1.
        stage_days: Stage → median days deals spent in it before moving on.
        amount_cuts: The amounts splitting the training deals into thirds (converted).
        primary: Deal id → whether it has a primary contact (object door only).
        rates: Currency → rate into one currency, for the amount bands.
        fit: Deal id → its fit to the seller's strengths, 0..1 (a deal
            without one is taken at ½); ``None`` when not given.
    """

    stage_probability: Mapping[str, float]
    stage_days: Mapping[str, float]
    amount_cuts: tuple[float, float] | None
    primary: Mapping[str, bool] | None
    rates: Mapping[str, float] | None
    fit: Mapping[str, float] | None = None


def _amount(row: Mapping[str, Any], context: Context) -> float | None:
    amount = row.get("amount")
    if amount is None:
        return None
    currency = row.get("currency")
    if context.rates is not None and currency is not None:
        return float(amount) * context.rates.get(currency, math.nan)
    return float(amount)


def feature_row(row: Mapping[str, Any], moment: datetime, context: Context) -> dict[str, float]:
    """The raw feature values of one deal (a row of ``open_at``) at ``moment``."""
    stage = row["stage"]
    days = (moment - row["entered_at"]).total_seconds() / 86400
    usual = context.stage_days.get(stage) or 1.0
    last = row.get("last_activity_at")
    quiet = (
        _QUIET_CAP if last is None else min((moment - last).total_seconds() / 86400, _QUIET_CAP)
    )
    amount = _amount(row, context)
    cuts = context.amount_cuts
    small = large = 0.0
    if amount is not None and cuts is not None and not math.isnan(amount):
        small, large = float(amount < cuts[0]), float(amount > cuts[1])
    primary = context.primary.get(row["id"], False) if context.primary is not None else True
    return {
        "stage": _logit(context.stage_probability.get(stage, 0.5)),
        "age_in_stage": math.log1p(max(days, 0.0) / usual),
        "pushes": float(min(row.get("pushes") or 0, 5)),
        "days_since_activity": quiet,
        "activities_30d": float(min(row.get("activities_30d") or 0, 10)),
        "small_amount": small,
        "large_amount": large,
        "no_primary_contact": 0.0 if primary else 1.0,
        "fit": _NO_FIT if context.fit is None else context.fit.get(str(row["id"]), _NO_FIT),
    }


def describe(
    feature: str, row: Mapping[str, Any], values: Mapping[str, float], moment: datetime
) -> str:
    """A feature of one deal in words, e.g. ``pushed 3 times``."""
    if feature == "stage":
        return f"in {row['stage']}"
    if feature == "age_in_stage":
        days = (moment - row["entered_at"]).total_seconds() / 86400
        ratio = math.expm1(values[feature])
        return f"{days:.0f} days in {row['stage']} ({ratio:.1f}× the usual)"
    if feature == "pushes":
        n = int(values[feature])
        return "never pushed" if n == 0 else f"pushed {n} time{'s' if n != 1 else ''}"
    if feature == "days_since_activity":
        if row.get("last_activity_at") is None:
            return "no activity logged"
        return f"last activity {values[feature]:.0f} days ago"
    if feature == "activities_30d":
        return f"{int(values[feature])} activities in the last 30 days"
    if feature == "small_amount":
        return (
            "amount in the lowest third" if values[feature] else "amount not in the lowest third"
        )
    if feature == "large_amount":
        return "amount in the top third" if values[feature] else "amount not in the top third"
    if feature == "fit":
        return f"fit {values[feature]:.0%}"
    return "no primary contact" if values[feature] else "a primary contact"
