"""Outbound webhooks: producers' endpoints, Standard Webhooks signing, and emitting events.

An event becomes one WebhookDelivery row per endpoint in the same transaction as the state
change that caused it, so it is never sent for a change that rolled back and never lost when
the queue drops a message: the row is the schedule, the job only makes it prompt and the
sweep (outbound_tasks) finds whatever is due. The payload is stored once and sent byte for
byte on every retry and replay under the same ``webhook-id``, so receivers can deduplicate.

The event's ``data.object`` has the shape of the API's payment intent. It is built here rather
than imported from ``marketplace.api`` because payments sits below the API in the import
layers; a test pins the two shapes together.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for
from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from marketplace.core.crypto import Vault
from marketplace.core.db import db
from marketplace.core.errors import NotFound, ValidationError

from .models import IntentStatus, PaymentIntent
from .models_extra import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from .vietqr import banks

S = IntentStatus
EVENTS_BY_STATUS: dict[str, str] = {
    S.SUCCEEDED: "payment_intent.succeeded",
    S.PARTIALLY_PAID: "payment_intent.partially_paid",
    S.EXPIRED: "payment_intent.expired",
    S.CANCELED: "payment_intent.canceled",
}
EVENT_TYPES: tuple[str, ...] = tuple(EVENTS_BY_STATUS.values())
SECRET_PREFIX = "whsec_"
TOLERANCE_SECONDS = 5 * 60
MAX_ENDPOINTS = 10
_EMITTED = "outbound_emitted"  # session.info key: payloads to rebuild just before commit


# --- Signing (https://www.standardwebhooks.com) -------------------------------------------


class WebhookVerificationError(Exception):
    """A webhook whose headers, timestamp or signature do not check out."""


def new_secret() -> str:
    """A fresh signing secret: "whsec_" + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def new_message_id() -> str:
    """A Standard Webhooks message id ("msg_…"), the same on every retry and replay."""
    return "msg_" + secrets.token_urlsafe(18)


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)


def _as_bytes(body: str | bytes) -> bytes:
    return body.encode() if isinstance(body, str) else body


def sign(secret: str, message_id: str, timestamp: int, body: str | bytes) -> str:
    """One signature: "v1," + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))."""
    signed = f"{message_id}.{timestamp}.".encode() + _as_bytes(body)
    mac = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def signed_headers(
    secrets_: Sequence[str], message_id: str, timestamp: int, body: str | bytes
) -> dict[str, str]:
    """The headers of one attempt; one signature per secret (two while rotating)."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(s, message_id, timestamp, body) for s in secrets_),
        "content-type": "application/json",
    }


def verify(
    secret: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    body: str | bytes,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> None:
    """Check a received webhook (for receivers and tests); raises WebhookVerificationError."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    found = {k.lower(): v for k, v in items}
    message_id = found.get("webhook-id", "")
    raw_timestamp = found.get("webhook-timestamp", "")
    signatures = found.get("webhook-signature", "")
    if not (message_id and raw_timestamp and signatures):
        raise WebhookVerificationError("missing webhook-id, -timestamp or -signature header")
    try:
        timestamp = int(raw_timestamp)
    except ValueError:
        raise WebhookVerificationError("webhook-timestamp is not a number") from None
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise WebhookVerificationError("webhook-timestamp is outside the tolerance window")
    expected = sign(secret, message_id, timestamp, body).removeprefix("v1,").encode()
    for candidate in signatures.split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            return
    raise WebhookVerificationError("no matching signature")


# --- Events -------------------------------------------------------------------------------


