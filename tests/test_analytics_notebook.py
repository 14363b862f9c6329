"""Notebook friendliness: reprs, HTML, Money in sum(), charts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

import salesflow as sf

pytest.importorskip("narwhals")
pytest.importorskip("polars")

from salesflow.analytics import (
    bridge,
    examples,
    funnel,
    pipeline_over_time,
    pipeline_summary,
)


def test_money_sums_from_a_zero_start_and_converts_to_decimal() -> None:
    amounts = [sf.Money("1.25", "USD"), sf.Money("2.75", "USD")]
    assert sum(amounts) == sf.Money("4.00", "USD")
    assert 0 + amounts[0] == amounts[0] and amounts[0] + 0 == amounts[0]
    assert amounts[0].to_decimal() == Decimal("1.25")
    with pytest.raises(TypeError):
        1 + amounts[0]  # type: ignore[operator]
    with pytest.raises(sf.CurrencyMismatchError):
        sum([amounts[0], sf.Money("1", "EUR")])


def test_html_reprs_escape_and_show_the_key_fields() -> None:
    process = examples.process()
    opp = examples.opportunities()[0]
    page = opp._repr_html_()
    assert "<caption>Opportunity A: Acme renewal</caption>" in page
    assert "Needs Analysis" in page and "15,000.00 USD" in page
    assert process._repr_html_().count("<tr>") == len(process.stages) + 1
    assert sf.Money("1", "EUR")._repr_html_() == "<span>1 EUR</span>"
    odd = process.open(name="<script>", close_date=date(2026, 1, 1))
    assert "<script>" not in odd._repr_html_()


def test_results_show_their_title_and_rows() -> None:
    summary = pipeline_summary(examples.opportunities())
    text = repr(summary)
    assert text.splitlines()[0] == "Summary: Pipeline summary (cumulative, USD)"
    assert len(text.splitlines()) == 2 + 7
    assert (
        "<caption>Summary: Pipeline summary (cumulative, USD)</caption>" in summary._repr_html_()
    )
    assert summary.policies == {"cumulative": True, "rates": None, "by": []}


def test_pipeline_over_time_rebuilds_each_date() -> None:
    dates = [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
    t = pipeline_over_time(examples.opportunities(), dates, process=examples.process())
    won = [(r["date"], r["count"]) for r in t.rows() if r["line"] == "Closed Won"]
    assert won == [(dates[0], 0), (dates[1], 1), (dates[2], 1)]


def test_charts_draw_the_funnel_the_waterfall_and_the_lines() -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from salesflow.analytics.plots import plot_bridge, plot_funnel, plot_pipeline_over_time

    opps, process = examples.opportunities(), examples.process()
    try:
        ax = plot_funnel(funnel(opps, process=process))
        assert [p.get_width() for p in ax.patches] == [5, 4, 4, 2, 2, 2, 2, 1, 1]
        b = bridge(opps, date(2026, 1, 31), date(2026, 3, 31), process=process)
        ax = plot_bridge(b)
        heights = [p.get_height() for p in ax.patches]
        assert heights[0] == 48000 and heights[-1] == 55000 and len(heights) == 10
        # 48,000 + 20,000 new + 5,000 increased peaks at 73,000; won and lost step down to 55,000
        tops = [p.get_y() + p.get_height() for p in ax.patches]
        assert max(tops) == 73000
        lost = ax.patches[7]
        assert (lost.get_y(), lost.get_height()) == (55000, 8000)
        over = pipeline_over_time(opps, [date(2026, 1, 31), date(2026, 3, 31)], process=process)
        ax = plot_pipeline_over_time(over)
        assert len(ax.get_lines()) == 3
    finally:
        plt.close("all")
