"""Stage probabilities learned from history, each with its interval and its sample size."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any

import attrs
import numpy as np

from salesflow.analytics._expr import as_utc, by_columns
from salesflow.analytics._source import resolve
from salesflow.analytics.funnel import stage_process
from salesflow.analytics.rates import Rates
from salesflow.errors import Problem, ValidationError
from salesflow.forecasting import _checks
from salesflow.forecasting._chain import fit_chain
from salesflow.forecasting._transitions import Reopened, count_moves
from salesflow.process import SalesProcess

__all__ = ["LearnedProbabilities", "StageEstimate", "learn_probabilities"]


@attrs.frozen(kw_only=True)
class StageEstimate:
    """The learned probability that a deal in one stage is eventually won.

    Attributes:
        stage: The stage.
        segment: The segment's values (empty when not segmented).
        probability: The estimate (0..1), or ``None`` for "insufficient history".
        low: The interval's lower end, or ``None``.
        high: The interval's upper end, or ``None``.
        exits: How many moves out of the stage were counted: the sample behind
            the stage's own row of the chain.
        deals: How many deals entered the stage.
        unresolved: Entries still in the stage at the end of the data (censored).
        note: Why there is no number, when there is none.
    """

    stage: str
    segment: tuple[Any, ...] = ()
    probability: float | None
    low: float | None
    high: float | None
    exits: int
    deals: int
    unresolved: int
    note: str | None = None

    @property
    def sufficient(self) -> bool:
        """Whether there is a number."""
        return self.probability is not None

    def __str__(self) -> str:
        if self.probability is None or self.low is None or self.high is None:
            return f"{self.stage}: insufficient history ({self.note})"
        return (
            f"{self.stage}: {self.probability:.1%} "
            f"[{self.low:.1%}, {self.high:.1%}], {self.exits} moves out, {self.deals} deals entered"
        )


@attrs.frozen(kw_only=True, repr=False)
class LearnedProbabilities:
    """Win probabilities per stage (and segment) learned from stage history.

    Attributes:
        process_name: The process whose stages they are.
        estimates: One :class:`StageEstimate` per open stage and segment.
        segment_by: The segment columns (empty: one segment, the whole data).
        learned_from: What the numbers rest on, in words.
        policies: The options they were computed with.
    """

    process_name: str
    estimates: tuple[StageEstimate, ...]
    segment_by: tuple[str, ...]
    learned_from: str
    policies: Mapping[str, Any]

    def estimate(self, stage: str, *segment: Any) -> StageEstimate:
        """The estimate for ``stage`` (in the segment with these values).

        Raises:
            ValidationError: No such stage or segment.
        """
        for e in self.estimates:
            if e.stage == stage and e.segment == tuple(segment):
                return e
        raise ValidationError(
            [Problem(f"no estimate for stage {stage!r} in segment {segment!r}", "$.stage")],
            subject="learned probabilities",
        )

    @property
    def segments(self) -> list[tuple[Any, ...]]:
        """The segments' values, in order of appearance."""
        return list(dict.fromkeys(e.segment for e in self.estimates))

    @property
    def percentages(self) -> dict[str, Decimal]:
        """Stage → learned percentage (one decimal), for the stages with a number.

        What :meth:`salesflow.SalesProcess.with_probabilities` reads.

        Raises:
            ValidationError: The result is segmented (pick one with :meth:`segment`).
        """
        if self.segment_by:
            raise ValidationError(
                [Problem("segmented probabilities: pick one with .segment(...)", "$")],
                subject="learned probabilities",
            )
        return {
            e.stage: Decimal(str(round(e.probability * 100, 1)))
            for e in self.estimates
            if e.probability is not None
        }

    def segment(self, *values: Any) -> LearnedProbabilities:
        """The estimates of one segment, as an unsegmented result."""
        chosen = tuple(attrs.evolve(e, segment=()) for e in self.estimates if e.segment == values)
        if not chosen:
            raise ValidationError(
                [Problem(f"no segment {values!r}", "$.segment")], subject="learned probabilities"
            )
        label = ", ".join(f"{k}={v!r}" for k, v in zip(self.segment_by, values, strict=False))
        return attrs.evolve(
            self, estimates=chosen, segment_by=(), learned_from=f"{self.learned_from} ({label})"
        )

    def to_frame(self) -> Any:
        """The estimates as a Polars DataFrame."""
        import polars as pl

        return pl.DataFrame(
            [
                {
                    **dict(zip(self.segment_by, e.segment, strict=False)),
                    "stage": e.stage,
                    "probability": e.probability,
                    "low": e.low,
                    "high": e.high,
                    "exits": e.exits,
                    "deals": e.deals,
                    "unresolved": e.unresolved,
                    "note": e.note,
                }
                for e in self.estimates
            ],
            infer_schema_length=None,
        )

    def __repr__(self) -> str:
        lines = [f"LearnedProbabilities({self.process_name!r}, {self.learned_from})"]
        for e in self.estimates:
            prefix = f"{', '.join(map(str, e.segment))}: " if e.segment else ""
            lines.append(f"  {prefix}{e}")
        return "\n".join(lines)


def _moment(value: date | datetime | None, what: str, *, start: bool = False) -> datetime | None:
    """An aware UTC time; a date is the end of that day (its start for ``start``)."""
    if value is None:
        return None
    if start and isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time.min, tzinfo=timezone.utc)
    return as_utc(value, what=what)


def learn_probabilities(
    data: Any,
    *,
    process: SalesProcess | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    segment: str | Sequence[str] = (),
    min_sample: int = 30,
    reopened: Reopened = "censor",
    size_bands: Sequence[object] = (),
    rates: Rates | None = None,
    level: float = 0.95,
    draws: int = 2000,
    seed: int = 0,
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

    Returns:
        A :class:`LearnedProbabilities`.

    Raises:
        ValidationError: A bad option, no process, stages the process lacks, a missing column.

    >>> import salesflow as sf
    >>> from salesflow.forecasting import learn_probabilities
    >>> data = sf.datasets.synthetic(sf.presets.trailhead_simple(), 1500, seed=1)
    >>> learned = learn_probabilities(data.opportunities, process=data.process)
    >>> e = learned.estimate("Negotiation/Review")
    >>> e.low < data.truth.win_probability["Negotiation/Review"] < e.high
    True
    """
    problems = []
    if isinstance(min_sample, bool) or not isinstance(min_sample, int) or min_sample < 1:
        problems.append(Problem(f"expected a count >= 1, got {min_sample!r}", "$.min_sample"))
    if reopened not in ("censor", "count"):
        problems.append(Problem(f"expected 'censor' or 'count', got {reopened!r}", "$.reopened"))
    if isinstance(level, bool) or not isinstance(level, float) or not 0 < level < 1:
        problems.append(Problem(f"expected a level in (0, 1), got {level!r}", "$.level"))
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 100:
        problems.append(Problem(f"expected at least 100 draws, got {draws!r}", "$.draws"))
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
            "segment": tuple(keys),
            "min_sample": min_sample,
            "reopened": reopened,
            "size_bands": tuple(size_bands),
            "level": level,
            "draws": draws,
            "seed": seed,
        },
    )
