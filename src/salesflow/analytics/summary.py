"""The pipeline by forecast category: count, amount, weighted amount."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import narwhals as nw

from salesflow.analytics._dated_convert import dated_amounts
from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import aggregate, by_columns, sum0
from salesflow.analytics._history_gaps import no_amount, no_deals
from salesflow.analytics._kept import held, holds
from salesflow.analytics._small import engine_frame, small_table
from salesflow.analytics._source import Inputs, door, resolve
from salesflow.analytics.dated_rates import DatedRates, rates_for
from salesflow.analytics.rates import Rates, convert, exact_product
from salesflow.analytics.result import Result
from salesflow.columns import Columns
from salesflow.errors import Problem, ValidationError
from salesflow.forecast import ForecastCategory
from salesflow.money import Money
from salesflow.process import SalesProcess

__all__ = ["Summary", "SummaryLine", "pipeline_summary", "summarise", "weighted"]

_NEEDS = ("stage", "amount", "probability", "forecast_category", "is_closed", "is_won")


def _in(categories: Sequence[ForecastCategory]) -> nw.Expr:
    return nw.col("forecast_category").is_in([c.value for c in categories])


def _lines(cumulative: bool) -> list[tuple[str, nw.Expr | None]]:
    won = nw.col("is_won")
    lost = nw.col("is_closed") & ~nw.col("is_won")
    is_open = ~nw.col("is_closed")
    if cumulative:
        forecast: list[tuple[str, nw.Expr | None]] = [
            (
                f"{c.value} Forecast" if c is not ForecastCategory.PIPELINE else "Open Pipeline",
                _in([x for x in ForecastCategory if c.includes(x)]),
            )
            for c in (
                ForecastCategory.COMMIT,
                ForecastCategory.MOST_LIKELY,
                ForecastCategory.BEST_CASE,
                ForecastCategory.PIPELINE,
            )
        ]
        forecast[-1] = ("Open Pipeline", _in(ForecastCategory.PIPELINE.rollup) & is_open)
    else:
        forecast = [(c.value, _in([c])) for c in ForecastCategory]
    return [("Total", None), ("Closed Won", won), *forecast, ("Closed Lost", lost)]


def weighted(
    frame: nw.LazyFrame[Any], *, amount: str = "_amount", into: str = "_weighted"
) -> nw.LazyFrame[Any]:
    """Add ``into`` = ``amount × probability / 100``, exactly (see :mod:`.rates`)."""
    schema = frame.select("probability", amount).collect_schema()  # no time zone asked
    polars = frame.implementation is nw.Implementation.POLARS
    fraction = exact_product(
        nw.col("probability"),
        schema["probability"],
        nw.lit(Decimal("0.01"), dtype=nw.Decimal(3, 2)),
        nw.Decimal(3, 2),
        polars=polars,
    )
    p_scale = getattr(schema["probability"], "scale", None)
    fraction_dtype: Any = (
        nw.Decimal(38, int(p_scale) + 2) if p_scale is not None else schema["probability"]
    )
    if schema["probability"].is_integer():
        fraction_dtype = nw.Decimal(38, 2)
    frame = frame.with_columns(fraction.alias("_fraction"))
    scale = getattr(fraction_dtype, "scale", None)
    product = exact_product(
        nw.col(amount),
        schema[amount],
        nw.col("_fraction"),
        fraction_dtype,
        polars=polars,
        right_digits=1 + (scale or 0),  # a fraction in 0..1: its scale and one digit
    )
    return frame.with_columns(product.alias(into)).drop("_fraction")


@attrs.frozen
class SummaryLine:
    """One line of a pipeline summary.

    Attributes:
        line: e.g. ``Open Pipeline``, ``Commit Forecast``, ``Closed Won``.
        count: Deals in the line.
        amount: Their total amount (deals without an amount add nothing).
        weighted_amount: Σ amount × probability / 100.
    """

    line: str
    count: int
    amount: Money | Decimal
    weighted_amount: Money | Decimal


class Summary(Result):
    """The pipeline by forecast category (see :func:`pipeline_summary`)."""

    _label = "line"
    _value = "amount"

    currency: str | None

    def line(self, name: str) -> SummaryLine:
        """The line ``name`` (ungrouped summaries only).

        Raises:
            KeyError: No such line.
        """
        for row in self.rows():
            if row["line"] == name:
                return SummaryLine(
                    name,
                    int(row["count"]),
                    _money(row["amount"], self.currency),
                    _money(row["weighted_amount"], self.currency),
                )
        raise KeyError(name)


def _money(value: Any, currency: str | None) -> Money | Decimal:
    exact = value if isinstance(value, Decimal) else Decimal(str(value or 0))
    return exact if currency is None else Money(exact, currency)


def summarise(
    frame: nw.LazyFrame[Any],
    keys: list[str],
    *,
    cumulative: bool,
    rates: Rates | None,
    default: str | None,
    materialize: bool = False,
) -> tuple[nw.LazyFrame[Any], str | None]:
    """The summary table of a snapshot-shaped ``frame``, and its currency.

    ``materialize``: compute the per-group sums now (for frames in memory).
    """
    groups = [*keys, "forecast_category", "is_closed", "is_won"]
    probability = frame.select("probability").collect_schema()["probability"]
    if probability.is_integer() or isinstance(probability, nw.Decimal):
        # Σ amount × rate × p = rate × p × Σ amount, exactly: sum the deals per
        # probability and currency first (decimal probabilities take few values),
        # then convert and weigh the sums.
        per = [*groups, "probability", *(["currency"] if "currency" in frame.columns else [])]
        base = aggregate(
            frame,
            per,
            [
                nw.len().alias("count"),
                nw.col("amount").sum(),
                nw.col("amount").count().alias("_amounts"),
            ],
        ).with_columns(nw.when(nw.col("_amounts") > 0).then(nw.col("amount")).alias("amount"))
        if materialize:  # in memory: one pass over the deals, the rest reads the sums
            base = base.collect().lazy()
            base, currency = convert(base, rates=rates, default=default)
        elif holds(base):  # an engine that keeps the sums: a few rows, finished in Polars
            kept = held(base)
            local = nw.from_native(kept.collect(backend="polars").to_native()).lazy()
            converted, currency = convert(local, rates=rates, default=default)
            table = _finish(weighted(converted), keys, cumulative=cumulative, currency=currency)
            # Handed back to the engine whole: each step there is a query to plan
            # (DuckDB binds ~40 relations for these few rows), here one pass.
            moved = engine_frame(kept, table.collect(backend="polars").to_native())
            if moved is not None:
                return moved, currency
            base, currency = convert(kept, rates=rates, default=default)
        else:  # lazy: the currencies from the deals, not from sums computed twice
            base, currency = convert(base, rates=rates, default=default, currencies_of=frame)
        base = weighted(base)
    else:  # float probabilities may all differ: convert and multiply per deal
        frame, currency = convert(frame, rates=rates, default=default)
        base = weighted(frame).with_columns(nw.lit(1).alias("count"))
    return _finish(base, keys, cumulative=cumulative, currency=currency), currency


def _finish(
    base: nw.LazyFrame[Any], keys: list[str], *, cumulative: bool, currency: str | None
) -> nw.LazyFrame[Any]:
    """The summary's lines from deals or sums with ``count``, ``_amount`` and ``_weighted``."""
    groups = [*keys, "forecast_category", "is_closed", "is_won"]
    base = aggregate(
        base,
        groups,
        [sum0(nw.col("count")).alias("count"), sum0(nw.col("_amount")), sum0(nw.col("_weighted"))],
    )
    lines = _lines(cumulative)
    columns = {"count": "count", "_amount": "amount", "_weighted": "weighted_amount"}
    # One pass over the sums: each line's figures as conditional sums, side by side, then
    # one row per line through a cross join (a union of one filtered sum per line would
    # make a lazy engine read the deals once per line).
    wide = aggregate(
        base,
        keys,
        [
            sum0(nw.col(source) if mask is None else nw.when(mask).then(nw.col(source))).alias(
                f"{name}{i}"
            )
            for i, (_, mask) in enumerate(lines)
            for source, name in columns.items()
        ],
    )
    numbered = small_table(
        wide, {"_order": [str(i) for i in range(len(lines))], "line": [n for n, _ in lines]}
    )
    order = nw.col("_order").cast(nw.Int64)

    def pick(name: str) -> nw.Expr:
        expr: nw.Expr = nw.col(f"{name}0")
        for i in range(1, len(lines)):
            expr = nw.when(order == i).then(nw.col(f"{name}{i}")).otherwise(expr)
        return expr

    long = wide.join(numbered, how="cross").with_columns(order.alias("_order"))
    if keys:  # a grouped table lists a group's lines that have deals (as one sum per line did)
        long = long.filter(pick("count") > 0)
    return long.sort([*keys, "_order"]).select(
        *keys,
        "line",
        pick("count").cast(nw.Int64).alias("count"),
        pick("amount").alias("amount"),
        pick("weighted_amount").alias("weighted_amount"),
        nw.lit(currency, dtype=nw.String).alias("currency"),
    )


