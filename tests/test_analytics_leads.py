"""A lead stage (``Stage.is_opportunity`` false) counts in no total, funnel or win rate."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import attrs
import pytest

import salesflow as sf

pytest.importorskip("narwhals")
from salesflow import analytics

T0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
USD = "USD"


def _deals() -> tuple[sf.SalesProcess, list[sf.Opportunity]]:
    gated = sf.presets.liferay_enterprise()  # gates are not what this is about
    process = attrs.evolve(
        gated, stages=[attrs.evolve(s, gate=sf.StageGate()) for s in gated.stages]
    )
    lead = process.open(
        name="Still a lead", close_date=date(2026, 6, 1), stage="Qualified Lead",
        amount=sf.Money("500", USD), at=T0, id="lead",
    )  # fmt: skip
    dropped = process.open(
        name="Lead lost", close_date=date(2026, 6, 1), stage="Qualified Lead",
        amount=sf.Money("700", USD), at=T0, id="dropped",
    )  # fmt: skip
    process.move(dropped, "Closed Lost", at=T0 + timedelta(days=2))
    real = process.open(
        name="Opportunity", close_date=date(2026, 6, 1), stage="Qualified Lead",
        amount=sf.Money("1000", USD), at=T0, id="real",
    )  # fmt: skip
    process.move(real, "Goal Confirmation", at=T0 + timedelta(days=1))
    won = process.open(
        name="Won", close_date=date(2026, 6, 1), stage="Goal Confirmation",
        amount=sf.Money("2000", USD), at=T0, id="won",
    )  # fmt: skip
    process.move(won, "Closed Won", at=T0 + timedelta(days=3))
    return process, [lead, dropped, real, won]


def test_leads_and_leads_closed_as_lost_count_in_no_total_or_win_rate() -> None:
    process, deals = _deals()
    data = analytics.frames(deals, process=process)
    summary = analytics.pipeline_summary(data)
    total = summary.line("Total")
    assert (total.count, total.amount) == (2, sf.Money("3000", USD))
    assert summary.line("Closed Lost").count == 0
    rate = analytics.win_rate(data, denominator="all")
    assert (rate.count("won"), rate.count("total")) == (1, 2)


def test_the_funnel_starts_where_a_deal_becomes_an_opportunity() -> None:
    process, deals = _deals()
    steps = analytics.funnel(analytics.frames(deals, process=process)).rows()
    assert steps[0]["stage"] == "Goal Confirmation"
    assert steps[0]["reached"] == 2
    assert "Qualified Lead" not in {row["stage"] for row in steps}


def test_without_the_process_every_row_counts() -> None:
    _, deals = _deals()
    assert analytics.pipeline_summary(analytics.frames(deals)).line("Total").count == 4


def test_duckdb_leaves_out_the_same_leads() -> None:
    duckdb = pytest.importorskip("duckdb")
    process, deals = _deals()
    polars_frames = analytics.frames(deals, process=process)
    con = duckdb.connect()
    lazy = analytics.Frames(
        snapshot=con.from_arrow(polars_frames.snapshot.to_arrow()),
        history=con.from_arrow(polars_frames.history.to_arrow()),
        process=process,
    )
    assert analytics.win_rate(lazy, denominator="all").rows() == (
        analytics.win_rate(polars_frames, denominator="all").rows()
    )
