"""The vectorized history check: is every row of a history table legal under a process?

:func:`check_history` judges a history table (one row per change, the
OpportunityHistory shape) against a :class:`~salesflow.SalesProcess`'s rules
without building a single object: it sorts each opportunity's rows by time,
takes the previous row's stage with a window shift, and looks each (previous
stage, stage) pair up in the table of legal moves that :func:`transition_pairs`
compiles from the process's own :class:`~salesflow.engine.rules.TransitionTable`
(the rules ``move()``, the machines and ``replay()`` use: one source of truth).
It is written once on narwhals' lazy API, so it runs on pandas, Polars,
PyArrow, DuckDB and PySpark, and a history larger than memory can be checked on
a cluster.

What it checks, row by row:

- the stage is one of the process's stages;
- the opportunity id and the time are present;
- an opportunity's first row (it opens there; any stage may open one) carries a
  close date, when the table has a close-date column;
- a row in a different stage than the row before it is a move, legal exactly
  when the rules allow it (transition policy, skipping, backward moves,
  reopening, per-stage move lists, closing from any stage);
- a row in the same stage as the row before it is an update, legal when
  something it records changed (amount, currency, probability, forecast
  category or close date, whichever the table has); a row that repeats the one
  before it is what ``replay()`` refuses as "it is already in ...".

What it cannot check: stage **gates** (required fields, contact roles, a
minimum amount, qualification, custom checks) need the opportunity itself,
which a history table does not hold; replay the moves with
:meth:`~salesflow.SalesProcess.replay` to check those.

Each row is judged against the row before it *as recorded*, the state the
history says the opportunity was in. ``replay()`` refuses an illegal move and
keeps the old state, so after an opportunity's first illegal row the two can
differ; up to and including it they agree, and each row's verdict is the one
``replay()`` gives to that row from the state the row before it records (the
test suite checks both on random move streams). Rows with an unknown stage, no
opportunity id or no time are reported and skipped over: the next row is judged
against the last good one, as ``replay()`` does.
"""

from __future__ import annotations

from typing import Any

import attrs

from salesflow.analytics._engine_errors import translated
from salesflow.analytics._ordered import Neighbours, in_order
from salesflow.analytics._require import require
from salesflow.columns import Columns
from salesflow.errors import Problem, ValidationError
from salesflow.opportunity import Opportunity
from salesflow.process import SalesProcess

__all__ = ["TransitionPair", "check_history", "transition_pairs"]

_UPDATE_COLUMNS = ("amount", "currency", "probability", "forecast_category")
_NO_CLOSE_DATE = "its first row has no close date to open the opportunity with"
_NO_ID, _NO_TIME, _NO_STAGE, _UNKNOWN, _NO_CLOSE = -1, -2, -3, -4, -5


@attrs.frozen
class TransitionPair:
    """One (from, to) stage pair of a process and whether the rules allow the move.

    Attributes:
        from_stage: The stage moved from.
        to_stage: The stage moved to.
        legal: Whether the process allows the move.
        reason: Why not, in the words ``move()`` and ``replay()`` use; ``None`` when legal.
    """

    from_stage: str
    to_stage: str
    legal: bool
    reason: str | None


def transition_pairs(process: SalesProcess) -> list[TransitionPair]:
    """Every move between two different stages of ``process``, legal or not, with the reason.

    Compiled from the process's transition table, the rules that
    :meth:`~salesflow.SalesProcess.move` and :meth:`~salesflow.SalesProcess.replay`
    apply; gates are not part of it.

    >>> import salesflow as sf
    >>> from salesflow.analytics import transition_pairs
    >>> pairs = transition_pairs(sf.presets.trailhead_simple())
    >>> len(pairs), sum(p.legal for p in pairs)
    (42, 30)
    >>> next(p for p in pairs if p.from_stage == "Closed Won")
    TransitionPair(from_stage='Closed Won', to_stage='Prospecting', legal=False, reason="'Closed Won' is closed and reopening is off")
    """
    if not isinstance(process, SalesProcess):
        raise ValidationError(
            [
                Problem(
                    "no process given: pass process=SalesProcess, or Frames(..., process=...)"
                    if process is None
                    else f"expected a SalesProcess, got {type(process).__name__}"
                )
            ],
            subject="transition_pairs()",
        )
    table = process.transition_table
    names = table.names
    return [
        TransitionPair(
            names[i],
            names[j],
            j in table.allowed[i],
            None if j in table.allowed[i] else "; ".join(table.reasons(i, j)),
        )
        for i in range(len(names))
        for j in range(len(names))
        if i != j
    ]


