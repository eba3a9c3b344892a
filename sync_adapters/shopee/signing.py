"""Shopee Open Platform v2 signatures: HMAC-SHA256 with the partner key, lower-case hex.

Public APIs (authorisation, tokens, media space) sign ``partner_id + path + timestamp``;
shop APIs append ``access_token + shop_id`` (merchant APIs: ``merchant_id``). The request body
is never signed. Push notifications carry ``HMAC(partner_key, url + "|" + raw_body)`` in their
``Authorization`` header.
"""

from __future__ import annotations

import hashlib
import hmac

#: How far a request's timestamp may be from Shopee's clock, in seconds.
TIMESTAMP_WINDOW_S = 300


def base_string(
    partner_id: int | str,
    path: str,
    timestamp: int | str,
    access_token: str | None = None,
    shop_id: int | str | None = None,
) -> str:
    """The string Shopee signs: ``partner_id + path + timestamp [+ access_token + shop_id]``."""
    base = f"{partner_id}{path}{timestamp}"
    if access_token is not None and shop_id is not None:
        base += f"{access_token}{shop_id}"
    return base


def hmac_hex(partner_key: str, message: str) -> str:
    """Lower-case hex HMAC-SHA256 of ``message`` keyed with ``partner_key`` (both UTF-8)."""
    return hmac.new(partner_key.encode(), message.encode(), hashlib.sha256).hexdigest()


def sign(
    partner_key: str,
    partner_id: int | str,
    path: str,
    timestamp: int | str,
    access_token: str | None = None,
    shop_id: int | str | None = None,
) -> str:
    """The ``sign`` query parameter of one request."""
    return hmac_hex(partner_key, base_string(partner_id, path, timestamp, access_token, shop_id))


def signed_params(
    partner_key: str,
    partner_id: int | str,
    path: str,
    timestamp: int,
    access_token: str | None = None,
    shop_id: int | str | None = None,
) -> dict[str, str]:
    """The common query parameters every v2 call carries (shop APIs: with token and shop)."""
    params = {
        "partner_id": str(partner_id),
        "timestamp": str(timestamp),
        "sign": sign(partner_key, partner_id, path, timestamp, access_token, shop_id),
    }
    if access_token is not None and shop_id is not None:
        params["access_token"] = access_token
        params["shop_id"] = str(shop_id)
    return params


def push_base_string(url: str, raw_body: str | bytes) -> str:
    """What a push notification's ``Authorization`` header signs: ``url|raw_body``."""
    body = raw_body.decode() if isinstance(raw_body, bytes) else raw_body
    return f"{url}|{body}"


def push_signature(url: str, raw_body: str | bytes, partner_key: str) -> str:
    """The ``Authorization`` header Shopee sends with a push to ``url``."""
    return hmac_hex(partner_key, push_base_string(url, raw_body))


def verify_push(url: str, raw_body: str | bytes, partner_key: str, authorization: str) -> bool:
    """True when a push's ``Authorization`` header matches (constant-time comparison)."""
    return hmac.compare_digest(push_signature(url, raw_body, partner_key), authorization.strip())
