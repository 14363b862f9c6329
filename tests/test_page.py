"""The inspection page's data and markup, without a browser (tests/test_page_browser.py opens it)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import polars as pl
import pytest

import salesflow as sf
from salesflow.analytics import frames
from salesflow.cli import main
from salesflow.cli._report import Report, inspect

HOSTILE = (
    "</script><script>window.pwned = 1</script>",
    '<img src=x onerror="window.pwned = 2">',
    "\u2028'; window.pwned = 3; //",
)


def embedded(text: str) -> dict[str, Any]:
    """The JSON data block of a page."""
    found = re.search(r'<script type="application/json" id="salesflow-data">(.*?)</script>', text)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def tiles(data: dict[str, Any], deals: list[dict[str, Any]], *, start: bool = False) -> dict:
    """The summary lines over ``deals``, as the page's script computes them."""
    out = {}
    for line in data["lines"]:
        count = cents = 0
        for deal in deals:
            state = deal["w"] if start else [deal["v"], deal["c"], deal["t"]]
            if state is None:
                continue
            if (line["cats"] is None or state[1] in line["cats"]) and (
                line["st"] is None or state[2] in line["st"]
            ):
                count += 1
                cents += state[0] or 0
        out[line["name"]] = (count, cents)
    return out


def cents(amount: Any) -> int:
    return int(Decimal(amount["amount"] if isinstance(amount, dict) else amount) * 100)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    page = tmp_path_factory.mktemp("page") / "page.html"
    import io
    from contextlib import redirect_stdout

    buffer = io.StringIO()
    with redirect_stdout(buffer):
        assert main(["demo", "--deals", "150", "--html", str(page), "--format", "json"]) == 0
    return json.loads(buffer.getvalue()), page.read_text(encoding="utf-8")


def test_the_pages_tiles_equal_the_json_reports_summary(demo: tuple[dict, str]) -> None:
    document, text = demo
    data = embedded(text)
    computed = tiles(data, data["deals"])
    summary = document["sections"]["summary"]["rows"]
    assert [(r["count"], cents(r["amount"])) for r in summary] == [
        computed[r["line"]] for r in summary
    ]
    assert set(data["tiles"]) <= set(computed)


def test_the_pages_bridge_movements_add_up_to_the_reports_bridge(demo: tuple[dict, str]) -> None:
    document, text = demo
    deals = embedded(text)["deals"]
    rows = {r["movement"]: r for r in document["sections"]["bridge"]["rows"]}
    assert sum(d["ms"] for d in deals if d["ms"] is not None) == cents(rows["start"]["amount"])
    assert sum(d["me"] for d in deals if d["me"] is not None) == cents(rows["end"]["amount"])
    for movement in ("new", "won", "lost", "increased", "pushed_out"):
        moved = [d for d in deals if d["m"] == movement]
        assert len(moved) == rows[movement]["deals"]
        # the report shows each movement's size; the page keeps its sign (won, lost: minus)
        assert abs(sum(d["mc"] for d in moved)) == cents(rows[movement]["amount"])


def test_the_pages_funnel_and_weekly_states_equal_the_reports(demo: tuple[dict, str]) -> None:
    document, text = demo
    data = embedded(text)
    reached = [r["reached"] for r in document["sections"]["funnel"]["rows"]]
    assert [sum(d["f"] >= k for d in data["deals"]) for k in range(len(data["steps"]))] == reached
    weeks = document["sections"]["over_time"]["rows"]
    assert [w["date"] for w in weeks] == data["weeks"]
    for week, row in enumerate(weeks):
        states = []
        for deal in data["deals"]:
            state = None
            for entry in deal["h"][: week + 1]:
                state = None if entry == 0 else state if entry == 1 else entry
            states.append({"v": 0, "c": None, "t": None, "w": state})
        found = tiles(data, states, start=True)
        assert found["Open Pipeline"][1] == cents(row["Open Pipeline"])
        assert found["Closed Won"][1] == cents(row["Closed Won"])


def test_the_page_fetches_nothing_from_elsewhere(demo: tuple[dict, str]) -> None:
    _, text = demo
    assert text.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", text, re.IGNORECASE)
    assert "http://" not in text and "https://" not in text
    assert "<link" not in text and "<script src" not in text


def test_the_page_lists_each_deals_history_activities_and_contact_roles(
    demo: tuple[dict, str],
) -> None:
    data = embedded(demo[1])
    open_deal = next(d for d in data["deals"] if d["t"] == 0 and d["la"])
    details = data["details"][open_deal["i"]]
    assert details["h"] and details["h"][-1][1] == open_deal["s"]
    assert 0 < len(details["a"]) <= data["activities_shown"] and details["na"] >= len(details["a"])
    assert any(data["details"][d["i"]]["r"] for d in data["deals"])


