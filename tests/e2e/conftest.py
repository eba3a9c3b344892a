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
from typing import Any

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


def _read_whole(app: Flask) -> Any:
    """``app`` with each response body read and its iterable closed before a byte is sent.

    A browser that navigates away while an image downloads drops the connection, and
    werkzeug's development server then skips ``close()`` on the response: the image file of a
    ``send_file`` stays open and its ResourceWarning (an error in this suite) lands in some
    later test. Test pages and images are small; production runs gunicorn."""

    def wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            if hasattr(response, "close"):
                response.close()

    return wsgi


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free port of 127.0.0.1 in a background thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, _read_whole(app), threaded=True)
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


#: the password of the logins made by ``producer_login``
PRODUCER_PASSWORD = "mat-khau-du-dai-1"


@pytest.fixture
def producer_login(demo_app: Flask):  # type: ignore[no-untyped-def]
    """Make a producer login: ``producer_login(producer name) -> (email, producer id)``."""
    from sqlalchemy import select

    from marketplace.accounts.services import create_user
    from marketplace.core.db import db
    from producers.models import Producer

    made = iter(range(1, 100))

    def make(producer_name: str) -> tuple[str, int]:
        with demo_app.app_context():
            producer = db.session.scalar(select(Producer).where(Producer.name == producer_name))
            assert producer is not None, producer_name
            email = f"nguoiban{next(made)}@example.vn"
            create_user(
                db.session,
                email=email,
                name="Chủ cơ sở",
                password=PRODUCER_PASSWORD,
                role="producer",
                producer_id=producer.id,
            )
            db.commit()
            return email, producer.id

    return make


@pytest.fixture
def channel_sandboxes(demo_app: Flask) -> Iterator[dict[str, object]]:
    """Every API marketplace's sandbox on a free block of loopback ports, wired into the demo
    app (``SANDBOX_PORT``); code -> ``Running``. Tiki never finishes a review by itself (call
    ``.sandbox.review_all()``); listing retries are due at once."""
    import random

    from marketplace.listings.sandboxes import SANDBOX_APPS, SENDO_DEMO_KEYS
    from sync_adapters.sandbox import SANDBOXES, sandbox_class, start

    rng = random.Random()
    for _ in range(30):
        base = rng.randrange(20_000, 32_000)
        running: dict[str, object] = {}
        try:
            for index, code in enumerate(SANDBOXES):
                key, secret = SANDBOX_APPS[code]
                apps = {key: secret} if key else {SENDO_DEMO_KEYS[0]: SENDO_DEMO_KEYS[1]}
                extra = {"review_delay_s": 3600.0} if code == "tiki" else {}
                running[code] = start(sandbox_class(code)(apps=apps, **extra), port=base + index)
        except OSError:  # a port of the block is taken: free ours, try another block
            for server in running.values():
                server.stop()  # type: ignore[attr-defined]
            continue
        break
    else:
        pytest.fail("no block of 5 free loopback ports for the sandbox marketplaces")
    demo_app.config.update(SANDBOX_PORT=base, LISTING_RETRY_BASE_S=0.0)
    try:
        yield running
    finally:
        for server in running.values():
            server.stop()  # type: ignore[attr-defined]
