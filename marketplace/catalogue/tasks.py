"""Catalogue jobs."""

from __future__ import annotations

from huey import crontab

from marketplace.core.clock import today
from marketplace.core.db import db
from marketplace.core.jobs import huey, with_app


@huey.periodic_task(crontab(minute="5", hour="17"))  # 00:05 in Vietnam (UTC+7)
@with_app
def refresh_certificates() -> int:
    """Daily: products whose cached certificate lapsed pick their next valid one (or none)."""
    from producers.services import refresh_expired_certificates

    with db.transaction() as session:
        return refresh_expired_certificates(session, today())
