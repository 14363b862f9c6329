"""When will it close? Remaining time to close, learned from deals that were in the same stage."""

from __future__ import annotations

import math
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
from salesflow.errors import ValidationError
from salesflow.forecasting import _checks
from salesflow.forecasting._state import open_at
from salesflow.forecasting._transitions import stage_entries
from salesflow.process import SalesProcess

__all__ = ["CloseDate", "CloseTimes", "learn_close_times", "predict_close_dates"]


class CloseTimes:
    """Per stage, the time from entering it to closing (won or lost), as a survival curve.

    Kaplan–Meier on whole days: deals that entered the stage and have not
    closed yet are censored at the end of the data, not dropped (dropping them
    would make every deal look faster than it is). A deal aged ``a`` days in
    the stage is compared with the deals still open at ``a`` days.

    Attributes:
        learned_from: What the curves rest on, in words.
    """

    def __init__(
        self, curves: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]], learned_from: str
    ) -> None:
        self._curves = curves  # stage → (survival, at risk, cumulative incidence of a win) by day
        self.learned_from = learned_from

    def at_risk(self, stage: str, age: float) -> int:
        """How many deals were still open ``age`` days after entering ``stage``."""
        curve = self._curves.get(stage)
        if curve is None:
            return 0
        day = int(age)
        return int(curve[1][day]) if day < len(curve[1]) else 0

    def _survival(self, stage: str, day: int) -> float:
        survival = self._curves[stage][0]
        return float(survival[min(day, len(survival) - 1)])

    def remaining(self, stage: str, age: float, q: float) -> float | None:
        """The ``q`` quantile of the days left for a deal aged ``age`` days in ``stage``.

        ``None`` when the curve never gets there (too many deals still open).
        """
        if stage not in self._curves:
            return None
        survival = self._curves[stage][0]
        start = int(age)
        base = self._survival(stage, start)
        if base <= 0:
            return None
        hits = np.nonzero(survival[start:] <= base * (1 - q) + 1e-12)[0]
        return None if len(hits) == 0 else float(hits[0])

    def chance_between(self, stage: str, age: float, low: float, high: float) -> float:
        """The chance a deal aged ``age`` days closes between ``low`` and ``high`` days from now."""
        if stage not in self._curves:
            return float("nan")
        start = int(age)
        base = self._survival(stage, start)
        if base <= 0:
            return 0.0
        a = self._survival(stage, start + max(math.floor(low), 0))
        b = self._survival(stage, start + max(math.floor(high), 0))
        return max(a - b, 0.0) / base

    def win_timing(self, stage: str, age: float, low: float, high: float) -> float:
        """Given it is won, the chance a deal aged ``age`` days is won ``low``..``high`` days on.

        From the cumulative incidence of winning (competing risks: a loss
        ends a deal too), so deals that win late count as late; ``nan``
        when no deal of that age in the stage was ever seen winning.
        """
        if stage not in self._curves:
            return float("nan")
        incidence = self._curves[stage][2]
        last = len(incidence) - 1

        def cif(day: int) -> float:
            return 0.0 if day < 0 else float(incidence[min(day, last)])

        start = int(age)
        ahead = cif(last) - cif(start - 1)
        if ahead <= 0:
            return float("nan")
        window = cif(start + math.floor(high)) - cif(start + max(math.floor(low), 0) - 1)
        return max(window, 0.0) / ahead


