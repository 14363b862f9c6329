"""The pipeline as it stood at any past moment, rebuilt from the history table.

Each deal's state at time *t* is its latest history row at or before *t*
(rows are ordered by their ``at``, never by their position in the table). A
deal with no row yet did not exist. A **back-dated** change (recorded later
with an earlier ``at``) takes effect at its ``at``: it rewrites the past, so an
as-of view computed before it was recorded differs from one computed after.
Two rows of one deal at the same instant are ordered by their ``sequence``,
then by their position in the table when the input is eager (pandas, Polars,
PyArrow; the object door writes history in the order it was recorded); lazy
engines (DuckDB, Spark, a Polars LazyFrame) have no row order, so there a
deal whose latest rows tie has no state at that moment, and is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import narwhals as nw

from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import as_utc
from salesflow.analytics._history_gaps import before_history, without_history
from salesflow.analytics._kept import held, holds
from salesflow.analytics._source import ROW, Inputs, door, refuse_ties, resolve
from salesflow.analytics.funnel import stage_process
from salesflow.analytics.rates import Rates, convert
from salesflow.analytics.result import Result
from salesflow.analytics.slippage import close_date_moves
from salesflow.columns import Columns
from salesflow.errors import Problem, ValidationError
from salesflow.process import SalesProcess

__all__ = [
    "PipelineAsOf",
    "at_moment",
    "converted_state",
    "converted_states",
    "deals_at",
    "pipeline_as_of",
    "snapshot_at",
    "state_at",
    "states_at",
]

_STATE = ("opportunity_id", "at", "stage", "amount", "probability", "forecast_category")


def _flags(process: SalesProcess) -> list[nw.Expr]:
    closed = [s.name for s in process.stages if s.is_closed]
    won = [s.name for s in process.stages if s.is_won]
    return [
        nw.col("stage").is_in(closed).alias("is_closed"),
        nw.col("stage").is_in(won).alias("is_won"),
    ]


def state_at(
    inputs: Inputs,
    moment: datetime,
    process: SalesProcess,
    *,
    keep: Sequence[str] | None = None,
) -> nw.LazyFrame[Any]:
    """Each deal's latest history row at or before ``moment``, with closed and won flags.

    Columns: ``id`` and the history table's columns (``at`` is the time of the row used),
    plus ``is_closed`` and ``is_won`` from the process's stages; with ``keep``, of the
    history's columns only those named (and ``at`` and ``stage``), which an engine
    that keeps the deals' rows in memory (DuckDB) then holds fewer of.

    A lazy table keeps no row order: where a deal's latest rows at or before
    ``moment`` share one instant (and ``sequence``, if given), its state is
    undefined and the table is refused; ties elsewhere in its history do not
    change this answer and are not looked for.

    Raises:
        ValidationError: A deal's latest rows at or before ``moment`` tie.
    """
    return at_moment(states_at(inputs, [moment], process, keep=keep), 0)


def states_at(
    inputs: Inputs,
    moments: Sequence[datetime],
    process: SalesProcess,
    *,
    keep: Sequence[str] | None = None,
) -> nw.LazyFrame[Any]:
    """:func:`state_at` at several moments from one pass: each deal's rows that are its state
    at one of ``moments`` at least, and a flag per moment, ``_at0``, ``_at1`` ... (see
    :func:`at_moment`).

    The history up to the last moment is read once, each deal's latest row at
    or before each moment found in the same pass (a window per moment, or on
    Spark an aggregate and a join), and the rows kept once (DuckDB, Spark) for
    the tie check, the currencies and the answer.

    Raises:
        ValidationError: A deal's latest rows at or before one of ``moments`` tie.
    """  # noqa: D205
    inputs.table("history", needs=(*_STATE, "close_date"))
    parts = inputs.history_rows()
    history, derived = parts if parts is not None else (inputs.table("history"), {})
    order = inputs.order_columns
    if keep is not None:
        wanted = set(keep)
        derived = {n: e for n, e in derived.items() if n in wanted}  # each reads its own
        wanted |= {"opportunity_id", *order, "stage"}  # column and the stage only
        history = history.select(*(c for c in history.columns if c in wanted))
    last = max(moments)
    rows = history.filter(nw.col("at") <= nw.lit(last))
    # The rows each moment can see; None: all of them (the last moment's).
    seen: list[nw.Expr | None] = [
        None if m == last else nw.col("at") <= nw.lit(m) for m in moments
    ]
    spark = history.implementation.is_spark_like()  # no ordered filter: an aggregate and a join
    helpers: list[str] = []
    for k, column in enumerate(order):  # the latest by each order column in turn
        names = [f"_best{k}_{i}" for i in range(len(moments))]
        best = [
            (nw.col(column) if c is None else nw.when(c).then(nw.col(column))).max().alias(n)
            for c, n in zip(seen, names, strict=True)
        ]
        if spark:
            rows = rows.join(rows.group_by("opportunity_id").agg(*best), on="opportunity_id")
        else:
            rows = rows.with_columns(*(b.over("opportunity_id") for b in best))
        hits = [nw.col(column) == nw.col(n) for n in names]
        within = [e if c is None else c & e for c, e in zip(seen, hits, strict=True)]
        helpers += names
        # only the rows still in some state go on to the next column's maxima
        rows = rows.filter(nw.any_horizontal(*within, ignore_nulls=True))
        seen = [*within]
    flags = [(c if c is not None else nw.lit(value=True)).fill_null(value=False) for c in seen]
    rows = rows.with_columns(*(f.alias(f"_at{i}") for i, f in enumerate(flags))).drop(helpers)
    if ROW not in order:
        rows = held(rows)
        refuse_ties(rows, order)
    derived = {n: e for n, e in derived.items() if n not in ("is_closed", "is_won")}
    latest = rows.drop(ROW, strict=False).with_columns(*derived.values(), *_flags(process))
    return latest.rename({"opportunity_id": "id"})


def at_moment(states: nw.LazyFrame[Any], index: int) -> nw.LazyFrame[Any]:
    """The state at the ``index``-th moment of :func:`states_at`'s ``states``, without the flags."""
    flags = [c for c in states.columns if c.startswith("_at") and c[3:].isdigit()]
    return states.filter(nw.col(f"_at{index}")).drop(flags)


