"""A Monte Carlo forecast of closed-won revenue in a period: P10, P50, P90."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import attrs
import narwhals as nw
import numpy as np

from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import as_utc
from salesflow.analytics._periods import PeriodLike, days, exclusive, missing, resolve_period
from salesflow.analytics._source import door, resolve
from salesflow.analytics.coverage import Coverage, Gap
from salesflow.analytics.dated_rates import DatedRates, rates_for
from salesflow.analytics.funnel import stage_process
from salesflow.analytics.rates import Rates
from salesflow.columns import Columns
from salesflow.errors import Problem, ValidationError
from salesflow.fiscal import FiscalCalendar
from salesflow.forecasting import _checks
from salesflow.forecasting._montecarlo import simulate
from salesflow.forecasting._open_deals import open_deals, rate
from salesflow.forecasting.close_dates import _end
from salesflow.forecasting.deal_score import DealScoreModel
from salesflow.process import SalesProcess

__all__ = ["RevenueForecast", "forecast_revenue"]


@attrs.frozen(kw_only=True, repr=False)
class RevenueForecast:
    """Closed-won revenue in a period: what is already won plus the simulated rest.

    Attributes:
        start: The period's first day.
        end: Its last day.
        as_of: When the forecast was made.
        currency: The currency of every figure.
        won_so_far: Revenue already won in the period by ``as_of``.
        p10: 10 % of the draws end below this total.
        p50: The median total.
        p90: 90 % of the draws end below this total.
        mean: The mean total.
        deals: Open deals simulated.
        by_close_date: Open deals whose timing came from their own close date
            (their stage had no time-to-close curve).
        draws: How many draws.
        seed: Their seed.
        learned_from: What the probabilities and timings rest on.
        coverage: The open deals left out of the simulation and why (no
            history, no amount, a stage outside the process, no timing at
            all), and those timed by their own close date.
        period: The fiscal period's label when it was named by ``period=``.
    """

    start: date
    end: date
    as_of: datetime
    currency: str
    won_so_far: float
    p10: float
    p50: float
    p90: float
    mean: float
    deals: int
    by_close_date: int
    draws: int
    seed: int
    learned_from: str
    coverage: Coverage = attrs.field(factory=Coverage)
    period: str | None = None

    def __repr__(self) -> str:
        named = "" if self.period is None else f"{self.period}, "
        return (
            f"RevenueForecast({named}{self.start.isoformat()}..{self.end.isoformat()} as of "
            f"{self.as_of.date().isoformat()}, {self.currency}: P10 {self.p10:,.0f}, "
            f"P50 {self.p50:,.0f}, P90 {self.p90:,.0f}; won so far {self.won_so_far:,.0f}; "
            f"{self.deals} open deals, {self.draws} draws)"
            + "".join(f"\n  {note}" for note in self.coverage.notes())
        )


def _day(value: date | datetime, what: str) -> date:
    if isinstance(value, datetime):
        return as_utc(value, what=what).date()
    if isinstance(value, date):
        return value
    raise ValidationError(
        [Problem(f"expected a date, got {type(value).__name__}", f"$.{what}")], subject="forecast"
    )


@translated("forecast_revenue")
def forecast_revenue(
    data: Any,
    *,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
    period: PeriodLike | None = None,
    calendar: FiscalCalendar | None = None,
    as_of: date | datetime | None = None,
    process: SalesProcess | None = None,
    rates: Rates | DatedRates | None = None,
    rate_policy: str | None = None,
    rate_date: date | None = None,
    currency: str | None = None,
    score: DealScoreModel | None = None,
    draws: int = 10_000,
    seed: int = 0,
    min_sample: int = 30,
    columns: Columns | None = None,
) -> RevenueForecast:
    """Simulate the closed-won revenue of ``[start, end]`` from the deals open at ``as_of``.

    Each open deal is won with its learned stage probability (or its deal
    score, given ``score``) and, if won, is won in the period with the chance
    that deals of its age in its stage that were won took that long (the
    cumulative incidence of winning, censoring and losses accounted for; a
    stage without any: its own close date decides). Deals created after
    ``as_of`` are not forecast. Amounts are converted with
    ``rates`` before summing; mixing currencies without rates is an error.
    With :class:`~salesflow.analytics.DatedRates` the default policy is
    ``"close_date"``: each open deal at the rate in force on its close date
    (``as_of`` when it has none), each deal already won at the rate of the day
    it was won.

    Args:
        data: Opportunities or :class:`~salesflow.analytics.Frames`.
        start: The period's first day.
        end: Its last day.
        period: Instead of ``start`` and ``end``, a fiscal period: a
            :class:`~salesflow.Period` or its label, e.g. ``"FY2027 Q1"``.
        calendar: The fiscal calendar a ``period`` label is read in (default: the calendar year).
        as_of: When to forecast from (default: the end of the history).
        process: The process (default: ``Frames.process``).
        rates: Exchange rates into ``rates.currency``: fixed
            :class:`~salesflow.analytics.Rates` or
            :class:`~salesflow.analytics.DatedRates`.
        rate_policy: With ``DatedRates``: ``"close_date"`` (the default),
            ``"as_of"`` (every amount at the rates of ``rate_date``, else of
            ``as_of``) or ``"constant"`` (the rates of ``rate_date``). With
            ``Rates``: only ``"budget"``.
        rate_date: The day whose rates ``"as_of"`` and ``"constant"`` apply.
        currency: The currency of the figures (default: the rates' or the deals' one).
        score: A fitted :class:`DealScoreModel` to use instead of the stage probabilities.
        draws: How many draws.
        seed: The seed: the same seed gives the same figures.
        min_sample: For the learned stage probabilities.
        columns: What a bare frame's source calls salesflow's columns (see :class:`~salesflow.Columns`).

    Raises:
        CurrencyMismatchError: Several currencies and no rate for one of them.
        MissingRateError: With dated rates, a currency without a rate in force
            on a deal's day, naming both.
        ValidationError: A bad period or option (``period`` with ``start`` or
            ``end``, a label not of the calendar), or a rate policy that does
            not fit the rates.

    >>> import salesflow as sf
    >>> from datetime import date
    >>> data = sf.datasets.synthetic(sf.presets.trailhead_simple(), 1000, seed=3)
    >>> f = forecast_revenue(data.opportunities, process=data.process,
    ...                      start=date(2026, 1, 1), end=date(2026, 3, 31), draws=2000)
    >>> f.p10 <= f.p50 <= f.p90
    True
    >>> q1 = forecast_revenue(data.opportunities, process=data.process, period="FY2026 Q1",
    ...                       draws=2000)
    >>> q1.period, (q1.start, q1.end) == (f.start, f.end), q1.p50 == f.p50
    ('FY2026 Q1', True, True)
    """
    exclusive(period, {"start": start, "end": end}, "forecast_revenue")
    chosen_period = resolve_period(period, calendar, "forecast_revenue")
    if chosen_period is not None:
        start, end = days(chosen_period)
    elif start is None or end is None:
        missing({"start": start, "end": end}, "forecast_revenue")
    data = door(data, columns=columns, process=process, currency=currency)
    first, last = _day(start, "start"), _day(end, "end")
    problems = _checks.draws(draws) + _checks.seed(seed)
    problems += _checks.count(min_sample, "min_sample")
    if last < first:
        problems.append(Problem(f"the period ends ({last}) before it starts ({first})", "$.end"))
    if rates is not None and not isinstance(rates, (Rates, DatedRates)):
        problems.append(
            Problem(f"expected Rates or DatedRates, got {type(rates).__name__}", "$.rates")
        )
    if score is not None and not isinstance(score, DealScoreModel):
        problems.append(
            Problem(f"expected a DealScoreModel, got {type(score).__name__}", "$.score")
        )
    if problems:
        raise ValidationError(problems, subject="forecast_revenue")
    chosen = stage_process(process, data, "forecast_revenue")
    inputs = resolve(data)
    moment = _end(inputs) if as_of is None else as_utc(as_of, what="as_of")
    rates = rates_for(
        rates, rate_policy, rate_date=rate_date, as_of=moment.date(), subject="forecast_revenue"
    )
    deals = open_deals(
        data,
        inputs,
        chosen,
        moment,
        first,
        last,
        rates=rates,
        currency=currency,
        score=score,
        min_sample=min_sample,
    )
    gaps: list[Gap | None] = list(deals.gaps)
    target, begin, finish = deals.currency, deals.begin, deals.finish
    totals = simulate(deals.amounts, deals.chances, draws=draws, seed=seed)
    won = _won_so_far(inputs, chosen, begin, min(finish, moment), rates, target)
    totals = totals + won
    if not len(deals.amounts) and not won:
        gaps.append(
            Gap(
                "no_data",
                "forecast",
                f"no open deal to simulate and nothing won by {moment.date()}",
            )
        )
    p10, p50, p90 = (float(v) for v in np.quantile(totals, [0.1, 0.5, 0.9]))
    return RevenueForecast(
        start=first,
        end=last,
        as_of=moment,
        currency=target,
        won_so_far=won,
        p10=p10,
        p50=p50,
        p90=p90,
        mean=float(totals.mean()),
        deals=len(deals.amounts),
        by_close_date=deals.by_close_date,
        draws=draws,
        seed=seed,
        learned_from=deals.learned_from,
        coverage=Coverage(tuple(g for g in gaps if g is not None)),
        period=None if chosen_period is None else chosen_period.label,
    )


def _won_so_far(
    inputs: Any,
    process: SalesProcess,
    begin: datetime,
    until: datetime,
    rates: Rates | DatedRates | None,
    target: str,
) -> float:
    if until < begin:
        return 0.0
    won = [s.name for s in process.won_stages]
    history = inputs.table("history", needs=("opportunity_id", "at", "stage"))
    names = set(history.collect_schema().names())
    if not {"amount", "currency"} <= names:
        return 0.0
    rows = (
        history.filter(
            nw.col("stage").is_in(won) & (nw.col("at") >= begin) & (nw.col("at") <= until)
        )
        .group_by("opportunity_id")
        .agg(nw.col("amount").max(), nw.col("currency").max(), nw.col("at").min())
        .collect(backend="polars")
    )
    return sum(
        float(r["amount"]) * rate(rates, r["currency"], target, _day(r["at"], "at"))
        for r in rows.iter_rows(named=True)
        if r["amount"] is not None
    )
