"""SePay webhooks: one bank transaction per POST.

Authentication. SePay's published contract (developer.sepay.vn, "Xác thực") that this module
relies on is the API-key header ``Authorization: Apikey <key>``. SePay also offers an
HMAC-SHA256 option with an ``X-SePay-Timestamp`` header and a 5-minute replay window, but its
exact string-to-sign was not available to pin here. The HMAC scheme below is the integrator
convention recorded in ``payment_vectors.json`` as ``sepay-hmac-derived`` (unpublished,
self-consistent only)::

    X-SePay-Timestamp: <unix seconds>
    X-SePay-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>

Confirm it against a real SePay delivery before enabling ``scheme="hmac"`` in production.
With the default ``scheme="auto"`` the HMAC headers are checked when present and the API key
otherwise, so anyone holding the API key can still authenticate: pin ``scheme`` to the one
configured in SePay's dashboard to close that downgrade.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Literal

from . import fields
from .base import (
    BankTransfer,
    PayloadError,
    SignatureError,
    header,
    matches_any,
    require_aware,
    usable_secrets,
)

AUTHORIZATION = "Authorization"
SIGNATURE_HEADER = "X-SePay-Signature"
TIMESTAMP_HEADER = "X-SePay-Timestamp"
TOLERANCE_SECONDS = 300
Scheme = Literal["auto", "apikey", "hmac"]


def hmac_signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` over ``timestamp + "." + body`` (the derived integrator convention)."""
    message = timestamp.encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


class SepayProvider:
    """SePay: API-key (published) or HMAC (integrator convention) auth; one transfer per body."""

    code = "sepay"

    def __init__(self, scheme: Scheme = "auto", tolerance_seconds: int = TOLERANCE_SECONDS):
        if scheme not in ("auto", "apikey", "hmac"):
            raise ValueError(f"unknown SePay auth scheme {scheme!r}")
        self.scheme = scheme
        self.tolerance_seconds = tolerance_seconds

    def verify(
        self, headers: Mapping[str, str], body: bytes, secrets: Sequence[str], now: datetime
    ) -> None:
        """Accept a matching API key, or a fresh HMAC signature when the scheme allows it."""
        keys = usable_secrets(secrets)
        signed = header(headers, SIGNATURE_HEADER) is not None
        if self.scheme == "hmac" or (self.scheme == "auto" and signed):
            self._verify_hmac(headers, body, keys, require_aware(now))
        else:
            self._verify_api_key(headers, keys)

    def parse(self, body: bytes) -> list[BankTransfer]:
        """The one transaction in a SePay webhook body."""
        data = fields.load_object(body)
        kind = fields.text(data, "transferType")
        if kind not in ("in", "out"):
            raise PayloadError(f"transferType: must be 'in' or 'out', got {kind!r}")
        transfer = BankTransfer(
            provider=self.code,
            provider_transaction_id=fields.identifier(data, "id"),
            account_number=fields.text(data, "accountNumber", allow_empty=False),
            amount=fields.amount(data, "transferAmount"),
            memo=fields.text(data, "content"),
            occurred_at=fields.local_datetime(data, "transactionDate"),
            bank_reference=fields.optional_text(data, "referenceCode"),
            # the payment code SePay recognised in the memo, if its pattern is configured
            provider_link=fields.optional_text(data, "code"),
            direction=kind,
            raw=data,
        )
        return [transfer]

    @staticmethod
    def _verify_api_key(headers: Mapping[str, str], keys: list[str]) -> None:
        value = header(headers, AUTHORIZATION)
        if value is None:
            raise SignatureError(f"missing {AUTHORIZATION} header")
        scheme, _, key = value.strip().partition(" ")
        if scheme.lower() != "apikey" or not key.strip():
            raise SignatureError(f"{AUTHORIZATION} must be 'Apikey <key>'")
        if not matches_any(keys, key.strip()):
            raise SignatureError("API key does not match")

    def _verify_hmac(
        self, headers: Mapping[str, str], body: bytes, keys: list[str], now: datetime
    ) -> None:
        signature = header(headers, SIGNATURE_HEADER)
        timestamp = header(headers, TIMESTAMP_HEADER)
        if signature is None or timestamp is None:
            raise SignatureError(f"missing {SIGNATURE_HEADER} or {TIMESTAMP_HEADER} header")
        timestamp = timestamp.strip()
        if not timestamp.isascii() or not timestamp.isdigit():
            raise SignatureError(f"{TIMESTAMP_HEADER} must be whole Unix seconds")
        if abs(now.timestamp() - int(timestamp)) > self.tolerance_seconds:
            raise SignatureError(f"{TIMESTAMP_HEADER} is outside the replay window")
        expected = [hmac_signature(key, timestamp, body) for key in keys]
        if not matches_any(expected, signature.strip().lower()):
            raise SignatureError("signature does not match")
