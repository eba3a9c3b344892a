"""Listing jobs: sync one listing, react to product changes, the periodic sweep, and the
OAuth code exchange. Every job is safe to run twice (the listing's lease and its versions
decide what is left to do)."""

from __future__ import annotations

import functools
from datetime import timedelta
from pathlib import Path

from flask import current_app
from huey import crontab
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.core.crypto import vault_for
from marketplace.core.db import db, utcnow
from marketplace.core.jobs import huey, with_app
from producers.changes import take_changed

from . import accounts, connect, services
from .models import ChannelAccount, ChannelListing, ListingState
from .ratelimit import RateLimiter
from .sync import Policy, Syncer, due_ids


def syncer() -> Syncer:
    """The current app's syncer (one per app: it holds the shared rate limiter)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return _syncer(id(app), app)


@functools.lru_cache(maxsize=4)
def _syncer(_key: int, app) -> Syncer:  # type: ignore[no-untyped-def]
    config = app.config
    return Syncer(
        vault=vault_for(config),
        media_dir=Path(config["MEDIA_DIR"]),
        image_cache=Path(config["MEDIA_DIR"]) / "channel-images",
        limiter=RateLimiter(app.extensions["ocop_db"]),
        policy=Policy(
            base_s=float(config["LISTING_RETRY_BASE_S"]),
            max_attempts=int(config["LISTING_MAX_ATTEMPTS"]),
        ),
        timeout=float(config["LISTING_HTTP_TIMEOUT_S"]),
        lease=timedelta(seconds=float(config["LISTING_LEASE_S"])),
    )


@huey.task()
@with_app
def sync_listing(listing_id: int) -> str:
    """Sync one listing; a retryable failure schedules the next try at its backoff time."""
    state = syncer().sync(listing_id)
    if state in (ListingState.RETRYING, ListingState.IN_REVIEW):
        _schedule_retry(listing_id)
    return state


def _schedule_retry(listing_id: int) -> None:
    if huey.immediate:
        return  # tests drive retries themselves; the sweep does it in production too
    with db.transaction() as session:
        when = session.scalar(
            select(ChannelListing.next_attempt_at).where(ChannelListing.id == listing_id)
        )
    if when is not None:
        sync_listing.schedule((listing_id,), eta=when)


@huey.task()
@with_app
def sync_products(product_ids: list[int]) -> int:
    """Products changed: sync their listings (price, stock, content, certificate status)."""
    with db.transaction() as session:
        ids = services.listing_ids_for_products(session, set(product_ids))
    for listing_id in ids:
        sync_listing(listing_id)
    return len(ids)


@huey.periodic_task(crontab(minute="*"))
@with_app
def listings_sweep() -> dict[str, int]:
    """Every minute: refresh tokens about to expire, then re-enqueue every listing whose sync
    is due — a lost message or a killed worker loses nothing."""
    refreshed = refresh_due_tokens()
    with db.transaction() as session:
        ids = due_ids(session, utcnow(), limit=5000)
    for listing_id in ids:
        sync_listing(listing_id)
    return {"refreshed": refreshed, "enqueued": len(ids)}


def refresh_due_tokens() -> int:
    """Refresh every connected API account whose token expires soon; the count refreshed."""
    vault = vault_for(current_app.config)
    with db.transaction() as session:
        due = [
            (a.id, a.token_expires_at)
            for a in session.scalars(select(ChannelAccount))
            if accounts.needs_refresh(a, utcnow() + timedelta(seconds=1))
            and a.status == "connected"
        ]
    count = 0
    for account_id, seen in due:
        try:
            with db.transaction() as session:
                accounts.refresh_locked(session, account_id, vault, seen)
            count += 1
        except Exception:  # noqa: BLE001 - one shop's failure must not stop the others
            current_app.logger.warning("token refresh failed for account %s", account_id)
    return count


@huey.task(retries=3, retry_delay=5)
@with_app
def exchange_code(account_id: int, params: dict[str, str], redirect_uri: str) -> str:
    """Finish an OAuth connection: trade the code for tokens (outside the web request)."""
    with db.transaction() as session:
        return connect.finish(
            session, vault_for(current_app.config), account_id, params, redirect_uri
        )


def enqueue_changed(session: Session) -> None:
    """Before commit: remember changed products so their listings sync after commit."""
    session.flush()  # before_commit runs before commit's own flush: revisions are bumped there
    changed = take_changed(session)
    if changed:
        ids = sorted(changed)
        session.info.setdefault("after_commit", []).append(lambda: sync_products(ids))
