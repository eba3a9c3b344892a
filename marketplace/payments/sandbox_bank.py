"""The sandbox bank of demo mode: turns "simulate a transfer" into the signed webhook the
payee's notification service would send, delivered over HTTP to our own endpoint."""

from __future__ import annotations

import random
import secrets

import requests
from flask import current_app

from marketplace.core.crypto import vault_for
from marketplace.core.db import db, utcnow
from marketplace.core.errors import Conflict

from . import connections, intents
from .providers import sandbox


def send_transfer(
    public_id: str, base_url: str, *, amount: int | None = None, seed: int | None = None
) -> int:
    """Sign and POST one transfer for the intent; returns the webhook's HTTP status."""
    session = db.session
    intent = intents.by_public_id(session, public_id)
    connection = connections.for_account(session, intent.payee_account)
    if connection is None:
        raise Conflict(
            "Tài khoản nhận tiền chưa kết nối dịch vụ thông báo. Kết nối dịch vụ ở Quản lý › "
            "Kết nối ngân hàng.",
            param="payee",
        )
    secret = vault_for(current_app.config).decrypt(connection.secrets_encrypted)[0]
    rng = random.Random(seed)
    memo = sandbox.mangle_memo(f"{intent.reference_code} {intent.description}", rng)
    signed = sandbox.signed_webhook(
        connection.provider,
        secret,
        intent.payee_account,
        amount if amount is not None else max(intent.amount_due_vnd, 1),
        memo,
        str(rng.randint(10**7, 10**9))
        if seed is not None
        else str(secrets.randbelow(10**9) + 10**7),
        utcnow(),
        order_code=intent.id,
    )
    token, provider = connection.token, connection.provider
    session.rollback()  # nothing to write here; release the read before the HTTP call
    response = requests.post(
        f"{base_url.rstrip('/')}/webhooks/{provider}/{token}",
        data=signed.body,
        headers=signed.headers,
        timeout=15,
    )
    return response.status_code
