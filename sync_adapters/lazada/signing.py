"""Lazada's request signature (Open Platform "Signature algorithm").

base = api_path + concat(sorted(params minus ``sign`` and file params) as key + value);
sign = UPPER hex HMAC-SHA256(key=app_secret, msg=base). Text form fields such as ``payload``
are signed like query parameters; uploaded files never are.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

SIGN_METHOD = "sha256"


def base_string(api_path: str, params: Mapping[str, object]) -> str:
    """The string Lazada signs: the API path, then every text parameter sorted by name."""
    parts = [f"{key}{params[key]}" for key in sorted(params) if key != "sign"]
    return api_path + "".join(parts)


def sign(app_secret: str, api_path: str, params: Mapping[str, object]) -> str:
    """Upper-case hex HMAC-SHA256 of ``base_string`` keyed with the app secret."""
    digest = hmac.new(
        app_secret.encode("utf-8"), base_string(api_path, params).encode("utf-8"), hashlib.sha256
    )
    return digest.hexdigest().upper()


def verify(app_secret: str, api_path: str, params: Mapping[str, object], given: str) -> bool:
    """Whether ``given`` is the right signature (constant-time)."""
    return hmac.compare_digest(sign(app_secret, api_path, params), str(given or "").upper())