def _external_url(endpoint: str, **values: Any) -> str:
    """On PUBLIC_BASE_URL when set, else the request host; jobs without either get localhost."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base and (has_request_context() or current_app.config.get("SERVER_NAME")):
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(base or "http://localhost")
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


def intent_object(intent: PaymentIntent) -> dict[str, Any]:
    """The payment intent as the API and webhooks show it (one shape for both)."""
    return {
        "id": intent.public_id,
        "object": "payment_intent",
        "amount": intent.amount_vnd,
        "amount_received": intent.amount_received_vnd,
        "currency": "vnd",
        "status": intent.status,
        "purpose": intent.purpose,
        "reference_code": intent.reference_code,
        "description": intent.description,
        "metadata": json.loads(intent.metadata_json or "{}"),
        "payee": {
            "bin": intent.payee_bin,
            "bank": banks().get(intent.payee_bin),
            "account": intent.payee_account,
            "name": intent.payee_name,
        },
        "qr": {
            "payload": intent.qr_payload,
            "image_url": _external_url("payments.qr_image", public_id=intent.public_id, fmt="png"),
            "svg_url": _external_url("payments.qr_image", public_id=intent.public_id, fmt="svg"),
        },
        "created": int(intent.created_at.timestamp()),
        "expires_at": int(intent.expires_at.timestamp()),
        "canceled_at": int(intent.canceled_at.timestamp()) if intent.canceled_at else None,
        "cancellation_reason": intent.cancellation_reason or None,
        "succeeded_at": int(intent.succeeded_at.timestamp()) if intent.succeeded_at else None,
    }


def _payload(intent: PaymentIntent, event_type: str, now: datetime) -> str:
    stamp = now.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    body = {"type": event_type, "timestamp": stamp, "data": {"object": intent_object(intent)}}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


@functools.cache
def _endpoints_statement() -> Any:
    """Built once (bound producer): every payment state change runs it."""
    return (
        select(WebhookEndpoint)
        .where(
            WebhookEndpoint.producer_id == bindparam("producer_id"),
            WebhookEndpoint.active.is_(True),
        )
        .order_by(WebhookEndpoint.id)
    )


def emit(
    session: Session, intent: PaymentIntent, event_type: str, now: datetime
) -> list[WebhookDelivery]:
    """Queue ``event_type`` for every active endpoint of the intent's producer that wants it.

    The deliveries are sent by a job enqueued after commit. Fees (money to the operator) and
    intents without a producer are not sent."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    if intent.producer_id is None or intent.purpose == "fee":
        return []
    endpoints = [
        e
        for e in session.scalars(_endpoints_statement(), {"producer_id": intent.producer_id})
        if e.wants(event_type)
    ]
    if not endpoints:
        return []
    message_id, payload = new_message_id(), _payload(intent, event_type, now)
    deliveries = [
        WebhookDelivery(
            endpoint_id=e.id,
            message_id=message_id,
            event_type=event_type,
            payload=payload,
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            last_error="",
            created_at=now,
        )
        for e in endpoints
    ]
    session.add_all(deliveries)
    session.flush()
    session.info.setdefault(_EMITTED, []).append((intent, event_type, now, deliveries))
    ids = [d.id for d in deliveries]
    db.after_commit(lambda: enqueue(ids))
    return deliveries


def enqueue(delivery_ids: Sequence[int]) -> None:
    """Hand deliveries to the job queue (call after commit)."""
    from .outbound_tasks import deliver_webhook  # the tasks module imports this one

    for delivery_id in delivery_ids:
        deliver_webhook(delivery_id)


@event.listens_for(Session, "before_commit")
def _rebuild_payloads(session: Session) -> None:
    """Rebuild each emitted payload from the intent as it is committed: changes made after the
    transition in the same transaction (``cancel()`` sets the reason afterwards) belong in it."""
    for intent, event_type, now, deliveries in session.info.pop(_EMITTED, []):
        live = [d for d in deliveries if d in session]
        if live and intent in session:
            payload = _payload(intent, event_type, now)
            for delivery in live:
                delivery.payload = payload


@event.listens_for(Session, "after_rollback")
def _forget_payloads(session: Session) -> None:
    session.info.pop(_EMITTED, None)


# --- Producers' endpoints -----------------------------------------------------------------