def _curve(
    events: np.ndarray, censored: np.ndarray, wins: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Survival, number at risk and the cumulative incidence of winning, by day."""
    removed = events + censored
    at_risk = removed[::-1].cumsum()[::-1]
    hazard = np.divide(events, at_risk, out=np.zeros_like(events, dtype=float), where=at_risk > 0)
    survival = np.cumprod(1 - hazard)
    before = np.concatenate([[1.0], survival[:-1]])
    win_hazard = np.divide(wins, at_risk, out=np.zeros_like(wins, dtype=float), where=at_risk > 0)
    return survival, at_risk, np.cumsum(before * win_hazard)


@translated("learn_close_times")
def learn_close_times(
    data: Any,
    *,
    process: SalesProcess | None = None,
    until: date | datetime | None = None,
    columns: Columns | None = None,
    currency: str | None = None,
) -> CloseTimes:
    """Learn each open stage's time-to-close curve from the history (as of ``until``)."""
    data = door(data, columns=columns, process=process, currency=currency)
    chosen = stage_process(process, data, "learn_close_times")
    inputs = resolve(data)
    end = _end(inputs) if until is None else as_utc(until, what="until")
    return _learn(inputs, chosen, end)


def _end(inputs: Inputs) -> datetime:
    history = inputs.table("history", needs=("opportunity_id", "at", "stage"))
    _, last = _checks.history_span(history, "close times")
    return as_utc(last, what="history")


def _learn(inputs: Inputs, process: SalesProcess, end: datetime) -> CloseTimes:
    closed = [s.name for s in process.closed_stages]
    opens = [s.name for s in process.open_stages]
    entries = stage_entries(inputs, until=end)
    won = [s.name for s in process.won_stages]
    closes = (
        entries.filter(nw.col("stage").is_in(closed))
        .filter(nw.col("at") == nw.col("at").min().over("opportunity_id"))
        .group_by("opportunity_id")
        .agg(nw.col("at").min().alias("_closed"), nw.col("stage").max().alias("_how"))
    )
    spells = (
        entries.filter(nw.col("stage").is_in(opens))
        .join(closes, on="opportunity_id", how="left")
        .filter(nw.col("_closed").is_null() | (nw.col("_closed") > nw.col("at")))
        .with_columns(
            (~nw.col("_closed").is_null()).alias("_event"),
            nw.col("_how").is_in(won).fill_null(False).alias("_won"),
            ((nw.col("_closed").fill_null(nw.lit(end)) - nw.col("at")).dt.total_seconds() // 86400)
            .cast(nw.Int64)
            .alias("_days"),
        )
        .group_by("stage", "_days", "_event", "_won")
        .agg(nw.len().alias("n"))
        .collect(backend="polars")
    )
    curves: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    total = 0
    for stage in opens:
        part = [r for r in spells.iter_rows(named=True) if r["stage"] == stage]
        if not part:
            continue
        size = max(int(r["_days"]) for r in part) + 1
        events, censored, wins = np.zeros(size), np.zeros(size), np.zeros(size)
        for r in part:
            day = max(int(r["_days"]), 0)
            (events if r["_event"] else censored)[day] += r["n"]
            if r["_won"]:
                wins[day] += r["n"]
        total += int(events.sum() + censored.sum())
        curves[stage] = _curve(events, censored, wins)
    return CloseTimes(curves, f"{total:,} stays in open stages up to {end.date().isoformat()}")


@attrs.frozen(kw_only=True)
class CloseDate:
    """When one open deal will probably close, and whether its close date is optimistic.

    Attributes:
        id: The deal.
        stage: Its stage.
        age: Days it has been in the stage.
        close_date: Its own forecast close date.
        median: The median predicted close day, or ``None`` (insufficient history).
        low: The start of the 80 % interval (10th percentile), or ``None``.
        high: Its end (90th percentile), or ``None``.
        comparable: How many deals were still open at the same age in the stage.
        early: Whether ``close_date`` is earlier than 80 % of comparable deals closed.
        note: Why there is no prediction, if there is none.
    """

    id: str
    stage: str
    age: float
    close_date: date | None
    median: date | None
    low: date | None
    high: date | None
    comparable: int
    early: bool
    note: str | None = None


@translated("predict_close_dates")
def predict_close_dates(
    data: Any,
    *,
    process: SalesProcess | None = None,
    as_of: date | datetime | None = None,
    min_sample: int = 30,
    columns: Columns | None = None,
    currency: str | None = None,
) -> list[CloseDate]:
    """Predict when each deal open at ``as_of`` closes, from deals that were where it is.

    For a deal ``a`` days into its stage, the comparable deals are those that
    were still open ``a`` days into the same stage; its remaining time is
    read from their survival curve: the median and an 80 % interval. A deal
    whose own close date is earlier than 80 % of the comparable deals closed
    is flagged ``early``. Fewer than ``min_sample`` comparable deals: no
    prediction, with the reason.

    Returns:
        One :class:`CloseDate` per open deal, sorted by id.

    >>> import salesflow as sf
    >>> data = sf.datasets.synthetic(sf.presets.trailhead_simple(), 1000, seed=3)
    >>> predictions = predict_close_dates(data.opportunities, process=data.process)
    >>> sum(p.median is not None for p in predictions) > 0
    True
    """
    data = door(data, columns=columns, process=process, currency=currency)
    problems = _checks.count(min_sample, "min_sample")
    if problems:
        raise ValidationError(problems, subject="predict_close_dates")
    chosen = stage_process(process, data, "predict_close_dates")
    inputs = resolve(data)
    moment = _end(inputs) if as_of is None else as_utc(as_of, what="as_of")
    times = _learn(inputs, chosen, moment)
    state = open_at(inputs, chosen, moment)
    day = moment.date()
    result = []
    for row in state.iter_rows(named=True):
        age = (moment - row["entered_at"]).total_seconds() / 86400
        comparable = times.at_risk(row["stage"], age)
        quantiles = [times.remaining(row["stage"], age, q) for q in (0.1, 0.2, 0.5, 0.9)]
        note = None
        if comparable < min_sample:
            note = f"{comparable} comparable deals, fewer than min_sample={min_sample}"
        elif quantiles[2] is None:
            note = "most comparable deals have not closed yet"

        dates = [
            None if days is None or note else day + timedelta(days=days) for days in quantiles
        ]
        close = row.get("close_date")
        p20 = dates[1]
        result.append(
            CloseDate(
                id=str(row["id"]),
                stage=row["stage"],
                age=age,
                close_date=close,
                median=dates[2],
                low=dates[0],
                high=dates[3],
                comparable=comparable,
                early=bool(close is not None and p20 is not None and close < p20),
                note=note,
            )
        )
    return result
