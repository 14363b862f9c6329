"""Category movement: how the deals closing in a period moved between forecast categories.

Of the deals closing in a period, what moved from Pipeline to Commit, from
Commit to Closed Won, and what left the period, between two moments — the
question under a forecast trend (:func:`~salesflow.analytics.forecast_trends`).
Each deal is in exactly one cell, so the matrix's rows add up to the
categories at the start and its columns to the categories at the end. It
reads the two moments as :func:`~salesflow.analytics.bridge` does (each deal's
latest history row, amounts converted with one rate table at both), but
follows closed deals too and keeps the forecast category.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import narwhals as nw

from salesflow.analytics._chart import bars
from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import as_utc, sum0
from salesflow.analytics._history_gaps import before_history, without_history
from salesflow.analytics._periods import PeriodLike, resolve_period
from salesflow.analytics._source import door, resolve
from salesflow.analytics._trend_parts import (
    OPEN_CATEGORIES,
    calendar_of,
    history_span,
    in_period,
    moment_of,
    money_of,
    one_currency,
)
from salesflow.analytics.as_of import converted_state
from salesflow.analytics.coverage import Gap, Pending
from salesflow.analytics.funnel import stage_process
from salesflow.analytics.rates import Rates
from salesflow.analytics.result import Result
from salesflow.columns import Columns
from salesflow.errors import Problem, ValidationError
from salesflow.fiscal import FiscalCalendar, Period
from salesflow.forecast import ForecastCategory
from salesflow.money import Money
from salesflow.process import SalesProcess

__all__ = ["MOVEMENT_FROM", "MOVEMENT_TO", "CategoryMovement", "category_movement"]

MOVEMENT_FROM: tuple[str, ...] = (
    "New",
    *OPEN_CATEGORIES,
    ForecastCategory.OMITTED.value,
    "Closed Won",
    "Closed Lost",
)
"""Where a deal stood at the start (``New``: not closing in the period then), in matrix order."""

MOVEMENT_TO: tuple[str, ...] = (*MOVEMENT_FROM[1:], "Out of period")
"""Where a deal stood at the end (``Out of period``: its close date moved out), in matrix order."""

_NO_CATEGORY = "No category"
"""An open deal whose stage has no forecast category (a stage the process lacks)."""


def _category() -> nw.Expr:
    """Where a deal stands: its forecast category while open, else ``Closed Won`` or ``Closed Lost``."""
    return (
        nw.when(~nw.col("is_closed"))
        .then(nw.col("forecast_category").fill_null(_NO_CATEGORY))
        .when(nw.col("is_won"))
        .then(nw.lit("Closed Won"))
        .otherwise(nw.lit("Closed Lost"))
    )


class CategoryMovement(Result):
    """From-category × to-category of the deals closing in a period (see :func:`category_movement`).

    Attributes:
        period: The period whose deals are followed.
        start: The first moment (UTC).
        end: The second moment (UTC).
        currency: The currency of the amounts (``None`` when the tables name none).
    """

    _label = "to_category"
    _value = "deals"

    period: Period
    start: datetime
    end: datetime
    currency: str | None
    _deals: nw.LazyFrame[Any]

    def matrix(self, value: str = "deals") -> dict[str, dict[str, Any]]:
        """From-category → to-category → ``value``, zeros filled in, in :data:`MOVEMENT_FROM` order.

        Args:
            value: ``"deals"``, ``"start_amount"`` or ``"end_amount"``.

        Raises:
            ValidationError: Another ``value``.
        """
        if value not in ("deals", "start_amount", "end_amount"):
            raise ValidationError(
                [Problem(f"expected deals, start_amount or end_amount, got {value!r}", "$.value")],
                subject="CategoryMovement.matrix",
            )
        rows = self.rows()
        sources = [c for c in MOVEMENT_FROM if any(r["from_category"] == c for r in rows)]
        targets = [c for c in MOVEMENT_TO if any(r["to_category"] == c for r in rows)]
        sources += sorted({r["from_category"] for r in rows} - set(sources))
        targets += sorted({r["to_category"] for r in rows} - set(targets))

        def cell(raw: Any) -> Any:
            return int(raw or 0) if value == "deals" else money_of(raw, self.currency)

        found = {s: {t: cell(None) for t in targets} for s in sources}
        for row in rows:
            found[row["from_category"]][row["to_category"]] = cell(row[value])
        return found

    def start_totals(self) -> dict[str, Money | Decimal]:
        """Each category's amount at the start, over the deals closing in the period then."""
        return self._totals("from_category", "start_amount", skip="New")

    def end_totals(self) -> dict[str, Money | Decimal]:
        """Each category's amount at the end, over the deals closing in the period then."""
        return self._totals("to_category", "end_amount", skip="Out of period")

    def _totals(self, side: str, value: str, *, skip: str) -> dict[str, Money | Decimal]:
        sums: dict[str, Decimal] = {}
        for row in self.rows():
            if row[side] != skip:
                sums[row[side]] = sums.get(row[side], Decimal(0)) + Decimal(row[value] or 0)
        return {k: money_of(v, self.currency) for k, v in sums.items()}

    def deals(self) -> Result:
        """Per deal: ``id``, ``from_category``, ``to_category``, both close dates and amounts."""
        return Result(
            self._deals,
            self._kind,
            title=f"{self.title}: per deal",
            policies=self.policies,
            gaps=self._gaps,
            pending=self._pending,
        )

    def plot(self, *, ax: Any = None) -> Any:
        """Bars: the deals in each from → to cell.

        Returns:
            The matplotlib ``Axes``.
        """
        rows = self.rows()
        return bars(
            [f"{r['from_category']} → {r['to_category']}" for r in rows],
            [r["deals"] for r in rows],
            title=self.title,
            axis="deals",
            horizontal=True,
            ax=ax,
        )


