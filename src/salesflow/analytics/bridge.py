"""The pipeline bridge between two moments: what came in, what changed, what left.

``end = start + new + reopened + pulled_in + increased − decreased − won − lost − pushed_out``

holds exactly (decimal sums) for every bridge, because every deal is put in
exactly one movement and contributes its own difference to it:

- **start** / **end**: deals open at that moment (with a close date in
  ``close_between``, when given), at their amount then;
- **new**: in the end pipeline, did not exist at the start (end amount);
- **reopened**: closed at the start, open in the end pipeline (end amount);
- **pulled_in**: existed and open at the start but outside the close-date
  window, inside it at the end (end amount);
- **increased** / **decreased**: in both, amount went up / down (the difference);
- **won** / **lost**: in the start pipeline, closed won / closed not won at the
  end (start amount);
- **pushed_out**: in the start pipeline, still open at the end but with its
  close date outside the window (start amount; a close date moved before the
  window counts here too).

Deals that leave carry their start amount; an amount change on a leaving deal
is not shown separately. Amounts are converted with one rate table at both
moments, so exchange-rate moves never appear as changes.

**Groups** (``by=``): each deal is in exactly one group, so every group's
bridge adds up on its own and the groups add up to the whole. A column the
history table records (``owner``, ``stage``, ``forecast_category``,
``buying_phase`` through a ``ProcessMapping``) is read from the deal's state
at one moment, named by ``group_at``: ``"end"`` (default; each group's end is
its pipeline as of ``end``) or ``"start"`` (each group's start is its pipeline
as of ``start``; a deal that did not exist yet is grouped as of the end). A
deal handed from one owner to another in between therefore counts wholly in
one owner's bridge, start and end. A column only the snapshot has
(``product``, ``region``, ``type`` ...) has no past values and is read from the
snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import narwhals as nw

from salesflow.analytics._bridge_groups import GroupAt, deal_groups
from salesflow.analytics._chart import waterfall
from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import as_utc, by_columns
from salesflow.analytics._history_gaps import before_history, without_history
from salesflow.analytics._periods import (
    PeriodLike,
    exclusive,
    label,
    missing,
    resolve_period,
    window,
)
from salesflow.analytics._source import door, resolve
from salesflow.analytics.as_of import converted_states
from salesflow.analytics.bridge_totals import MOVEMENTS, BridgeTotals, totals
from salesflow.analytics.funnel import stage_process
from salesflow.analytics.rates import Rates
from salesflow.analytics.result import Result
from salesflow.columns import Columns
from salesflow.errors import Problem, ValidationError
from salesflow.fiscal import FiscalCalendar
from salesflow.process import SalesProcess

__all__ = ["MOVEMENTS", "Bridge", "BridgeTotals", "bridge"]


class Bridge(Result):
    """Per deal: its movement between two moments (see :func:`bridge`)."""

    currency: str | None
    keys: list[str]

    def plot(self, *, ax: Any = None) -> Any:
        """The waterfall: the start bar, each movement up or down, the end bar.

        Returns:
            The matplotlib ``Axes``.
        """
        totals = self.totals()
        movements = {name: totals.movements[name] for name in MOVEMENTS}
        return waterfall(totals.start, movements, totals.end, title=self.title, ax=ax)

    def totals(self) -> BridgeTotals:
        """The start, end and movement totals over every deal (computes a small aggregate)."""
        return totals(self._frame, [], self.currency)[()]

    def totals_by(self) -> dict[Any, BridgeTotals]:
        """Each group's totals, keyed by its value (a tuple with several ``by`` columns).

        Every group's totals add up on their own, and the groups' totals add
        up to :meth:`totals`.

        Raises:
            ValueError: The bridge was not grouped (no ``by=``).
        """
        if not self.keys:
            raise ValueError("this bridge has no groups: pass by= to bridge()")
        groups = totals(self._frame, self.keys, self.currency)
        if len(self.keys) == 1:
            return {key[0]: value for key, value in groups.items()}
        return groups


@translated("bridge")
def bridge(
    data: Any,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
    *,
    period: PeriodLike | None = None,
    calendar: FiscalCalendar | None = None,
    close_between: tuple[date, date] | None = None,
    process: SalesProcess | None = None,
    rates: Rates | None = None,
    by: str | Sequence[str] = (),
    group_at: GroupAt = "end",
    columns: Columns | None = None,
    currency: str | None = None,
) -> Bridge:
    """How the open pipeline moved from ``start`` to ``end``, per deal.

    Args:
        data: Opportunities or :class:`~salesflow.analytics.Frames` with a history table.
        start: The first moment (a date means the end of that day, UTC).
        end: The second moment, not before ``start``.
        period: Instead of ``start`` and ``end``, a fiscal period (a
            :class:`~salesflow.Period` or its label, e.g. ``"FY2027 Q1"``): from
            the end of the day before it begins to the end of its last day.
        calendar: The fiscal calendar a ``period`` label is read in (default: the calendar year).
        close_between: Only deals whose close date (at each moment) is in this
            inclusive range are in the pipeline, e.g. this quarter; default: all open deals.
        process: Supplies which stages are closed and won (default: ``Frames.process``).
        rates: Convert amounts into one currency (required with several currencies).
        by: Columns to group by (e.g. ``"owner"``, ``"buying_phase"``): history
            columns as of ``group_at``, else snapshot columns (see the module doc).
        group_at: ``"end"`` (default) or ``"start"``: the moment whose values
            of the history's columns put a deal in its group.
        columns: What a bare frame's source calls salesflow's columns (see :class:`~salesflow.Columns`).
        currency: The currency of amounts in tables without a currency column.

    Returns:
        A :class:`Bridge`: per deal ``id``, ``*by``, ``movement`` (one of
        :data:`MOVEMENTS`, or ``unchanged``), ``in_start``, ``in_end``,
        ``start_amount``, ``end_amount``, ``change`` (its signed contribution);
        :meth:`Bridge.totals` adds them up, :meth:`Bridge.totals_by` per group.

    Raises:
        ValidationError: ``end`` before ``start``, neither both moments nor a
            ``period`` (or both), a label not of the calendar, no history, no
            process, an unknown ``group_at``, a ``by`` column neither table has.
        CurrencyMismatchError: Several currencies and no ``rates``.

    >>> from datetime import date
    >>> from salesflow.analytics import examples
    >>> b = bridge(examples.opportunities(), date(2026, 1, 31), date(2026, 3, 31),
    ...            process=examples.process())
    >>> t = b.totals()
    >>> t.start, t.end, t.adds_up()
    (Money('48000.00', 'USD'), Money('55000.00', 'USD'), True)
    >>> {m: str(v.amount) for m, v in t.movements.items() if v.amount}
    {'new': '20000.00', 'increased': '5000.00', 'won': '10000.00', 'lost': '8000.00'}
    >>> per_owner = bridge(examples.opportunities(), date(2026, 1, 31), date(2026, 3, 31),
    ...                    process=examples.process(), by="owner").totals_by()
    >>> {owner: (str(t.start.amount), str(t.end.amount), t.adds_up())
    ...  for owner, t in sorted(per_owner.items())}
    {'ana': ('20000.00', '15000.00', True), 'bo': ('28000.00', '20000.00', True), 'cy': ('0.00', '20000.00', True)}
    >>> quarter = bridge(examples.opportunities(), period="FY2026 Q1", process=examples.process())
    >>> quarter.title, quarter.totals().adds_up()
    ('Pipeline bridge FY2026 Q1 (2025-12-31 → 2026-03-31)', True)
    """
    data = door(data, columns=columns, process=process, currency=currency)
    exclusive(period, {"start": start, "end": end}, "bridge")
    chosen_period = resolve_period(period, calendar, "bridge")
    if chosen_period is not None:
        first, second = window(chosen_period)
    elif start is None or end is None:
        missing({"start": start, "end": end}, "bridge")
    else:
        first, second = as_utc(start, what="start"), as_utc(end, what="end")
    if second < first:
        raise ValidationError(
            [Problem(f"end {second.isoformat()} is before start {first.isoformat()}", "$.end")],
            subject="bridge",
        )
    if group_at not in ("end", "start"):
        raise ValidationError(
            [Problem(f"expected 'end' or 'start', got {group_at!r}", "$.group_at")],
            subject="bridge",
        )
    keys = by_columns(by)
    inputs = resolve(data)
    chosen = stage_process(process, data, "bridge", needs="which stages are closed and won")
    # both states from one pass over the history, in one currency
    (before, after), currency = converted_states(
        inputs, [first, second], chosen, rates, keep=["close_date", *keys]
    )

    def member(prefix: str) -> nw.Expr:
        inside = ~nw.col(f"{prefix}is_closed")
        if close_between is not None:
            low, high = close_between
            inside = inside & nw.col(f"{prefix}close_date").is_between(
                nw.lit(low), nw.lit(high), closed="both"
            )
        return inside.fill_null(False)

    kept = ["id", "_amount", "is_closed", "is_won", "close_date"]
    joined = after.select(kept).join(
        before.select(kept)
        .rename({c: f"s_{c}" for c in kept if c != "id"})
        .with_columns(nw.lit(True).alias("s_exists")),
        on="id",
        how="left",
    )
    zero = nw.lit(0).cast(nw.Int64)
    table = joined.with_columns(
        member("s_").alias("in_start"),
        member("").alias("in_end"),
        nw.col("s_exists").fill_null(False).alias("_existed"),
    ).with_columns(
        nw.when(nw.col("in_start")).then(nw.col("s__amount")).alias("start_amount"),
        nw.when(nw.col("in_end")).then(nw.col("_amount")).alias("end_amount"),
    )
    s_amt = nw.col("start_amount").fill_null(zero)
    e_amt = nw.col("end_amount").fill_null(zero)
    both = nw.col("in_start") & nw.col("in_end")
    arrived = ~nw.col("in_start") & nw.col("in_end")
    left = nw.col("in_start") & ~nw.col("in_end")
    movement = (
        nw.when(both & (e_amt > s_amt))
        .then(nw.lit("increased"))
        .when(both & (e_amt < s_amt))
        .then(nw.lit("decreased"))
        .when(both)
        .then(nw.lit("unchanged"))
        .when(arrived & ~nw.col("_existed"))
        .then(nw.lit("new"))
        .when(arrived & nw.col("s_is_closed"))
        .then(nw.lit("reopened"))
        .when(arrived)
        .then(nw.lit("pulled_in"))
        .when(left & nw.col("is_won"))
        .then(nw.lit("won"))
        .when(left & nw.col("is_closed"))
        .then(nw.lit("lost"))
        .when(left)
        .then(nw.lit("pushed_out"))
    )
    table = table.filter(nw.col("in_start") | nw.col("in_end"))
    if keys:
        groups = deal_groups(inputs, keys, before=before, after=after, at=group_at)
        table = table.join(groups, on="id", how="left")
    table = (
        table.with_columns(movement.alias("movement"), (e_amt - s_amt).alias("change"))
        .select(
            "id",
            *keys,
            "movement",
            "in_start",
            "in_end",
            "start_amount",
            "end_amount",
            "change",
            nw.lit(currency, dtype=nw.String).alias("currency"),
        )
        .sort("id")
    )
    closing = "" if close_between is None else f", closing {close_between[0]}..{close_between[1]}"
    span = f"{first.date()} → {second.date()}"
    if chosen_period is not None:
        span = f"{chosen_period.label} ({span})"
    result = Bridge(
        table,
        inputs.kind,
        title=f"Pipeline bridge {span}{closing}",
        pending=[before_history(inputs, [second], "bridge"), without_history(inputs)],
        policies={
            "start": first,
            "end": second,
            "period": label(chosen_period),
            "close_between": close_between,
            "rates": rates,
            "by": keys,
            "group_at": group_at,
        },
    )
    result.currency = currency
    result.keys = keys
    return result
