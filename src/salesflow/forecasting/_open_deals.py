"""The open deals a period's Monte Carlo draws over: amount, chance of winning inside the period."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Any

import attrs
import narwhals as nw
import numpy as np

from salesflow.analytics.coverage import Gap
from salesflow.analytics.dated_rates import DatedRates
from salesflow.analytics.rates import Rates
from salesflow.forecasting._period_parts import factor
from salesflow.forecasting._state import open_at
from salesflow.forecasting.close_dates import _learn
from salesflow.forecasting.deal_score import DealScoreModel
from salesflow.forecasting.learned import learn_probabilities
from salesflow.process import SalesProcess

__all__ = ["OpenDeals", "open_deals", "rate"]


def rate(rates: Rates | DatedRates | None, currency: str | None, target: str, day: date) -> float:
    """The factor that turns ``currency`` into ``target`` (dated rates: the one in force on ``day``).

    1 for the same currency; no rates: an error. (:func:`~._period_parts.factor`, as a float.)
    """
    return float(factor(rates, currency, target, day))


@attrs.frozen
class OpenDeals:
    """The deals simulated: one row each, plus what was left out.

    Attributes:
        rows: The open deals' state rows (see ``_state.STATE_COLUMNS``) that are simulated.
        amounts: Their amounts in ``currency``.
        chances: Their chance of being won inside the period.
        currency: The currency of ``amounts``.
        gaps: The open deals left out, and those timed by their own close date.
        by_close_date: How many were timed by their own close date.
        learned_from: What the probabilities and timings rest on.
        begin: The period's first instant.
        finish: Its last instant.
    """

    rows: list[dict[str, Any]]
    amounts: np.ndarray
    chances: np.ndarray
    currency: str
    gaps: list[Gap]
    by_close_date: int
    learned_from: str
    begin: datetime
    finish: datetime


def open_deals(
    data: Any,
    inputs: Any,
    process: SalesProcess,
    moment: datetime,
    first: date,
    last: date,
    *,
    rates: Rates | DatedRates | None,
    currency: str | None,
    score: DealScoreModel | None,
    min_sample: int,
) -> OpenDeals:
    """Each deal open at ``moment``: its amount and its chance of being won in ``first..last``.

    The chance is the learned stage probability (or the deal score) times
    the chance that deals of its age in its stage that were won took that
    long (a stage without any: its own close date decides).
    """
    learned = learn_probabilities(data, process=process, until=moment, min_sample=min_sample)
    probability = {
        s.name: float(s.probability) / 100 for s in process.with_probabilities(learned).stages
    }
    times = _learn(inputs, process, moment)
    state = open_at(inputs, process, moment)
    every = list(state.iter_rows(named=True))
    rows = [r for r in every if r["amount"] is not None and r["stage"] in probability]
    target = currency or (rates.currency if rates is not None else None)
    if target is None:
        codes = sorted({r["currency"] for r in rows if r["currency"] is not None})
        target = codes[0] if codes else "USD"
    scores = {s.id: s.probability for s in score.score_rows(rows, moment)} if score else {}
    begin = datetime.combine(first, time.min, tzinfo=timezone.utc)
    finish = datetime.combine(last, time.max, tzinfo=timezone.utc)
    low = max((begin - moment).total_seconds() / 86400, 0.0)
    high = (finish - moment).total_seconds() / 86400
    kept, amounts, chances, fallback, untimed = [], [], [], 0, 0
    for r in rows:
        age = (moment - r["entered_at"]).total_seconds() / 86400
        timing = times.win_timing(r["stage"], age, low, high) if high > 0 else 0.0
        if np.isnan(timing):
            close = r["close_date"]
            if close is None:
                untimed += 1
                continue
            fallback += 1
            timing = float(first <= close <= last and high > 0)
        win = scores.get(str(r["id"]), probability.get(r["stage"], 0.0))
        kept.append(r)
        day = r["close_date"] or moment.date()
        amounts.append(float(r["amount"]) * rate(rates, r["currency"], target, day))
        chances.append(win * timing)
    gaps = [
        _left_out(sum(r["amount"] is None for r in every), "no amount"),
        _left_out(
            sum(r["amount"] is not None and r["stage"] not in probability for r in every),
            f"their stage is not in the process {process.name!r}",
        ),
        _left_out(
            untimed,
            "no close date, and no deal of their stage and age was seen winning to learn "
            "a time to close from",
        ),
        _left_out(_without_history(inputs), "no history, so their stage at as_of is unknown"),
    ]
    if fallback:
        gaps.append(
            Gap(
                "assumed",
                "open deals",
                "timed by their own close date (no learned time to close for their stage)",
                rows=fallback,
            )
        )
    return OpenDeals(
        rows=kept,
        amounts=np.array(amounts, dtype=np.float64),
        chances=np.array(chances, dtype=np.float64),
        currency=target,
        gaps=[g for g in gaps if g is not None],
        by_close_date=fallback,
        learned_from=f"{learned.learned_from}; timing from {times.learned_from}",
        begin=begin,
        finish=finish,
    )


def _left_out(count: int, reason: str) -> Gap | None:
    return Gap("left_out", "open deals", reason, rows=count) if count else None


def _without_history(inputs: Any) -> int:
    """Open deals of the snapshot that have no history row (so no state to simulate)."""
    snapshot = inputs.snapshot
    if snapshot is None or not {"id", "is_closed"} <= set(snapshot.collect_schema().names()):
        return 0
    history = inputs.table("history", needs=("opportunity_id",))
    seen = history.select(nw.col("opportunity_id").alias("id")).unique()
    missing = snapshot.filter(~nw.col("is_closed").fill_null(False)).join(
        seen, on="id", how="anti"
    )
    return int(missing.select(nw.len()).collect(backend="polars").item())
