"""A temporary demo instance (SQLite) served by gunicorn, and the data private pages need."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

from ..throughput import RESULTS_DIR, server

#: the e2e tests' buyer: the Tân Cương tea of a demo cooperative, delivered in Tân Cương
PRODUCT_WORDS = "che dinh"
BUYER_COMMUNE = "Xã Tân Cương"


def prepare_environment(workdir: Path) -> None:
    """Settings for this process and the server it starts: a private instance folder and jobs
    run inline (no worker process; the demo "simulate a transfer" button then pays at once)."""
    os.environ.update(
        OCOP_INSTANCE_PATH=str(workdir / "instance"),
        JOBS_URL="memory://",
        OCOP_JOBS_IMMEDIATE="1",
        OCOP_DEMO_MODE="1",
    )
    os.environ.pop("OCOP_ENV", None)


def build(workdir: Path) -> dict[str, str]:
    """Migrate a fresh SQLite file, load the demo catalogue and logins; what the visits need."""
    from marketplace.cli import seed_demo_data, upgrade_database
    from marketplace.core.db import db
    from producers.models import Commune

    from ..dataset import make_app

    url = f"sqlite:///{workdir / 'lighthouse.sqlite3'}"
    app = make_app(url, workdir)
    with app.app_context():
        upgrade_database()
        seed_demo_data()
        commune = db.session.scalar(select(Commune).where(Commune.name == BUYER_COMMUNE))
        assert commune is not None, BUYER_COMMUNE
        facts = {"database_url": url, "commune_code": commune.code}
    app.extensions["ocop_db"].dispose()
    return facts


@contextmanager
def running(workdir: Path, database_url: str) -> Iterator[str]:
    """The real app under gunicorn (``bench.serve``) on a free port; yields the base URL."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    log = RESULTS_DIR / "lighthouse-server.log"
    log.write_bytes(b"")
    with server(["app", database_url, str(workdir)], "/", log) as url:
        yield url.removesuffix("/")
