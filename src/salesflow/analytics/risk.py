"""At-risk deals: each flag with its reason."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import narwhals as nw

from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import as_utc, date_days, days
from salesflow.analytics._source import door, resolve
from salesflow.analytics.as_of import deals_at
from salesflow.analytics.coverage import Gap, GapKind, Pending
from salesflow.analytics.frames import frames
from salesflow.analytics.result import Result
from salesflow.columns import Columns
from salesflow.opportunity import Opportunity
from salesflow.process import SalesProcess

__all__ = ["FLAGS", "AtRisk", "at_risk"]

FLAGS = (
    "stale",
    "no_activity",
    "past_close_date",
    "pushed",
    "no_primary_contact",
    "gate_not_met",
    "large_amount_change",
)
"""The flags, in the order their reasons are listed."""


class AtRisk(Result):
    """Open deals with their risk flags and reasons (see :func:`at_risk`)."""

    _label = "id"
    _value = "flags"

    def reasons(self, deal: str) -> list[str]:
        """The reasons ``deal`` is at risk (empty when it is not).

        Raises:
            KeyError: No such open deal.
        """
        for row in self.rows():
            if row["id"] == deal:
                return [] if not row["reasons"] else str(row["reasons"]).split("; ")
        raise KeyError(deal)


def _text(*parts: nw.Expr | str) -> nw.Expr:
    return nw.concat_str([nw.lit(p) if isinstance(p, str) else p for p in parts], separator="")


def _whole(expr: nw.Expr) -> nw.Expr:
    return expr.floor().cast(nw.Int64).cast(nw.String)


@translated("at_risk")
def at_risk(
    data: Any,
    *,
    as_of: date | datetime | None = None,
    process: SalesProcess | None = None,
    idle_days: int = 14,
    max_pushes: int = 3,
    amount_change: float = 0.25,
    change_window_days: int = 30,
    columns: Columns | None = None,
    currency: str | None = None,
) -> AtRisk:
    """Flag open deals at risk, each flag with a reason a person can read.

    Deals are judged as they stood at ``as_of``. The snapshot is used as it is
    when nothing in the tables happened after ``as_of`` (no history row, no
    ``created_at``, ``last_stage_change_at`` or ``closed_on`` later). Otherwise
    the snapshot is later than ``as_of``, and each deal is **rebuilt from the
    history table** as of ``as_of`` (as :func:`~salesflow.analytics.pipeline_as_of`
    does: stage, amount, close date, closed or not, the last stage change and
    the pushes so far; a deal not yet created is absent); without a history
    table (or without the process, which says which stages are closed) that is
    a :class:`~salesflow.ValidationError`, never today's snapshot judged by a past
    date. Rebuilt deals have no contact roles nor gates of that time, so
    ``no_primary_contact`` and ``gate_not_met`` are skipped;
    ``policies["rebuilt_from_history"]`` says which way was taken.
    A flag whose data is missing is skipped and listed in ``policies["skipped"]``:

    - ``stale``: no stage change for more than the stage's ``rot_days``
      (needs the process; stages without ``rot_days`` never go stale);
    - ``no_activity``: nothing done in ``idle_days`` (counted from creation
      when nothing was ever logged; needs the activity table);
    - ``past_close_date``: still open after its close date;
    - ``pushed``: the close date was pushed ``max_pushes`` times or more;
    - ``no_primary_contact``: object-only — the ``has_primary_contact`` column
      that :func:`~salesflow.analytics.frames` writes from contact roles;
    - ``gate_not_met``: object-only — the ``next_gate_met`` column that
      ``frames(..., process=...)`` writes by running the next stage's gate;
    - ``large_amount_change``: in the last ``change_window_days`` the amount
      changed by at least ``amount_change`` (a fraction) in one step (needs history).

    Args:
        data: Opportunities, or frames.
        as_of: The moment (default: now).
        process: For ``rot_days`` and gates (default: ``Frames.process``).
        idle_days: Days without activity before ``no_activity``.
        max_pushes: Pushes at which ``pushed`` is raised.
        amount_change: The relative change that counts as large (0.25 = 25 %).
        change_window_days: How far back ``large_amount_change`` looks.
        columns: What a bare frame's source calls salesflow's columns (see :class:`~salesflow.Columns`).
        currency: The currency of amounts in tables without a currency column.

    Returns:
        An :class:`AtRisk`: ``id``, ``stage``, one boolean column per flag
        computed, ``flags`` (how many), ``reasons`` (text, the reasons joined by semicolons).

    Raises:
        ValidationError: ``as_of`` is before what the snapshot shows and there is
            no history table or no process to rebuild the deals from.

    >>> from datetime import date
    >>> from salesflow.analytics import examples, frames
    >>> tables = frames(examples.opportunities(), examples.activities(), process=examples.process())
    >>> risk = at_risk(tables, as_of=date(2026, 3, 31))
    >>> risk.reasons("E")
    ['no stage change in 58 days (rots after 30)', 'no activity logged in 58 days', 'close date pushed 3 times', 'no primary contact']
    >>> risk.reasons("B")
    ['no activity logged in 45 days', 'no primary contact']
    >>> february = at_risk(tables, as_of=date(2026, 2, 10))   # rebuilt from the history
    >>> february.policies["rebuilt_from_history"], february.reasons("B")
    (True, ['no activity logged in 36 days'])
    >>> at_risk(tables.snapshot, as_of=date(2026, 2, 10))
    Traceback (most recent call last):
    ...
    salesflow.errors.ValidationError: invalid at_risk: 1 problem
      - the snapshot is later than as_of 2026-02-10 (the snapshot has last_stage_change_at after it; the snapshot has closed_on after it): give the history table to rebuild each deal as of that moment, or a snapshot taken then @ $.as_of
    """
    data = door(data, columns=columns, process=process, currency=currency)
    moment = datetime.now(timezone.utc) if as_of is None else as_utc(as_of)
    chosen = process if process is not None else getattr(data, "process", None)
    if isinstance(data, (list, tuple)) and all(isinstance(o, Opportunity) for o in data):
        data = frames(data, process=chosen)
    inputs = resolve(data)
    if as_of is None:
        snapshot, rebuilt = inputs.table("snapshot", needs=("id", "stage", "is_closed")), False
    else:
        snapshot, rebuilt = deals_at(inputs, moment, chosen, what="at_risk")
    names = snapshot.columns
    today = nw.lit(moment.date())
    flags: dict[str, tuple[nw.Expr, nw.Expr]] = {}
    skipped: list[str] = []
    gaps: list[Gap] = []
    pending: list[Pending] = []

    def not_checked(flag: str, reason: str, kind: GapKind = "not_checked") -> None:
        skipped.append(flag)
        gaps.append(Gap(kind, f"flag {flag}", reason))

    frame = snapshot.filter(~nw.col("is_closed"))
    # stale
    rot = (
        {s.name: s.rot_days for s in chosen.stages if s.rot_days}
        if isinstance(chosen, SalesProcess)
        else {}
    )
    if not isinstance(chosen, SalesProcess):
        not_checked("stale", "no process given, so no stage's rot_days")
    elif not rot:
        not_checked("stale", f"no stage of the process {chosen.name!r} sets rot_days", "off")
    elif "last_stage_change_at" not in names:
        not_checked("stale", "the snapshot has no last_stage_change_at column")
    else:
        limit: nw.Expr = nw.lit(None, dtype=nw.Int64)
        for stage, value in rot.items():
            limit = (
                nw.when(nw.col("stage") == stage)
                .then(nw.lit(value, dtype=nw.Int64))
                .otherwise(limit)
            )
        idle = days(nw.lit(moment), nw.col("last_stage_change_at"))
        frame = frame.with_columns(limit.alias("_rot"), idle.alias("_idle"))
        flags["stale"] = (
            (nw.col("_idle") > nw.col("_rot")).fill_null(False),
            _text(
                "no stage change in ",
                _whole(nw.col("_idle")),
                " days (rots after ",
                nw.col("_rot").cast(nw.String),
                ")",
            ),
        )
        pending.append(_unknown(frame, "last_stage_change_at", "stale", "no last stage change"))
    # no activity
    if inputs.activities is None:
        not_checked("no_activity", "no activity table")
    elif _count(inputs.activities) == 0:
        not_checked("no_activity", "the activity table is empty: activities are not recorded")
    elif "created_at" not in names:
        not_checked("no_activity", "the snapshot has no created_at column")
    else:
        acts = inputs.activities.filter(nw.col("at") <= nw.lit(moment))
        if "done" in acts.columns:
            acts = acts.filter(nw.col("done").fill_null(True))
        last = acts.group_by("opportunity_id").agg(nw.col("at").max().alias("_last_act"))
        frame = frame.join(last.rename({"opportunity_id": "id"}), on="id", how="left")
        since = days(nw.lit(moment), nw.col("_last_act").fill_null(nw.col("created_at")))
        frame = frame.with_columns(since.alias("_quiet"))
        flags["no_activity"] = (
            (nw.col("_quiet") > idle_days).fill_null(False),
            _text("no activity logged in ", _whole(nw.col("_quiet")), " days"),
        )
    if "close_date" in names:
        flags["past_close_date"] = (
            (nw.col("close_date") < today).fill_null(False),
            _text(
                "past its close date ",
                nw.col("close_date").cast(nw.String),
                " by ",
                _whole(date_days(today, nw.col("close_date"))),
                " days",
            ),
        )
        pending.append(_unknown(frame, "close_date", "past_close_date", "no close date"))
    else:
        not_checked("past_close_date", "the snapshot has no close_date column")
    if "push_count" in names:
        flags["pushed"] = (
            (nw.col("push_count") >= max_pushes).fill_null(False),
            _text("close date pushed ", nw.col("push_count").cast(nw.String), " times"),
        )
    else:
        not_checked("pushed", "the snapshot has no push_count column")
    if "has_primary_contact" in names:
        flags["no_primary_contact"] = (
            (~nw.col("has_primary_contact")).fill_null(False),
            _text("no primary contact"),
        )
        pending.append(
            _unknown(frame, "has_primary_contact", "no_primary_contact", "no contact roles known")
        )
    else:
        not_checked("no_primary_contact", "no contact roles: no has_primary_contact column")
    if "next_gate_met" in names:
        flags["gate_not_met"] = (
            (~nw.col("next_gate_met")).fill_null(False),
            _text("the next stage's gate is not met"),
        )
        pending.append(
            _unknown(
                frame,
                "next_gate_met",
                "gate_not_met",
                "gates run on objects: a deal read in columns has no next_gate_met",
            )
        )
    else:
        not_checked("gate_not_met", "gates run on objects only: no next_gate_met column")
    if inputs.history is not None and {"amount", "previous_amount"} <= set(inputs.history.columns):
        since_when = nw.lit(moment - timedelta(days=change_window_days))
        changes = inputs.history.filter(
            (nw.col("at") <= nw.lit(moment)) & (nw.col("at") > since_when)
        ).with_columns(
            (
                (
                    nw.col("amount").cast(nw.Float64) - nw.col("previous_amount").cast(nw.Float64)
                ).abs()
                / nw.col("previous_amount").cast(nw.Float64)
            ).alias("_ratio")
        )
        big = (
            changes.filter(nw.col("previous_amount").cast(nw.Float64) > 0)
            .group_by("opportunity_id")
            .agg(nw.col("_ratio").max().alias("_change"))
        )
        frame = frame.join(big.rename({"opportunity_id": "id"}), on="id", how="left")
        flags["large_amount_change"] = (
            (nw.col("_change") >= amount_change).fill_null(False),
            _text("amount changed by ", _whole(nw.col("_change") * 100), " % in one step"),
        )
    else:
        not_checked(
            "large_amount_change",
            "no history table" if inputs.history is None else "the history has no previous_amount",
        )
    count = nw.lit(0, dtype=nw.Int64)
    for flag, _ in flags.values():
        count = count + flag.cast(nw.Int64)
    if flags:
        reasons = nw.concat_str(
            [nw.when(flag).then(text) for flag, text in flags.values()],
            separator="; ",
            ignore_nulls=True,
        )
    else:
        reasons = nw.lit(None, dtype=nw.String)
    table = frame.select(
        "id",
        "stage",
        *[flag.alias(name) for name, (flag, _) in flags.items()],
        count.alias("flags"),
        reasons.alias("reasons"),
    ).sort("id")
    pending.insert(0, _no_open_deals(frame, moment))
    return AtRisk(
        table,
        inputs.kind,
        title=f"At-risk deals as of {moment.date()}",
        policies={
            "as_of": moment,
            "idle_days": idle_days,
            "max_pushes": max_pushes,
            "amount_change": amount_change,
            "change_window_days": change_window_days,
            "skipped": skipped,
            "rebuilt_from_history": rebuilt,
        },
        gaps=gaps,
        pending=pending,
    )


def _count(frame: nw.LazyFrame[Any]) -> int:
    return int(frame.select(nw.len()).collect(backend="polars").item())


def _unknown(frame: nw.LazyFrame[Any], column: str, flag: str, reason: str) -> Pending:
    """A flag not checked on the open deals whose ``column`` is null (counted on demand)."""

    def check() -> Gap | None:
        missing = _count(frame.filter(nw.col(column).is_null()))
        return (
            Gap("not_checked", f"flag {flag}", reason, rows=missing, unit="open deals")
            if missing
            else None
        )

    return check


def _no_open_deals(frame: nw.LazyFrame[Any], moment: datetime) -> Pending:
    def check() -> Gap | None:
        if _count(frame):
            return None
        return Gap("no_data", "at-risk deals", f"no deal was open as of {moment.date()}")

    return check
