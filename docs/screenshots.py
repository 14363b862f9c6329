"""Regenerate the screenshots of the inspection page in docs/images/.

Writes ``salesflow demo --html`` (400 synthetic deals, seed 2026) and takes its
pictures in headless Chromium, with the same tooling as the browser tests
(Playwright driving Debian's /usr/bin/chromium, or ``SALESFLOW_CHROMIUM``):

- ``page.png``: the page as it opens (tiles, charts, the top of the deal list);
- ``page-panel.png``: filtered to one owner, with a deal's panel open.

Run ``python docs/screenshots.py`` after changing the page.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

IMAGES = Path(__file__).resolve().parent / "images"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    """Write the demo page and its two screenshots."""
    from playwright.sync_api import sync_playwright  # only when run, not when collected

    executable = os.environ.get("SALESFLOW_CHROMIUM") or shutil.which("chromium")
    IMAGES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        page_file = Path(folder) / "page.html"
        subprocess.run(
            [sys.executable, "-m", "salesflow", "demo", "--html", str(page_file)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 1000})
        page.goto(page_file.as_uri())
        page.wait_for_selector("body[data-ready]")
        page.screenshot(path=str(IMAGES / "page.png"))
        page.select_option("#f-owner", "rep-03")
        page.locator('#list-head button[data-key="v"]').click()
        page.locator('#list-head button[data-key="v"]').click()
        page.locator("#rows tr").first.focus()
        page.keyboard.press("Enter")
        page.screenshot(path=str(IMAGES / "page-panel.png"))
        browser.close()


if __name__ == "__main__":
    main()
