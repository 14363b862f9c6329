"""Every metric against the hand-computed example pipeline (salesflow.analytics.examples).

The five deals (see the examples module's table), as of 31 March 2026:
A Needs Analysis 15,000 Best Case · B Proposal/Price Quote 20,000 Commit (pushed once) ·
C Closed Won 12,000 · D Closed Lost 8,000 (Price, after a skip and a backward move) ·
E Prospecting 20,000 Pipeline (pushed three times).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import salesflow as sf

pytest.importorskip("narwhals")
pytest.importorskip("polars")

from salesflow.analytics import (
    Frames,
    Rates,
    bridge,
    examples,
    frames,
    funnel,
    pipeline_as_of,
    pipeline_summary,
    win_rate,
)

USD = "USD"


def usd(text: str) -> sf.Money:
    return sf.Money(text, USD)


@pytest.fixture(scope="module")
def opps() -> list[sf.Opportunity]:
    return examples.opportunities()


@pytest.fixture(scope="module")
def tables(opps: list[sf.Opportunity]) -> Frames:
    f = frames(opps, examples.activities())
    return Frames(f.snapshot, f.history, f.activities, process=examples.process())


# ---------------------------------------------------------------- summary


def test_cumulative_summary_follows_salesforce_rollups(opps: list[sf.Opportunity]) -> None:
    s = pipeline_summary(opps)
    # Open Pipeline = A (Best Case) + B (Commit) + E (Pipeline); never Closed.
    assert s.line("Open Pipeline") == sf_line("Open Pipeline", 3, "55000", "20000")
    # Commit Forecast = Commit + Closed = B + C: weighted 20,000 × 75 % + 12,000 × 100 %.
    assert s.line("Commit Forecast") == sf_line("Commit Forecast", 2, "32000", "27000")
    assert s.line("Most Likely Forecast") == sf_line("Most Likely Forecast", 2, "32000", "27000")
    # Best Case Forecast adds A: 15,000 × 20 %.
    assert s.line("Best Case Forecast") == sf_line("Best Case Forecast", 3, "47000", "30000")
    assert s.line("Closed Won") == sf_line("Closed Won", 1, "12000", "12000")
    assert s.line("Closed Lost") == sf_line("Closed Lost", 1, "8000", "0")
    # E: 20,000 × 10 % = 2,000; total weighted 3,000 + 15,000 + 12,000 + 0 + 2,000.
    assert s.line("Total") == sf_line("Total", 5, "75000", "32000")


def sf_line(name: str, count: int, amount: str, weighted: str) -> object:
    from salesflow.analytics import SummaryLine

    return SummaryLine(name, count, usd(amount), usd(weighted))


def test_single_category_summary_has_one_line_per_category(opps: list[sf.Opportunity]) -> None:
    s = pipeline_summary(opps, cumulative=False)
    counts = {r["line"]: r["count"] for r in s.rows()}
    assert counts == {
        "Total": 5,
        "Closed Won": 1,
        "Pipeline": 1,
        "Best Case": 1,
        "Most Likely": 0,
        "Commit": 1,
        "Closed": 1,
        "Omitted": 1,
        "Closed Lost": 1,
    }


def test_summary_groups_by_owner(opps: list[sf.Opportunity]) -> None:
    s = pipeline_summary(opps, by="owner")
    open_by_owner = {r["owner"]: r["amount"] for r in s.rows() if r["line"] == "Open Pipeline"}
    assert open_by_owner == {
        "ana": Decimal("15000"),
        "bo": Decimal("20000"),
        "cy": Decimal("20000"),
    }


def test_weighted_amounts_are_exact_decimals_never_rounded() -> None:
    process = sf.presets.salesforce_standard()
    opp = process.open(name="Odd", amount=usd("0.05"), close_date=date(2026, 5, 1))
    opp.set_probability("12.5")
    s = pipeline_summary([opp])
    assert s.line("Total").weighted_amount == usd("0.00625")


@settings(max_examples=30)
@given(
    deals=st.lists(
        st.tuples(
            st.decimals(0, 10**9, places=2),
            st.sampled_from(["0", "10", "12.5", "33.33", "100"]),
            st.sampled_from([c.value for c in sf.ForecastCategory]),
            st.booleans(),
        ),
        max_size=30,
    ),
    by_owner=st.booleans(),
)
def test_every_line_sums_amount_times_probability_exactly(
    deals: list[tuple[Decimal, str, str, bool]], by_owner: bool
) -> None:
    # the summary multiplies once per probability (p × Σ amount); it must equal
    # Σ amount × p / 100 over the deals, to the last digit
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame(
        {
            "id": [f"d{i}" for i in range(len(deals))],
            "owner": [f"o{i % 3}" for i in range(len(deals))],
            "stage": ["S"] * len(deals),
            "amount": [d[0] for d in deals],
            "currency": ["USD"] * len(deals),
            "probability": [Decimal(d[1]) for d in deals],
            "forecast_category": [d[2] for d in deals],
            "is_closed": [d[2] == "Closed" for d in deals],
            "is_won": [d[2] == "Closed" and d[3] for d in deals],
        },
        schema_overrides={
            "id": pl.String,
            "owner": pl.String,
            "stage": pl.String,
            "amount": pl.Decimal(38, 2),
            "currency": pl.String,
            "probability": pl.Decimal(5, 2),
            "forecast_category": pl.String,
            "is_closed": pl.Boolean,
            "is_won": pl.Boolean,
        },
    )
    rows = pipeline_summary(frame, by="owner" if by_owner else ()).rows()
    total = [r for r in rows if r["line"] == "Total"]
    expected = sum((d[0] * Decimal(d[1]) / 100 for d in deals), Decimal(0))
    assert sum((r["weighted_amount"] for r in total), Decimal(0)) == expected
    assert sum(r["count"] for r in total) == len(deals)


def test_mixed_currencies_without_rates_are_an_error_and_rates_convert_first() -> None:
    process = sf.presets.salesforce_standard()
    a = process.open(name="A", amount=usd("100.00"), close_date=date(2026, 5, 1))
    b = process.open(name="B", amount=sf.Money("100.00", "EUR"), close_date=date(2026, 5, 1))
    with pytest.raises(sf.CurrencyMismatchError, match="cannot sum EUR and USD"):
        pipeline_summary([a, b])
    s = pipeline_summary([a, b], rates=Rates(USD, {"EUR": "1.08"}))
    assert s.line("Total").amount == usd("208.00")
    with pytest.raises(sf.CurrencyMismatchError):
        pipeline_summary([a, b], rates=Rates("GBP", {"EUR": "0.86"}))


# ---------------------------------------------------------------- win rate


def test_win_rate_names_its_denominator(opps: list[sf.Opportunity]) -> None:
    closed = win_rate(opps)
    assert (closed.count("won"), closed.count("lost"), closed.count("open")) == (1, 1, 3)
    assert closed.rate == 0.5
    assert win_rate(opps, denominator="all").rate == pytest.approx(1 / 5)


def test_walked_away_deals_count_as_losses_or_not_by_option(opps: list[sf.Opportunity]) -> None:
    counted = win_rate(opps, walked_away=["Price"])
    assert counted.count("walked_away") == 1 and counted.rate == 0.5
    assert win_rate(opps, walked_away=["Price"], count_walked_away=False).rate == 1.0
    assert win_rate(
        opps, denominator="all", walked_away=["Price"], count_walked_away=False
    ).rate == pytest.approx(1 / 4)


def test_win_rate_of_nothing_closed_is_none_not_a_division_error() -> None:
    process = sf.presets.salesforce_standard()
    opp = process.open(name="A", amount=usd("1.00"), close_date=date(2026, 5, 1))
    assert win_rate([opp]).rate is None


# ---------------------------------------------------------------- funnel


def test_funnel_policies_for_skipped_stages_and_backward_moves(tables: Frames) -> None:
    reached = {
        (skipped, backward): [
            r["reached"] for r in funnel(tables, skipped=skipped, backward=backward).rows()
        ]
        for skipped in ("reached", "not_reached")
        for backward in ("keep", "retract")
    }
    # steps: Prospecting, Qualification, Needs Analysis, Value Proposition, Id. Decision Makers,
    # Perception Analysis, Proposal/Price Quote, Negotiation/Review, Closed Won
    # furthest steps: A 2, B 6, C 8 (won), D 2 then back to 1 (then lost), E 0
    assert reached[("reached", "keep")] == [5, 4, 4, 2, 2, 2, 2, 1, 1]
    assert reached[("reached", "retract")] == [5, 4, 3, 2, 2, 2, 2, 1, 1]
    # entered: Prospecting A C D E; Qualification A B D; Needs Analysis A D; ...
    assert reached[("not_reached", "keep")] == [4, 3, 2, 1, 0, 0, 1, 0, 1]
    # D's Needs Analysis is retracted by its move back to Qualification
    assert reached[("not_reached", "retract")] == [4, 3, 1, 1, 0, 0, 1, 0, 1]


def test_funnel_conversion_is_reached_over_the_previous_step(tables: Frames) -> None:
    f = funnel(tables)
    assert f.conversion("Prospecting") is None
    assert f.conversion("Qualification") == pytest.approx(4 / 5)
    assert f.conversion("Value Proposition") == pytest.approx(2 / 4)


def test_funnel_without_a_process_says_it_needs_the_stage_order(
    opps: list[sf.Opportunity],
) -> None:
    with pytest.raises(sf.ValidationError, match="needs the stage order"):
        funnel(opps)


# ---------------------------------------------------------------- as of, bridge


def test_pipeline_as_of_rebuilds_each_deal_from_history(tables: Frames) -> None:
    feb = {r["id"]: r for r in pipeline_as_of(tables, date(2026, 2, 15)).rows()}
    assert feb["A"]["stage"] == "Needs Analysis" and feb["A"]["amount"] == Decimal("15000")
    assert feb["B"]["close_date"] == date(2026, 2, 27)  # the push came on 20 February
    assert feb["C"]["is_won"] and not feb["D"]["is_closed"]
    assert feb["E"]["stage"] == "Prospecting"
    assert pipeline_as_of(tables, date(2026, 1, 4)).rows() == []


def test_the_as_of_pipeline_at_the_last_change_is_the_current_one(tables: Frames) -> None:
    latest = pipeline_as_of(tables, date(2026, 12, 31)).to_frame()
    assert pipeline_summary(latest).rows() == pipeline_summary(tables).rows()


def test_bridge_with_a_close_date_window(tables: Frames) -> None:
    q1 = (date(2026, 1, 1), date(2026, 3, 31))
    b = bridge(tables, date(2026, 1, 31), date(2026, 3, 31), close_between=q1)
    moves = {r["id"]: r["movement"] for r in b.rows()}
    # B's close date moved to April: pushed out; E was created in February, closing in July: absent.
    assert moves == {"A": "increased", "B": "pushed_out", "C": "won", "D": "lost"}
    t = b.totals()
    assert (t.start, t.end) == (usd("48000"), usd("15000"))
    assert t.movements["pushed_out"] == usd("20000") and t.adds_up()


def test_bridge_refuses_an_end_before_its_start(tables: Frames) -> None:
    with pytest.raises(sf.ValidationError, match="before start"):
        bridge(tables, date(2026, 3, 1), date(2026, 2, 1))


# ---------------------------------------------------------------- timing

from salesflow.analytics import (  # noqa: E402
    activity_summary,
    at_risk,
    cycle_length,
    deal_age,
    sales_velocity,
    slippage,
    time_in_stage,
)

END_OF_MARCH = date(2026, 3, 31)


def test_time_in_stage_measures_each_stay_and_leaves_closed_stages_out(tables: Frames) -> None:
    t = time_in_stage(tables, as_of=END_OF_MARCH)
    assert t.days("A", "Prospecting") == (7.0, 7.0)
    assert t.days("A", "Qualification") == (21.0, 21.0)
    latest, cumulative = t.days("A", "Needs Analysis")  # current: 2 Feb 09:00 to 31 Mar 24:00
    assert latest == cumulative == pytest.approx(57 + 15 / 24, abs=1e-4)
    assert t.days("D", "Needs Analysis") == (11.0, 11.0)
    assert t.days("D", "Qualification") == (24.0, 24.0)
    stages_of_c = {r["stage"] for r in t.rows() if r["id"] == "C"}
    assert stages_of_c == {"Prospecting"}  # Closed Won is an outcome, not a stay


def test_time_in_stage_by_a_column_carries_each_deals_value_and_groups_per_stage(
    tables: Frames,
) -> None:
    plain = time_in_stage(tables, as_of=END_OF_MARCH)
    grouped = time_in_stage(tables, as_of=END_OF_MARCH, by="owner")
    owners = {r["id"]: r["owner"] for r in tables.snapshot.iter_rows(named=True)}
    rows = grouped.rows()
    assert [{k: v for k, v in r.items() if k != "owner"} for r in rows] == plain.rows()
    assert all(r["owner"] == owners[r["id"]] for r in rows)
    per = grouped.per_stage().rows()
    for stage_row in plain.per_stage().rows():
        parts = [r for r in per if r["stage"] == stage_row["stage"]]
        assert sum(r["deals"] for r in parts) == stage_row["deals"]
        assert {r["owner"] for r in parts} == {
            owners[r["id"]] for r in rows if r["stage"] == stage_row["stage"]
        }


def test_time_in_stage_latest_and_cumulative_differ_after_a_return() -> None:
    from datetime import datetime, timedelta, timezone

    process = examples.process()
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    opp = process.open(name="Back", close_date=date(2026, 6, 1), at=t0, id="R")
    process.move(opp, "Qualification", at=t0 + timedelta(days=3))
    process.move(opp, "Prospecting", at=t0 + timedelta(days=5))
    process.move(opp, "Qualification", at=t0 + timedelta(days=6))
    process.move(opp, "Closed Lost", at=t0 + timedelta(days=10))
    t = time_in_stage([opp], as_of=date(2026, 2, 1), process=process)
    assert t.days("R", "Qualification") == (4.0, 6.0)
    assert t.days("R", "Prospecting") == (1.0, 4.0)
    row = next(r for r in t.rows() if r["stage"] == "Qualification")
    assert row["entries"] == 2 and not row["current"]


def test_deal_age_ends_at_closing_for_closed_deals(opps: list[sf.Opportunity]) -> None:
    ages = {r["id"]: r["age_days"] for r in deal_age(opps, as_of=END_OF_MARCH).rows()}
    assert ages == {"A": 85.0, "B": 85.0, "C": 31.0, "D": 45.0, "E": 58.0}


def test_cycle_length_over_won_or_all_closed_deals(opps: list[sf.Opportunity]) -> None:
    won = cycle_length(opps)
    assert (won.mean, won.median) == (31.0, 31.0)
    closed = cycle_length(opps, outcome="closed")
    assert (closed.mean, closed.median) == (38.0, 38.0)
    by_owner = {r["owner"]: r["deals"] for r in cycle_length(opps, by="owner").rows()}
    assert by_owner == {"ana": 1}


def test_slippage_counts_pushes_by_month_and_slipped_days(opps: list[sf.Opportunity]) -> None:
    s = slippage(opps)
    assert s.of("E") == (3, 61.0 + 41.0 + 31.0)
    assert s.of("B") == (1, 62.0)
    assert s.of("C") == (0, 0.0)
    assert {r["id"]: r["pushes"] for r in s.rows()} == {o.id: o.push_count for o in opps}


def test_sales_velocity_multiplies_its_four_parts(opps: list[sf.Opportunity]) -> None:
    row = sales_velocity(opps).rows()[0]
    assert (row["opportunities"], row["won"], row["closed"]) == (5, 1, 2)
    assert row["won_amount"] == Decimal("12000")
    assert row["velocity_per_day"] == pytest.approx(5 * 12000 * 0.5 / 31)
    cohort = sales_velocity(opps, created_between=(date(2026, 2, 1), date(2026, 2, 28)))
    assert cohort.rows()[0]["opportunities"] == 1 and cohort.per_day is None


def test_activity_summary_counts_recent_done_activities(tables: Frames) -> None:
    a = activity_summary(tables, as_of=END_OF_MARCH)
    assert (a.of("A")["activities_7d"], a.of("A")["activities_30d"]) == (1, 2)
    assert a.of("B")["activities_30d"] == 0
    assert a.of("B")["days_since_last"] == pytest.approx(45 + 15 / 24, abs=1e-4)
    assert a.of("E")["last_activity_at"] is None  # its only activity is an open task
    with_tasks = activity_summary(tables, as_of=END_OF_MARCH, include_open_tasks=True)
    assert with_tasks.of("E")["days_since_last"] == pytest.approx(55 + 15 / 24, abs=1e-4)


def test_at_risk_flags_each_reason(tables: Frames) -> None:
    risk = at_risk(tables, as_of=END_OF_MARCH)
    assert {r["id"] for r in risk.rows()} == {"A", "B", "E"}  # open deals only
    assert risk.reasons("A") == ["no stage change in 57 days (rots after 30)"]
    assert risk.reasons("B") == ["no activity logged in 45 days", "no primary contact"]
    assert "close date pushed 3 times" in risk.reasons("E")
    assert risk.policies["skipped"] == []
    april = at_risk(tables, as_of=date(2026, 4, 2))
    assert "past its close date 2026-03-31 by 2 days" in april.reasons("A")
    feb = at_risk(tables, as_of=date(2026, 3, 1))
    assert "amount changed by 50 % in one step" in feb.reasons("A")


def test_at_risk_on_a_bare_snapshot_skips_what_it_cannot_know(tables: Frames) -> None:
    risk = at_risk(
        tables.snapshot.drop("has_primary_contact", "next_gate_met"), as_of=END_OF_MARCH
    )
    assert set(risk.policies["skipped"]) == {
        "stale",
        "no_activity",
        "no_primary_contact",
        "gate_not_met",
        "large_amount_change",
    }
    assert risk.reasons("E") == ["close date pushed 3 times"]


def test_the_next_stage_gate_flag_runs_the_gate_on_objects() -> None:
    process = sf.SalesProcess(
        name="Gated",
        stages=[
            sf.Stage("Open", 10),
            sf.Stage("Proposal", 50, gate=sf.StageGate(primary_contact=True)),
            sf.Stage("Won", 100, is_closed=True, is_won=True),
            sf.Stage("Lost", 0, is_closed=True),
        ],
    )
    opp = process.open(
        name="No contact",
        close_date=date(2026, 6, 1),
        id="G",
        at=datetime(2026, 1, 1, tzinfo=timezone.utc),
    )
    risk = at_risk(frames([opp], process=process), as_of=date(2026, 1, 1))
    assert "the next stage's gate is not met" in risk.reasons("G")


def test_summary_groups_by_the_buyers_phase_through_a_process_mapping(tables: Frames) -> None:
    mapped = Frames(tables.snapshot, mapping=sf.presets.salesforce_liferay_mapping())
    s = pipeline_summary(mapped, by="buying_phase")
    open_by_phase = {
        r["buying_phase"]: r["amount"] for r in s.rows() if r["line"] == "Open Pipeline"
    }
    # A (Needs Analysis) and E (Prospecting) are in Solution Development, B (Proposal) in Evaluation
    assert open_by_phase == {
        "Solution Development": Decimal("35000"),
        "Evaluation": Decimal("20000"),
    }


@pytest.mark.parametrize("lazy", [False, True], ids=["in memory", "lazy"])
def test_summing_currencies_is_checked_on_every_frame_kind(lazy: bool) -> None:
    # in memory the check reads the per-group sums; on a lazy frame, the deals
    pl = pytest.importorskip("polars")

    def snapshot(currencies: list[str | None], amounts: list[str | None]) -> Any:
        frame = pl.DataFrame(
            {
                "id": [f"d{i}" for i in range(len(amounts))],
                "stage": ["S"] * len(amounts),
                "amount": [None if a is None else Decimal(a) for a in amounts],
                "currency": currencies,
                "probability": [Decimal(10)] * len(amounts),
                "forecast_category": ["Pipeline"] * len(amounts),
                "is_closed": [False] * len(amounts),
                "is_won": [False] * len(amounts),
            },
            schema_overrides={"amount": pl.Decimal(18, 2), "currency": pl.String},
        )
        return frame.lazy() if lazy else frame

    def total(frame: Any, **options: Any) -> Any:
        rows = pipeline_summary(frame, **options).rows()
        return next(r for r in rows if r["line"] == "Total")

    with pytest.raises(sf.CurrencyMismatchError, match="cannot sum EUR and USD"):
        pipeline_summary(snapshot(["USD", "EUR"], ["1.00", "2.00"]))
    with pytest.raises(sf.ValidationError, match="an amount has no currency"):
        pipeline_summary(snapshot(["USD", None], ["1.00", "2.00"]))
    row = total(snapshot(["USD", None], ["1.00", None]))  # no amount, no currency: fine
    assert (row["count"], row["amount"], row["currency"]) == (2, Decimal("1.00"), "USD")
    row = total(snapshot(["USD", "EUR"], ["1.00", "2.00"]), rates=Rates(USD, {"EUR": "1.5"}))
    assert (row["amount"], row["weighted_amount"]) == (Decimal("4.0000"), Decimal("0.400000"))
