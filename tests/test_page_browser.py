"""The inspection page in a real browser: headless Chromium driven by Playwright.

Needs the ``playwright`` Python package and a Chromium (Debian's ``chromium``
at /usr/bin/chromium, or ``SALESFLOW_CHROMIUM``); Playwright's own browser
download is never used. Without them the tests skip, saying which is missing.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import salesflow as sf
from salesflow.cli import main
from salesflow.io import DataSet, write_json

pytestmark = pytest.mark.browser

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AS_OF = "2025-12-31"


def _chromium() -> str | None:
    given = os.environ.get("SALESFLOW_CHROMIUM")
    return given or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("browser tests need the playwright package (pip install playwright)")
    executable = _chromium()
    if executable is None:
        pytest.skip(
            "browser tests need Chromium (apt-get install chromium, or SALESFLOW_CHROMIUM)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=ARGS)
        yield launched
        launched.close()


class Page:
    """One page open in the browser, with the errors its console reported."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("body[data-ready]")

    def tiles(self) -> dict[str, tuple[int, int]]:
        found: dict[str, tuple[int, int]] = {}
        for tile in self.page.query_selector_all("#tiles .tile"):
            name = tile.get_attribute("data-line")
            found[str(name)] = (
                int(tile.get_attribute("data-count")),
                int(tile.get_attribute("data-cents")),
            )
        return found

    def ids(self) -> list[str]:
        return [
            str(row.get_attribute("data-id")) for row in self.page.query_selector_all("#rows tr")
        ]


def _cents(amount: Any) -> int:
    return int(Decimal(amount["amount"] if isinstance(amount, dict) else amount) * 100)


def _report(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["report", *args, "--as-of", AS_OF, "--format", "json"]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def _summary(document: dict[str, Any]) -> dict[str, tuple[int, int]]:
    rows = document["sections"]["summary"]["rows"]
    return {r["line"]: (r["count"], _cents(r["amount"])) for r in rows}


@pytest.fixture(scope="module")
def data() -> sf.datasets.SyntheticData:
    return sf.datasets.synthetic(sf.presets.salesforce_standard(), 300, seed=2026)


@pytest.fixture
def report_page(
    tmp_path: Path, data: sf.datasets.SyntheticData, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, dict[str, Any]]:
    deals = tmp_path / "deals.json"
    write_json(deals, DataSet(opportunities=data.opportunities, activities=data.activities))
    page = tmp_path / "page.html"
    document = _report(capsys, str(deals), "--html", str(page))
    return page, document


def test_the_page_opens_without_console_errors_and_its_tiles_equal_the_report(
    browser: Any, report_page: tuple[Path, dict[str, Any]]
) -> None:
    path, document = report_page
    page = Page(browser, path)
    expected = _summary(document)
    shown = page.tiles()
    for line in (
        "Total",
        "Closed Won",
        "Commit Forecast",
        "Best Case Forecast",
        "Open Pipeline",
        "Closed Lost",
    ):
        assert shown[line] == expected[line], line
    moved = {r["movement"]: r for r in document["sections"]["bridge"]["rows"]}
    assert shown["Moved to lost"] == (moved["lost"]["deals"], -_cents(moved["lost"]["amount"]))
    assert page.page.locator("#c-bridge svg rect").count() >= 3
    assert page.errors == []


def test_a_filter_by_owner_shows_the_report_of_that_owners_deals_alone(
    browser: Any,
    report_page: tuple[Path, dict[str, Any]],
    data: sf.datasets.SyntheticData,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, _ = report_page
    owner = sorted({o.owner for o in data.opportunities if o.owner})[1]
    mine = tmp_path / "mine.json"
    write_json(
        mine,
        DataSet(
            opportunities=[o for o in data.opportunities if o.owner == owner],
            activities=data.activities,
        ),
    )
    alone = _summary(_report(capsys, str(mine)))
    page = Page(browser, path)
    everyone = page.tiles()
    funnel_before = page.page.locator("#c-funnel text").all_text_contents()
    page.page.select_option("#f-owner", owner)
    shown = page.tiles()
    for line in (
        "Total",
        "Closed Won",
        "Commit Forecast",
        "Best Case Forecast",
        "Open Pipeline",
        "Closed Lost",
    ):
        assert shown[line] == alone[line], line
    assert shown["Total"] != everyone["Total"]
    assert page.page.locator("#c-funnel text").all_text_contents() != funnel_before
    owners = {
        page.page.locator(f'#rows tr[data-id="{i}"] td').nth(1).text_content() for i in page.ids()
    }
    assert owners == {owner}
    assert page.errors == []


def test_sorting_by_a_column_orders_the_deals_both_ways(
    browser: Any, report_page: tuple[Path, dict[str, Any]]
) -> None:
    page = Page(browser, report_page[0])
    header = page.page.locator('#list-head button[data-key="v"]')
    header.click()
    data = page.page.evaluate("JSON.parse(document.getElementById('salesflow-data').textContent)")
    amount = {d["i"]: d["v"] for d in data["deals"]}
    ascending = [amount[i] for i in page.ids() if amount[i] is not None]
    assert ascending == sorted(ascending) and len(set(ascending)) > 3
    assert page.page.locator("#list-head th[aria-sort]").get_attribute("aria-sort") == "ascending"
    header.click()
    descending = [amount[i] for i in page.ids() if amount[i] is not None]
    assert descending == sorted(ascending, reverse=True)


def test_the_deal_panel_opens_from_the_keyboard_with_the_deals_history(
    browser: Any, report_page: tuple[Path, dict[str, Any]]
) -> None:
    page = Page(browser, report_page[0])
    data = page.page.evaluate("JSON.parse(document.getElementById('salesflow-data').textContent)")
    first = page.page.locator("#rows tr").first
    deal = str(first.get_attribute("data-id"))
    first.focus()
    page.page.keyboard.press("Enter")
    panel = page.page.locator("#panel")
    assert panel.is_visible()
    assert page.page.locator("#panel-h").text_content() == next(
        d["n"] for d in data["deals"] if d["i"] == deal
    )
    assert panel.locator("ol.timeline li").count() == len(data["details"][deal]["h"])
    assert "Contact roles" in str(panel.text_content())
    page.page.keyboard.press("Escape")
    assert not panel.is_visible()
    assert page.page.evaluate("document.activeElement.getAttribute('data-id')") == deal
    assert page.errors == []


def test_hostile_deal_names_are_shown_not_run(browser: Any, tmp_path: Path) -> None:
    from tests.test_page import HOSTILE, _hostile_report

    path = tmp_path / "hostile.html"
    path.write_text(_hostile_report().to_html(), encoding="utf-8")
    page = Page(browser, path)
    assert page.page.evaluate("window.pwned") is None
    cells = set(page.page.locator("#rows tr td:first-child").all_text_contents())
    assert cells <= set(HOSTILE) and cells
    assert page.page.locator("#rows img").count() == 0
    assert page.errors == []
