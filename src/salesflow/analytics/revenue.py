"""Revenue by period: when the deals' line items earn their revenue, per fiscal period.

Where a line's revenue lands:

- a line with a revenue schedule: each installment's revenue on its day;
- otherwise a recurring line (a billing frequency and a term): its total price
  (what one billing period costs) on the first day of each billing period of
  the term, from its service date (it adds up to the line's TCV);
- otherwise the line's total price on its service date.

Lines with no day to place them on are left out, and said so in the result's
coverage, as are lines in another currency than the one asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import narwhals as nw

from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import by_columns
from salesflow.analytics._landing import KEYS, period_rows, typed_periods
from salesflow.analytics._lines import read_lines
from salesflow.analytics._periods import PeriodLike, label, resolve_period
from salesflow.analytics._small import small_table
from salesflow.analytics._source import door, resolve
from salesflow.analytics._trend_parts import calendar_of
from salesflow.analytics.coverage import Gap, Pending
from salesflow.analytics.frames import Frames, frames
from salesflow.analytics.result import Result
from salesflow.columns import Columns
from salesflow.errors import CurrencyMismatchError, Problem, ValidationError, shorten
from salesflow.fiscal import UNITS, FiscalCalendar, Unit
from salesflow.money import Money
from salesflow.process import SalesProcess

__all__ = ["DEALS", "RevenueByPeriod", "revenue_by_period"]

DealsPolicy = Literal["won", "open", "all"]
DEALS: tuple[DealsPolicy, ...] = ("won", "open", "all")
"""Whose lines count: won deals (booked revenue), open deals (revenue to come), or all deals."""

_SUBJECT = "revenue_by_period"


class RevenueByPeriod(Result):
    """Revenue per fiscal period it is earned in (see :func:`revenue_by_period`)."""

    _label = "period"
    _value = "revenue"

    def by_period(self) -> dict[str, Money]:
        """Each period's revenue, by label, in order (an ungrouped result in one currency).

        Raises:
            CurrencyMismatchError: The result has several currencies.
            ValidationError: The result is grouped by more than the period.
        """
        if self.policies["by"]:
            raise ValidationError(
                [Problem("the result is grouped: read rows() instead", "$.by")],
                subject="RevenueByPeriod.by_period",
            )
        rows = self.rows()
        codes = sorted({r["currency"] for r in rows})
        if len(codes) > 1:
            raise CurrencyMismatchError(codes[0], codes[1], "list revenue by period in")
        return {r["period"]: Money(r["revenue"], r["currency"]) for r in rows}


def _tables(data: Any, process: SalesProcess | None) -> Frames:
    if isinstance(data, Frames):
        tables = data
    elif isinstance(data, (list, tuple)) or (
        not hasattr(data, "columns") and not hasattr(data, "schema") and hasattr(data, "__iter__")
    ):
        tables = frames(list(data), process=process)
    else:
        raise ValidationError(
            [
                Problem(
                    f"expected opportunities or Frames with a line_items table, "
                    f"got {type(data).__name__}",
                    "$",
                )
            ],
            subject=_SUBJECT,
        )
    if tables.line_items is None or tables.snapshot is None:
        raise ValidationError(
            [Problem("revenue by period needs the snapshot and line_items tables", "$")],
            subject=_SUBJECT,
        )
    return tables


def _count(frame: nw.LazyFrame[Any]) -> int:
    return int(frame.select(nw.len()).collect(backend="polars").item())


def _left_out(frame: nw.LazyFrame[Any], what: str, reason: str) -> Pending:
    def check() -> Gap | None:
        rows = _count(frame)
        return Gap("left_out", what, reason, rows=rows) if rows else None

    return check


def _scale(schema: Any, name: str) -> int:
    dtype = schema.get(name)
    return dtype.scale if isinstance(dtype, nw.Decimal) else 0


def _check(grain: object, deals: object) -> None:
    problems = []
    if grain not in UNITS:
        problems.append(
            Problem(f"expected one of {', '.join(UNITS)}, got {shorten(grain)}", "$.grain")
        )
    if deals not in DEALS:
        problems.append(
            Problem(f"expected one of {', '.join(DEALS)}, got {shorten(deals)}", "$.deals")
        )
    if problems:
        raise ValidationError(problems, subject=_SUBJECT)


@translated(_SUBJECT)
def revenue_by_period(
    data: Any,
    *,
    grain: Unit = "month",
    calendar: FiscalCalendar | None = None,
    period: PeriodLike | None = None,
    deals: DealsPolicy = "won",
    by: str | Sequence[str] = (),
    currency: str | None = None,
    process: SalesProcess | None = None,
    columns: Columns | None = None,
) -> RevenueByPeriod:
    """How much of the deals' line revenue is earned in each fiscal period.

    A line's revenue lands on its revenue installments' days when it has a
    schedule; otherwise a recurring line's total price (one billing period's
    price) lands on the first day of each billing period of its term, from its
    service date (adding up to its TCV); otherwise the line's total price lands
    on its service date. Each day counts in the period of ``grain`` holding it.

    Left out, and named in :attr:`~RevenueByPeriod.coverage`: lines with no
    schedule and no service date, lines in another currency than ``currency``,
    lines of deals missing from the snapshot, recurring lines of an unknown
    billing frequency, days a listed calendar has no period for. Frames
    without an ``installments`` table have their schedules unseen (said so).

    Args:
        data: Opportunities, or :class:`~salesflow.analytics.Frames` with
            ``snapshot`` and ``line_items`` tables (and ``installments``, as
            :func:`~salesflow.analytics.frames` writes) from any library
            narwhals reads.
        grain: The periods: ``"month"``, ``"quarter"``, ``"year"`` or ``"week"``.
        calendar: The fiscal calendar (default: the calendar year).
        period: Only revenue earned in this period (a :class:`~salesflow.Period`
            or its label, e.g. ``"FY2026"``).
        deals: Whose lines: ``"won"`` deals (booked revenue), ``"open"`` deals
            (revenue to come), or ``"all"`` deals (lost ones too).
        by: Columns of the line_items table (``product``, ``product_family``)
            or of the snapshot (``owner``) to group by.
        currency: Only lines in this currency (the others are left out);
            default: every currency, one row each.
        process: Supplies which stages are closed and won where the snapshot
            lacks ``is_won`` / ``is_closed`` (default: ``Frames.process``).
        columns: What the snapshot's source calls salesflow's columns.

    Returns:
        A :class:`RevenueByPeriod`: ``period`` (its label), ``start``,
        ``end``, ``*by``, ``currency``, ``revenue``, ``lines`` (how many lines
        earn revenue in it), in time order.

    Raises:
        ValidationError: An unknown grain or deals policy, a ``by`` column in
            neither table, a period label not of the calendar, a missing table
            or column.

    >>> import salesflow as sf
    >>> from datetime import date
    >>> line = sf.LineItem(product="Care", quantity=1, unit_price=sf.Money("100", "USD"),
    ...                    billing_frequency="monthly", term_months=3,
    ...                    service_date=date(2026, 1, 15))
    >>> p = sf.presets.salesforce_standard()
    >>> deal = p.open(name="D", close_date=date(2026, 1, 10), line_items=[line])
    >>> _ = p.move(deal, "Closed Won")
    >>> revenue_by_period([deal], grain="quarter").by_period()
    {'FY2026 Q1': Money('300', 'USD')}
    """
    _check(grain, deals)
    chosen = calendar_of(calendar, _SUBJECT)
    span = resolve_period(period, calendar, _SUBJECT)
    data = door(data, columns=columns, process=process)
    tables = _tables(data, process)
    inputs = resolve(tables)
    keys = by_columns(by)
    lines = read_lines(
        tables.line_items,
        "line_items",
        inputs.kind,
        needs=("opportunity_id", "line_id", "currency", "total_price", "service_date"),
        subject=_SUBJECT,
    )
    line_names = lines.columns
    from_snapshot = [k for k in keys if k not in line_names]
    flag = {"won": ["is_won"], "open": ["is_closed"], "all": []}[deals]
    snapshot = inputs.table("snapshot", needs=["id", *flag, *from_snapshot])
    if deals == "won":
        snapshot = snapshot.filter(nw.col("is_won").fill_null(value=False))
    elif deals == "open":
        snapshot = snapshot.filter(~nw.col("is_closed").fill_null(value=True))
    taken = snapshot.select(nw.col("id").alias("opportunity_id"), *from_snapshot)
    pending: list[Pending] = []
    known_ids = inputs.table("snapshot", needs=["id"]).select(nw.col("id").alias("opportunity_id"))
    pending.append(
        _left_out(
            lines.join(known_ids, on="opportunity_id", how="anti"),
            "lines",
            "their opportunity is not in the snapshot",
        )
    )
    mine = lines.join(taken, on="opportunity_id", how="inner")
    if currency is not None:
        pending.append(
            _left_out(
                mine.filter((nw.col("currency") != nw.lit(currency)).fill_null(value=True)),
                "lines",
                f"in another currency than {currency}",
            )
        )
        mine = mine.filter(nw.col("currency") == nw.lit(currency))
    gaps: list[Gap] = []
    money_scale = _scale(lines.collect_schema(), "total_price")
    scheduled_rows: nw.LazyFrame[Any] | None = None
    names = ["opportunity_id", "line_id", "currency", *keys]
    if tables.installments is None:
        gaps.append(
            Gap(
                "not_checked",
                "revenue schedules",
                "the Frames have no installments table; every line is placed by its service date",
            )
        )
        unscheduled = mine
    else:
        steps = read_lines(
            tables.installments,
            "installments",
            inputs.kind,
            needs=("opportunity_id", "line_id", "schedule_date", "revenue"),
            subject=_SUBJECT,
        )
        money_scale = max(money_scale, _scale(steps.collect_schema(), "revenue"))
        earned = steps.filter(~nw.col("revenue").is_null()).select(
            "opportunity_id", "line_id", "schedule_date", "revenue"
        )
        pending.append(
            _left_out(
                earned.join(lines, on=["opportunity_id", "line_id"], how="anti"),
                "installments",
                "their line is not in the line_items table",
            )
        )
        scheduled = earned.select("opportunity_id", "line_id").unique()
        scheduled_rows = mine.join(earned, on=["opportunity_id", "line_id"], how="inner").select(
            *names,
            nw.col("schedule_date").alias("day"),
            nw.lit("").alias("frequency"),
            nw.lit(0).cast(nw.Int64).alias("term"),
            nw.col("revenue"),
        )
        unscheduled = mine.join(scheduled, on=["opportunity_id", "line_id"], how="anti")
    recurring: nw.Expr = nw.lit(value=False)
    if "billing_frequency" in line_names and "term_months" in line_names:
        recurring = ~nw.col("billing_frequency").is_null() & ~nw.col("term_months").is_null()
    pending.append(
        _left_out(
            unscheduled.filter(nw.col("service_date").is_null()),
            "lines",
            "no revenue schedule and no service date",
        )
    )
    placed_lines = unscheduled.filter(~nw.col("service_date").is_null()).select(
        *names,
        nw.col("service_date").alias("day"),
        nw.when(recurring)
        .then(nw.col("billing_frequency").cast(nw.String))
        .otherwise(nw.lit(""))
        .alias("frequency"),
        nw.when(recurring)
        .then(nw.col("term_months").cast(nw.Int64))
        .otherwise(nw.lit(0).cast(nw.Int64))
        .alias("term"),
        nw.col("total_price").alias("revenue"),
    )
    money = nw.Decimal(38, money_scale)
    placed_lines = placed_lines.with_columns(nw.col("revenue").cast(money))
    parts = [placed_lines]
    if scheduled_rows is not None:
        scheduled_rows = scheduled_rows.with_columns(nw.col("revenue").cast(money))
        parts.append(scheduled_rows)
    placed = nw.concat(parts, how="vertical") if len(parts) > 1 else placed_lines
    found = placed.select(KEYS).unique().collect(backend="polars").rows()
    rows, outside, unknown = period_rows(found, chosen, grain, span)
    if unknown:
        pending.append(
            _left_out(
                placed.filter(nw.col("frequency").is_in(unknown)),
                "line entries",
                f"unknown billing frequency {', '.join(map(repr, unknown))}",
            )
        )
    if outside:
        days = sorted({d.isoformat() for d, _, _ in outside})
        shown = ", ".join(days[:3]) + (" ..." if len(days) > 3 else "")
        pending.append(
            _left_out(
                placed.filter(nw.col("day").is_in(sorted({d for d, _, _ in outside}))),
                "line entries (all or some of their revenue)",
                f"they start on days with revenue the calendar has no {grain} for ({shown})",
            )
        )
    periods = typed_periods(small_table(placed, rows))
    where = ["period", "start", "end", *keys, "currency"]
    # Other lines: one key each, so lines of one key are added up before the join.
    by_key = (
        placed_lines.group_by(*KEYS, *keys, "currency")
        .agg(nw.col("revenue").sum(), nw.len().cast(nw.Int64).alias("lines"))
        .join(periods, on=KEYS, how="inner")
        .group_by(*where)
        .agg((nw.col("revenue") * nw.col("times")).sum(), nw.col("lines").sum())
    )
    partial = [by_key]
    if scheduled_rows is not None:
        # Installments: one row each; a line's several rows in one period count it once.
        partial.append(
            scheduled_rows.join(periods, on=KEYS, how="inner")
            .group_by(*where, "opportunity_id", "line_id")
            .agg(nw.col("revenue").sum())
            .group_by(*where)
            .agg(nw.col("revenue").sum(), nw.len().cast(nw.Int64).alias("lines"))
        )
    same = [nw.col("revenue").cast(money), nw.col("lines").cast(nw.Int64)]
    table = (
        nw.concat([t.with_columns(*same) for t in partial], how="vertical")
        .group_by(*where)
        .agg(nw.col("revenue").sum().cast(money), nw.col("lines").sum().cast(nw.Int64))
        .sort(["start", *keys, "currency"], nulls_last=True)
    )
    pending.append(_no_data(table, deals))
    return RevenueByPeriod(
        table,
        inputs.kind,
        title=f"Revenue by {grain} ({deals} deals"
        + (f", {currency}" if currency else "")
        + (f", {span.label}" if span else "")
        + ")",
        policies={
            "grain": grain,
            "calendar": chosen,
            "period": label(span),
            "deals": deals,
            "by": keys,
            "currency": currency,
        },
        gaps=gaps,
        pending=pending,
    )


def _no_data(table: nw.LazyFrame[Any], deals: str) -> Callable[[], Gap | None]:
    def check() -> Gap | None:
        if _count(table):
            return None
        return Gap("no_data", "revenue", f"no line of a {deals} deal lands in a period")

    return check
