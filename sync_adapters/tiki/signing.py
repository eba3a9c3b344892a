"""TikiNOW fulfilment webhooks: ``x-signature: sha1=<hex HMAC-SHA1(secret_key, raw body)>``.

Tiki's seller Open API requests are NOT signed (OAuth2 bearer tokens, client_secret_basic at
the token endpoint); only the webhooks TikiNOW sends to a registered URL carry this header.
"""

from __future__ import annotations

import hashlib
import hmac


def webhook_signature(secret_key: str, raw_body: bytes | str) -> str:
    """The ``x-signature`` header value for a webhook body: ``"sha1=" + lower hex``."""
    body = raw_body.encode("utf-8") if isinstance(raw_body, str) else raw_body
    return "sha1=" + hmac.new(secret_key.encode("utf-8"), body, hashlib.sha1).hexdigest()


def verify_webhook(secret_key: str, raw_body: bytes | str, header: str | None) -> bool:
    """True when ``header`` is the signature of exactly these body bytes."""
    if not header:
        return False
    return hmac.compare_digest(webhook_signature(secret_key, raw_body), header.strip().lower())