def converted_state(
    inputs: Inputs,
    moment: datetime,
    process: SalesProcess,
    rates: Rates | None,
    *,
    keep: Sequence[str] | None = None,
) -> tuple[nw.LazyFrame[Any], str | None]:
    """:func:`state_at` with ``_amount`` in one currency, and that currency.

    ``keep`` as :func:`state_at`'s, ``amount`` and ``currency`` always kept.
    The currencies are read from the state where its engine keeps it (DuckDB,
    Spark), else from the history up to ``moment`` (a scan) when it holds one,
    not from the state (its whole query, run once more); the history also
    answers for a state without amounts, as it does elsewhere.
    """
    states, currency = converted_states(inputs, [moment], process, rates, keep=keep)
    return states[0], currency


def converted_states(
    inputs: Inputs,
    moments: Sequence[datetime],
    process: SalesProcess,
    rates: Rates | None,
    *,
    keep: Sequence[str] | None = None,
) -> tuple[list[nw.LazyFrame[Any]], str | None]:
    """:func:`converted_state` at each of ``moments``, their amounts in one currency.

    An engine that keeps results (DuckDB, Spark) finds every state in one
    :func:`states_at` pass, kept once for the tie check, the currencies and
    the answers; others (Polars, which plans each state cheaply and runs a
    state per moment faster than the windows of several) compute each on its
    own. Either way the currencies are those of all the states together:
    where they hold several and no ``rates`` are given, that is refused.
    """
    kept = None if keep is None else ["amount", "currency", *keep]
    history = inputs.table("history").filter(nw.col("at") <= nw.lit(max(moments)))
    if len(moments) > 1 and not holds(history):
        apart = [at_moment(states_at(inputs, [m], process, keep=kept), 0) for m in moments]
        together = None
        if all("currency" in a.columns and "amount" in a.columns for a in apart):
            together = nw.concat([a.select("amount", "currency") for a in apart])
        pairs = [
            convert(
                state,
                rates=rates,
                default=inputs.currency,
                one_currency_within=history,
                currencies_of=together,
            )
            for state in apart
        ]
        return [state for state, _ in pairs], pairs[0][1]
    states = states_at(inputs, moments, process, keep=kept)
    converted, currency = convert(
        states,
        rates=rates,
        default=inputs.currency,
        one_currency_within=history,
        frame_first=holds(states),
    )
    found = [at_moment(converted, i) for i in range(len(moments))]
    if len(found) > 1 and states.implementation is nw.Implementation.DUCKDB:
        # DuckDB 2 joins two reads of one kept relation in seconds (4.3 s for two
        # 500,000-row states, against 0.05 s for two relations kept apart): keep
        # each state on its own (a copy in memory, in milliseconds).
        found = [held(state) for state in found]
    return found, currency


