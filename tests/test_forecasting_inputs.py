"""Every forecasting entry point answers garbage with a salesflow error, nothing else."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest

import salesflow as sf

pytest.importorskip("polars")

from salesflow.forecasting import (
    backtest,
    calibration,
    fit_deal_score,
    forecast_revenue,
    learn_probabilities,
    predict_close_dates,
    score,
)

GARBAGE: list[Any] = [
    None,
    1.5,
    -1,
    True,
    "",
    "x",
    [],
    {},
    b"b",
    object(),
    date(2026, 1, 1),
    datetime(2026, 1, 1),  # noqa: DTZ001 - a naive datetime is part of the garbage
    sf.Money("1", "USD"),
]
DATA = sf.datasets.synthetic(sf.presets.trailhead_simple(), 150, seed=1)
OPPS, PROCESS = list(DATA.opportunities), DATA.process
PERIOD = {"start": date(2026, 1, 1), "end": date(2026, 3, 31), "draws": 50}

CALLS: list[tuple[str, Callable[[Any], object]]] = [
    ("learn(data)", lambda v: learn_probabilities(v, process=PROCESS)),
    ("learn(process)", lambda v: learn_probabilities(OPPS, process=v)),
    ("learn(since)", lambda v: learn_probabilities(OPPS, process=PROCESS, since=v)),
    ("learn(until)", lambda v: learn_probabilities(OPPS, process=PROCESS, until=v)),
    ("learn(segment)", lambda v: learn_probabilities(OPPS, process=PROCESS, segment=v)),
    ("learn(min_sample)", lambda v: learn_probabilities(OPPS, process=PROCESS, min_sample=v)),
    ("learn(seed)", lambda v: learn_probabilities(OPPS, process=PROCESS, seed=v)),
    ("calibration(data)", lambda v: calibration(v, process=PROCESS)),
    ("calibration(buckets)", lambda v: calibration(OPPS, process=PROCESS, buckets=v)),
    ("score(predicted)", lambda v: score(v, [True])),
    ("score(won)", lambda v: score([0.5], v)),
    ("backtest(cutoff)", lambda v: backtest(OPPS, process=PROCESS, cutoff=v, deal_score=False)),
    ("fit_deal_score(until)", lambda v: fit_deal_score(OPPS, process=PROCESS, until=v)),
    ("fit_deal_score(every_days)", lambda v: fit_deal_score(OPPS, process=PROCESS, every_days=v)),
    ("close_dates(as_of)", lambda v: predict_close_dates(OPPS, process=PROCESS, as_of=v)),
    (
        "close_dates(min_sample)",
        lambda v: predict_close_dates(OPPS, process=PROCESS, min_sample=v),
    ),
    (
        "revenue(start)",
        lambda v: forecast_revenue(OPPS, process=PROCESS, **{**PERIOD, "start": v}),
    ),
    (
        "revenue(draws)",
        lambda v: forecast_revenue(OPPS, process=PROCESS, **{**PERIOD, "draws": v}),
    ),
    ("revenue(rates)", lambda v: forecast_revenue(OPPS, process=PROCESS, rates=v, **PERIOD)),
    ("revenue(seed)", lambda v: forecast_revenue(OPPS, process=PROCESS, seed=v, **PERIOD)),
]


@pytest.mark.parametrize(("label", "call"), CALLS, ids=[label for label, _ in CALLS])
def test_garbage_arguments_raise_only_salesflow_errors(
    label: str, call: Callable[[Any], object]
) -> None:
    for value in GARBAGE:
        with contextlib.suppress(sf.SalesflowError):
            call(value)
