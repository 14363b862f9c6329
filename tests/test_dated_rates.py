"""Dated exchange rates: the table, the policies, and the as-of join on every backend."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("narwhals")
pl = pytest.importorskip("polars")

import salesflow as sf  # noqa: E402
import salesflow.analytics as sfa  # noqa: E402
from salesflow.analytics import DatedRates, Rates, convert_dated, pipeline_summary  # noqa: E402
from salesflow.forecasting import forecast_revenue  # noqa: E402
from tests.strategies import RATE_DAYS, dated_rate_rows  # noqa: E402
from tests.test_analytics_backends import BACKENDS, rows_of  # noqa: E402

JAN, APR, JUL = date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1)
RATES = DatedRates(
    "USD",
    [("EUR", JAN, "1.08"), ("EUR", APR, "1.10"), ("EUR", JUL, "1.12"), ("GBP", JAN, "1.27")],
)


def deals(*rows: tuple[str, str | None, str, date | None]) -> Any:
    """A snapshot-like Polars frame of ``(id, amount, currency, close_date)`` rows."""
    return pl.DataFrame(
        {
            "id": [r[0] for r in rows],
            "amount": [None if r[1] is None else Decimal(r[1]) for r in rows],
            "currency": [r[2] for r in rows],
            "close_date": [r[3] for r in rows],
        },
        schema={
            "id": pl.String,
            "amount": pl.Decimal(18, 2),
            "currency": pl.String,
            "close_date": pl.Date,
        },
    )


# ------------------------------------------------------------------ the table


def test_a_rate_holds_from_its_valid_from_until_the_next_one() -> None:
    assert RATES.rate("EUR", date(2026, 3, 31)) == Decimal("1.08")
    assert RATES.rate("EUR", APR) == Decimal("1.10")  # the boundary day takes the new rate
    assert RATES.rate("EUR", date(2030, 1, 1)) == Decimal("1.12")  # the last one holds on
    assert RATES.rate("USD", date(1999, 1, 1)) == 1  # the target itself, any day


def test_rows_and_a_mapping_build_the_same_table_whatever_the_order() -> None:
    mapping = DatedRates(
        "USD",
        {"GBP": {JAN: "1.27"}, "EUR": {JUL: "1.12", "2026-01-01": "1.08", APR: Decimal("1.10")}},
    )
    assert mapping == RATES
    assert DatedRates("USD", RATES.rows()) == RATES
    assert DatedRates("USD", list(reversed(RATES.rows()))) == RATES


def test_a_missing_rate_is_an_error_naming_the_currency_and_the_day() -> None:
    with pytest.raises(sf.MissingRateError, match=r"no EUR rate into USD in force on 2025-12-31"):
        RATES.rate("EUR", date(2025, 12, 31))
    with pytest.raises(sf.MissingRateError, match=r"JPY.*2026-02-01") as info:
        RATES.rate("JPY", date(2026, 2, 1))
    assert (info.value.currency, info.value.day) == ("JPY", date(2026, 2, 1))
    assert isinstance(info.value, sf.CurrencyMismatchError)  # existing handlers still catch it


def test_a_currency_and_day_given_twice_is_refused_naming_both_rows() -> None:
    with pytest.raises(sf.ValidationError) as info:
        DatedRates("USD", [("EUR", JAN, "1.08"), ("GBP", JAN, "1.2"), ("EUR", JAN, "1.09")])
    (problem,) = info.value.problems
    assert problem.path == "$.rates[2]"
    assert "$.rates[0]" in problem.message and "EUR from 2026-01-01" in problem.message


def test_every_bad_row_is_named_at_once() -> None:
    with pytest.raises(sf.ValidationError) as info:
        DatedRates(
            "USD",
            [("eur", JAN, "1"), ("EUR", "soon", "1"), ("EUR", APR, 1.1), ("GBP", JAN, "-2"), "x"],
        )
    paths = [p.path for p in info.value.problems]
    assert paths == [
        "$.rates[0]",
        "$.rates[1].valid_from",
        "$.rates[2].rate",
        "$.rates[3].rate",
        "$.rates[4]",
    ]


def test_the_target_currency_has_no_rows_of_its_own() -> None:
    with pytest.raises(sf.ValidationError, match="target currency"):
        DatedRates("USD", [("USD", JAN, "1")])


def test_the_repr_lists_the_rates_and_counts_the_rest() -> None:
    assert repr(RATES) == (
        "DatedRates('USD': EUR 1.08 from 2026-01-01, EUR 1.10 from 2026-04-01, "
        "EUR 1.12 from 2026-07-01, GBP 1.27 from 2026-01-01)"
    )
    many = DatedRates("USD", [("EUR", date(2026, 1, d), "1") for d in range(1, 21)])
    assert repr(many).endswith("... and 12 more)")


@pytest.mark.parametrize("backend", ["polars", "pandas", "duckdb"])
def test_from_frame_reads_a_salesforce_export_on_any_backend(backend: str) -> None:
    export = pl.DataFrame(
        {
            "IsoCode": ["EUR", "EUR", "EUR", "GBP"],
            "StartDate": [JAN, APR, JUL, JAN],
            "Rate": ["1.08", "1.10", "1.12", "1.27"],
        }
    )
    read = DatedRates.from_frame(
        BACKENDS[backend](export),
        currency="USD",
        code="IsoCode",
        valid_from="StartDate",
        rate="Rate",
    )
    assert read == RATES
    with pytest.raises(sf.ValidationError, match="no column 'rate'"):
        DatedRates.from_frame(BACKENDS[backend](export), currency="USD", code="IsoCode")


def test_from_frame_refuses_float_rates_naming_the_row() -> None:
    table = pl.DataFrame({"currency": ["EUR"], "valid_from": [JAN], "rate": [1.08]})
    with pytest.raises(sf.ValidationError, match=r"not exact.*@ \$\.rates\[0\]\.rate"):
        DatedRates.from_frame(table, currency="USD")


# ------------------------------------------------------------------ policies


def test_at_gives_the_fixed_table_of_one_day() -> None:
    assert RATES.at(date(2026, 5, 1)) == Rates("USD", {"EUR": "1.10", "GBP": "1.27"})
    assert RATES.at(date(2025, 5, 1)) == Rates("USD", {})  # nothing in force yet


MIXED = deals(
    ("q1", "100.00", "EUR", date(2026, 3, 31)),
    ("q2", "100.00", "EUR", APR),
    ("q3", "200.00", "EUR", date(2026, 8, 15)),
    ("uk", "10.00", "GBP", date(2026, 2, 1)),
    ("us", "50.00", "USD", date(2020, 1, 1)),
)


def snapshot(frame: Any) -> sfa.Frames:
    """``frame`` as open pipeline deals: what a summary reads."""
    return sfa.Frames(
        frame.with_columns(
            stage=pl.lit("Prospecting"),
            probability=pl.lit(10),
            forecast_category=pl.lit("Pipeline"),
            is_closed=pl.lit(False),
            is_won=pl.lit(False),
        )
    )


def total(**options: Any) -> Decimal:
    amount = pipeline_summary(snapshot(MIXED), **options).line("Total").amount
    assert isinstance(amount, sf.Money) and amount.currency == "USD"
    return amount.amount


def test_each_policy_by_hand() -> None:
    # close_date: 100×1.08 + 100×1.10 + 200×1.12 + 10×1.27 + 50
    assert total(rates=RATES) == Decimal("108") + 110 + 224 + Decimal("12.7") + 50
    assert total(rates=RATES, rate_policy="close_date") == total(rates=RATES)
    # as_of and constant: every amount at the rates of one day
    may = Decimal("400") * Decimal("1.10") + Decimal("12.7") + 50
    assert total(rates=RATES, rate_policy="as_of", rate_date=date(2026, 5, 1)) == may
    assert total(rates=RATES, rate_policy="constant", rate_date=date(2026, 5, 1)) == may
    # budget: a fixed table
    budget = Rates("USD", {"EUR": "1", "GBP": "1"})
    assert total(rates=budget, rate_policy="budget") == 460 == total(rates=budget)


def test_static_rates_with_a_dated_policy_are_refused_clearly() -> None:
    for policy in ("close_date", "as_of", "constant"):
        with pytest.raises(sf.ValidationError, match=f"rate_policy='{policy}' needs DatedRates"):
            total(rates=Rates("USD", {"EUR": "1", "GBP": "1"}), rate_policy=policy)
    with pytest.raises(sf.ValidationError, match="'budget' is one fixed table"):
        total(rates=RATES, rate_policy="budget")
    with pytest.raises(sf.ValidationError, match="needs rate_date"):
        total(rates=RATES, rate_policy="constant")
    with pytest.raises(sf.ValidationError, match=r"rate_date is for .* @ \$\.rate_date"):
        total(rates=RATES, rate_date=JAN)
    with pytest.raises(sf.ValidationError, match="expected one of"):
        total(rates=RATES, rate_policy="spot")


def test_the_summary_names_the_deal_without_a_rate_on_its_close_date() -> None:
    early = deals(("old", "5.00", "EUR", date(2025, 12, 31)), ("ok", "5.00", "EUR", APR))
    with pytest.raises(sf.MissingRateError, match=r"row 'old'.*EUR.*2025-12-31") as info:
        pipeline_summary(snapshot(early), rates=RATES)
    assert info.value.row == "old" and info.value.day == date(2025, 12, 31)


def test_the_summary_records_the_policy_it_applied() -> None:
    summary = pipeline_summary(snapshot(MIXED), rates=RATES)
    assert summary.policies["rate_policy"] == "close_date"


# ------------------------------------------------------------------ convert_dated


def test_convert_dated_keeps_every_column_and_converts_on_the_boundary_day() -> None:
    converted = convert_dated(MIXED, RATES, into="usd")
    assert converted.columns == ["id", "amount", "currency", "close_date", "usd"]
    assert dict(zip(converted["id"], converted["usd"], strict=True)) == {
        "q1": Decimal("108.0000"),
        "q2": Decimal("110.0000"),  # valid_from == close date: the new rate
        "q3": Decimal("224.0000"),
        "uk": Decimal("12.7000"),
        "us": Decimal("50.0000"),
    }
    assert converted["currency"].to_list() == MIXED["currency"].to_list()


def test_rows_without_an_amount_or_in_the_target_currency_need_no_rate() -> None:
    frame = deals(("none", None, "JPY", None), ("usd", "1.00", "USD", None))
    converted = convert_dated(frame, RATES)
    assert converted["converted_amount"].to_list() == [None, Decimal("1.0000")]


@pytest.mark.parametrize("backend", ["polars", "polars-lazy", "pandas", "pyarrow", "duckdb"])
def test_a_row_without_a_rate_is_an_error_never_dropped(backend: str) -> None:
    frame = deals(
        ("ok", "1.00", "EUR", APR),
        ("jp", "1.00", "JPY", APR),
        ("late", "1.00", "EUR", None),
        ("gb", "1.00", "GBP", date(2025, 6, 1)),
    )
    with pytest.raises(sf.MissingRateError) as info:
        convert_dated(BACKENDS[backend](frame), RATES)
    # the first by currency then day; the message counts the others
    assert (info.value.currency, info.value.day, info.value.row) == ("EUR", None, "late")
    assert "without a date" in str(info.value) and "2 more rows lack a rate" in str(info.value)
    with pytest.raises(
        sf.MissingRateError, match="row 'gb': no GBP rate into USD in force on 2025-06-01"
    ):
        convert_dated(BACKENDS[backend](frame.filter(pl.col("id") == "gb")), RATES)


def test_an_amount_without_a_currency_is_refused() -> None:
    frame = deals(("x", "1.00", "EUR", APR)).with_columns(currency=pl.lit(None, pl.String))
    with pytest.raises(sf.ValidationError, match="row 'x': an amount has no currency"):
        convert_dated(frame, RATES)


def test_timestamps_count_by_their_date() -> None:
    frame = pl.DataFrame(
        {
            "amount": [Decimal("1.00")],
            "currency": ["EUR"],
            "won_at": [datetime(2026, 4, 1, 9, 30, tzinfo=timezone.utc)],
        }
    )
    converted = convert_dated(frame, RATES, on="won_at")
    assert converted["converted_amount"].to_list() == [Decimal("1.1000")]


AMOUNTS = st.decimals(
    min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2, allow_nan=False
)


@settings(max_examples=max(20, settings.default.max_examples // 5))  # ci 30, thorough 400
@given(
    rows=dated_rate_rows(),
    deals_=st.lists(
        st.tuples(st.sampled_from(["EUR", "GBP", "JPY", "USD"]), AMOUNTS, RATE_DAYS),
        min_size=1,  # pandas reads an empty object column as text
        max_size=12,
    ),
    backend=st.sampled_from(["polars", "pandas", "duckdb"]),
)
def test_close_date_rates_equal_converting_each_deal_by_hand(
    rows: list[tuple[str, date, Decimal]],
    deals_: list[tuple[str, Decimal, date]],
    backend: str,
) -> None:
    rates = DatedRates("USD", rows)
    frame = deals(*((str(i), str(a), c, d) for i, (c, a, d) in enumerate(deals_)))
    expected: dict[str, Decimal] = {}
    missing: list[tuple[str, date, str]] = []
    for i, (code, amount, day) in enumerate(deals_):
        in_force = [(d, r) for c, d, r in rows if c == code and d <= day]
        if code == "USD":
            expected[str(i)] = amount
        elif in_force:
            expected[str(i)] = amount * max(in_force)[1]
        else:
            missing.append((code, day, str(i)))
    if missing:
        with pytest.raises(sf.MissingRateError) as info:
            convert_dated(BACKENDS[backend](frame), rates)
        first = min(missing)
        assert (info.value.currency, info.value.day) == first[:2]
        assert f"{first[1].isoformat()}" in str(info.value)
        return
    converted = rows_of(convert_dated(BACKENDS[backend](frame), rates))
    assert {r["id"]: r["converted_amount"] for r in converted} == {
        k: v.normalize() for k, v in expected.items()
    }
    assert all(isinstance(r["converted_amount"], Decimal) for r in converted)


# ------------------------------------------------------------------ forecast_revenue


def test_forecast_revenue_takes_dated_rates_per_close_date() -> None:
    data = sf.datasets.synthetic(
        sf.presets.trailhead_simple(), 300, seed=2, currencies={"USD": 1, "EUR": 1}
    )
    first = min(o.close_date for o in data.opportunities if o.close_date is not None)
    period = {"start": date(2026, 1, 1), "end": date(2026, 6, 30), "draws": 300}

    def p50(rates: Any, **options: Any) -> float:
        kw: dict[str, Any] = {**period, **options}
        return forecast_revenue(data.opportunities, process=data.process, rates=rates, **kw).p50

    one = p50(Rates("USD", {"EUR": "1"}))
    assert p50(DatedRates("USD", [("EUR", first, "1")])) == one
    # EUR doubles from 2026: deals closing then are worth more, those before are not
    dated = DatedRates("USD", [("EUR", first, "1"), ("EUR", JAN, "2")])
    assert p50(dated) > one
    assert p50(dated, rate_policy="constant", rate_date=first) == one
    assert p50(dated, rate_policy="as_of", as_of=date(2025, 12, 31)) == one
    with pytest.raises(sf.ValidationError, match="needs DatedRates"):
        p50(Rates("USD", {"EUR": "1"}), rate_policy="close_date")
    with pytest.raises(sf.MissingRateError, match="EUR"):
        p50(DatedRates("USD", [("EUR", date(2030, 1, 1), "1")]))


def test_a_text_amount_column_is_refused() -> None:
    frame = pl.DataFrame({"amount": ["1.00"], "currency": ["EUR"], "close_date": [APR]})
    with pytest.raises(sf.ValidationError, match=r"parse it to decimals first @ \$\.amount"):
        convert_dated(frame, RATES)


@pytest.mark.spark
def test_convert_dated_on_spark_gives_the_polars_amounts(spark: Any) -> None:
    converted = pl.from_arrow(
        convert_dated(spark.createDataFrame(MIXED.to_arrow()), RATES).toArrow()
    )
    assert isinstance(converted, pl.DataFrame)
    assert converted.sort("id").equals(convert_dated(MIXED, RATES).sort("id"))
    late = spark.createDataFrame(deals(("old", "1.00", "EUR", date(2025, 1, 1))).to_arrow())
    with pytest.raises(sf.MissingRateError, match=r"row 'old'.*2025-01-01"):
        convert_dated(late, RATES)
