"""Stage probabilities learned from history: hand-computed fixtures, the truth, backends."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import salesflow as sf

pl = pytest.importorskip("polars")
pytest.importorskip("numpy")

from salesflow.analytics import Frames, frames  # noqa: E402
from salesflow.forecasting import learn_probabilities  # noqa: E402

T0 = datetime(2026, 1, 5, tzinfo=timezone.utc)
SIMPLE = sf.SalesProcess(
    name="Simple",
    stages=[
        sf.Stage("A", 10),
        sf.Stage("B", 50),
        sf.Stage("Won", 100, is_closed=True, is_won=True),
        sf.Stage("Lost", 0, is_closed=True),
    ],
    settings=sf.ProcessSettings(allow_reopen=True),
)


def _deal(i: int, *path: str) -> sf.Opportunity:
    opp = SIMPLE.open(
        name=f"d{i}", id=f"d{i}", close_date=date(2026, 6, 1), at=T0, owner=f"rep{i % 2}"
    )
    for k, stage in enumerate(path, start=1):
        SIMPLE.move(opp, stage, at=T0 + timedelta(days=k))
    return opp


def _fixture() -> list[sf.Opportunity]:
    # From A: 30 to B, 10 lost, 20 still in A (censored). From B: 15 won, 15 lost... plus
    # 10 of the B deals still open.
    deals = []
    deals += [_deal(i, "B", "Won") for i in range(12)]
    deals += [_deal(i, "B", "Lost") for i in range(12, 24)]
    deals += [_deal(i, "B") for i in range(24, 30)]
    deals += [_deal(i, "Lost") for i in range(30, 40)]
    deals += [_deal(i) for i in range(40, 60)]
    return deals


def test_hand_computed_chain_with_censored_open_deals() -> None:
    learned = learn_probabilities(_fixture(), process=SIMPLE, min_sample=10)
    b = learned.estimate("B")
    assert b.exits == 24 and b.deals == 30 and b.unresolved == 6
    assert b.probability == pytest.approx(12 / 24)
    a = learned.estimate("A")
    assert a.exits == 40 and a.deals == 60 and a.unresolved == 20
    assert a.probability == pytest.approx(30 / 40 * 12 / 24)
    assert a.low is not None and a.high is not None and a.low < a.probability < a.high
    assert learned.learned_from.startswith("64 moves of 60 opportunities")


def test_below_the_minimum_sample_there_is_no_number() -> None:
    learned = learn_probabilities(_fixture(), process=SIMPLE, min_sample=30)
    b = learned.estimate("B")
    assert b.probability is None and b.low is None and not b.sufficient
    assert "24 moves out of it, fewer than min_sample=30" in str(b)
    assert learned.estimate("A").sufficient
    assert set(learned.percentages) == {"A"}
    process = SIMPLE.with_probabilities(learned)
    assert process.stage("A").probability == Decimal("37.5")
    assert process.stage("B").probability == Decimal(50)  # kept: insufficient history
    assert "64 moves of 60 opportunities" in (process.description or "")


def test_a_stage_nobody_left_has_no_number() -> None:
    learned = learn_probabilities([_deal(i, "B") for i in range(40)], process=SIMPLE, min_sample=1)
    assert learned.estimate("B").note == "no moves out of it, or out of a stage it leads to"
    assert learned.estimate("A").probability is None


def test_a_close_that_was_reopened_is_censored_unless_counted() -> None:
    deals = [_deal(i, "B", "Lost", "B", "Won") for i in range(20)]
    censored = learn_probabilities(deals, process=SIMPLE, min_sample=1).estimate("B")
    counted = learn_probabilities(deals, process=SIMPLE, min_sample=1, reopened="count")
    assert censored.probability == 1.0 and censored.exits == 20
    assert counted.estimate("B").probability == pytest.approx(0.5)


def test_until_learns_as_of_a_past_time_and_since_drops_older_moves() -> None:
    deals = _fixture()
    early = learn_probabilities(deals, process=SIMPLE, min_sample=1, until=T0 + timedelta(days=1))
    assert early.estimate("B").exits == 0 and early.estimate("A").exits == 40
    late = learn_probabilities(deals, process=SIMPLE, min_sample=1, since=T0 + timedelta(days=2))
    assert late.estimate("A").exits == 0 and late.estimate("B").exits == 24


def test_segments_learn_separately_and_one_segment_feeds_a_process() -> None:
    learned = learn_probabilities(_fixture(), process=SIMPLE, min_sample=1, segment="owner")
    assert sorted(learned.segments) == [("rep0",), ("rep1",)]
    total = sum(learned.estimate("A", s[0]).exits for s in learned.segments)
    assert total == 40
    with pytest.raises(sf.ValidationError, match="segmented"):
        _ = learned.percentages
    assert set(learned.segment("rep0").percentages) == {"A", "B"}


def test_history_with_stages_the_process_lacks_is_refused_by_name() -> None:
    deals = _fixture()
    with pytest.raises(sf.ValidationError, match="stage 'A' is not in process"):
        learn_probabilities(deals, process=sf.presets.trailhead_simple())


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"min_sample": 0}, "$.min_sample"),
        ({"reopened": "drop"}, "$.reopened"),
        ({"level": 95}, "$.level"),
        ({"draws": 10}, "$.draws"),
    ],
)
def test_bad_options_are_named(kwargs: dict[str, Any], path: str) -> None:
    with pytest.raises(sf.ValidationError) as caught:
        learn_probabilities(_fixture(), process=SIMPLE, **kwargs)
    assert caught.value.problems[0].path == path


def _pandas(df: Any) -> Any:
    pytest.importorskip("pandas")
    return df.to_pandas()


def _duckdb(df: Any) -> Any:
    duckdb = pytest.importorskip("duckdb")
    return duckdb.from_arrow(df.to_arrow())


@pytest.mark.parametrize(
    "convert", [lambda df: df.lazy(), _pandas, _duckdb], ids=["polars-lazy", "pandas", "duckdb"]
)
def test_every_backend_counts_the_same(convert: Any) -> None:
    data = sf.datasets.synthetic(sf.presets.hubspot_default(), 300, seed=4)
    tables = frames(data.opportunities)
    expected = learn_probabilities(data.opportunities, process=data.process, segment="owner")
    got = learn_probabilities(
        Frames(
            snapshot=convert(tables.snapshot),
            history=convert(tables.history),
            process=data.process,
        ),
        segment="owner",
    )
    assert got.estimates == expected.estimates


# Statistical checks run on the same draws in every profile: an interval misses its truth
# now and then by design, and a run must not fail on one seed and pass on the next.
@settings(max_examples=6, deadline=None, derandomize=True, database=None)
@given(
    preset=st.sampled_from(["salesforce_standard", "hubspot_default", "trailhead_simple"]),
    seed=st.integers(0, 10_000),
)
def test_learned_probabilities_recover_the_synthetic_truth(preset: str, seed: int) -> None:
    data = sf.datasets.synthetic(sf.presets.SELLER_PRESETS[preset](), 1200, seed=seed)
    learned = learn_probabilities(
        data.opportunities, process=data.process, level=0.999, draws=1000, seed=seed
    )
    checked = 0
    for estimate in learned.estimates:
        truth = data.truth.win_probability[estimate.stage]
        if estimate.sufficient:
            assert estimate.low is not None and estimate.high is not None
            assert estimate.low <= truth <= estimate.high, (estimate, truth)
            checked += 1
    assert checked >= 4


@settings(max_examples=3, deadline=None, derandomize=True, database=None)
@given(
    preset=st.sampled_from(["salesforce_standard", "hubspot_default", "trailhead_simple"]),
    seed=st.integers(0, 10_000),
)
def test_the_true_probabilities_are_calibrated_on_deals_that_had_time_to_close(
    preset: str, seed: int
) -> None:
    from salesflow.forecasting import calibration

    data = sf.datasets.synthetic(sf.presets.SELLER_PRESETS[preset](), 1500, seed=seed, days=730)
    early = [o for o in data.opportunities if o.created_at < data.start + timedelta(days=365)]
    assert sum(o.is_open for o in early) < 0.01 * len(early)
    truth = {
        s: Decimal(str(round(p * 100, 4)))
        for s, p in data.truth.win_probability.items()
        if data.process.stage(s).is_open
    }
    c = calibration(early, process=data.process.with_probabilities(truth), buckets=20)
    for bucket in c.buckets:
        if bucket.n >= 30:
            assert bucket.predicted is not None and bucket.observed is not None
            se = (bucket.predicted * (1 - bucket.predicted) / bucket.n) ** 0.5
            assert abs(bucket.observed - bucket.predicted) < 4 * se + 0.01, bucket
    expected = (
        sum(b.n * b.predicted * (1 - b.predicted) for b in c.buckets if b.predicted is not None)
        / c.n
    )
    assert c.brier == pytest.approx(expected, abs=0.01)


def test_size_bands_segment_deals_by_converted_amount() -> None:
    from salesflow.analytics.rates import Rates

    data = sf.datasets.synthetic(
        sf.presets.trailhead_simple(), 600, seed=3, currencies={"USD": 1, "EUR": 1}
    )
    with pytest.raises(sf.CurrencyMismatchError):
        learn_probabilities(data.opportunities, process=data.process, size_bands=[20_000])
    learned = learn_probabilities(
        data.opportunities,
        process=data.process,
        size_bands=[20_000],
        rates=Rates("USD", {"EUR": "2"}),
        min_sample=1,
    )
    assert learned.segment_by == ("size_band",)
    assert sorted(learned.segments) == [("< 20,000",), ("≥ 20,000",)]

    def converted(o: sf.Opportunity) -> float:
        assert o.amount is not None
        return float(o.amount.amount) * (2 if o.amount.currency == "EUR" else 1)

    small = sum(1 for o in data.opportunities if converted(o) < 20_000)
    assert learned.estimate("Prospecting", "< 20,000").deals == small
    with pytest.raises(sf.ValidationError, match="must increase"):
        learn_probabilities(data.opportunities, process=data.process, size_bands=[5, 1])


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from(["A", "B", "Won", "Lost"])), max_size=30
    ),
    st.integers(0, 30),
)
def test_stage_entries_on_polars_equal_the_partitioned_windows_of_duckdb(
    rows: list[tuple[int, str]], cut: int
) -> None:
    # Polars takes one window ordered by opportunity; other engines one per opportunity.
    duckdb = pytest.importorskip("duckdb")
    from salesflow.analytics._source import resolve
    from salesflow.forecasting._transitions import stage_entries

    history = pl.DataFrame(
        {
            "opportunity_id": [f"d{o}" for o, _ in rows],
            "at": [T0 + timedelta(hours=k) for k in range(len(rows))],
            "stage": [s for _, s in rows],
        },
        schema={"opportunity_id": pl.String, "at": pl.Datetime("us", "UTC"), "stage": pl.String},
    )
    ids = sorted(set(history["opportunity_id"].to_list()))
    snapshot = pl.DataFrame({"id": ids, "name": ids}, schema={"id": pl.String, "name": pl.String})
    until = T0 + timedelta(hours=cut)
    got = []
    for snap, hist in [
        (snapshot, history),
        (duckdb.from_arrow(snapshot.to_arrow()), duckdb.from_arrow(history.to_arrow())),
    ]:
        inputs = resolve(Frames(snapshot=snap, history=hist, process=SIMPLE))
        table = stage_entries(inputs, until=until).collect(backend="polars").to_native()
        columns = ["opportunity_id", "at", "stage", "_next", "_next_at", "_after"]
        got.append(table.select(columns).sort("opportunity_id", "at").rows())
    assert got[0] == got[1]
