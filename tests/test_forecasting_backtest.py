"""Calibration and the time-split backtest: hand-computed fixtures and the Maven data."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

import salesflow as sf

pytest.importorskip("polars")
pytest.importorskip("numpy")

from salesflow.forecasting import MAX_BUCKETS, backtest, calibration, score

T0 = datetime(2026, 1, 5, tzinfo=timezone.utc)
SIMPLE = sf.SalesProcess(
    name="Simple",
    stages=[
        sf.Stage("A", 10),
        sf.Stage("B", 50),
        sf.Stage("Won", 100, is_closed=True, is_won=True),
        sf.Stage("Lost", 0, is_closed=True),
    ],
)
ROOT = Path(__file__).resolve().parents[1]
MAVEN = ROOT.parent / "shared" / "data" / "maven-crm"


def _deal(i: int, *moves: tuple[int, str]) -> sf.Opportunity:
    opp = SIMPLE.open(name=f"d{i}", id=f"d{i:03d}", close_date=date(2026, 6, 1), at=T0)
    for day, stage in moves:
        SIMPLE.move(opp, stage, at=T0 + timedelta(days=day))
    return opp


def _fixture() -> list[sf.Opportunity]:
    train = [_deal(i, (1, "B"), (2, "Won" if i < 30 else "Lost")) for i in range(40)]
    test = [_deal(100 + i, (3, "B"), (10, "Won" if i < 6 else "Lost")) for i in range(10)]
    still_open = [_deal(200 + i, (3, "B")) for i in range(5)]
    return train + test + still_open


def test_score_of_perfect_and_of_base_rate_predictions() -> None:
    perfect = score([1.0, 0.0, 1.0], [True, False, True])
    assert perfect.brier == 0.0 and perfect.skill == 1.0
    base = score([0.25] * 8, [True, False, False, False] * 2)
    assert base.brier == pytest.approx(0.1875) and base.skill == pytest.approx(0.0)
    assert base.log_loss == pytest.approx(0.5623351446)
    with pytest.raises(sf.ValidationError):
        score([0.5, 1.5], [True, False])
    with pytest.raises(sf.ValidationError):
        score([0.5], [True, False])


@pytest.mark.parametrize("buckets", [MAX_BUCKETS + 1, sys.maxsize, 10**30])
def test_more_buckets_than_a_reliability_table_can_have_are_refused_at_once(
    buckets: int,
) -> None:
    with pytest.raises(sf.ValidationError, match=f"at most {MAX_BUCKETS} buckets"):
        score([0.5], [True], buckets=buckets)
    assert len(score([0.5], [True], buckets=MAX_BUCKETS).buckets) == MAX_BUCKETS


def test_in_sample_calibration_predicts_every_open_stage_entry_of_closed_deals() -> None:
    c = calibration(_fixture(), process=SIMPLE)
    assert (c.n, c.won) == (100, 72)
    expected = (36 * 0.9**2 + 14 * 0.1**2 + 36 * 0.5**2 + 14 * 0.5**2) / 100
    assert c.brier == pytest.approx(expected)
    assert [(b.n, b.observed) for b in c.buckets if b.n] == [(50, 0.72), (50, 0.72)]


def test_backtest_learns_as_of_the_cutoff_and_scores_the_deals_open_then() -> None:
    bt = backtest(_fixture(), process=SIMPLE, cutoff=T0 + timedelta(days=5), min_sample=10)
    assert (bt.open_at_cutoff, bt.scored) == (15, 10)
    assert bt.learned.estimate("B").probability == pytest.approx(0.75)
    assert bt.result("static defaults").brier == pytest.approx(0.25)
    assert bt.result("learned").brier == pytest.approx((6 * 0.25**2 + 4 * 0.75**2) / 10)
    assert bt.fallbacks == 0
    assert "10 of 15 deals open then" in repr(bt)


def test_a_stage_without_enough_history_falls_back_to_its_default_and_is_counted() -> None:
    bt = backtest(_fixture(), process=SIMPLE, cutoff=T0 + timedelta(days=5), min_sample=100)
    assert bt.fallbacks == 10
    assert bt.result("learned").brier == bt.result("static defaults").brier


def test_calibration_plot_draws_a_reliability_diagram() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    ax = calibration(_fixture(), process=SIMPLE).plot()
    assert ax.get_xlabel() == "predicted probability"


def _maven_counts(cutoff: date) -> tuple[int, int]:
    """Deals in Engaging at the cutoff, and those closed since: counted straight from the CSV."""
    open_then = scored = 0
    with (MAVEN / "sales_pipeline.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            if not row["engage_date"] or date.fromisoformat(row["engage_date"]) > cutoff:
                continue
            closed = row["close_date"] and date.fromisoformat(row["close_date"]) <= cutoff
            if closed:
                continue
            open_then += 1
            scored += bool(row["close_date"])
    return open_then, scored


@pytest.mark.skipif(not MAVEN.is_dir(), reason="../shared/data/maven-crm is absent")
def test_the_maven_backtest_scores_the_deals_the_csv_says_were_open() -> None:
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import maven_crm_backtest as example
    finally:
        sys.path.pop(0)
    result = example.report(MAVEN)
    for run in result["runs"]:
        cutoff = date.fromisoformat(run["cutoff"])
        assert (run["open_at_cutoff"], run["scored"]) == _maven_counts(cutoff)
        assert run["brier"]["static defaults"] == 0.25  # 50 % for every Engaging deal
        assert run["learned"]["Prospecting"] is None  # no dates, no history
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "maven_crm_backtest.py"), str(MAVEN)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Brier learned" in out.stdout
