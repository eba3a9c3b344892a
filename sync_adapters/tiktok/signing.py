"""TikTok Shop's request and webhook signatures ("Sign your API request", "Webhooks overview").

Requests: s = path + concat(sorted(query minus ``sign`` and ``access_token``) as key + value)
+ body (the exact bytes sent, left out for multipart/form-data); sign = lower hex
HMAC-SHA256(key=app_secret, msg=app_secret + s + app_secret).
Webhooks: the ``Authorization`` header = lower hex HMAC-SHA256(app_secret, app_key + raw body).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

_UNSIGNED = ("sign", "access_token")


def base_string(path: str, query: Mapping[str, object], body: str | bytes | None = None) -> str:
    """Path, sorted query pairs, then the body (``None`` for GET and multipart uploads)."""
    parts = [f"{key}{query[key]}" for key in sorted(query) if key not in _UNSIGNED]
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    return path + "".join(parts) + (body or "")


def wrapped_string(
    app_secret: str, path: str, query: Mapping[str, object], body: str | bytes | None = None
) -> str:
    """The base string wrapped in the app secret on both sides (what is actually hashed)."""
    return app_secret + base_string(path, query, body) + app_secret


def sign(
    app_secret: str, path: str, query: Mapping[str, object], body: str | bytes | None = None
) -> str:
    """Lower-case hex HMAC-SHA256 of the wrapped string keyed with the app secret."""
    message = wrapped_string(app_secret, path, query, body).encode("utf-8")
    return hmac.new(app_secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify(
    app_secret: str,
    path: str,
    query: Mapping[str, object],
    body: str | bytes | None,
    given: str,
) -> bool:
    """Whether ``given`` is the right request signature (constant-time)."""
    return hmac.compare_digest(sign(app_secret, path, query, body), str(given or "").lower())


def webhook_signature(app_key: str, app_secret: str, raw_body: str | bytes) -> str:
    """The ``Authorization`` header TikTok puts on a webhook delivery."""
    if isinstance(raw_body, str):
        raw_body = raw_body.encode("utf-8")
    message = app_key.encode("utf-8") + raw_body
    return hmac.new(app_secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify_webhook(app_key: str, app_secret: str, raw_body: str | bytes, header: str) -> bool:
    """Whether a webhook's ``Authorization`` header is genuine (constant-time)."""
    expected = webhook_signature(app_key, app_secret, raw_body)
    return hmac.compare_digest(expected, str(header or "").strip().lower())