@translated("check_history")
def check_history(
    history: Any,
    process: SalesProcess | None = None,
    *,
    columns: Columns | None = None,
    sequence: str | None = None,
    only_illegal: bool = False,
) -> Any:
    """Judge every row of a history table against ``process``'s rules.

    Args:
        history: The history table: a pandas, Polars (eager or lazy), PyArrow,
            DuckDB or PySpark frame; or :class:`~salesflow.analytics.Frames`
            (its history, columns and process), or opportunities.
        process: The process whose rules apply (default: ``Frames.process``).
        columns: What the table calls salesflow's columns (default: salesflow's
            own names). ``opportunity_id``, ``at`` and ``stage`` are needed;
            ``close_date`` and the update columns are used when present.
        sequence: A column that orders an opportunity's rows that share a time
            (e.g. a row number). Without it, an eager frame's own row order
            does; a lazy frame's such rows are in no defined order.
        only_illegal: Return only the illegal rows.

    Eager frames (pandas, PyArrow, Polars DataFrames) are computed by Polars
    and come back in their own library; lazy ones (Polars LazyFrames, DuckDB
    relations, PySpark DataFrames) are computed by their own engine.

    Returns:
        The same kind of frame as ``history`` (lazy stays lazy), with its
        columns plus ``previous_stage`` (the stage of the row it was judged
        against; null for an opportunity's first row and for a row that
        could not be judged against one), ``legal`` (bool) and
        ``reason`` (why not, null when legal).

    Raises:
        ValidationError: ``history`` is not a dataframe, or lacks a needed column.
        MissingExtraError: narwhals is not installed.

    >>> import polars as pl
    >>> import salesflow as sf
    >>> from datetime import date
    >>> from salesflow.analytics import check_history
    >>> p = sf.SalesProcess(name="Strict", stages=[sf.Stage("A", 10), sf.Stage("B", 50),
    ...     sf.Stage("C", 70), sf.Stage("Won", 100, is_closed=True, is_won=True)],
    ...     settings=sf.ProcessSettings(allow_skip=False, close_from_any_stage=False))
    >>> h = pl.DataFrame({"opportunity_id": ["o1"] * 4, "at": [1, 2, 3, 4],
    ...                   "stage": ["A", "C", "Won", "Lost"], "close_date": [date(2026, 3, 1)] * 4})
    >>> check_history(h, p).select("stage", "previous_stage", "legal", "reason").rows()
    [('A', None, True, None), ('C', 'A', False, "skipping stages is off (this skips 'B')"), ('Won', 'C', True, None), ('Lost', None, False, "the process 'Strict' has no stage 'Lost'")]
    """
    nw = require("narwhals")
    from salesflow.analytics.frames import Frames, frames

    if isinstance(history, (list, tuple)) and all(isinstance(o, Opportunity) for o in history):
        history = frames(history, process=process)
    if isinstance(history, Frames):
        process = process if process is not None else history.process
        columns = columns if columns is not None else history.columns
        if history.history is None:
            raise ValidationError(
                [Problem("the Frames have no history table", "$.history")],
                subject="check_history()",
            )
        history = history.history
    if not isinstance(process, SalesProcess):
        raise ValidationError(
            [
                Problem(
                    "no process given: pass process=SalesProcess, or Frames(..., process=...)"
                    if process is None
                    else f"expected a SalesProcess, got {type(process).__name__}"
                )
            ],
            subject="check_history()",
        )
    names = Columns.salesflow() if columns is None else columns
    try:
        frame = nw.from_native(history)
    except TypeError:
        raise ValidationError(
            [Problem(f"expected a dataframe, got {type(history).__name__}")],
            subject="check_history() history",
        ) from None
    eager = isinstance(frame, nw.DataFrame)
    present = set(frame.columns)
    oid, at, stage = (names.source("history", c) for c in ("opportunity_id", "at", "stage"))
    needed = [oid, at, stage] + ([sequence] if sequence is not None else [])
    missing = [c for c in needed if c not in present]
    if missing:
        raise ValidationError(
            [Problem(f"the history table has no column {c!r}", f"$.{c}") for c in missing],
            subject="check_history() history",
        )
    close = names.source("history", "close_date")
    updates = [
        names.source("history", c)
        for c in _UPDATE_COLUMNS
        if names.source("history", c) in present
    ]
    out = list(frame.columns)
    order = [at] if sequence is None else [at, sequence]
    if eager:  # computed by Polars, table order breaking ties, returned in the input's kind
        if sequence is None:
            order.append(nw.generate_temporary_column_name(8, out))
            frame = frame.with_row_index(order[-1])
        lazy = frame.lazy(backend="polars")
    else:
        lazy = frame
    result = _judge(
        nw,
        lazy,
        process,
        eager=eager,
        oid=oid,
        at=at,
        stage=stage,
        close=close if close in present else None,
        updates=updates,
        order=order,
        out=out,
    )
    if only_illegal:
        result = result.filter(~nw.col("legal"))
    if eager:
        return result.collect(backend=frame.implementation).to_native()
    return result.to_native()


