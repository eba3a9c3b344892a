"""Credentials at rest: Fernet (AES-128-CBC + HMAC-SHA256) with key rotation (MultiFernet).

Keys come from ``ENCRYPTION_KEYS`` (newest first). In development, without keys, one is
derived from SECRET_KEY with HKDF so a fresh checkout works; production refuses to start
without explicit keys.
"""

from __future__ import annotations

import base64
import functools
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _derived_key(secret_key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"ocop credentials at rest")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


class Vault:
    """Encrypts and decrypts small secrets (API keys, webhook secrets)."""

    def __init__(self, keys: str | None, secret_key: str):
        raw = [k.strip() for k in (keys or "").split(",") if k.strip()]
        fernets = [Fernet(k) for k in raw] or [Fernet(_derived_key(secret_key))]
        self._fernet = MultiFernet(fernets)

    def encrypt(self, values: list[str]) -> str:
        """Encrypt a list of strings into one token."""
        return self._fernet.encrypt(json.dumps(values).encode()).decode()

    def decrypt(self, token: str) -> list[str]:
        """The list of strings in ``token``; raises ValueError if it cannot be read."""
        try:
            return json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken:
            raise ValueError("credentials cannot be decrypted with the configured keys") from None

    def rotate(self, token: str) -> str:
        """Re-encrypt ``token`` under the newest key."""
        return self._fernet.rotate(token.encode()).decode()


def vault_for(config: dict) -> Vault:  # type: ignore[type-arg]
    """The vault configured for an app (built once per key set: webhooks use it per request)."""
    return _vault(config.get("ENCRYPTION_KEYS"), config["SECRET_KEY"])


@functools.lru_cache(maxsize=8)
def _vault(keys: str | None, secret_key: str) -> Vault:
    return Vault(keys, secret_key)