def at_close_dates(
    frame: nw.LazyFrame[Any], rates: DatedRates, *, default: str | None
) -> nw.LazyFrame[Any]:
    """The snapshot with each amount converted at the rate of its close date (``"close_date"``).

    ``amount`` becomes the converted amount and ``currency`` the rates' one.

    Raises:
        MissingRateError: A deal without a rate on its close date.
        ValidationError: Amounts without a currency (no column, no default).
    """
    if "currency" not in frame.columns:
        if default is None:
            raise ValidationError(
                [Problem("no currency column and no currency= for the amounts", "$.snapshot")],
                subject="analytics input",
            )
        frame = frame.with_columns(nw.lit(default, dtype=nw.String).alias("currency"))
    converted = dated_amounts(frame, rates, into="_dated_amount")
    return converted.with_columns(
        nw.col("_dated_amount").alias("amount"),
        nw.lit(rates.currency, dtype=nw.String).alias("currency"),
    ).drop("_dated_amount")


@translated("pipeline_summary")
def pipeline_summary(
    data: Any,
    *,
    cumulative: bool = True,
    rates: Rates | DatedRates | None = None,
    rate_policy: str | None = None,
    rate_date: date | None = None,
    by: str | Sequence[str] = (),
    process: SalesProcess | None = None,
    columns: Columns | None = None,
    currency: str | None = None,
) -> Summary:
    """Count, amount and weighted amount per forecast-category line.

    Lines: ``Total``; ``Closed Won`` (won deals); the forecast lines; ``Closed
    Lost`` (closed, not won). Cumulative (Salesforce's default): ``Commit
    Forecast`` = Commit + Closed, ``Most Likely Forecast`` = Most Likely +
    Commit + Closed, ``Best Case Forecast`` = Best Case + Most Likely + Commit +
    Closed, ``Open Pipeline`` = Pipeline + Best Case + Most Likely + Commit on
    open deals (never Closed); Omitted is in none. Single-category: one line
    per category, under its own name.

    Args:
        data: Opportunities, a snapshot frame, or :class:`~salesflow.analytics.Frames`.
        cumulative: Cumulative rollups (default) or one line per category.
        rates: Convert every amount into one currency before summing. Without
            rates, amounts in several currencies are an error, never a wrong sum.
            :class:`~salesflow.analytics.DatedRates` apply by ``rate_policy``.
        rate_policy: With ``DatedRates``: ``"close_date"`` (the default: each
            amount at the rate in force on its deal's close date), ``"as_of"`` or
            ``"constant"`` (every amount at the rates of ``rate_date``). With
            ``Rates``: only ``"budget"`` (the default: one fixed table).
        rate_date: The day whose rates ``"as_of"`` and ``"constant"`` apply.
        by: Columns to group by (e.g. ``"owner"``), one set of lines per group.
        process: The process the deals follow (default: ``Frames.process``).
        columns: What a bare frame's source calls salesflow's columns (see :class:`~salesflow.Columns`).
        currency: The currency of amounts in tables without a currency column.

    Returns:
        A :class:`Summary`: columns ``*by``, ``line``, ``count``, ``amount``,
        ``weighted_amount``, ``currency``.

    Raises:
        CurrencyMismatchError: Several currencies and no ``rates``, or one without a rate.
        MissingRateError: With dated rates, a deal whose currency has no rate in
            force on its close date (or that has no close date), naming it.
        ValidationError: A needed column is missing, or a rate policy that does
            not fit the rates.

    >>> from salesflow.analytics import examples
    >>> s = pipeline_summary(examples.opportunities())
    >>> s.line("Open Pipeline")
    SummaryLine(line='Open Pipeline', count=3, amount=Money('55000.00', 'USD'), weighted_amount=Money('20000.0000', 'USD'))
    >>> s.line("Closed Won").amount
    Money('12000.00', 'USD')
    """
    chosen = rates_for(rates, rate_policy, rate_date=rate_date, subject="pipeline_summary")
    data = door(data, columns=columns, process=process, currency=currency)
    keys = by_columns(by)
    inputs: Inputs = resolve(data)
    dated = isinstance(chosen, DatedRates)
    frame = inputs.table("snapshot", needs=(*_NEEDS, *keys, *(["close_date"] if dated else [])))
    default = inputs.currency
    if isinstance(chosen, DatedRates):
        frame, default = at_close_dates(frame, chosen, default=default), chosen.currency
    table, currency = summarise(
        frame,
        keys,
        cumulative=cumulative,
        rates=None if isinstance(chosen, DatedRates) else chosen,
        default=default,
        materialize=inputs.kind.eager,
    )
    mode = "cumulative" if cumulative else "single-category"
    policies: dict[str, Any] = {"cumulative": cumulative, "rates": rates, "by": keys}
    if isinstance(rates, DatedRates):
        policies["rate_policy"] = rate_policy or "close_date"
        if rate_date is not None:
            policies["rate_date"] = rate_date
    result = Summary(
        table,
        inputs.kind,
        title=f"Pipeline summary ({mode}, {currency or 'no currency'})",
        policies=policies,
        pending=[no_deals(frame, "pipeline summary"), no_amount(frame)],
    )
    result.currency = currency
    return result
