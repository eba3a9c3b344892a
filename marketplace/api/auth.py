"""API authentication: ``Authorization: Bearer sk_live_…`` (or HTTP Basic with the key as
the username, as Stripe's clients send it)."""

from __future__ import annotations

import base64
from datetime import timedelta

from flask import current_app, g, request
from sqlalchemy import update

from marketplace.accounts.models import ApiKey
from marketplace.accounts.services import AuthError, key_for_secret
from marketplace.core.db import db, utcnow

LAST_USED_RESOLUTION = timedelta(minutes=10)


def _presented_secret() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value).decode().split(":", 1)[0]
        except (ValueError, UnicodeDecodeError):
            return ""
    return ""


def require_producer() -> int:
    """The producer id of the request's API key; AuthError (401) without a valid key."""
    if "api_producer_id" in g:
        return g.api_producer_id
    secret = _presented_secret()
    if not secret:
        raise AuthError("Thiếu khoá API: gửi header 'Authorization: Bearer sk_live_…'.")
    key = key_for_secret(db.session, secret)
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        # its own short transaction: the request's may be long, and SQLite has one writer
        with current_app.extensions["ocop_db"].begin() as conn:
            conn.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now))
    g.api_producer_id, g.api_key_prefix = key.producer_id, key.prefix
    return key.producer_id
