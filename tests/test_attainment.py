"""Attainment against targets up the hierarchy: figures by hand, rollups draw by draw, P(hit)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import salesflow as sf

pl = pytest.importorskip("polars")

from salesflow.analytics import frames  # noqa: E402
from salesflow.errors import ValidationError  # noqa: E402
from salesflow.forecasting import attainment  # noqa: E402
from salesflow.forecasting._montecarlo import simulate_groups  # noqa: E402

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
SIMPLE = sf.SalesProcess(
    name="Simple",
    stages=[
        sf.Stage("A", 10),
        sf.Stage("B", 60, forecast_category=sf.ForecastCategory.COMMIT),
        sf.Stage("Won", 100, is_closed=True, is_won=True),
        sf.Stage("Lost", 0, is_closed=True),
    ],
)
FY = sf.FiscalCalendar.calendar_year()
Q1 = FY.period("FY2026 Q1")


def _deal(
    i: int, owner: str, amount: int, stage: str | None, *, close: date, won_on: int = 10
) -> sf.Opportunity:
    opp = SIMPLE.open(
        name=f"d{i}",
        id=f"d{i:03d}",
        close_date=close,
        at=T0,
        amount=sf.Money(amount, "USD"),
        owner=owner,
    )
    if stage is not None:
        SIMPLE.move(opp, stage, at=T0 + timedelta(days=won_on))
    return opp


def _book() -> list[sf.Opportunity]:
    return [
        _deal(1, "ann", 1000, "Won", close=date(2026, 1, 11)),
        _deal(2, "ann", 500, "Lost", close=date(2026, 1, 11)),
        _deal(3, "ann", 2000, "B", close=date(2026, 3, 1)),  # Commit, closes in Q1
        _deal(4, "ann", 700, None, close=date(2026, 2, 1)),  # Pipeline, in Q1
        _deal(5, "bob", 300, "Won", close=date(2026, 1, 11)),
        _deal(6, "bob", 900, None, close=date(2026, 5, 1)),  # closes in Q2: not in the period
    ]


TEAMS = sf.Hierarchy.from_pairs([("ann", "east"), ("bob", "east"), ("east", None)])
TARGETS = sf.Targets.from_rows(
    [
        {"node": "ann", "period": "FY2026 Q1", "value": "4000", "currency": "USD"},
        {"node": "bob", "period": "FY2026 Q1", "value": "1000", "currency": "USD"},
        {"node": "east", "period": "FY2026 Q1", "value": "4500", "currency": "USD"},
    ],
    calendar=FY,
)
AS_OF = T0 + timedelta(days=30)


def _rows(result: sf.forecasting.Attainment) -> dict[str, dict[str, object]]:
    return {r["node"]: r for r in result.rows()}


def test_attainment_coverage_and_pace_by_hand() -> None:
    result = attainment(
        _book(),
        process=SIMPLE,
        hierarchy=TEAMS,
        targets=TARGETS,
        period="FY2026 Q1",
        as_of=AS_OF,
        draws=500,
    )
    rows = _rows(result)
    assert list(rows) == ["east", "ann", "bob"]
    ann, bob, east = rows["ann"], rows["bob"], rows["east"]
    assert (
        ann["closed"] == Decimal(1000)
        and bob["closed"] == Decimal(300)
        and east["closed"] == Decimal(1300)
    )
    assert ann["target"] == Decimal(4000) and east["target"] == Decimal(4500)  # own, not summed
    assert ann["attainment"] == pytest.approx(0.25)
    assert ann["gap"] == Decimal(3000) and bob["gap"] == Decimal(700)
    share = 31 / 90  # the end of Jan 31 (as_of) of a 90-day quarter
    assert ann["pace"] == pytest.approx(0.25 / share)
    assert ann["commit"] == Decimal(2000) and ann["pipeline"] == Decimal(700)
    assert bob["open_in_period"] == Decimal(0)  # its open deal closes in Q2
    assert ann["coverage"] == pytest.approx(2700 / 3000)
    assert bob["coverage"] == 0.0
    assert ann["win_rate"] == pytest.approx(0.5) and ann["win_rate_value"] == pytest.approx(
        1000 / 1500
    )
    assert ann["coverage_needed"] == pytest.approx(1.5)
    assert east["win_rate_value"] == pytest.approx(1300 / 1800)
    # Nothing is won in the period before it starts; totals never go below what is closed.
    assert (result.draws("ann") >= 1000).all()
    assert "Not checked" not in " ".join(result.coverage.notes())


def test_sum_targets_rolls_quotas_up_and_unknown_nodes_are_kept() -> None:
    targets = sf.Targets.from_rows(
        [
            {"node": "ann", "period": "FY2026 Q1", "value": "4000", "currency": "USD"},
            {"node": "bob", "period": "FY2026 Q1", "value": "1000", "currency": "USD"},
            {"node": "zed", "period": "FY2026 Q1", "value": "10", "currency": "USD"},
        ],
        calendar=FY,
    )
    result = attainment(
        _book(),
        process=SIMPLE,
        hierarchy=TEAMS,
        targets=targets,
        period=Q1,
        as_of=AS_OF,
        draws=200,
        sum_targets=True,
    )
    rows = _rows(result)
    assert rows["east"]["target"] == Decimal(5000)
    assert rows["zed"]["parent"] == "(not in the tree)" and rows["zed"]["target"] == Decimal(10)
    assert rows["(total)"]["depth"] == 0
    assert any("zed" in n for n in result.coverage.notes())


def test_without_targets_or_tree_it_says_so_and_lists_owners() -> None:
    result = attainment(_book(), process=SIMPLE, period="FY2026 Q1", as_of=AS_OF, draws=100)
    rows = _rows(result)
    assert list(rows) == ["(total)", "ann", "bob"]
    assert rows["ann"]["p_hit"] is None and rows["ann"]["target"] is None
    assert any("no targets given" in n for n in result.coverage.notes())


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=4, max_size=4), st.integers(0, 2**16))
def test_a_rollup_is_the_sum_of_its_children_draw_by_draw(team_of: list[int], seed: int) -> None:
    data = sf.datasets.synthetic(sf.presets.trailhead_simple(), 300, seed=5, owners=4)
    pairs = [(f"rep-0{i + 1}", f"t{t}") for i, t in enumerate(team_of)]
    pairs += [(f"t{t}", "all") for t in set(team_of)] + [("all", None)]
    tree = sf.Hierarchy.from_pairs(dict(pairs))
    result = attainment(
        data.opportunities,
        process=data.process,
        hierarchy=tree,
        period="FY2026 Q1",
        draws=300,
        seed=seed,
    )
    for node in tree:
        children = tree.children(node)
        if children:
            summed = sum(result.draws(c) for c in children)
            np.testing.assert_allclose(result.draws(node), summed, rtol=1e-12)
    rows = _rows(result)
    assert rows["all"]["p50"] == pytest.approx(float(np.quantile(result.draws("all"), 0.5)))


def test_same_answer_on_pandas_and_duckdb() -> None:
    data = sf.datasets.synthetic(sf.presets.trailhead_simple(), 300, seed=5, owners=4)
    tables = frames(data.opportunities, data.activities, process=data.process)
    q4 = FY.period("FY2025 Q4")
    kwargs = {"hierarchy": data.teams, "targets": data.targets(q4), "period": q4}
    base = attainment(tables, draws=400, seed=3, **kwargs).to_polars()
    assert base["closed"].sum() > 0 and base["p_hit"].drop_nulls().len() == 4
    pytest.importorskip("pandas")
    on_pandas = sf.analytics.Frames(
        snapshot=tables.snapshot.to_pandas(),
        history=tables.history.to_pandas(),
        process=data.process,
    )
    assert attainment(on_pandas, draws=400, seed=3, **kwargs).to_polars().equals(base)
    duckdb = pytest.importorskip("duckdb")
    lazy = sf.analytics.Frames(
        snapshot=duckdb.from_arrow(tables.snapshot.to_arrow()),
        history=duckdb.from_arrow(tables.history.to_arrow()),
        process=data.process,
    )
    assert attainment(lazy, draws=400, seed=3, **kwargs).to_polars().equals(base)


def test_p_hit_is_calibrated_on_data_with_known_chances() -> None:
    # 400 owners with 30 deals each: chance p_i, amount a_i; P(hit) of a target against the truth.
    rng = np.random.default_rng(7)
    owners, per = 400, 30
    amounts = rng.uniform(1, 10, owners * per)
    chances = rng.uniform(0, 1, owners * per)
    groups = np.repeat(np.arange(owners), per)
    sims = simulate_groups(amounts, chances, groups, count=owners, draws=4000, seed=1)
    truth = simulate_groups(amounts, chances, groups, count=owners, draws=1, seed=99)[0]
    targets = np.quantile(sims, rng.uniform(0.05, 0.95, owners), axis=0).diagonal()
    p_hit = (sims >= targets).mean(axis=0)
    hit = truth >= targets
    # Calibration: in each fifth of predicted P(hit), the hit rate is near the mean prediction.
    for lo in np.arange(0, 1, 0.2):
        band = (p_hit >= lo) & (p_hit < lo + 0.2)
        if band.sum() >= 40:
            assert abs(hit[band].mean() - p_hit[band].mean()) < 0.15
    brier = float(((p_hit - hit) ** 2).mean())
    assert brier < 0.25  # better than a coin


def test_correlation_keeps_each_deals_chance_and_widens_the_spread() -> None:
    amounts, chances = np.ones(200), np.full(200, 0.3)
    groups = np.zeros(200, dtype=np.int64)
    alone = simulate_groups(amounts, chances, groups, count=1, draws=4000, seed=2)[:, 0]
    shared = simulate_groups(
        amounts, chances, groups, count=1, draws=4000, seed=2, correlation=0.3
    )[:, 0]
    assert alone.mean() == pytest.approx(60, rel=0.03)
    assert shared.mean() == pytest.approx(60, rel=0.06)
    assert shared.std() > 3 * alone.std()


def test_bad_options_are_refused_together() -> None:
    with pytest.raises(ValidationError) as caught:
        attainment(
            _book(), process=SIMPLE, correlation=1.0, measure="revenue", targets={"a": 1}, draws=0
        )  # type: ignore[arg-type]
    text = str(caught.value)
    for where in ("$.correlation", "$.measure", "$.targets", "$.draws"):
        assert where in text
    with pytest.raises(ValidationError, match="is not a period"):
        attainment(_book(), process=SIMPLE, period="FY2026 Q7")


def test_won_deals_measure_counts_deals() -> None:
    targets = sf.Targets.from_rows(
        [{"node": "ann", "period": "FY2026 Q1", "measure": "won_deals", "value": 2}], calendar=FY
    )
    result = attainment(
        _book(),
        process=SIMPLE,
        targets=targets,
        measure="won_deals",
        period=Q1,
        as_of=AS_OF,
        draws=200,
    )
    ann = _rows(result)["ann"]
    assert ann["closed"] == Decimal(1) and ann["attainment"] == pytest.approx(0.5)
    assert ann["commit"] == Decimal(1) and ann["pipeline"] == Decimal(1)


def _call(node: str, amount: int, day: int, **extra: object) -> dict[str, object]:
    return {
        "node": node,
        "period": "FY2026 Q1",
        "amount": str(amount),
        "currency": "USD",
        "at": f"2026-01-{day:02d}T12:00:00+00:00",
        **extra,
    }


CALLS = sf.Submissions.from_rows(
    [
        _call("ann", 1200, 5),
        _call("ann", 900, 20),  # ann's final call
        _call("bob", 500, 5),
        _call("east", 1500, 6, by="dora"),
        _call("ann", 800, 21, by="dora", kind="adjustment", note="Acme slips"),
        _call("ann", 3000, 21, category="Best Case"),
    ],
    calendar=FY,
)


def test_submission_accuracy_by_hand() -> None:
    scored = sf.forecasting.submission_accuracy(
        _book(), CALLS, hierarchy=TEAMS, process=SIMPLE, as_of=date(2026, 4, 1)
    )
    rows = {r["submitter"]: r for r in scored.rows()}
    # ann: Commit 900 (closed 1000: met, error -100), Best Case 3000 (error +2000).
    assert rows["ann"]["calls"] == 2 and rows["ann"]["commit_calls"] == 1
    assert rows["ann"]["commit_met"] == 1.0
    assert rows["ann"]["mean_error"] == pytest.approx((-100 + 2000) / 2)
    assert rows["ann"]["bias"] == pytest.approx((-0.1 + 2.0) / 2)
    # bob called 500 and closed 300; dora called east 1500 (closed 1300) and ann 800 (1000).
    assert rows["bob"]["commit_met"] == 0.0 and rows["bob"]["mean_error"] == pytest.approx(200)
    assert rows["dora"]["calls"] == 2 and rows["dora"]["commit_met"] == 0.5
    assert rows["dora"]["mean_abs_error"] == pytest.approx((200 + 200) / 2)
    details = {(d["submitter"], d["node"], d["category"]): d for d in scored.calls()}
    assert details[("dora", "east", "Commit")]["closed"] == Decimal(1300)


def test_calls_for_a_period_not_over_are_not_scored_and_say_so() -> None:
    scored = sf.forecasting.submission_accuracy(_book(), CALLS, process=SIMPLE, as_of=AS_OF)
    assert scored.rows() == []
    notes = " ".join(scored.coverage.notes())
    assert "not over by 2026-01-31" in notes and "no call for a period that is over" in notes


def test_attainment_shows_the_latest_commit_call_beside_the_computed_number() -> None:
    result = attainment(
        _book(),
        process=SIMPLE,
        hierarchy=TEAMS,
        targets=TARGETS,
        submissions=CALLS,
        period="FY2026 Q1",
        as_of=AS_OF,
        draws=100,
    )
    rows = _rows(result)
    assert rows["ann"]["submitted"] == Decimal(800)  # dora's adjustment is the latest call
    assert rows["east"]["submitted"] == Decimal(1500) and rows["bob"]["submitted"] == Decimal(500)


def test_bad_calls_are_refused_each_at_its_row() -> None:
    with pytest.raises(ValidationError) as caught:
        sf.Submissions.from_rows(
            [
                _call("ann", 1, 5),
                _call("ann", 1, 5),
                {**_call("bob", 1, 5), "at": "2026-01-05"},
                {**_call("bob", 1, 6), "category": "Maybe"},
                {**_call("bob", 1, 7), "kind": "guess"},
                {**_call("bob", 1, 8), "period": "FY2026 Q9"},
            ],
            calendar=FY,
        )
    text = str(caught.value)
    assert "twice at 2026-01-05T12:00:00+00:00: here and in row 0 @ $[1]" in text
    for where in ("$[2].at", "$[3].category", "$[4].kind", "$[5].period"):
        assert where in text, where


def test_backtest_scores_past_periods_from_their_cut_off() -> None:
    data = sf.datasets.synthetic(sf.presets.salesforce_standard(), 1500, seed=1, owners=8)
    past = [FY.period(f"FY2025 Q{i}") for i in (1, 2, 3)]
    targets = sf.Targets([t for p in past for t in data.targets(p, stretch="1.0")])
    bt = sf.forecasting.backtest_attainment(
        data.opportunities,
        process=data.process,
        periods=3,
        day=45,
        hierarchy=data.teams,
        targets=targets,
        draws=1000,
        correlation=0.1,
    )
    rows = bt.rows()
    assert [r["period"] for r in rows[:: len(rows) // 3]] == [
        "FY2025 Q1",
        "FY2025 Q2",
        "FY2025 Q3",
    ]
    assert len(rows) == 3 * 11  # company, 2 teams, 8 reps per period
    inside = [r["p10"] <= r["closed"] <= r["p90"] for r in rows]
    assert bt.interval_coverage == pytest.approx(sum(inside) / len(rows))
    hits = [(r["p_hit"] - r["hit"]) ** 2 for r in rows if r["p_hit"] is not None]
    assert bt.brier == pytest.approx(sum(hits) / len(hits))
    # What the forecast said at day 45 is worth more than a coin, and its band is not far off 80 %.
    assert bt.brier < 0.25
    assert 0.5 <= bt.interval_coverage <= 1.0
    # Each cut-off knew only its past: the outcome of a period is what its deals won in it.
    company = [r for r in rows if r["node"] == "company"]
    assert all(r["cutoff"] == FY.period(r["period"]).start + timedelta(days=44) for r in company)


def test_plot_draws_attainment_bars_with_the_band_and_refuses_without_targets() -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    result = attainment(
        _book(),
        process=SIMPLE,
        hierarchy=TEAMS,
        targets=TARGETS,
        period=Q1,
        as_of=AS_OF,
        draws=200,
    )
    ax = result.plot()
    labels = [t.get_text().strip() for t in ax.get_yticklabels()]
    assert labels == ["east", "ann", "bob"]
    assert [round(p.get_width()) for p in ax.patches] == [
        29,
        25,
        30,
    ]  # 1300/4500, 1000/4000, 300/1000
    assert "<table>" in result._repr_html_() and "FY2026 Q1" in repr(result)
    with pytest.raises(ValidationError, match="no node has a target"):
        attainment(_book(), process=SIMPLE, period=Q1, as_of=AS_OF, draws=50).plot()
    matplotlib.pyplot.close("all")


def test_created_deals_counts_pipeline_generation() -> None:
    targets = sf.Targets.from_rows(
        [{"node": "ann", "period": "FY2026 Q1", "measure": "created_deals", "value": 8}],
        calendar=FY,
    )
    result = attainment(
        _book(),
        process=SIMPLE,
        targets=targets,
        measure="created_deals",
        period=Q1,
        as_of=AS_OF,
        draws=200,
    )
    rows = _rows(result)
    assert rows["ann"]["closed"] == Decimal(4) and rows["bob"]["closed"] == Decimal(2)
    assert rows["ann"]["attainment"] == pytest.approx(0.5)
    assert rows["ann"]["open_in_period"] == Decimal(0)  # creation: no pipeline to simulate
    assert (result.draws("ann") >= 4).all()


def test_a_segment_counts_only_its_deals_against_its_targets() -> None:
    book = _book()
    tables = frames(book, process=SIMPLE)
    tables = attrs.evolve(
        tables,
        snapshot=tables.snapshot.with_columns(
            pl.when(pl.col("id").is_in(["d001", "d003"]))
            .then(pl.lit("New"))
            .otherwise(pl.lit("Renewal"))
            .alias("type")
        ),
    )
    targets = sf.Targets.from_rows(
        [
            {
                "node": "ann",
                "period": "FY2026 Q1",
                "value": "2000",
                "currency": "USD",
                "segment": "New",
            },
            {"node": "ann", "period": "FY2026 Q1", "value": "9", "currency": "USD"},
        ],
        calendar=FY,
    )
    result = attainment(
        tables, targets=targets, segment=("type", "New"), period=Q1, as_of=AS_OF, draws=100
    )
    ann = _rows(result)["ann"]
    assert ann["target"] == Decimal(2000) and ann["closed"] == Decimal(1000)  # d001 won
    assert ann["commit"] == Decimal(2000) and ann["pipeline"] == Decimal(0)  # d003 only
    with pytest.raises(ValidationError, match="no column 'tier'"):
        attainment(tables, segment=("tier", "A"), period=Q1, as_of=AS_OF, draws=10)


def test_dated_rates_convert_each_deal_on_its_day() -> None:
    eur = [
        SIMPLE.open(
            name="e1",
            id="e1",
            close_date=date(2026, 1, 20),
            at=T0,
            amount=sf.Money(1000, "EUR"),
            owner="ann",
        )
    ]
    SIMPLE.move(eur[0], "Won", at=T0 + timedelta(days=20))
    rates = sf.analytics.DatedRates(
        "USD", [("EUR", date(2025, 1, 1), "1.10"), ("EUR", date(2026, 1, 15), "1.20")]
    )
    result = attainment(
        _book() + eur, process=SIMPLE, rates=rates, period=Q1, as_of=AS_OF, draws=50
    )
    assert _rows(result)["ann"]["closed"] == Decimal(1000) + Decimal(
        "1200.00"
    )  # won on Jan 21: 1.20


def test_a_window_shorter_than_a_day_is_said_in_hours() -> None:
    from salesflow.forecasting._period_parts import _span

    assert _span(timedelta(hours=23, minutes=59)) == "24 hours"
    assert _span(timedelta(minutes=50)) == "1 hour"
    assert _span(timedelta(days=1, hours=3)) == "1 day"
    assert _span(timedelta(days=89)) == "89 days"


def test_open_deals_without_a_close_date_are_named_not_silently_out_of_the_pipeline() -> None:
    data = sf.datasets.synthetic(sf.presets.trailhead_simple(), 400, seed=5, owners=2)
    tables = frames(data.opportunities, process=data.process)
    still_open = tables.snapshot.filter(~pl.col("is_closed"))["id"].head(5).to_list()
    tables = attrs.evolve(
        tables,
        history=tables.history.with_columns(
            pl.when(pl.col("opportunity_id").is_in(still_open))
            .then(None)
            .otherwise(pl.col("close_date"))
            .alias("close_date")
        ),
    )
    result = attainment(tables, period="FY2026 Q1", draws=50)
    notes = " ".join(result.coverage.notes())
    assert "open deals: from commit, best case and pipeline: no close date" in notes


def test_open_figures_resting_on_no_open_deal_are_unknown_not_zero() -> None:
    """Maven's open deals have no amount: commit, best case and pipeline are not 0."""
    tables = frames(_book(), process=SIMPLE)
    open_ids = tables.snapshot.filter(~pl.col("is_closed"))["id"].to_list()
    blank = pl.when(pl.col("id").is_in(open_ids)).then(None).otherwise(pl.col("amount"))
    tables = attrs.evolve(tables, snapshot=tables.snapshot.with_columns(blank.alias("amount")))
    history = tables.history.with_columns(
        pl.when(pl.col("opportunity_id").is_in(open_ids))
        .then(None)
        .otherwise(pl.col("amount"))
        .alias("amount")
    )
    tables = attrs.evolve(tables, history=history)
    result = attainment(tables, period=Q1, as_of=AS_OF, targets=TARGETS, draws=50)
    ann = _rows(result)["ann"]
    assert ann["closed"] == Decimal(1000)  # what is known stays
    for column in ("commit", "best_case", "pipeline", "open_in_period", "coverage"):
        assert ann[column] is None, column
    notes = " ".join(result.coverage.notes())
    assert "No data: commit, best case and pipeline" in notes
    everything = _rows(
        attainment(
            frames(_book(), process=SIMPLE), period=Q1, as_of=AS_OF, targets=TARGETS, draws=50
        )
    )["ann"]
    assert everything["commit"] == Decimal(2000)  # with amounts, the figures are there
