"""Sending outbound webhooks: claim a due delivery, POST it signed, record the answer.

Every attempt first claims its row with a conditional UPDATE (still pending, due now) that
pushes ``next_attempt_at`` out by a lease; only the claimant sends, so the job, a duplicate
job and the sweep can race safely. The HTTP call runs between two short transactions, never
inside one, and never inside a web request. Failed attempts are retried on RETRY_SCHEDULE
(about three days), then the delivery is marked failed; the producer can replay it by hand.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
import urllib3
from flask import current_app
from huey import crontab
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from marketplace.core.crypto import Vault, vault_for
from marketplace.core.db import db, utcnow
from marketplace.core.jobs import huey, with_app

from . import outbound
from .models_extra import DeliveryStatus, WebhookDelivery, WebhookEndpoint

#: wait after the 1st, 2nd… failed attempt; 10 attempts over 71 h 35 min 5 s (≈ 3 days)
RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=20),
)
#: how long a claimed attempt owns its row (well over TIMEOUT)
LEASE = timedelta(minutes=2)
TIMEOUT = (5, 10)  # seconds to connect, seconds between bytes of the answer
SWEEP_BATCH = 200
USER_AGENT = "ChoOCOP-Webhooks/1.0"


@dataclass(frozen=True)
class Attempt:
    """What one attempt sends; ``secrets`` is empty when they cannot be decrypted."""

    delivery_id: int
    url: str
    message_id: str
    payload: str
    secrets: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """How an attempt went: any 2xx is a success."""

    ok: bool
    status_code: int | None = None
    error: str = ""


def claim(session: Session, vault: Vault, delivery_id: int, now: datetime) -> Attempt | None:
    """Take a due, pending delivery for one attempt (None if it is not due or someone else has
    it); a delivery whose endpoint was disabled is given up."""
    claimed = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return None
    delivery = session.get(WebhookDelivery, delivery_id, populate_existing=True)
    assert delivery is not None
    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
    if endpoint is None or not endpoint.active:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        delivery.last_error = "endpoint disabled"
        return None
    try:
        keys = tuple(vault.decrypt(endpoint.secret_encrypted))
    except ValueError:
        keys = ()
    return Attempt(delivery.id, endpoint.url, delivery.message_id, delivery.payload, keys)


def blocked_destination(url: str) -> str:
    """Why ``url`` must not be called (it resolves to a non-public address), or ""."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        return f"DNS: {exc}"
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if not address.is_global:
            return f"blocked: {address} is not a public address"
    return ""


def send(attempt: Attempt, *, allow_private: bool = False) -> Outcome:
    """POST the stored payload, signed for this attempt; no redirects, bounded time."""
    if not attempt.secrets:
        return Outcome(False, error="signing secret cannot be decrypted (ENCRYPTION_KEYS)")
    if not allow_private and (problem := blocked_destination(attempt.url)):
        return Outcome(False, error=problem)
    body = attempt.payload.encode()
    headers = outbound.signed_headers(attempt.secrets, attempt.message_id, int(time.time()), body)
    headers["user-agent"] = USER_AGENT
    try:
        with requests.post(
            attempt.url,
            data=body,
            headers=headers,
            timeout=TIMEOUT,
            allow_redirects=False,
            stream=True,
        ) as response:
            excerpt = response.raw.read(200, decode_content=True).decode("utf-8", "replace")
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
        return Outcome(False, error=f"{type(exc).__name__}: {exc}"[:500])
    if 200 <= response.status_code < 300:
        return Outcome(True, response.status_code)
    return Outcome(False, response.status_code, f"HTTP {response.status_code}: {excerpt}"[:500])


def record(session: Session, delivery_id: int, outcome: Outcome, now: datetime) -> WebhookDelivery:
    """Store an attempt's outcome and schedule the next one (or give up after the last)."""
    delivery = session.get(
        WebhookDelivery, delivery_id, with_for_update=True, populate_existing=True
    )
    assert delivery is not None
    delivery.attempts += 1
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error[:500]
    if outcome.ok:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.status == DeliveryStatus.PENDING:
        if delivery.attempts > len(RETRY_SCHEDULE):
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + RETRY_SCHEDULE[delivery.attempts - 1]
    session.flush()
    return delivery


def due_ids(session: Session, now: datetime, limit: int = SWEEP_BATCH) -> list[int]:
    """Pending deliveries whose next attempt is due, oldest first."""
    return list(
        session.scalars(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now,
            )
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(limit)
        )
    )


def run_delivery(delivery_id: int, now: datetime | None = None) -> str:
    """One attempt: claim, send, record; returns the delivery's status or "skipped".

    ``now`` (tests) fixes the clock for claiming and scheduling; the signature's timestamp is
    always the real time of sending."""
    with db.transaction() as session:
        attempt = claim(session, vault_for(current_app.config), delivery_id, now or utcnow())
    if attempt is None:
        return "skipped"
    allow_private = bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE_URLS", False))
    outcome = send(attempt, allow_private=allow_private)
    with db.transaction() as session:
        delivery = record(session, delivery_id, outcome, now or utcnow())
        status, retry_at = delivery.status, delivery.next_attempt_at
    if now is None and status == DeliveryStatus.PENDING and retry_at is not None:
        deliver_webhook.schedule((delivery_id,), eta=retry_at)  # the sweep is the backstop
    return status


@huey.task()
@with_app
def deliver_webhook(delivery_id: int, now: datetime | None = None) -> str:
    """Attempt one outbound webhook delivery now (if it is still due and nobody else has it)."""
    return run_delivery(delivery_id, now)


def sweep(now: datetime | None = None) -> list[int]:
    """Queue every due delivery: scheduled retries, and those whose job was lost."""
    with db.transaction() as session:
        ids = due_ids(session, now or utcnow())
    for delivery_id in ids:
        deliver_webhook(delivery_id, now)
    return ids


@huey.periodic_task(crontab(minute="*"))
@with_app
def webhooks_sweep() -> int:
    """Every minute: send the outbound webhooks that are due."""
    return len(sweep())
