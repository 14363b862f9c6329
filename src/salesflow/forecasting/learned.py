"""Stage probabilities learned from history, each with its interval and its sample size."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, time, timezone
from typing import Any

import numpy as np

from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import as_utc, by_columns
from salesflow.analytics._periods import PeriodLike, exclusive, label, resolve_period
from salesflow.analytics._source import door, resolve
from salesflow.analytics.funnel import stage_process
from salesflow.analytics.rates import Rates
from salesflow.columns import Columns
from salesflow.errors import Problem, ValidationError
from salesflow.fiscal import FiscalCalendar
from salesflow.forecasting import _checks
from salesflow.forecasting._chain import fit_chain
from salesflow.forecasting._transitions import Reopened, count_moves
from salesflow.forecasting.estimates import LearnedProbabilities, StageEstimate
from salesflow.process import SalesProcess

__all__ = ["learn_probabilities"]


def _moment(value: date | datetime | None, what: str, *, start: bool = False) -> datetime | None:
    """An aware UTC time; a date is the end of that day (its start for ``start``)."""
    if value is None:
        return None
    if start and isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time.min, tzinfo=timezone.utc)
    return as_utc(value, what=what)


@translated("learn_probabilities")
def learn_probabilities(
    data: Any,
    *,
    process: SalesProcess | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    period: PeriodLike | None = None,
    calendar: FiscalCalendar | None = None,
    segment: str | Sequence[str] = (),
    min_sample: int = 30,
    reopened: Reopened = "censor",
    size_bands: Sequence[object] = (),
    rates: Rates | None = None,
    level: float = 0.95,
    draws: int = 2000,
    seed: int = 0,
    columns: Columns | None = None,
    currency: str | None = None,
) -> LearnedProbabilities:
    """Learn each stage's win probability from the moves in a stage history.

    The moves are counted on the frame door (pandas, Polars, DuckDB, PySpark
    ...); the absorbing Markov chain they define is solved locally: the
    probability of winning from a stage is the chance of each next stage
    times the probability of winning from there, so a stage that deals mostly
    leave by moving on is estimated through the stages after it. Deals still
    in a stage are censored (not counted as lost); so are closes that were
    later reopened, unless ``reopened="count"``.

    Args:
        data: Opportunities, or :class:`~salesflow.analytics.Frames` with a history table.
        process: The process (default: ``Frames.process``).
        since: Count only moves made on or after this time (a date: from its start).
        until: Learn as of this time (a date: its end): later history is ignored,
            as if not yet written, so deals open then are censored.
        period: Instead of ``since`` and ``until``, a fiscal period (a
            :class:`~salesflow.Period` or its label, e.g. ``"FY2026"``): the
            moves made on its days, learned as of the end of its last day.
        calendar: The fiscal calendar a ``period`` label is read in (default: the calendar year).
        segment: Snapshot columns to learn separately for (owner, product, a size band ...).
        min_sample: The fewest counted moves out of a stage for a number;
            below it the estimate is "insufficient history".
        reopened: ``"censor"`` (default) or ``"count"`` a close that was later reopened.
        size_bands: Amounts that cut deals into size bands, e.g. ``[10_000, 50_000]``:
            adds a ``size_band`` segment (``"< 10,000"``, ``"10,000–50,000"``,
            ``"≥ 50,000"``, ``"no amount"``) from the snapshot's amount.
        rates: Converts amounts into one currency before banding; several
            currencies without it raise :class:`~salesflow.CurrencyMismatchError`.
        level: The interval's coverage (posterior draws; see below).
        draws: How many posterior draws make the interval: each stage's moves are
            drawn from Dirichlet(counts + ½) and the whole chain re-solved.
        seed: The draws' seed.
        columns: What a bare frame's source calls salesflow's columns (see :class:`~salesflow.Columns`).
        currency: The currency of amounts in tables without a currency column.

    Returns:
        A :class:`LearnedProbabilities`.

    Raises:
        ValidationError: A bad option, ``period`` with ``since`` or ``until``, a
            label not of the calendar, no process, stages the process lacks, a
            missing column.

    >>> import salesflow as sf
    >>> from salesflow.forecasting import learn_probabilities
    >>> data = sf.datasets.synthetic(sf.presets.trailhead_simple(), 1500, seed=1)
    >>> learned = learn_probabilities(data.opportunities, process=data.process)
    >>> e = learned.estimate("Negotiation/Review")
    >>> e.low < data.truth.win_probability["Negotiation/Review"] < e.high
    True
    """
    exclusive(period, {"since": since, "until": until}, "learn_probabilities")
    chosen_period = resolve_period(period, calendar, "learn_probabilities")
    if chosen_period is not None:
        since, until = chosen_period.start, chosen_period.end
    data = door(data, columns=columns, process=process, currency=currency)
    problems = []
    if isinstance(min_sample, bool) or not isinstance(min_sample, int) or min_sample < 1:
        problems.append(Problem(f"expected a count >= 1, got {min_sample!r}", "$.min_sample"))
    if reopened not in ("censor", "count"):
        problems.append(Problem(f"expected 'censor' or 'count', got {reopened!r}", "$.reopened"))
    if isinstance(level, bool) or not isinstance(level, float) or not 0 < level < 1:
        problems.append(Problem(f"expected a level in (0, 1), got {level!r}", "$.level"))
    problems += _checks.draws(draws, least=100)
    problems += _checks.seed(seed) + _checks.columns(segment)
    if rates is not None and not isinstance(rates, Rates):
        problems.append(Problem(f"expected Rates, got {type(rates).__name__}", "$.rates"))
    if problems:
        raise ValidationError(problems, subject="learn_probabilities")
    keys = by_columns(segment)
    chosen = stage_process(process, data, "learn_probabilities")
    start, end = _moment(since, "since", start=True), _moment(until, "until")
    counts = count_moves(
        resolve(data),
        chosen,
        segment=keys,
        since=start,
        until=end,
        reopened=reopened,
        size_bands=size_bands,
        rates=rates,
    )
    if size_bands:
        keys = [*keys, "size_band"]
    rng = np.random.default_rng(seed)
    segments = sorted(
        {k[0] for k in counts.entered} or {()},
        key=lambda values: tuple((v is None, str(v)) for v in values),
    )
    tail = (1 - level) / 2
    estimates = []
    for values in segments:
        rows: dict[str, dict[str, int]] = {}
        for (seg, source, target), n in counts.moves.items():
            if seg == values:
                rows.setdefault(source, {})[target] = n
        fit = fit_chain(chosen, rows, draws=draws, rng=rng)
        for stage in chosen.open_stages:
            deals, unresolved = counts.entered.get((values, stage.name), (0, 0))
            exits, point = fit.exits[stage.name], fit.point[stage.name]
            sample = fit.draws[stage.name]
            note = None
            if math.isnan(point):
                note = "no moves out of it, or out of a stage it leads to"
            elif exits < min_sample:
                note = f"{exits} moves out of it, fewer than min_sample={min_sample}"
            estimates.append(
                StageEstimate(
                    stage=stage.name,
                    segment=values,
                    probability=None if note else point,
                    low=None if note else float(np.quantile(sample, tail)),
                    high=None if note else float(np.quantile(sample, 1 - tail)),
                    exits=exits,
                    deals=deals,
                    unresolved=unresolved,
                    note=note,
                )
            )
    moves = sum(counts.moves.values())
    period = ""
    if counts.first is not None and counts.last is not None:
        period = f", {counts.first.date().isoformat()} to {counts.last.date().isoformat()}"
    return LearnedProbabilities(
        process_name=chosen.name,
        estimates=tuple(estimates),
        segment_by=tuple(keys),
        learned_from=f"{moves:,} moves of {counts.opportunities:,} opportunities{period}",
        policies={
            "since": start,
            "until": end,
            "period": label(chosen_period),
            "segment": tuple(keys),
            "min_sample": min_sample,
            "reopened": reopened,
            "size_bands": tuple(size_bands),
            "level": level,
            "draws": draws,
            "seed": seed,
        },
    )
