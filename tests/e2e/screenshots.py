"""Regenerate the README screenshots from a fresh demo database.

    /work/venv/bin/python tests/e2e/screenshots.py [OUTPUT_DIR]   # default: docs/screenshots

Not a test (pytest collects only ``test_*.py``); it reuses the browser settings of conftest.py.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from conftest import CHROMIUM_ARGS, PHONE, serve
from playwright.sync_api import Page, sync_playwright

from marketplace import config as cfg
from marketplace.app import create_app
from marketplace.cli import seed_demo_data, upgrade_database

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "vi-VN"}
TEA = "Chè Đinh Tân Cương Hảo Đạt"


# Scroll the product name up to just below the sticky header, so name, price and certificate show.
SCROLL_TO_TITLE = """() => {
  const header = document.querySelector("header").offsetHeight;
  const title = document.querySelector("h1").getBoundingClientRect().top + window.scrollY;
  window.scrollTo(0, title - header - 8);
}"""


def shoot(page: Page, url: str, path: Path, script: str | None = None) -> None:
    page.goto(url, wait_until="networkidle")
    page.evaluate("document.fonts.ready")
    if script:
        page.evaluate(script)
        page.wait_for_load_state("networkidle")
    page.screenshot(path=path, full_page=False, animations="disabled", caret="hide")
    print(
        f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {path.stat().st_size // 1024} KB"
    )


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3",
                "MEDIA_DIR": f"{tmp}/media",
                "SECRET_KEY": "screenshots",
                "RATELIMIT_ENABLED": False,
            },
            instance_path=f"{tmp}/instance",
        )
        with app.app_context():
            upgrade_database()
            print(seed_demo_data())
        with serve(app) as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=cfg.chromium_path(), args=CHROMIUM_ARGS)
            phone = browser.new_context(**PHONE).new_page()
            shoot(phone, base + "/", out / "phone-home.png")
            shoot(phone, base + "/tim-kiem?q=tra+tan+cuong", out / "phone-search.png")
            phone.goto(base + "/tim-kiem?q=che+tan+cuong")
            product_url = phone.get_by_role("link", name=TEA).get_attribute("href")
            shoot(phone, base + product_url, out / "phone-product.png", SCROLL_TO_TITLE)
            desktop = browser.new_context(**DESKTOP).new_page()
            # the home page's "all products from 4 stars" link: filter panel open, 4-column grid
            shoot(desktop, base + "/tim-kiem?min_stars=4&sort=stars", out / "desktop-search.png")
            browser.close()
        app.extensions["ocop_db"].dispose()


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