def _clean_url(raw: str) -> str:
    url = (raw or "").strip()
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 (raises on a malformed port)
    except ValueError:
        parts = urlsplit("")
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username
        or parts.password
        or len(url) > 500
        or any(c.isspace() for c in url)
    ):
        raise ValidationError(
            "Địa chỉ nhận phải là URL http:// hoặc https:// đầy đủ (tối đa 500 ký tự).",
            param="url",
        )
    return url


def _clean_events(events: Sequence[str]) -> str:
    chosen = {e.strip() for e in events if e and e.strip()}
    if not chosen or "*" in chosen or chosen >= set(EVENT_TYPES):
        return "*"
    if not chosen <= set(EVENT_TYPES):
        raise ValidationError(
            "Loại sự kiện không hợp lệ. Chọn sự kiện trong danh sách, hoặc không chọn để nhận tất cả.",
            param="events",
        )
    return ",".join(t for t in EVENT_TYPES if t in chosen)


def create_endpoint(
    session: Session, vault: Vault, producer_id: int, url: str, events: Sequence[str] = ()
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (returned once; stored encrypted)."""
    clean_url, clean_events = _clean_url(url), _clean_events(events)
    active = session.scalars(
        select(WebhookEndpoint.id).where(
            WebhookEndpoint.producer_id == producer_id, WebhookEndpoint.active.is_(True)
        )
    ).all()
    if len(active) >= MAX_ENDPOINTS:
        raise ValidationError(
            f"Tối đa {MAX_ENDPOINTS} địa chỉ nhận đang hoạt động; hãy tắt bớt.", param="url"
        )
    secret = new_secret()
    endpoint = WebhookEndpoint(
        public_id="we_" + secrets.token_hex(12),
        producer_id=producer_id,
        url=clean_url,
        secret_encrypted=vault.encrypt([secret]),
        events=clean_events,
        active=True,
    )
    session.add(endpoint)
    session.flush()
    return endpoint, secret


def endpoints_of(session: Session, producer_id: int) -> list[WebhookEndpoint]:
    """A producer's endpoints, newest first."""
    return list(
        session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.producer_id == producer_id)
            .order_by(WebhookEndpoint.id.desc())
        )
    )


def endpoint_of(session: Session, endpoint_id: int, producer_id: int) -> WebhookEndpoint:
    """One of the producer's endpoints, or NotFound."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.producer_id != producer_id:
        raise NotFound(
            "Không tìm thấy địa chỉ nhận webhook này. Tải lại trang Webhook.", param="id"
        )
    return endpoint


def disable_endpoint(session: Session, endpoint_id: int, producer_id: int) -> WebhookEndpoint:
    """Stop sending to an endpoint (its pending deliveries are given up when they come due)."""
    endpoint = endpoint_of(session, endpoint_id, producer_id)
    endpoint.active = False
    session.flush()
    return endpoint


def deliveries_of(
    session: Session, endpoint: WebhookEndpoint, limit: int = 50
) -> list[WebhookDelivery]:
    """The endpoint's latest deliveries, newest first."""
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
    )


def replay(
    session: Session, endpoint_id: int, delivery_id: int, producer_id: int, now: datetime
) -> WebhookDelivery:
    """Send a delivery again, same payload and webhook-id, with a fresh retry schedule."""
    endpoint = endpoint_of(session, endpoint_id, producer_id)
    delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if delivery is None or delivery.endpoint_id != endpoint.id:
        raise NotFound("Không tìm thấy lần gửi webhook này. Tải lại trang Webhook.", param="id")
    if not endpoint.active:
        raise ValidationError(
            "Địa chỉ nhận này đã tắt. Thêm lại địa chỉ nhận rồi gửi lại.",
            param="id",
            code="endpoint_disabled",
        )
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.delivered_at = None
    session.flush()
    db.after_commit(lambda: enqueue([delivery_id]))
    return delivery