def _judge(
    nw: Any,
    lazy: Any,
    process: SalesProcess,
    *,
    eager: bool,
    oid: str,
    at: str,
    stage: str,
    close: str | None,
    updates: list[str],
    order: list[str],
    out: list[str],
) -> Any:
    """The lazy query behind :func:`check_history`."""
    table = process.transition_table
    n = len(table.names)
    col, lit, when = nw.col, nw.lit, nw.when
    tmp = nw.generate_temporary_column_name
    pos, ok, code_name, first_name = tmp(8, out), tmp(8, out), tmp(8, out), tmp(8, out)
    compared = updates + ([close] if close else [])
    prev = {c: tmp(8, out) for c in [oid, ok, pos, *compared]}
    staged = lazy.with_columns(
        col(stage)
        .replace_strict(dict(table.index), default=-1, return_dtype=nw.Int64())
        .fill_null(-1)
        .alias(pos)
    ).with_columns(((col(pos) >= 0) & ~col(oid).is_null() & ~col(at).is_null()).alias(ok))
    ordered = in_order(staged, oid, order) if eager else None
    if ordered is not None and ordered.table.select(col(ok).all()).item():
        # In memory, every row judgeable, each opportunity's rows together and
        # in time order (an export usually is): plain shifts, no sort at all.
        near = Neighbours(oid, tuple(order), ordered=True)
        shifted = ordered.table.with_columns(
            *(near.shift(col(c), 1).alias(prev[c]) for c in [pos, *compared]),
            near.starts().alias(first_name),
        ).lazy()
        first = col(first_name)
    elif lazy.implementation.is_polars():
        # Polars, in process: one window over the table ordered by opportunity
        # (several times faster than a partitioned one on sorted data); a row
        # is an opportunity's first when the row before is another's or bad.
        whole = [ok, oid, *order]
        shifted = staged.with_columns(
            col(c).shift(1).over(order_by=whole).alias(prev[c]) for c in [oid, ok, pos, *compared]
        )
        first = ~(
            (col(prev[oid]) == col(oid)).fill_null(value=False)
            & col(prev[ok]).fill_null(value=False)
        )
    else:
        # DuckDB, PySpark and other lazy engines: partitioned windows, which a
        # cluster spreads over its workers (one global window would run on one).
        shifted = staged.with_columns(
            col(c).shift(1).over(oid, ok, order_by=order).alias(prev[c]) for c in [pos, *compared]
        )
        first = col(prev[pos]).is_null()
    prev_pos = when(~first).then(col(prev[pos]))
    changed = lit(value=False)
    for c in compared:
        a, b = col(c), col(prev[c])
        changed = changed | ~((a == b).fill_null(value=False) | (a.is_null() & b.is_null()))
    # Each verdict as an integer code first (cheap), its words looked up once:
    # a move's code is its pair's key (from * n + to), a repeat's is n * n + stage.
    texts: dict[int, str] = {
        key: reason
        for key, reason in (
            (table.index[p.from_stage] * n + table.index[p.to_stage], p.reason)
            for p in transition_pairs(process)
        )
        if reason is not None
    }
    texts.update({n * n + i: f"it is already in {name!r}" for i, name in enumerate(table.names)})
    texts.update(
        {
            _NO_ID: "its opportunity id is missing",
            _NO_TIME: "its time is missing",
            _NO_STAGE: "its stage is missing",
            _NO_CLOSE: _NO_CLOSE_DATE,
        }
    )
    key = prev_pos * n + col(pos)
    code = (
        when(col(oid).is_null())
        .then(lit(_NO_ID))
        .when(col(at).is_null())
        .then(lit(_NO_TIME))
        .when(col(stage).is_null())
        .then(lit(_NO_STAGE))
        .when(col(pos) < 0)
        .then(lit(_UNKNOWN))
        .when(first)
        .then(lit(None) if close is None else when(col(close).is_null()).then(lit(_NO_CLOSE)))
        .when(prev_pos == col(pos))
        .then(when(~changed).then(n * n + col(pos)))
        .otherwise(when(key.is_in(list(texts))).then(key))
    )
    unknown = nw.concat_str(
        [
            lit(f"the process {process.name!r} has no stage '"),
            when(col(pos) < 0).then(col(stage)),
            lit("'"),
        ]
    )
    reason = (
        when(col(code_name) == _UNKNOWN)
        .then(unknown)
        .otherwise(col(code_name).replace_strict(texts, default=None, return_dtype=nw.String()))
    )
    names = dict(enumerate(table.names))
    previous = when(col(ok)).then(
        prev_pos.replace_strict(names, default=None, return_dtype=nw.String())
    )
    return (
        shifted.with_columns(code.alias(code_name))
        .with_columns(col(code_name).is_null().alias("legal"))  # a verdict code has a reason
        .with_columns(  # after "legal": a filter on it can run before these words are made
            previous.alias("previous_stage"), reason.cast(nw.String()).alias("reason")
        )
        .select(*out, "previous_stage", "legal", "reason")
    )
