"""Each amount at the rate in force on its own day: an as-of join on any backend.

narwhals' ``join_asof`` is missing on PySpark, so the join is a plain one that
every lazy engine runs: the rates become intervals ``[valid_from,
valid_until]`` (they never overlap), each row is joined on its currency and
kept with the one interval holding its day. Rows that need no rate (no amount,
or already in the target currency) join nothing and keep their place. A row
whose currency has no rate on its day is refused before, naming it.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import narwhals as nw

from salesflow._decimals import widest_scale
from salesflow.analytics.dated_rates import DatedRates
from salesflow.analytics.rates import _whole_digits, exact_product
from salesflow.errors import MissingRateError, Problem, ValidationError

__all__ = ["convert_dated", "dated_amounts"]

_P = "_salesflow_rate_"  # the prefix of the helper columns


def convert_dated(
    frame: Any,
    rates: DatedRates,
    *,
    amount: str = "amount",
    currency: str = "currency",
    on: str = "close_date",
    into: str = "converted_amount",
) -> Any:
    """Add ``into``: each ``amount`` converted at the rate in force on its ``on`` day.

    The ``"close_date"`` policy on a table of your own. Every column stays
    (the original amount and currency too). Decimal amounts stay exact
    decimals (``amount × rate``, never rounded); float amounts stay floats.
    Eager frames keep their row order; lazy ones promise none.

    Args:
        frame: Any dataframe narwhals reads: pandas, Polars, PyArrow, DuckDB,
            PySpark, or a narwhals frame. Eager frames are computed by Polars
            and come back in their own library; lazy ones stay lazy.
        rates: The dated rates (``rates.currency`` is the result's currency).
        amount: The column of amounts.
        currency: The column of their currencies.
        on: The column of days (dates; timestamps count by their date).
        into: The new column.

    Returns:
        The frame, of the kind given, with ``into`` added.

    Raises:
        MissingRateError: An amount whose currency has no rate in force on its
            day (or that has no day), naming the currency, the day, and the row's
            ``id`` when the frame has that column.
        ValidationError: A missing column, a text amount column, or an amount
            without a currency.

    >>> import polars as pl
    >>> from datetime import date
    >>> from decimal import Decimal
    >>> rates = DatedRates("USD", [("EUR", date(2026, 1, 1), "1.08"),
    ...                            ("EUR", date(2026, 4, 1), "1.10")])
    >>> deals = pl.DataFrame({"amount": [Decimal("100.00")] * 3,
    ...                       "currency": ["EUR", "EUR", "USD"],
    ...                       "close_date": [date(2026, 3, 31), date(2026, 4, 1), date(2026, 1, 5)]})
    >>> convert_dated(deals, rates)["converted_amount"].to_list()
    [Decimal('108.0000'), Decimal('110.0000'), Decimal('100.0000')]
    """
    given = frame
    if not isinstance(given, (nw.DataFrame, nw.LazyFrame)):
        try:
            given = nw.from_native(frame)
        except TypeError:
            given = None
    if not isinstance(given, (nw.DataFrame, nw.LazyFrame)):
        raise ValidationError(
            [Problem(f"expected a dataframe, got {type(frame).__name__}", "$")],
            subject="convert_dated",
        )
    if not isinstance(rates, DatedRates):
        raise ValidationError(
            [Problem(f"expected DatedRates, got {type(rates).__name__}", "$.rates")],
            subject="convert_dated",
        )
    if isinstance(given, nw.DataFrame):  # eager: rows come back in their order
        lazy = given.with_row_index(_P + "row").lazy(backend="polars")
        result = dated_amounts(lazy, rates, amount=amount, currency=currency, on=on, into=into)
        collected = result.sort(_P + "row").drop(_P + "row").collect(backend=given.implementation)
        return collected if given is frame else collected.to_native()
    result = dated_amounts(given, rates, amount=amount, currency=currency, on=on, into=into)
    return result if given is frame else result.to_native()


def dated_amounts(
    frame: nw.LazyFrame[Any],
    rates: DatedRates,
    *,
    amount: str = "amount",
    currency: str = "currency",
    on: str = "close_date",
    into: str = "converted_amount",
) -> nw.LazyFrame[Any]:
    """:func:`convert_dated` on a narwhals lazy frame (what the metrics call)."""
    schema = frame.collect_schema()
    missing = [c for c in (amount, currency, on) if c not in schema]
    if missing:
        raise ValidationError(
            [
                Problem(f"no column {c!r}; the table has {', '.join(schema.names())}", f"$.{c}")
                for c in missing
            ],
            subject="dated conversion",
        )
    if not schema[amount].is_numeric():
        raise ValidationError(
            [
                Problem(
                    f"expected numbers, got {schema[amount]}; parse it to decimals first",
                    f"$.{amount}",
                )
            ],
            subject="dated conversion",
        )
    day = nw.col(on)
    if schema[on] != nw.Date:
        day = day.cast(nw.Date)
    target = rates.currency
    needs = ~nw.col(amount).is_null() & (
        nw.col(currency).is_null() | (nw.col(currency) != nw.lit(target))
    )
    keyed = frame.with_columns(
        nw.when(needs)
        .then(nw.col(currency))
        .otherwise(nw.lit(None, dtype=nw.String))
        .alias(_P + "key"),
        needs.alias(_P + "needs"),
        day.alias(_P + "day"),
    )
    rows = rates.rows()
    scale = widest_scale(r for _, _, r in rows)
    whole = max((_whole_digits(r) for _, _, r in rows), default=1)
    digits = min(whole + scale, 18)
    polars = frame.implementation is nw.Implementation.POLARS
    rate_dtype = nw.Decimal(38 if polars else digits, scale)
    table = _intervals(frame, rates, digits, scale)
    _refuse_missing(keyed, table, rates, has_id="id" in schema and "id" not in (amount, on))
    joined = keyed.join(table, left_on=_P + "key", right_on=_P + "currency", how="left").filter(
        ~nw.col(_P + "needs")
        | (
            (nw.col(_P + "day") >= nw.col(_P + "from"))
            & (nw.col(_P + "day") <= nw.col(_P + "until"))
        )
    )
    rate = (
        nw.when(nw.col(_P + "needs"))
        .then(nw.col(_P + "rate").cast(rate_dtype))
        .otherwise(nw.lit(Decimal(1), dtype=rate_dtype))
    )
    product = exact_product(
        nw.col(amount), schema[amount], rate, rate_dtype, polars=polars, right_digits=digits
    )
    helpers = [_P + n for n in ("key", "needs", "day", "currency", "from", "until", "rate")]
    return joined.with_columns(product.alias(into)).drop(helpers, strict=False)


def _intervals(
    frame: nw.LazyFrame[Any], rates: DatedRates, digits: int, scale: int
) -> nw.LazyFrame[Any]:
    """The rates as ``[from, until]`` rows, in ``frame``'s engine (and DuckDB connection)."""
    rows: list[tuple[str, date, date, Decimal]] = []
    for code, dated in rates.rates.items():
        for i, (start, rate) in enumerate(dated):
            until = dated[i + 1][0] - timedelta(days=1) if i + 1 < len(dated) else date.max
            rows.append((code, start, until, rate))
    names = [_P + n for n in ("currency", "from", "until", "rate")]
    implementation = frame.implementation
    native = frame.to_native()
    if implementation is nw.Implementation.DUCKDB:
        values = (
            ", ".join(
                f"('{c}', DATE '{f.isoformat()}', DATE '{u.isoformat()}', "
                f"CAST('{r}' AS DECIMAL({digits}, {scale})))"
                for c, f, u, r in rows
            )
            or f"(NULL, NULL, NULL, CAST(NULL AS DECIMAL({digits}, {scale})))"
        )
        sql = f"SELECT * FROM (VALUES {values}) AS v({', '.join(names)})"
        values_table: nw.LazyFrame[Any] = nw.from_native(
            native.query("_salesflow_rows", sql)
        ).lazy()
        return values_table.filter(~nw.col(names[0]).is_null())
    if implementation.is_spark_like():
        session = native.sparkSession
        ddl = ", ".join(
            f"{n} {t}"
            for n, t in zip(
                names, ("string", "date", "date", f"decimal({digits},{scale})"), strict=True
            )
        )
        spark_table: nw.LazyFrame[Any] = nw.from_native(
            session.createDataFrame(rows, schema=ddl)
        ).lazy()
        return spark_table
    import polars as pl

    table = pl.DataFrame(
        rows,
        schema={
            names[0]: pl.String,
            names[1]: pl.Date,
            names[2]: pl.Date,
            names[3]: pl.Decimal(38, scale),
        },
        orient="row",
    )
    if implementation is nw.Implementation.POLARS:
        return nw.from_native(table.lazy())
    return nw.from_native(table).lazy(backend=implementation)


def _refuse_missing(
    keyed: nw.LazyFrame[Any], table: nw.LazyFrame[Any], rates: DatedRates, *, has_id: bool
) -> None:
    """Raise for the first row (by currency, day) whose currency has no rate on its day."""
    firsts = table.group_by(_P + "currency").agg(nw.col(_P + "from").min())
    without = (
        keyed.filter(nw.col(_P + "needs"))
        .join(firsts, left_on=_P + "key", right_on=_P + "currency", how="left")
        .filter(
            nw.col(_P + "from").is_null()
            | nw.col(_P + "day").is_null()
            | (nw.col(_P + "day") < nw.col(_P + "from"))
        )
    )
    shown = [nw.col(_P + "key"), nw.col(_P + "day")]
    if has_id:
        shown.append(nw.col("id").cast(nw.String))
    first = (
        without.select(*shown)
        .sort([_P + "key", _P + "day"], nulls_last=True)
        .head(1)
        .collect(backend="polars")
        .rows()
    )
    if not first:
        return
    code, day, *ident = first[0]
    row = ident[0] if ident else None
    if code is None:
        where = f"row {row!r}: " if row is not None else ""
        raise ValidationError(
            [Problem(f"{where}an amount has no currency", "$.currency")],
            subject="dated conversion",
        )
    count = int(without.select(nw.len()).collect(backend="polars").item())
    more = f"; {count - 1} more rows lack a rate" if count > 1 else ""
    try:
        rates.rate(code, day if day is not None else date.max)
    except MissingRateError as exc:
        detail = exc.detail
    else:
        detail = "the row has no date"
    raise MissingRateError(code, rates.currency, day, row=row, detail=detail + more)