def snapshot_at(inputs: Inputs, moment: datetime, process: SalesProcess) -> nw.LazyFrame[Any]:
    """:func:`state_at` plus what a snapshot says about time, as it stood at ``moment``.

    Adds ``last_stage_change_at`` (the latest row at or before ``moment`` that
    entered a new stage, the first row included), ``push_count`` (pushes up to
    ``moment``, as :func:`~salesflow.analytics.slippage` counts them) and
    ``created_at`` (the snapshot's when it has one, else the deal's first history row).
    """
    state = state_at(inputs, moment, process)
    rows = close_date_moves(inputs).filter(nw.col("at") <= nw.lit(moment))
    previous = nw.col("stage").shift(1).over("opportunity_id", order_by=inputs.history_order)
    entered = previous.is_null() | (nw.col("stage") != previous)
    facts = (
        rows.with_columns(nw.when(entered).then(nw.col("at")).alias("_entered"))
        .group_by("opportunity_id")
        .agg(
            nw.col("_entered").max().alias("last_stage_change_at"),
            nw.col("_push").cast(nw.Int64).sum().cast(nw.Int64).alias("push_count"),
            nw.col("at").min().alias("_first_at"),
        )
        .rename({"opportunity_id": "id"})
    )
    replaced = ("last_stage_change_at", "push_count", "created_at")
    state = state.drop([c for c in replaced if c in state.columns]).join(
        facts, on="id", how="left"
    )
    snapshot = inputs.snapshot
    if snapshot is not None and "created_at" in snapshot.columns:
        state = state.join(snapshot.select("id", "created_at"), on="id", how="left")
        created = nw.col("created_at").fill_null(nw.col("_first_at"))
    else:
        created = nw.col("_first_at")
    return state.with_columns(created.alias("created_at")).drop("_first_at")


def deals_at(
    inputs: Inputs, moment: datetime, process: Any, *, what: str
) -> tuple[nw.LazyFrame[Any], bool]:
    """The snapshot if nothing happened after ``moment``, else :func:`snapshot_at`.

    The second value says whether the deals were rebuilt from history. A
    history table without a snapshot is always rebuilt.

    Raises:
        ValidationError: The snapshot is later than ``moment`` and there is no
            history table (or no process) to rebuild it from.
    """
    needs = ("id", "stage", "is_closed")
    later = _later(inputs, moment) if inputs.snapshot is not None else []
    if not later and (inputs.snapshot is not None or inputs.history is None):
        return inputs.table("snapshot", needs=needs), False
    day = moment.date().isoformat()
    if inputs.history is None:
        raise ValidationError(
            [
                Problem(
                    f"the snapshot is later than as_of {day} ({'; '.join(later)}): give the "
                    "history table to rebuild each deal as of that moment, or a snapshot "
                    "taken then",
                    "$.as_of",
                )
            ],
            subject=what,
        )
    chosen = stage_process(
        process,
        None,
        what,
        needs=f"which stages are closed to rebuild the deals as of {day} from the history",
    )
    return snapshot_at(inputs, moment, chosen), True