def _hostile_report() -> Report:
    data = sf.datasets.synthetic(sf.presets.salesforce_standard(), 40, seed=7)
    tables = frames(data.opportunities, data.activities, process=data.process)
    names = [HOSTILE[i % len(HOSTILE)] for i in range(len(tables.snapshot))]
    owners = ["<b>rep</b>" if i % 2 else "rep & co" for i in range(len(tables.snapshot))]
    snapshot = tables.snapshot.with_columns(pl.Series("name", names), pl.Series("owner", owners))
    tables = attrs.evolve(tables, snapshot=snapshot)
    return inspect(tables, as_of=data.as_of + timedelta(days=1), title="</title><b>x</b>")


def test_hostile_deal_names_stay_data_in_the_page() -> None:
    text = _hostile_report().to_html()
    data = embedded(text)
    assert {d["n"] for d in data["deals"]} == set(HOSTILE)
    assert {d["o"] for d in data["deals"]} == {"<b>rep</b>", "rep & co"}
    assert text.count("</script>") == 2  # the data block's and the script's own
    assert "<img src=x" not in text and "<b>" not in text
    assert "<title>&lt;/title&gt;&lt;b&gt;x&lt;/b&gt;</title>" in text
    assert "innerHTML" not in text.replace('probe.innerHTML = "<svg></svg>"', "")


def test_a_report_made_without_inspect_has_no_page() -> None:
    report = Report(
        title="t",
        as_of=sf.datasets.synthetic(sf.presets.salesforce_standard(), 1).as_of,
        sections=(),
    )
    with pytest.raises(ValueError, match="no page data"):
        report.to_html()


def test_html_static_keeps_the_document_for_printing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page, static = tmp_path / "page.html", tmp_path / "static.html"
    static.write_text("PRECIOUS", encoding="utf-8")
    args = ["demo", "--deals", "40", "--html", str(page), "--html-static", str(static)]
    assert main(args) == 2
    assert static.read_text(encoding="utf-8") == "PRECIOUS" and not page.exists()
    capsys.readouterr()
    assert main([*args, "--force"]) == 0
    assert "data:image/png;base64," in static.read_text(encoding="utf-8")
    assert 'id="salesflow-data"' in page.read_text(encoding="utf-8")


def test_the_static_document_draws_no_chart_for_a_section_of_zeros() -> None:
    from salesflow.cli._html import page
    from salesflow.cli._report import Section

    drawn: list[Any] = []
    zeros = Section(
        key="bridge",
        title="Pipeline bridge",
        columns=("movement", "amount"),
        rows=({"movement": "start", "amount": Decimal(0)}, {"movement": "end", "amount": 0}),
        plot=drawn.append,
    )
    as_of = sf.datasets.synthetic(sf.presets.salesforce_standard(), 1).as_of
    text = page(Report(title="t", as_of=as_of, sections=(zeros,)))
    assert drawn == [] and "<img" not in text


def test_the_static_waterfall_floats_and_colours_won_green(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from salesflow.cli._html import _float_waterfall

    data = sf.datasets.synthetic(sf.presets.salesforce_standard(), 150, seed=2026)
    tables = frames(data.opportunities, data.activities, process=data.process)
    report = inspect(tables, as_of=data.as_of, title="t", only=("bridge",))
    figure, ax = plt.subplots()
    report.section("bridge").plot(ax)  # type: ignore[misc]
    _float_waterfall(ax)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    won = ax.patches[labels.index("won")]
    assert matplotlib.colors.to_hex(won.get_facecolor()) == matplotlib.colors.to_hex("tab:green")
    start = ax.patches[0].get_height()
    assert 0 < ax.get_ylim()[0] < start  # the axis starts near the lowest level, not at 0
    plt.close(figure)


def test_the_page_writes_numbers_for_the_locale_asked(
    demo: tuple[dict, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert embedded(demo[1])["locale"] == "en"
    page = tmp_path / "page.html"
    assert main(["demo", "--deals", "40", "--html", str(page), "--locale", "de-DE"]) == 0
    assert embedded(page.read_text(encoding="utf-8"))["locale"] == "de-DE"
    capsys.readouterr()
    assert main(["demo", "--html", str(tmp_path / "x.html"), "--locale", "de_DE; x"]) == 2
    assert "expected a language tag" in capsys.readouterr().err
