"""``python -m bench.journeys``: serve the demo app, run both journeys on slow 3G and write
their table into docs/BENCHMARKS.md (the part between ``<!-- journeys-run:start -->`` and
``<!-- journeys-run:end -->``). ``--no-docs`` only prints."""

from __future__ import annotations

import logging
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import sections
from . import HELPER, PHONE, Journey, add_helper, checkout, onboarding, sign_in, table

SECTION = "journeys-run"  # the table's part of docs/BENCHMARKS.md (bench/sections.py)


@contextmanager
def demo_site(workdir: Path) -> Iterator[tuple[Any, str]]:
    """The demo app on a fresh SQLite database, served on a free loopback port."""
    from werkzeug.serving import make_server

    from marketplace.app import create_app
    from marketplace.cli import seed_demo_data, upgrade_database
    from marketplace.core.db import db

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'journeys.sqlite3'}",
            "MEDIA_DIR": str(workdir / "media"),
            "SECRET_KEY": "bench-journeys",
            "RATELIMIT_ENABLED": False,
            "DEMO_MODE": True,
        },
        instance_path=workdir / "instance",
    )
    with app.app_context():
        upgrade_database()
        seed_demo_data()
        db.engine.dispose()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def run_both(browser: Any, base: str, app: Any) -> list[Journey]:
    """Both journeys on slow 3G, each in a fresh phone context."""
    from marketplace.core.jobs import huey

    huey.immediate = True  # photos' thumbnails and listing jobs inline, as in the tests
    out = []
    email, password, commune = HELPER
    add_helper(app, email, password, commune)
    for name in ("onboarding", "checkout"):
        context = browser.new_context(**PHONE)
        try:
            page = context.new_page()
            if name == "onboarding":
                sign_in(page, base, email, password)
                out.append(onboarding(page, base))
            else:
                out.append(checkout(page, base))
        finally:
            context.close()
    return out


def main() -> None:
    """Run both journeys and record them in docs/BENCHMARKS.md."""
    from playwright.sync_api import sync_playwright

    from marketplace import config as cfg

    args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic"]
    with (
        tempfile.TemporaryDirectory() as tmp,
        demo_site(Path(tmp)) as (app, base),
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=cfg.chromium_path(), args=args)
        try:
            journeys = run_both(browser, base, app)
        finally:
            browser.close()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    run = table(journeys, sections.machine(), when)
    print(run)
    for j in journeys:
        print(f"{j.name}: screens {[re.sub(r'^https?://[^/]+', '', u) for u in j.screens]}")
        print(f"{j.name}: fields {j.fields}")
    if "--no-docs" not in sys.argv:
        sections.update(SECTION, run)
        print(f"wrote {sections.DOC}")


if __name__ == "__main__":
    main()
