"""The stage funnel and stage-to-stage conversion, with explicit policies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import narwhals as nw

from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import aggregate, by_columns, sum0
from salesflow.analytics._kept import held, holds
from salesflow.analytics._small import engine_frame, small_table
from salesflow.analytics._source import Inputs, door, resolve
from salesflow.analytics.coverage import Gap, Pending
from salesflow.analytics.result import Result
from salesflow.columns import Columns
from salesflow.errors import Problem, ValidationError
from salesflow.process import SalesProcess

__all__ = ["Funnel", "funnel", "funnel_steps", "stage_process"]

Skipped = Literal["reached", "not_reached"]
Backward = Literal["keep", "retract"]
Current = Literal["reached", "history_only"]


class Funnel(Result):
    """Deals that reached each step, and the conversion between steps (see :func:`funnel`)."""

    _label = "stage"
    _value = "reached"
    _horizontal = True

    def reached(self, stage: str) -> int:
        """How many deals reached ``stage`` (ungrouped results).

        Raises:
            KeyError: ``stage`` is not a step.
        """
        return int(self._row(stage)["reached"])

    def conversion(self, stage: str) -> float | None:
        """Reached ``stage`` / reached the step before it (``None`` for the first step)."""
        value = self._row(stage)["conversion"]
        return None if value is None else float(value)

    def _row(self, stage: str) -> dict[str, Any]:
        for row in self.rows():
            if row["stage"] == stage:
                return row
        raise KeyError(stage)


def stage_process(
    process: SalesProcess | None, inputs: Any, what: str, *, needs: str = "the stage order"
) -> SalesProcess:
    """The process given, else the one in :class:`~salesflow.analytics.Frames`.

    Args:
        process: The ``process=`` argument of the metric.
        inputs: The metric's ``data`` (its ``process`` is the default).
        what: The metric's name, for the message.
        needs: What the metric needs the process for, for the message.

    Raises:
        ValidationError: Neither is given (the message says what to pass), or
            ``process`` is not a :class:`~salesflow.SalesProcess`.

    >>> stage_process(None, [], "bridge", needs="which stages are closed and won")
    Traceback (most recent call last):
    ...
    salesflow.errors.ValidationError: invalid bridge: 1 problem
      - bridge needs which stages are closed and won, and no process was given: pass process=SalesProcess (the process the deals follow, e.g. process=salesflow.presets.salesforce_standard()), or give it once with Frames(..., process=...) or frames(..., process=...) @ $.process
    """
    chosen = process if process is not None else getattr(inputs, "process", None)
    if isinstance(chosen, SalesProcess):
        return chosen
    if process is not None:
        message = f"process= must be a SalesProcess, got {type(process).__name__}"
    else:
        message = (
            f"{what} needs {needs}, and no process was given: pass process=SalesProcess "
            "(the process the deals follow, e.g. process=salesflow.presets.salesforce_standard()), "
            "or give it once with Frames(..., process=...) or frames(..., process=...)"
        )
    raise ValidationError([Problem(message, "$.process")], subject=what)


def funnel_steps(process: SalesProcess) -> list[str]:
    """The funnel's steps: every opportunity stage that is not closed-lost, in order.

    Lead stages (``Stage.is_opportunity`` false, such as Liferay's "Qualified
    Lead") are not steps: a deal enters the funnel when it becomes an opportunity.
    """
    return [s.name for s in process.stages if s.is_opportunity and (s.is_won or not s.is_closed)]


def _order(steps: Sequence[str]) -> nw.Expr:
    expr: nw.Expr = nw.lit(None, dtype=nw.Int64)
    for i, name in enumerate(steps):
        expr = nw.when(nw.col("stage") == name).then(nw.lit(i, dtype=nw.Int64)).otherwise(expr)
    return expr


def _entries(
    inputs: Inputs, current: Current, *, ordered: bool = True
) -> tuple[nw.LazyFrame[Any], list[str]]:
    """Every (deal, stage) entry, and the columns that order a deal's entries in time.

    With ``ordered=False`` (a policy that does not depend on the order) the
    order is not asked for, so a lazy history is not checked for ties.

    With ``current="reached"``, each deal's current stage from the snapshot is
    one more entry, after all of its history rows: a deal without history, or
    whose history misses its last move, still reached the stage it is in.
    """
    # Only the columns read, amounts unchecked: a lazy engine builds every column a row derives.
    entry = ("id", "stage")
    if not inputs.given("history"):
        snapshot = inputs.table("snapshot", needs=entry, amounts=False, reads=entry)
        only = snapshot.select(
            nw.col("id").alias("opportunity_id"),
            nw.col("stage"),
            nw.lit(1, dtype=nw.Int64).alias("_tail"),
        )
        return only, ["_tail"]
    now = None
    if current == "reached" and inputs.given("snapshot"):
        now = inputs.table("snapshot", needs=entry, amounts=False, reads=entry).select(
            nw.col("id").alias("opportunity_id"), nw.col("stage")
        )
    needs = ("opportunity_id", "at", "stage")
    history = inputs.table("history", needs=needs, amounts=False, reads=needs)
    order = inputs.history_order if ordered else ["at"]
    rows = history.select("opportunity_id", *order, "stage").with_columns(
        nw.lit(0, dtype=nw.Int64).alias("_tail")
    )
    if now is None:
        return rows, ["_tail", *order]
    schema = rows.collect_schema()
    tail = now.select(
        "opportunity_id",
        *[nw.lit(None, dtype=schema[c]).alias(c) for c in order],
        "stage",
        nw.lit(1, dtype=nw.Int64).alias("_tail"),
    )
    return nw.concat([rows, tail], how="vertical"), ["_tail", *order]


@translated("funnel")
def funnel(
    data: Any,
    *,
    process: SalesProcess | None = None,
    skipped: Skipped = "reached",
    backward: Backward = "keep",
    current: Current = "reached",
    by: str | Sequence[str] = (),
    columns: Columns | None = None,
    currency: str | None = None,
) -> Funnel:
    """How many deals reached each stage, and the conversion from step to step.

    Steps are the process's stages except closed-lost ones, in order (won
    stages last). Read from the history table when given (every stage a deal
    entered) and from the snapshot (the stage each deal is in now, which it
    has reached whether or not the history shows it: ``current="reached"``),
    so the funnel's won step and :func:`~salesflow.analytics.win_rate` count
    the same won deals.

    Args:
        data: Opportunities, frames, or :class:`~salesflow.analytics.Frames`.
        process: The process giving the stage order (default: ``Frames.process``).
        skipped: ``"reached"`` (default): a deal that is or was in stage *k*
            reached every earlier step, skipped or not; ``"not_reached"``: only
            stages a deal actually entered count.
        backward: ``"keep"`` (default): a stage once reached stays reached;
            ``"retract"``: a move back to stage *j* un-reaches the later stages
            (unless they are entered again). Rows are ordered by time, never by
            their position in the table.
        current: ``"reached"`` (default): each deal's current stage in the
            snapshot counts as reached, after its history (deals without
            history count from their current stage); ``"history_only"``:
            only stages the history shows.
        by: Snapshot columns to group by (e.g. ``"owner"``).
        columns: What a bare frame's source calls salesflow's columns (see :class:`~salesflow.Columns`).
        currency: The currency of amounts in tables without a currency column.

    Returns:
        A :class:`Funnel`: ``*by``, ``step`` (0-based), ``stage``, ``reached``,
        ``conversion`` (from the previous step) and ``from_first`` (floats;
        null where the base is 0).

    Raises:
        ValidationError: No process, an unknown policy, or a needed column is missing.

    >>> from salesflow.analytics import examples
    >>> f = funnel(examples.opportunities(), process=examples.process())
    >>> f.reached("Prospecting"), f.reached("Needs Analysis"), f.reached("Closed Won")
    (5, 4, 1)
    >>> funnel(examples.opportunities(), process=examples.process(),
    ...        skipped="not_reached").reached("Prospecting")
    4
    """
    data = door(data, columns=columns, process=process, currency=currency)
    if (
        skipped not in ("reached", "not_reached")
        or backward not in ("keep", "retract")
        or current not in ("reached", "history_only")
    ):
        raise ValidationError(
            [
                Problem(
                    f"unknown policy skipped={skipped!r}, backward={backward!r}, "
                    f"current={current!r}",
                    "$",
                )
            ],
            subject="funnel",
        )
    keys = by_columns(by)
    inputs = resolve(data)
    chosen = stage_process(process, data, "funnel")
    steps = funnel_steps(chosen)
    rows, order = _entries(inputs, current, ordered=backward == "retract")
    every_deal = rows.select("opportunity_id").unique()
    rows = rows.with_columns(_order(steps).alias("_k"))
    if backward == "retract":
        floor = nw.col("_k").cum_min(reverse=True).over("opportunity_id", order_by=order)
        rows = rows.with_columns(floor.alias("_floor")).filter(nw.col("_k") <= nw.col("_floor"))
    else:
        rows = rows.filter(~nw.col("_k").is_null())
    if skipped == "reached":
        per_deal = rows.group_by("opportunity_id").agg(nw.col("_k").max().alias("_max"))
        flags = [(nw.col("_max") >= i) for i in range(len(steps))]
    else:
        per_deal = rows.group_by("opportunity_id").agg(
            *[(nw.col("_k") == i).cast(nw.Int64).max().alias(f"_r{i}") for i in range(len(steps))]
        )
        flags = [(nw.col(f"_r{i}") == 1) for i in range(len(steps))]
    if keys:
        snapshot = inputs.table(
            "snapshot", needs=("id", *keys), amounts=False, reads=("id", *keys)
        )
        per_deal = per_deal.join(
            snapshot.select(nw.col("id").alias("opportunity_id"), *keys),
            on="opportunity_id",
            how="left",
        )
    wide = aggregate(
        per_deal,
        keys,
        [sum0(flag.cast(nw.Int64)).cast(nw.Int64).alias(f"_n{i}") for i, flag in enumerate(flags)],
    )
    table = _finished(wide, keys, steps)
    return Funnel(
        table,
        inputs.kind,
        title=f"Stage funnel ({chosen.name}; skipped stages {skipped.replace('_', ' ')}, "
        f"backward moves {backward})",
        policies={"skipped": skipped, "backward": backward, "current": current, "by": keys},
        gaps=_gaps(inputs),
        pending=[_no_deals(table), _off_steps(every_deal, per_deal)],
    )


def _finished(wide: nw.LazyFrame[Any], keys: list[str], steps: list[str]) -> nw.LazyFrame[Any]:
    """The funnel table of the wide counts: where the engine keeps them (a row per group),
    finished in Polars and handed back whole, where each step there is a query to plan."""  # noqa: D205, D209
    if holds(wide):
        kept = held(wide)
        local = nw.from_native(kept.collect(backend="polars").to_native()).lazy()
        moved = engine_frame(kept, _long(local, keys, steps).collect(backend="polars").to_native())
        return moved if moved is not None else _long(kept, keys, steps)
    return _long(wide, keys, steps)


def _long(wide: nw.LazyFrame[Any], keys: list[str], steps: list[str]) -> nw.LazyFrame[Any]:
    """One row per group and step from the wide counts ``_n0``, ``_n1``, … in one pass.

    A cross join with the steps (made in the frame's own engine), then a
    choice of column per step: the wide table is read once, where a union
    of one select per step would make a lazy engine compute it once per step.
    """
    numbered = small_table(wide, {"_step": [str(i) for i in range(len(steps))], "stage": steps})
    step = nw.col("_step").cast(nw.Int64)

    def pick(offset: int) -> nw.Expr:
        expr: nw.Expr = nw.lit(None, dtype=nw.Int64)
        for i in range(max(offset, 0), len(steps)):
            expr = nw.when(step == i).then(nw.col(f"_n{i - offset}")).otherwise(expr)
        return expr

    here = pick(0).cast(nw.Float64)
    previous = pick(1).cast(nw.Float64)
    first = nw.col("_n0").cast(nw.Float64)
    return (
        wide.join(numbered, how="cross")
        .select(
            *keys,
            step.alias("step"),
            nw.col("stage"),
            pick(0).cast(nw.Int64).alias("reached"),
            nw.when(previous > 0).then(here / previous).alias("conversion"),
            nw.when(first > 0).then(here / first).alias("from_first"),
        )
        .sort([*keys, "step"])
    )


def _gaps(inputs: Inputs) -> list[Gap]:
    if inputs.given("history"):
        return []
    reason = "no history table: each deal counts from its current stage only"
    return [Gap("assumed", "every deal", reason)]


def _off_steps(every_deal: nw.LazyFrame[Any], per_deal: nw.LazyFrame[Any]) -> Pending:
    def check() -> Gap | None:
        counted = per_deal.select("opportunity_id")
        missing = every_deal.join(counted, on="opportunity_id", how="anti")
        count = int(missing.select(nw.len()).collect(backend="polars").item())
        if not count:
            return None
        reason = (
            "none of their recorded stages is a step (closed lost with no earlier stage "
            "recorded, a lead stage, or a stage outside the process)"
        )
        return Gap("left_out", "deals", reason, rows=count)

    return check


def _no_deals(table: nw.LazyFrame[Any]) -> Pending:
    def check() -> Gap | None:
        first = table.filter(nw.col("step") == 0).select(nw.col("reached").sum())
        if int(first.collect(backend="polars").item() or 0):
            return None
        return Gap("no_data", "funnel", "no deal reached its first step")

    return check
