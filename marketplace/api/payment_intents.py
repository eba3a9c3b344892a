"""Stripe-like payment intents for producers' own systems: ``/api/v1/payment_intents``.

Authenticated by the producer's API key; the money goes to that producer's own bank account.
Every POST honours ``Idempotency-Key``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from marketplace.accounts.services import audit
from marketplace.core.db import db, utcnow
from marketplace.core.errors import NotFound, ValidationError
from marketplace.payments import intents
from marketplace.payments.models import IntentStatus, PaymentIntent
from marketplace.payments.outbound import intent_object as serialize
from producers.models import Producer

from .auth import require_producer
from .blueprint import bp
from .idempotency import idempotent

MAX_METADATA_KEYS = 20
MIN_TTL, MAX_TTL = 300, 7 * 86400


def _scope() -> str:
    return f"producer:{require_producer()}"


def _body() -> dict[str, Any]:
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise ValidationError(
                "Nội dung JSON không hợp lệ. Gửi một đối tượng JSON với "
                "“Content-Type: application/json”.",
                param=None,
                code="invalid_json",
            )
        return data
    return request.form.to_dict()


def _amount(data: dict[str, Any]) -> int:
    raw = data.get("amount")
    if isinstance(raw, str) and raw.isascii() and raw.isdigit():
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ValidationError(
            "'amount' phải là số đồng nguyên (VND không có phần lẻ).", param="amount"
        )
    return raw


def _metadata(data: dict[str, Any]) -> dict[str, str]:
    meta = data.get("metadata") or {}
    if not isinstance(meta, dict) or len(meta) > MAX_METADATA_KEYS:
        raise ValidationError(
            f"'metadata' là đối tượng tối đa {MAX_METADATA_KEYS} khoá.", param="metadata"
        )
    out = {}
    for k, v in meta.items():
        if (
            not isinstance(k, str)
            or len(k) > 40
            or not isinstance(v, str | int)
            or len(str(v)) > 500
        ):
            raise ValidationError(
                "Khoá metadata ≤ 40 ký tự, giá trị ≤ 500 ký tự.", param="metadata"
            )
        out[k] = str(v)
    return out


def _ttl(data: dict[str, Any]) -> timedelta:
    raw = data.get("expires_in")
    if raw in (None, ""):
        return timedelta(hours=current_app.config["PAYMENT_INTENT_TTL_HOURS"])
    if isinstance(raw, str) and raw.isascii() and raw.isdigit():
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or not MIN_TTL <= raw <= MAX_TTL:
        raise ValidationError(
            f"'expires_in' là số giây từ {MIN_TTL} đến {MAX_TTL}.", param="expires_in"
        )
    return timedelta(seconds=raw)


@bp.post("/payment_intents")
@idempotent(_scope)
def create_payment_intent() -> ResponseReturnValue:
    """Create an intent paying the producer's own bank account; returns the QR payload and image."""
    producer_id = require_producer()
    data = _body()
    producer = db.session.get(Producer, producer_id)
    assert producer is not None
    if not (producer.bank_bin and producer.bank_account and producer.bank_account_name):
        raise ValidationError(
            "Chủ thể chưa khai báo tài khoản ngân hàng. " + intents.BANK_STEP,
            param="payee",
            code="payee_missing",
        )
    description = str(data.get("description") or "")[:200]
    intent = intents.create_intent(
        db.session,
        purpose="order",
        amount_vnd=_amount(data),
        payee=intents.Payee(producer.bank_bin, producer.bank_account, producer.bank_account_name),
        now=utcnow(),
        ttl=_ttl(data),
        producer_id=producer_id,
        description=description,
        metadata=_metadata(data),
    )
    audit(
        db.session,
        actor=f"api:{g.api_key_prefix}",
        action="payment_intent.create",
        object_type="payment_intent",
        object_id=intent.public_id,
    )
    return jsonify(serialize(intent)), 200


def _own(public_id: str) -> PaymentIntent:
    intent = intents.by_public_id(db.session, public_id)
    if intent.producer_id != require_producer():
        raise NotFound(
            "Không tìm thấy yêu cầu thanh toán. Kiểm tra mã (pi_…) và dùng khoá API của đúng chủ thể.",
            param="id",
        )
    return intent


@bp.get("/payment_intents/<public_id>")
def get_payment_intent(public_id: str) -> ResponseReturnValue:
    return jsonify(serialize(_own(public_id)))


@bp.get("/payment_intents")
def list_payment_intents() -> ResponseReturnValue:
    producer_id = require_producer()
    raw_limit = request.args.get("limit", "10")
    if not (raw_limit.isascii() and raw_limit.isdigit()) or not 1 <= int(raw_limit) <= 100:
        raise ValidationError("'limit' phải từ 1 đến 100.", param="limit")
    limit = int(raw_limit)
    stmt = select(PaymentIntent).where(PaymentIntent.producer_id == producer_id)
    status = request.args.get("status")
    if status:
        if status not in {s.value for s in IntentStatus}:
            raise ValidationError(
                "'status' phải là một trong: " + ", ".join(s.value for s in IntentStatus) + ".",
                param="status",
            )
        stmt = stmt.where(PaymentIntent.status == status)
    after = request.args.get("starting_after")
    if after:
        cursor = _own(after)
        stmt = stmt.where(PaymentIntent.id < cursor.id)
    rows = list(db.session.scalars(stmt.order_by(PaymentIntent.id.desc()).limit(limit + 1)))
    return jsonify(
        {
            "object": "list",
            "url": "/api/v1/payment_intents",
            "data": [serialize(i) for i in rows[:limit]],
            "has_more": len(rows) > limit,
        }
    )


@bp.post("/payment_intents/<public_id>/cancel")
@idempotent(_scope)
def cancel_payment_intent(public_id: str) -> ResponseReturnValue:
    """Cancel an open intent; money arriving later goes to review."""
    intent = _own(public_id)
    reason = str(_body().get("cancellation_reason") or "requested_by_customer")[:200]
    intent = intents.cancel(db.session, intent.id, reason, utcnow())
    audit(
        db.session,
        actor=f"api:{g.api_key_prefix}",
        action="payment_intent.cancel",
        object_type="payment_intent",
        object_id=intent.public_id,
    )
    return jsonify(serialize(intent))
