"""Close-date predictions and the Monte Carlo revenue forecast: fixtures, truth and seeds."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest

import salesflow as sf

pytest.importorskip("polars")

from salesflow.analytics.rates import Rates
from salesflow.forecasting import (
    forecast_revenue,
    learn_close_times,
    predict_close_dates,
)
from salesflow.forecasting._montecarlo import simulate

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
SIMPLE = sf.SalesProcess(
    name="Simple",
    stages=[
        sf.Stage("A", 10),
        sf.Stage("Won", 100, is_closed=True, is_won=True),
        sf.Stage("Lost", 0, is_closed=True),
    ],
)


def _deal(
    i: int,
    days: int | None,
    outcome: str = "Won",
    *,
    close: date = date(2026, 2, 1),
    opened: datetime = T0,
) -> sf.Opportunity:
    opp = SIMPLE.open(
        name=f"d{i}", id=f"d{i:03d}", close_date=close, at=opened, amount=sf.Money(1000, "USD")
    )
    if days is not None:
        SIMPLE.move(opp, outcome, at=opened + timedelta(days=days, hours=1))
    return opp


def test_kaplan_meier_counts_the_deals_still_open_as_censored() -> None:
    # 40 deals closed after 10 days, 40 after 30, 20 still open at day 100.
    deals = [_deal(i, 10) for i in range(40)] + [_deal(40 + i, 30) for i in range(40)]
    deals += [_deal(80 + i, None) for i in range(19)]
    deals.append(_deal(99, None))
    times = learn_close_times(deals, process=SIMPLE, until=T0 + timedelta(days=100))
    assert times.at_risk("A", 0) == 100
    assert times.at_risk("A", 20) == 60
    assert times.remaining("A", 0, 0.4) == 10
    assert times.remaining("A", 0, 0.5) == 30  # half the deals had closed by day 30
    assert times.remaining("A", 0, 0.9) is None  # 20 % never closed: no 90th percentile
    assert times.chance_between("A", 20, 0, 20) == pytest.approx(40 / 60)


def test_close_dates_are_flagged_when_earlier_than_most_comparable_deals() -> None:
    history = [_deal(i, 10 + i) for i in range(60)]  # closed after 10..69 days
    later = T0 + timedelta(days=100)
    hopeful = _deal(100, None, close=date(2026, 4, 14), opened=later)
    realistic = _deal(101, None, close=date(2026, 6, 30), opened=later)
    predictions = predict_close_dates(
        [*history, hopeful, realistic], process=SIMPLE, as_of=later + timedelta(days=2)
    )
    by_id = {p.id: p for p in predictions}
    assert set(by_id) == {"d100", "d101"}
    first = by_id["d100"]
    assert first.comparable == 62
    # Two days in: the comparable deals closed on days 10..69; a quantile is the first day by
    # which that share had closed: 6 of 60 by day 15, 30 by day 39, 54 by day 63.
    today = (later + timedelta(days=2)).date()
    assert first.median == today + timedelta(days=39 - 2)
    assert first.low == today + timedelta(days=15 - 2)
    assert first.high == today + timedelta(days=63 - 2)
    assert first.early is True and by_id["d101"].early is False


def test_too_few_comparable_deals_give_no_close_date() -> None:
    predictions = predict_close_dates(
        [_deal(i, 5) for i in range(5)] + [_deal(9, None)], process=SIMPLE
    )
    assert predictions[0].median is None
    assert predictions[0].note == "6 comparable deals, fewer than min_sample=30"


def test_monte_carlo_matches_the_exact_mean_and_spread() -> None:
    rng = np.random.default_rng(0)
    amounts, chances = rng.lognormal(8, 1, 400), rng.random(400)
    totals = simulate(amounts, chances, draws=20_000, seed=5)
    mean, sd = (amounts * chances).sum(), np.sqrt((amounts**2 * chances * (1 - chances)).sum())
    assert abs(totals.mean() - mean) < 4 * sd / np.sqrt(20_000)
    assert totals.std() == pytest.approx(sd, rel=0.03)
    assert np.array_equal(totals, simulate(amounts, chances, draws=20_000, seed=5))


def test_the_revenue_forecast_brackets_what_happened_on_synthetic_data() -> None:
    inside = 0
    for seed in range(4):
        data = sf.datasets.synthetic(sf.presets.trailhead_simple(), 1200, seed=seed)
        as_of = datetime(2025, 10, 1, tzinfo=timezone.utc)
        start, end = date(2025, 10, 1), date(2025, 12, 31)
        f = forecast_revenue(
            data.opportunities, process=data.process, start=start, end=end, as_of=as_of, draws=3000
        )
        actual = sum(
            float(o.amount.amount)
            for o in data.opportunities
            if o.is_won
            and o.amount is not None
            and o.created_at <= as_of
            and o.closed_on is not None
            and start <= o.closed_on <= end
        )
        inside += f.p10 <= actual <= f.p90
        assert f.deals > 0 and f.p10 <= f.p50 <= f.p90
    assert inside >= 2


def test_currencies_are_converted_before_summing_and_never_mixed() -> None:
    data = sf.datasets.synthetic(
        sf.presets.trailhead_simple(), 400, seed=2, currencies={"USD": 1, "EUR": 1}
    )
    period = {"start": date(2026, 1, 1), "end": date(2026, 6, 30), "draws": 500}
    with pytest.raises(sf.CurrencyMismatchError):
        forecast_revenue(data.opportunities, process=data.process, **period)  # type: ignore[arg-type]
    one = forecast_revenue(
        data.opportunities,
        process=data.process,
        rates=Rates("USD", {"EUR": "1"}),
        **period,  # type: ignore[arg-type]
    )
    two = forecast_revenue(
        data.opportunities,
        process=data.process,
        rates=Rates("USD", {"EUR": "2"}),
        **period,  # type: ignore[arg-type]
    )
    assert two.p50 > one.p50 and one.currency == "USD"