def _later(inputs: Inputs, moment: datetime) -> list[str]:
    """What in the tables happened after ``moment`` (empty: nothing did)."""
    checks: list[tuple[str, nw.LazyFrame[Any] | None, str, nw.Expr]] = [
        ("history", inputs.history, "at", nw.lit(moment)),
        ("snapshot", inputs.snapshot, "created_at", nw.lit(moment)),
        ("snapshot", inputs.snapshot, "last_stage_change_at", nw.lit(moment)),
        ("snapshot", inputs.snapshot, "closed_on", nw.lit(moment.date())),
    ]
    found = []
    for table, frame, column, limit in checks:
        if frame is None or column not in frame.columns:
            continue
        after = frame.select((nw.col(column) > limit).cast(nw.Int64).max().alias("n"))
        if after.collect(backend="polars").item() == 1:
            found.append(f"the {table} has {column} after it")
    return found


class PipelineAsOf(Result):
    """Every deal as it stood at one moment: a snapshot table (see :func:`pipeline_as_of`)."""

    _label = "stage"
    _value = "amount"

    moment: datetime


@translated("pipeline_as_of")
def pipeline_as_of(
    data: Any,
    at: date | datetime,
    *,
    process: SalesProcess | None = None,
    columns: Columns | None = None,
    currency: str | None = None,
) -> PipelineAsOf:
    """Rebuild the snapshot as of ``at`` from the history table.

    The result's :meth:`~PipelineAsOf.to_frame` is a snapshot table that every
    snapshot metric accepts, e.g. ``pipeline_summary(as_of.to_frame())``.

    Args:
        data: Opportunities or :class:`~salesflow.analytics.Frames` with a history table.
        at: The moment: an aware datetime, or a date meaning the end of that day (UTC).
        process: Supplies ``is_closed`` / ``is_won`` for each stage (default: ``Frames.process``).
        columns: What a bare frame's source calls salesflow's columns (see :class:`~salesflow.Columns`).
        currency: The currency of amounts in tables without a currency column.

    Returns:
        A :class:`PipelineAsOf`: ``id``, the history columns (``owner``, ``stage``,
        ``amount``, ``currency``, ``probability``, ``forecast_category``,
        ``close_date`` ...) as of ``at``, ``is_closed``, ``is_won``; ``at`` is the
        time of the history row each deal's state comes from.

    Raises:
        ValidationError: No history table, no process, a naive datetime.

    >>> from datetime import date
    >>> from salesflow.analytics import examples
    >>> jan = pipeline_as_of(examples.opportunities(), date(2026, 1, 31), process=examples.process())
    >>> sorted((r["id"], r["stage"]) for r in jan.rows())
    [('A', 'Qualification'), ('B', 'Value Proposition'), ('C', 'Prospecting'), ('D', 'Needs Analysis')]
    """
    data = door(data, columns=columns, process=process, currency=currency)
    moment = as_utc(at, what="at")
    inputs = resolve(data)
    chosen = stage_process(
        process, data, "pipeline_as_of", needs="which stages are closed and won"
    )
    table = state_at(inputs, moment, chosen).sort("id")
    result = PipelineAsOf(
        table,
        inputs.kind,
        title=f"Pipeline as of {moment.isoformat()}",
        policies={"at": moment},
        pending=[before_history(inputs, [moment], "pipeline"), without_history(inputs)],
    )
    result.moment = moment
    return result