def _order(column: str, names: Sequence[str]) -> nw.Expr:
    return nw.col(column).replace_strict(
        {n: i for i, n in enumerate(names)},
        default=nw.lit(len(names), dtype=nw.Int64),
        return_dtype=nw.Int64,
    )


@translated("category_movement")
def category_movement(
    data: Any,
    *,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
    period: PeriodLike | None = None,
    calendar: FiscalCalendar | None = None,
    process: SalesProcess | None = None,
    rates: Rates | None = None,
    columns: Columns | None = None,
    currency: str | None = None,
) -> CategoryMovement:
    """How the deals closing in a period moved between forecast categories from ``start`` to ``end``.

    A deal is followed when its close date falls in ``period`` at ``start``
    or at ``end`` (each as it stood then). It is in exactly one cell:

    - from: its category at the start while open (``Pipeline``, ``Best Case``,
      ``Most Likely``, ``Commit``, ``Omitted``), ``Closed Won`` or ``Closed Lost``,
      or ``New`` when it was not closing in the period then (it did not exist,
      had no close date, or was pulled in from another period);
    - to: the same at the end, or ``Out of period`` when its close date moved
      out of the period (or was cleared).

    ``start_amount`` sums the deals' amounts at the start (0 for ``New``) and
    ``end_amount`` at the end (0 for ``Out of period``), so each from-row adds
    up to that category's amount at the start and each to-column to its amount
    at the end (:meth:`CategoryMovement.start_totals`, :meth:`~CategoryMovement.end_totals`).

    Args:
        data: Opportunities or :class:`~salesflow.analytics.Frames` with a history table.
        start: The first moment (a date means the end of that day, UTC);
            default: the end of the day before the period starts.
        end: The second moment; default: the end of the day of the last history row.
        period: The period whose deals are followed (a :class:`~salesflow.Period`
            or its label in ``calendar``, e.g. ``"FY2026 Q1"``); default: the
            quarter of ``calendar`` that holds ``end``.
        calendar: The fiscal calendar of a ``period`` label and of the default
            period (default: the calendar year).
        process: Supplies which stages are closed and won (default: ``Frames.process``).
        rates: Convert amounts into one currency (required with several currencies).
        columns: What a bare frame's source calls salesflow's columns (see :class:`~salesflow.Columns`).
        currency: The currency of amounts in tables without a currency column.

    Returns:
        A :class:`CategoryMovement`: per non-empty cell ``from_category``,
        ``to_category``, ``deals``, ``start_amount``, ``end_amount``,
        ``currency``; :meth:`~CategoryMovement.matrix` gives the full matrix,
        :meth:`~CategoryMovement.deals` the deal in each cell.

    Raises:
        ValidationError: ``end`` before ``start``, ``period`` neither a Period
            nor a label of the calendar, no history, no process.
        CurrencyMismatchError: Several currencies and no ``rates``.

    >>> from datetime import date
    >>> from salesflow import FiscalCalendar
    >>> from salesflow.analytics import examples
    >>> march = FiscalCalendar.calendar_year().period_of(date(2026, 3, 1), "month")
    >>> moved = category_movement(examples.opportunities(), start=date(2026, 2, 28),
    ...                           end=date(2026, 3, 31), period=march, process=examples.process())
    >>> [(r["from_category"], r["to_category"], r["deals"]) for r in moved.rows()]
    [('Pipeline', 'Closed Lost', 1), ('Pipeline', 'Out of period', 1), ('Best Case', 'Best Case', 1)]
    """
    subject = "category_movement"
    data = door(data, columns=columns, process=process, currency=currency)
    chosen_period = resolve_period(period, calendar, subject)
    chosen_calendar = calendar_of(calendar, subject)
    inputs = resolve(data)
    chosen = stage_process(process, data, subject, needs="which stages are closed and won")
    _, last = history_span(inputs)
    second = moment_of(end, last, "end", subject)
    window = chosen_period or chosen_calendar.period_of(second.date(), "quarter")
    first = (
        as_utc(start, what="start")
        if start is not None
        else as_utc(window.start - timedelta(days=1), what="start")
    )
    if second < first:
        raise ValidationError(
            [Problem(f"end {second.isoformat()} is before start {first.isoformat()}", "$.end")],
            subject=subject,
        )
    before, found = converted_state(inputs, first, chosen, rates)
    after, later = converted_state(inputs, second, chosen, rates)
    money = one_currency([found, later]) or inputs.currency
    kept: list[Any] = ["id", "_amount", "close_date", _category().alias("category")]
    joined = after.select(*kept).join(
        before.select(*kept)
        .rename({"_amount": "s_amount", "close_date": "s_close_date", "category": "s_category"})
        .with_columns(nw.lit(True).alias("_existed")),
        on="id",
        how="left",
    )
    in_start = nw.col("_existed").fill_null(False) & in_period(window, "s_close_date")
    in_end = in_period(window)
    deals = (
        joined.with_columns(in_start.alias("_in_start"), in_end.alias("_in_end"))
        .filter(nw.col("_in_start") | nw.col("_in_end"))
        .select(
            "id",
            nw.when(nw.col("_in_start"))
            .then(nw.col("s_category"))
            .otherwise(nw.lit("New"))
            .alias("from_category"),
            nw.when(nw.col("_in_end"))
            .then(nw.col("category"))
            .otherwise(nw.lit("Out of period"))
            .alias("to_category"),
            nw.col("s_close_date").alias("start_close_date"),
            nw.col("close_date").alias("end_close_date"),
            nw.when(nw.col("_in_start")).then(nw.col("s_amount")).alias("start_amount"),
            nw.when(nw.col("_in_end")).then(nw.col("_amount")).alias("end_amount"),
            nw.lit(money, dtype=nw.String).alias("currency"),
        )
        .sort("id")
    )
    cells = (
        deals.group_by("from_category", "to_category")
        .agg(
            nw.len().cast(nw.Int64).alias("deals"),
            sum0(nw.col("start_amount")).alias("start_amount"),
            sum0(nw.col("end_amount")).alias("end_amount"),
        )
        .with_columns(
            _order("from_category", MOVEMENT_FROM).alias("_from"),
            _order("to_category", MOVEMENT_TO).alias("_to"),
        )
        .sort(["_from", "_to", "from_category", "to_category"])
        .select(
            "from_category",
            "to_category",
            "deals",
            "start_amount",
            "end_amount",
            nw.lit(money, dtype=nw.String).alias("currency"),
        )
    )
    undated = after.join(
        before.select("id", nw.col("close_date").alias("_s_close")), on="id", how="left"
    ).filter(nw.col("close_date").is_null() & nw.col("_s_close").is_null())
    result = CategoryMovement(
        cells,
        inputs.kind,
        title=(
            f"Category movement of {window.label} deals, "
            f"{first.date()} → {second.date()} ({money or 'no currency'})"
        ),
        pending=[
            before_history(inputs, [first, second], "category movement"),
            _no_close_date(undated),
            without_history(inputs),
        ],
        policies={"period": window, "start": first, "end": second, "rates": rates},
    )
    result.period = window
    result.start = first
    result.end = second
    result.currency = money
    result._deals = deals
    return result


def _no_close_date(frame: nw.LazyFrame[Any]) -> Pending:
    def check() -> Gap | None:
        count = int(frame.select(nw.len()).collect(backend="polars").item())
        if not count:
            return None
        reason = "no close date at either moment, so they close in no period"
        return Gap("left_out", "deals", reason, rows=count)

    return check
