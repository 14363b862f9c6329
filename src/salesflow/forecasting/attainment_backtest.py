"""Backtest P(hit) and the P10–P90 band: forecast past periods from a cut-off, compare with what closed."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any

import narwhals as nw

from salesflow.analytics._engine_errors import translated
from salesflow.analytics._source import Kind, door, resolve
from salesflow.analytics.coverage import Gap
from salesflow.analytics.rates import Rates
from salesflow.analytics.result import Result
from salesflow.columns import Columns
from salesflow.errors import ValidationError
from salesflow.fiscal import FiscalCalendar, Unit
from salesflow.forecasting import _checks
from salesflow.forecasting.attainment import attainment
from salesflow.forecasting.close_dates import _end
from salesflow.hierarchy import Hierarchy
from salesflow.process import SalesProcess
from salesflow.targets import Targets

__all__ = ["AttainmentBacktest", "backtest_attainment"]


class AttainmentBacktest(Result):
    """Each past period and node: the band forecast at the cut-off, what closed, P(hit) and the hit.

    Columns: ``period``, ``cutoff``, ``node``, ``depth``, ``p10``, ``p50``,
    ``p90``, ``closed`` (won in the whole period), ``inside`` (P10 <= closed
    <= P90), ``target``, ``p_hit`` and ``hit`` (closed >= target).

    Attributes:
        interval_coverage: The share of rows whose outcome fell inside the
            P10–P90 band (an honest band: near 0.8); ``None`` without rows.
        brier: The mean of (P(hit) − hit)² over rows with a target (0 is
            perfect, 0.25 is a coin); ``None`` without targets.
    """

    _label = "node"
    _value = "closed"

    def __init__(
        self,
        frame: nw.LazyFrame[Any],
        kind: Kind,
        *,
        interval_coverage: float | None,
        brier: float | None,
        **kw: Any,
    ) -> None:
        super().__init__(frame, kind, **kw)
        self.interval_coverage = interval_coverage
        self.brier = brier


@translated("backtest_attainment")
def backtest_attainment(
    data: Any,
    *,
    periods: int = 4,
    unit: Unit = "quarter",
    day: int = 1,
    calendar: FiscalCalendar | None = None,
    targets: Targets | None = None,
    hierarchy: Hierarchy | None = None,
    new_deals: bool = True,
    correlation: float = 0.0,
    draws: int = 2_000,
    seed: int = 0,
    process: SalesProcess | None = None,
    rates: Rates | None = None,
    currency: str | None = None,
    columns: Columns | None = None,
) -> AttainmentBacktest:
    """Forecast each of the last ``periods`` whole periods from its ``day``-th day; score the forecasts.

    For each past period (of ``unit`` in ``calendar``) that is over by the end
    of the history, :func:`attainment` is run as of the end of its ``day``-th
    day, learning only from what was known then, and its P10–P90 band and
    P(hit) are compared with what closed in the whole period. The
    interval coverage should be near 0.8; the Brier score of P(hit) (with
    ``targets`` for those periods) the lower the better.

    >>> import salesflow as sf
    >>> data = sf.datasets.synthetic(sf.presets.trailhead_simple(), 600, seed=3, owners=2)
    >>> bt = backtest_attainment(data.opportunities, process=data.process, periods=2, draws=500)
    >>> sorted({row["period"] for row in bt.rows()})
    ['FY2025 Q2', 'FY2025 Q3']
    >>> 0 <= bt.interval_coverage <= 1
    True
    """
    data = door(data, columns=columns, process=process, currency=currency)
    problems = _checks.count(periods, "periods") + _checks.count(day, "day")
    if problems:
        raise ValidationError(problems, subject="backtest_attainment")
    inputs = resolve(data)
    end = _end(inputs)
    chosen = calendar or FiscalCalendar.calendar_year()
    last = chosen.period_of(end.date(), unit)
    if datetime.combine(last.end, time.max, tzinfo=timezone.utc) > end:  # not over yet
        last = chosen.period_of(last.start - timedelta(days=1), unit)
    past = [last]
    while len(past) < periods:
        past.append(chosen.period_of(past[-1].start - timedelta(days=1), unit))
    past.reverse()
    rows: list[dict[str, Any]] = []
    gaps: list[Gap] = []
    for period in past:
        cutoff_day = min(period.start + timedelta(days=day - 1), period.end)
        cutoff = datetime.combine(cutoff_day, time.max, tzinfo=timezone.utc)
        try:
            forecast = attainment(
                data,
                as_of=cutoff,
                new_deals=new_deals,
                correlation=correlation,
                draws=draws,
                seed=seed,
                process=process,
                rates=rates,
                currency=currency,
                hierarchy=hierarchy,
                targets=targets,
                period=period,
            )
        except ValidationError as exc:
            gaps.append(Gap("no_data", period.label, "; ".join(p.message for p in exc.problems)))
            continue
        if any(g.kind == "no_data" and g.what == "forecast" for g in forecast.coverage.gaps):
            gaps.append(
                Gap(
                    "no_data",
                    period.label,
                    f"nothing open or won by the cut-off {cutoff_day}: not scored",
                )
            )
            continue
        outcome = attainment(
            data,
            as_of=datetime.combine(period.end, time.max, tzinfo=timezone.utc),
            new_deals=False,
            draws=1,
            process=process,
            rates=rates,
            currency=currency,
            hierarchy=hierarchy,
            targets=targets,
            period=period,
        )
        closed = {r["node"]: r["closed"] for r in outcome.rows()}
        for r in forecast.rows():
            actual = float(closed.get(r["node"], 0) or 0)
            target = r["target"]
            rows.append(
                {
                    "period": period.label,
                    "cutoff": cutoff_day,
                    "node": r["node"],
                    "depth": r["depth"],
                    "p10": r["p10"],
                    "p50": r["p50"],
                    "p90": r["p90"],
                    "closed": actual,
                    "inside": r["p10"] <= actual <= r["p90"],
                    "target": float(target) if target is not None else None,
                    "p_hit": r["p_hit"],
                    "hit": actual >= float(target) if target is not None else None,
                }
            )
    scored = [r for r in rows if r["p_hit"] is not None and r["hit"] is not None]
    coverage = sum(r["inside"] for r in rows) / len(rows) if rows else None
    brier = (
        sum((r["p_hit"] - float(r["hit"])) ** 2 for r in scored) / len(scored) if scored else None
    )
    if not rows:
        gaps.append(Gap("no_data", "backtest", "no past period to forecast"))
    if targets is None:
        gaps.append(Gap("not_checked", "Brier score", "no targets for the past periods"))
    import polars as pl

    schema = {
        "period": pl.String,
        "cutoff": pl.Date,
        "node": pl.String,
        "depth": pl.Int64,
        "p10": pl.Float64,
        "p50": pl.Float64,
        "p90": pl.Float64,
        "closed": pl.Float64,
        "inside": pl.Boolean,
        "target": pl.Float64,
        "p_hit": pl.Float64,
        "hit": pl.Boolean,
    }
    frame = nw.from_native(pl.DataFrame(rows, schema=schema, orient="row")).lazy()
    kind = inputs.kind if inputs.kind.eager else Kind(nw.Implementation.POLARS, eager=True)
    shown = "-" if coverage is None else f"{coverage:.0%}"
    return AttainmentBacktest(
        frame,
        kind,
        interval_coverage=coverage,
        brier=brier,
        title=f"P(hit) backtest: {len(past)} {unit}s from day {day}; P10–P90 coverage {shown}",
        policies={"periods": [p.label for p in past], "day": day, "draws": draws, "seed": seed},
        gaps=gaps,
    )
