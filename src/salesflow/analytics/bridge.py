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
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs
import narwhals as nw

from salesflow.analytics._expr import as_utc, sum0
from salesflow.analytics._source import resolve
from salesflow.analytics.as_of import state_at
from salesflow.analytics.funnel import stage_process
from salesflow.analytics.rates import Rates, convert
from salesflow.analytics.result import Result
from salesflow.errors import Problem, ValidationError
from salesflow.money import Money
from salesflow.process import SalesProcess

__all__ = ["MOVEMENTS", "Bridge", "BridgeTotals", "bridge"]

MOVEMENTS = (
    "new",
    "reopened",
    "pulled_in",
    "increased",
    "decreased",
    "won",
    "lost",
    "pushed_out",
)
"""The movements, in the order a waterfall shows them."""

_SIGN = {m: (-1 if m in ("decreased", "won", "lost", "pushed_out") else 1) for m in MOVEMENTS}


@attrs.frozen
class BridgeTotals:
    """The bridge's totals; ``start`` plus the signed movements is ``end``.

    Attributes:
        start: The start pipeline.
        end: The end pipeline.
        movements: Each movement's total (a positive amount; see :data:`MOVEMENTS`).
        counts: Deals per movement.
    """

    start: Money | Decimal
    end: Money | Decimal
    movements: dict[str, Money | Decimal]
    counts: dict[str, int]

    def adds_up(self) -> bool:
        """Whether start + new + ... − pushed_out == end (it always should)."""
        total: Any = self.start
        for name, value in self.movements.items():
            total = total + value if _SIGN[name] > 0 else total - value
        return bool(total == self.end)


class Bridge(Result):
    """Per deal: its movement between two moments (see :func:`bridge`)."""

    currency: str | None

    def totals(self) -> BridgeTotals:
        """The start, end and movement totals (computes a small aggregate)."""
        frame = self._frame
        ends = frame.select(
            sum0(nw.when(nw.col("in_start")).then(nw.col("start_amount"))).alias("start"),
            sum0(nw.when(nw.col("in_end")).then(nw.col("end_amount"))).alias("end"),
        ).collect(backend="polars")
        moved = (
            frame.group_by("movement")
            .agg(sum0(nw.col("change").abs()).alias("total"), nw.len().alias("count"))
            .collect(backend="polars")
        )
        by_name = {r["movement"]: r for r in moved.rows(named=True)}

        def money(value: Any) -> Money | Decimal:
            exact = _dec(value)
            return exact if self.currency is None else Money(exact, self.currency)

        return BridgeTotals(
            money(ends.item(0, "start")),
            money(ends.item(0, "end")),
            {m: money(by_name.get(m, {}).get("total")) for m in MOVEMENTS},
            {m: int(by_name.get(m, {}).get("count", 0)) for m in MOVEMENTS},
        )


def _dec(value: Any) -> Decimal:
    return Decimal(0) if value is None else Decimal(value)


def _state(inputs: Any, moment: datetime, process: SalesProcess, rates: Rates | None) -> Any:
    state = state_at(inputs, moment, process)
    state, currency = convert(state, rates=rates, default=inputs.currency)
    return state, currency


def bridge(
    data: Any,
    start: date | datetime,
    end: date | datetime,
    *,
    close_between: tuple[date, date] | None = None,
    process: SalesProcess | None = None,
    rates: Rates | None = None,
) -> Bridge:
    """How the open pipeline moved from ``start`` to ``end``, per deal.

    Args:
        data: Opportunities or :class:`~salesflow.analytics.Frames` with a history table.
        start: The first moment (a date means the end of that day, UTC).
        end: The second moment, not before ``start``.
        close_between: Only deals whose close date (at each moment) is in this
            inclusive range are in the pipeline, e.g. this quarter; default: all open deals.
        process: Supplies which stages are closed and won (default: ``Frames.process``).
        rates: Convert amounts into one currency (required with several currencies).

    Returns:
        A :class:`Bridge`: per deal ``id``, ``movement`` (one of :data:`MOVEMENTS`,
        or ``unchanged``), ``in_start``, ``in_end``, ``start_amount``,
        ``end_amount``, ``change`` (its signed contribution); :meth:`Bridge.totals` adds them up.

    Raises:
        ValidationError: ``end`` before ``start``, no history, no process.
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
    """
    first, second = as_utc(start, what="start"), as_utc(end, what="end")
    if second < first:
        raise ValidationError(
            [Problem(f"end {second.isoformat()} is before start {first.isoformat()}", "$.end")],
            subject="bridge",
        )
    inputs = resolve(data)
    chosen = stage_process(process, data, "bridge")
    before, currency = _state(inputs, first, chosen, rates)
    after, _ = _state(inputs, second, chosen, rates)

    def member(prefix: str) -> nw.Expr:
        inside = ~nw.col(f"{prefix}is_closed")
        if close_between is not None:
            low, high = close_between
            inside = inside & nw.col(f"{prefix}close_date").is_between(
                nw.lit(low), nw.lit(high), closed="both"
            )
        return inside.fill_null(False)

    columns = ["id", "_amount", "is_closed", "is_won", "close_date"]
    joined = after.select(columns).join(
        before.select(columns)
        .rename({c: f"s_{c}" for c in columns if c != "id"})
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
    table = (
        table.filter(nw.col("in_start") | nw.col("in_end"))
        .with_columns(movement.alias("movement"), (e_amt - s_amt).alias("change"))
        .select(
            "id",
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
    window = "" if close_between is None else f", closing {close_between[0]}..{close_between[1]}"
    result = Bridge(
        table,
        inputs.kind,
        title=f"Pipeline bridge {first.date()} → {second.date()}{window}",
        policies={"start": first, "end": second, "close_between": close_between, "rates": rates},
    )
    result.currency = currency
    return result
