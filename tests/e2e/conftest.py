"""Browser fixtures: the demo app on a real port, driven by headless Chromium (Playwright).

Browser tests run on SQLite only: the PostgreSQL variants that ``tests/conftest.py`` generates
for every test using ``backend`` are deselected here (the storefront's SQL is covered by the
integration tests on both backends).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from marketplace import config as cfg

HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "vi-VN",
}


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free port of 127.0.0.1 in a background thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep only the SQLite variant of the browser tests."""
    mine = [item for item in items if Path(str(item.path)).is_relative_to(HERE)]
    dropped = [
        item
        for item in mine
        if getattr(item, "callspec", None) is not None
        and item.callspec.params.get("backend", "sqlite") != "sqlite"
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]


@pytest.fixture
def live_server(demo_app: Flask) -> Iterator[str]:
    """The demo catalogue served over HTTP; the base URL, e.g. ``http://127.0.0.1:40123``."""
    with serve(demo_app) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the session (skipped when absent, unless CI requires it)."""
    executable = cfg.chromium_path()
    if not Path(executable).is_file():
        reason = f"Chromium not found at {executable} (set OCOP_CHROMIUM to its path)"
        if cfg.require_browser():
            pytest.fail(
                f"{reason}; OCOP_REQUIRE_BROWSER is set, so this is an error", pytrace=False
            )
        pytest.skip(reason)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A page in a fresh 360x740 @2x touch-screen context with a Vietnamese locale."""
    context = browser.new_context(**PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
