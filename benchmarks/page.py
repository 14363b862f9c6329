"""The inspection page with many deals: its size, build time, and render and filter times.

Builds ``salesflow demo --deals N --html`` pages (default 400 and 10,000 deals),
then opens each in headless Chromium (Playwright with Debian's /usr/bin/chromium,
or SALESFLOW_CHROMIUM) and measures, three times each: time to first render
(navigation to the script's ``data-ready`` mark, parsing the data included),
applying a filter by owner and sorting by amount (both to the next frame).
Figures, not assertions: see benchmarks/README.md.

    python benchmarks/page.py [DEALS ...]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

TIMED = """async (action) => {
  const start = performance.now();
  if (action === "filter") {
    const owner = document.getElementById("f-owner");
    owner.value = owner.options[2].value;
    owner.dispatchEvent(new Event("change"));
  } else if (action === "clear") {
    document.getElementById("f-clear").click();
  } else {
    document.querySelector('#list-head button[data-key="v"]').click();
  }
  await new Promise((done) => requestAnimationFrame(() => done()));
  return performance.now() - start;
}"""


def build(deals: int, folder: Path) -> tuple[Path, float]:
    page = folder / f"page-{deals}.html"
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "salesflow", "demo", "--deals", str(deals), "--html", str(page)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return page, time.perf_counter() - start


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [400, 10_000]
    executable = os.environ.get("SALESFLOW_CHROMIUM") or shutil.which("chromium")
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=ARGS)
        print(
            "| deals | page size | salesflow demo --html | first render | filter by owner | clear filters | sort by amount |"
        )
        print("|---|---|---|---|---|---|---|")
        for deals in sizes:
            path, built = build(deals, Path(folder))
            renders, filters, clears, sorts = [], [], [], []
            for _ in range(3):
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                start = time.perf_counter()
                page.goto(path.as_uri())
                page.wait_for_selector("body[data-ready]")
                renders.append(1000 * (time.perf_counter() - start))
                filters.append(page.evaluate(TIMED, "filter"))
                clears.append(page.evaluate(TIMED, "clear"))
                sorts.append(page.evaluate(TIMED, "sort"))
                page.close()

            def span(values: list[float]) -> str:
                return f"{min(values):.0f}–{max(values):.0f} ms"

            size = path.stat().st_size / 1e6
            print(
                f"| {deals:,} | {size:.1f} MB | {built:.1f} s | {span(renders)} | {span(filters)} "
                f"| {span(clears)} | {span(sorts)} |"
            )
        browser.close()


if __name__ == "__main__":
    main()
