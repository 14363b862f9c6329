"""The honest test: learn as of a cut-off, predict the deals open then, score on what happened."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import attrs
import narwhals as nw

from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import as_utc
from salesflow.analytics._source import door, resolve
from salesflow.analytics.funnel import stage_process
from salesflow.columns import Columns
from salesflow.errors import Problem, ValidationError
from salesflow.forecasting import _checks
from salesflow.forecasting._state import open_at
from salesflow.forecasting._transitions import stage_entries
from salesflow.forecasting.calibration import Calibration, score
from salesflow.forecasting.deal_score import fit_deal_score
from salesflow.forecasting.estimates import LearnedProbabilities
from salesflow.forecasting.learned import learn_probabilities
from salesflow.process import SalesProcess

__all__ = ["Backtest", "backtest", "calibration"]


@translated("calibration")
def calibration(
    data: Any, *, process: SalesProcess | None = None, label: str | None = None, buckets: int = 10
) -> Calibration:
    """Score a process's stage probabilities on the closed deals (in sample).

    Every entry of a closed deal into an open stage is one prediction: the
    stage's probability that the deal will be won. Pass
    ``process.with_probabilities(learned)`` to score learned ones — on the
    same deals they were learned from, so only :func:`backtest` is an honest test.

    >>> import salesflow as sf
    >>> data = sf.datasets.synthetic(sf.presets.trailhead_simple(), 400, seed=3)
    >>> c = calibration(data.opportunities, process=data.process)
    >>> c.label, c.n > 400
    ('Trailhead simple stage probabilities', True)
    """
    inputs = resolve(data)
    chosen = stage_process(process, data, "calibration")
    opens = [s.name for s in chosen.open_stages]
    snapshot = inputs.table("snapshot", needs=("id", "is_closed", "is_won")).select(
        nw.col("id").alias("opportunity_id"), "is_closed", "is_won"
    )
    rows = (
        stage_entries(inputs)
        .filter(nw.col("stage").is_in(opens))
        .join(snapshot, on="opportunity_id")
        .filter(nw.col("is_closed"))
        .select("stage", "is_won")
        .collect(backend="polars")
    )
    percent = {s.name: float(s.probability) / 100 for s in chosen.stages}
    return score(
        [percent[s] for s in rows["stage"].to_list()],
        rows["is_won"].to_list(),
        label=label or f"{chosen.name} stage probabilities",
        buckets=buckets,
    )


@attrs.frozen(kw_only=True, repr=False)
class Backtest:
    """Probabilities scored on deals they were not learned from.

    Attributes:
        cutoff: The moment everything was learned as of.
        open_at_cutoff: Deals in an open stage at the cut-off.
        scored: Those closed since: the deals the scores are on.
        learned: The stage probabilities learned as of the cut-off.
        fallbacks: Scored deals whose stage had no learned number (they got
            the static default in the learned column).
        results: One :class:`Calibration` per predictor, in order.
        note: Why a predictor is missing, if one is.
    """

    cutoff: datetime
    open_at_cutoff: int
    scored: int
    learned: LearnedProbabilities
    fallbacks: int
    results: tuple[Calibration, ...]
    note: str | None = None

    def result(self, label: str) -> Calibration:
        """The scores of the predictor called ``label``.

        Raises:
            ValidationError: No such predictor (the message lists them).
        """
        for r in self.results:
            if r.label == label:
                return r
        known = ", ".join(repr(r.label) for r in self.results)
        raise ValidationError(
            [Problem(f"no predictor {label!r}; the backtest has {known}", "$.label")],
            subject="backtest",
        )

    def to_frame(self) -> Any:
        """One row per predictor: label, n, Brier score, log loss, skill."""
        import polars as pl

        return pl.DataFrame(
            [
                {
                    "predictor": r.label,
                    "n": r.n,
                    "brier": r.brier,
                    "log_loss": r.log_loss,
                    "skill": r.skill,
                }
                for r in self.results
            ]
        )

    def __repr__(self) -> str:
        lines = [
            f"Backtest(cutoff={self.cutoff.date().isoformat()}: {self.scored} of "
            f"{self.open_at_cutoff} deals open then have closed since and are scored; "
            f"learned from {self.learned.learned_from})",
            "  predictor                  brier  log_loss   skill",
        ]
        lines.extend(
            f"  {r.label:<24} {r.brier:>7.4f}  {r.log_loss:>8.4f}  {r.skill:>6.3f}"
            for r in self.results
        )
        if self.note:
            lines.append(f"  ({self.note})")
        return "\n".join(lines)


@translated("backtest")
def backtest(
    data: Any,
    *,
    cutoff: date | datetime,
    process: SalesProcess | None = None,
    min_sample: int = 30,
    buckets: int = 10,
    deal_score: bool = True,
    columns: Columns | None = None,
    currency: str | None = None,
) -> Backtest:
    """Learn as of ``cutoff``, predict every deal open then, score on how it ended.

    Only history written up to the cut-off is used to learn; the deals in an
    open stage at the cut-off are predicted from their stage then, and scored
    if they have closed since (deals still open are left out: their outcome
    is unknown). Predictors: the process's static stage defaults, the stage
    probabilities learned as of the cut-off (a stage with too little history
    falls back to its default, counted in ``fallbacks``) and the deal score
    fitted as of the cut-off (:func:`fit_deal_score`).

    Args:
        data: Opportunities or :class:`~salesflow.analytics.Frames` with history and snapshot.
        cutoff: The moment to learn as of (a date: the end of that day).
        process: The process (default: ``Frames.process``).
        min_sample: Passed to :func:`learn_probabilities`.
        buckets: Buckets of the reliability tables.
        deal_score: Whether to fit and score the deal score too.
        columns: What a bare frame's source calls salesflow's columns (see :class:`~salesflow.Columns`).
        currency: The currency of amounts in tables without a currency column.

    >>> import salesflow as sf
    >>> from datetime import date
    >>> data = sf.datasets.synthetic(sf.presets.trailhead_simple(), 1500, seed=2)
    >>> bt = backtest(data.opportunities, process=data.process, cutoff=date(2025, 7, 1))
    >>> bt.result("learned").brier < bt.result("static defaults").brier
    True
    """
    data = door(data, columns=columns, process=process, currency=currency)
    moment = as_utc(cutoff, what="cutoff")
    chosen = stage_process(process, data, "backtest")
    _checks.history_span(
        resolve(data).table("history", needs=("opportunity_id", "at", "stage")), "backtest"
    )
    learned = learn_probabilities(data, process=chosen, until=moment, min_sample=min_sample)
    state = open_at(resolve(data), chosen, moment)
    done = state.filter(state["is_closed"])
    stages, won = done["stage"].to_list(), done["is_won"].to_list()
    learned_process = chosen.with_probabilities(learned)
    static = [float(chosen.stage(s).probability) / 100 for s in stages]
    fitted = [float(learned_process.stage(s).probability) / 100 for s in stages]
    fallbacks = sum(1 for s in stages if s not in learned.percentages)
    results = [
        score(static, won, label="static defaults", buckets=buckets),
        score(fitted, won, label="learned", buckets=buckets),
    ]
    note = None
    if deal_score:
        try:
            model = fit_deal_score(data, process=chosen, until=moment, min_sample=min_sample)
        except ValidationError as exc:
            note = f"no deal score: {exc.problems[0].message}"
        else:
            scores = model.score_rows(list(done.iter_rows(named=True)), moment)
            results.append(
                score([s.probability for s in scores], won, label="deal score", buckets=buckets)
            )
    return Backtest(
        cutoff=moment,
        open_at_cutoff=len(state),
        scored=len(done),
        learned=learned,
        fallbacks=fallbacks,
        results=tuple(results),
        note=note,
    )
