"""Inbound bank-notification webhooks: verify first, then store once, then match in a job."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from marketplace.core.crypto import vault_for
from marketplace.core.db import db, utcnow
from marketplace.extensions import csrf, limiter

from . import connections, ledger
from .providers.base import PayloadError, SignatureError
from .providers.registry import PROVIDERS

bp = Blueprint("bank_webhooks", __name__)
csrf.exempt(bp)
limiter.exempt(bp)


def _error(status: int, code: str, message: str) -> ResponseReturnValue:
    body = {
        "success": False,
        "error": {"type": "invalid_request_error", "code": code, "message": message, "param": None},
    }
    return jsonify(body), status


@bp.post("/webhooks/<provider>/<token>")
def receive(provider: str, token: str) -> ResponseReturnValue:
    """One notification from SePay, Casso or payOS for the connection named by ``token``."""
    if provider not in PROVIDERS:
        return _error(
            404,
            "resource_missing",
            "Unknown provider: use the webhook URL shown under Kết nối ngân hàng "
            "(/webhooks/sepay|casso|payos/<token>).",
        )
    connection = connections.by_token(db.session, provider, token)
    secrets = vault_for(current_app.config).decrypt(connection.secrets_encrypted)
    body = request.get_data(cache=False)
    now = utcnow()
    handler = PROVIDERS[provider]
    try:
        handler.verify(request.headers, body, secrets, now)
    except SignatureError as exc:
        return _error(
            401,
            "signature_invalid",
            f"{exc}. Check that the secret saved under Kết nối ngân hàng is the provider's "
            "current webhook secret.",
        )
    try:
        transfers = handler.parse(body)
    except PayloadError as exc:
        return _error(
            400,
            "payload_invalid",
            f"{exc}. Send the provider's documented webhook body unchanged.",
        )
    created = ledger.record(db.session, transfers, now, connection, body.decode("utf-8", "replace"))
    if created:
        from marketplace.payments.tasks import match_transactions

        db.after_commit(lambda: match_transactions(created))
    return jsonify({"success": True, "received": len(transfers), "new": len(created)})
