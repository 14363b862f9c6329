"""How good each submitter's forecast calls were: error, bias, and how often Commit came in."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any

import narwhals as nw

from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import as_utc
from salesflow.analytics._source import Kind, door, resolve
from salesflow.analytics.coverage import Gap
from salesflow.analytics.funnel import stage_process
from salesflow.analytics.rates import Rates
from salesflow.analytics.result import Result
from salesflow.columns import Columns
from salesflow.errors import Problem, ValidationError
from salesflow.forecast import ForecastCategory
from salesflow.forecasting import _period_parts as pieces
from salesflow.forecasting.close_dates import _end
from salesflow.hierarchy import Hierarchy
from salesflow.process import SalesProcess
from salesflow.submission import Submission, Submissions

__all__ = ["ACCURACY_COLUMNS", "SubmissionAccuracy", "submission_accuracy"]

ACCURACY_COLUMNS = (
    "submitter",
    "calls",
    "mean_error",
    "mean_abs_error",
    "bias",
    "commit_calls",
    "commit_met",
)
"""One row per submitter (see :class:`SubmissionAccuracy`)."""


class SubmissionAccuracy(Result):
    """Each submitter's final calls against what closed.

    Columns: ``submitter``; ``calls`` (final calls scored: the last call of
    each node, period and category made by the period's end, for periods
    over by ``as_of``); ``mean_error`` (called − closed, in the currency;
    positive: called too high); ``mean_abs_error``; ``bias`` (the mean of
    (called − closed) ÷ closed, over calls whose node closed anything);
    ``commit_calls`` and ``commit_met`` (the share of Commit calls where
    what closed reached the number called). :meth:`calls` lists each scored
    call with its outcome.
    """

    _label = "submitter"
    _value = "mean_abs_error"

    def __init__(
        self, frame: nw.LazyFrame[Any], kind: Kind, *, detail: list[dict[str, Any]], **kw: Any
    ) -> None:
        super().__init__(frame, kind, **kw)
        self._detail = detail

    def calls(self) -> list[dict[str, Any]]:
        """Every scored call: submitter, node, period, category, at, called, closed, error."""
        return [dict(row) for row in self._detail]


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=timezone.utc)


@translated("submission_accuracy")
def submission_accuracy(
    data: Any,
    submissions: Submissions,
    *,
    hierarchy: Hierarchy | None = None,
    as_of: date | datetime | None = None,
    process: SalesProcess | None = None,
    rates: Rates | None = None,
    columns: Columns | None = None,
) -> SubmissionAccuracy:
    """Score each submitter's forecast calls against what their node closed in the period.

    What closed is the won revenue of the node (with ``hierarchy``: of its
    whole team) in the call's period — each deal's first move into a won
    stage, converted into the calls' currency with ``rates``. A call's
    period must be over by ``as_of`` (default: the end of the history);
    later ones are counted in the coverage, not scored.

    >>> import salesflow as sf
    >>> from datetime import datetime, timezone
    >>> data = sf.datasets.synthetic(sf.presets.trailhead_simple(), 400, seed=3, owners=2)
    >>> q3 = sf.FiscalCalendar.calendar_year().period("FY2025 Q3")
    >>> calls = sf.Submissions([
    ...     sf.Submission("rep-01", q3, sf.Money(100_000, "USD"), datetime(2025, 7, 15, tzinfo=timezone.utc)),
    ...     sf.Submission("rep-02", q3, sf.Money(50_000, "USD"), datetime(2025, 7, 15, tzinfo=timezone.utc)),
    ... ])
    >>> scored = submission_accuracy(data.opportunities, calls, process=data.process)
    >>> [row["calls"] for row in scored.rows()]
    [1, 1]
    """
    data = door(data, columns=columns, process=process, currency=None)
    problems: list[Problem] = []
    if not isinstance(submissions, Submissions):
        problems.append(
            Problem(f"expected Submissions, got {type(submissions).__name__}", "$.submissions")
        )
    if hierarchy is not None and not isinstance(hierarchy, Hierarchy):
        problems.append(
            Problem(f"expected a Hierarchy, got {type(hierarchy).__name__}", "$.hierarchy")
        )
    if rates is not None and not isinstance(rates, Rates):
        problems.append(Problem(f"expected Rates, got {type(rates).__name__}", "$.rates"))
    if problems:
        raise ValidationError(problems, subject="submission_accuracy")
    chosen = stage_process(process, data, "submission_accuracy")
    inputs = resolve(data)
    moment = _end(inputs) if as_of is None else as_utc(as_of, what="as_of")
    currency = submissions.currency or (rates.currency if rates is not None else "USD")
    owner_of = pieces.owners(inputs)
    won: list[tuple[str, datetime, Decimal]] = []
    for row in pieces.closings(inputs, chosen, moment):
        if row["won"] and row["amount"] is not None:
            worth = pieces.decimal(row["amount"]) * pieces.factor(
                rates, row["currency"], currency, row["at"].date()
            )
            won.append(
                (owner_of.get(str(row["opportunity_id"]), pieces.NO_OWNER), row["at"], worth)
            )
    final: dict[tuple[str, str, Any, ForecastCategory], Submission] = {}
    later = 0
    for call in submissions:
        if _end_of(call.period.end) > moment:
            later += 1
            continue
        if call.at > _end_of(call.period.end):
            continue  # made after the period: not a forecast
        key = (call.submitter, call.node, call.period, call.category)
        if key not in final or final[key].at < call.at:
            final[key] = call
    detail: list[dict[str, Any]] = []
    for (who, node, period, category), call in sorted(
        final.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2].start, kv[0][3].value)
    ):
        team = (
            set(hierarchy.subtree(node)) if hierarchy is not None and node in hierarchy else {node}
        )
        begin, finish = (
            datetime.combine(period.start, time.min, tzinfo=timezone.utc),
            _end_of(period.end),
        )
        closed = sum((w for o, at, w in won if o in team and begin <= at <= finish), Decimal(0))
        detail.append(
            {
                "submitter": who,
                "node": node,
                "period": period.label,
                "category": category.value,
                "at": call.at,
                "called": call.amount.amount,
                "closed": closed,
                "error": call.amount.amount - closed,
            }
        )
    table: dict[str, list[Any]] = {c: [] for c in ACCURACY_COLUMNS}
    for who in sorted({d["submitter"] for d in detail}):
        mine = [d for d in detail if d["submitter"] == who]
        errors = [float(d["error"]) for d in mine]
        relative = [float(d["error"] / d["closed"]) for d in mine if d["closed"]]
        commits = [d for d in mine if d["category"] == ForecastCategory.COMMIT.value]
        table["submitter"].append(who)
        table["calls"].append(len(mine))
        table["mean_error"].append(sum(errors) / len(errors))
        table["mean_abs_error"].append(sum(abs(e) for e in errors) / len(errors))
        table["bias"].append(sum(relative) / len(relative) if relative else None)
        table["commit_calls"].append(len(commits))
        table["commit_met"].append(
            sum(d["closed"] >= d["called"] for d in commits) / len(commits) if commits else None
        )
    gaps = []
    if later:
        gaps.append(
            Gap(
                "not_checked",
                "forecast calls",
                f"their period is not over by {moment.date()}",
                rows=later,
            )
        )
    if not detail:
        gaps.append(Gap("no_data", "accuracy", "no call for a period that is over"))
    import polars as pl

    schema = {
        "submitter": pl.String,
        "calls": pl.Int64,
        "mean_error": pl.Float64,
        "mean_abs_error": pl.Float64,
        "bias": pl.Float64,
        "commit_calls": pl.Int64,
        "commit_met": pl.Float64,
    }
    frame = nw.from_native(pl.DataFrame(table, schema=schema)).lazy()
    kind = inputs.kind if inputs.kind.eager else Kind(nw.Implementation.POLARS, eager=True)
    return SubmissionAccuracy(
        frame,
        kind,
        detail=detail,
        title=f"Forecast accuracy by submitter ({currency}), as of {moment.date()}",
        policies={"as_of": moment, "scored": "the last call of each node, period and category"},
        gaps=gaps,
    )
