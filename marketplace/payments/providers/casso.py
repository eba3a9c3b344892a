"""Casso Webhook V2: ``X-Casso-Signature: t=<ms>,v1=<hex HMAC-SHA512>``.

The signed string is ``t + "." + JSON(body)`` with the body's object keys sorted recursively
and no whitespace (pinned by Casso's published ``casso-v2-sample-1``). Casso's own samples
disagree on non-ASCII text: the Python sample escapes it (``\\u1ea1``), the JavaScript one
(``JSON.stringify``) writes UTF-8, so both forms are accepted; each is still a keyed HMAC
over the same parsed body. The signature covers a re-serialisation, not the raw bytes, so
whitespace changes in transit verify but any change of a key or value does not.

Casso publishes no replay window; we reject timestamps more than ``tolerance_seconds`` (300 s)
in the past or the future.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

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

SIGNATURE_HEADER = "X-Casso-Signature"
TOLERANCE_SECONDS = 300


def canonical_json(body: Any, *, ascii_only: bool = False) -> str:
    """Casso's string form of a body: keys sorted at every depth, no whitespace."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=ascii_only)


def casso_signature(key: str, timestamp_ms: int, body: Any, *, ascii_only: bool = False) -> str:
    """Hex HMAC-SHA512 of ``timestamp + "." + canonical JSON``."""
    message = f"{timestamp_ms}.{canonical_json(body, ascii_only=ascii_only)}"
    return hmac.new(key.encode("utf-8"), message.encode("utf-8"), hashlib.sha512).hexdigest()


def signature_header(key: str, timestamp_ms: int, body: Any) -> str:
    """The full ``X-Casso-Signature`` value Casso would send."""
    return f"t={timestamp_ms},v1={casso_signature(key, timestamp_ms, body)}"


class CassoProvider:
    """Casso V2: signed header with a replay window; ``data`` is one transaction or a list."""

    code = "casso"

    def __init__(self, tolerance_seconds: int = TOLERANCE_SECONDS):
        self.tolerance_seconds = tolerance_seconds

    def verify(
        self, headers: Mapping[str, str], body: bytes, secrets: Sequence[str], now: datetime
    ) -> None:
        """Check the timestamp window, then the HMAC against every secret."""
        keys = usable_secrets(secrets)
        value = header(headers, SIGNATURE_HEADER)
        if value is None:
            raise SignatureError(f"missing {SIGNATURE_HEADER} header")
        timestamp_ms, signatures = _parse_header(value)
        drift = abs(require_aware(now).timestamp() * 1000 - timestamp_ms)
        if drift > self.tolerance_seconds * 1000:
            raise SignatureError(f"{SIGNATURE_HEADER} timestamp is outside the replay window")
        try:
            parsed = fields.load_json(body)
        except PayloadError:
            raise SignatureError("body is not JSON, so it cannot carry a Casso signature") from None
        forms = [False] if canonical_json(parsed).isascii() else [False, True]
        expected = [
            casso_signature(key, timestamp_ms, parsed, ascii_only=ascii_only)
            for key in keys
            for ascii_only in forms
        ]
        found = False
        for provided in signatures:
            found |= matches_any(expected, provided)
        if not found:
            raise SignatureError("signature does not match")

    def parse(self, body: bytes) -> list[BankTransfer]:
        """Every transaction in ``data``; a negative ``amount`` is money out."""
        envelope = fields.load_object(body)
        error = fields.whole_number(envelope, "error")
        if error != 0:
            raise PayloadError(f"error: Casso reported error {error}")
        data = envelope.get("data")
        if isinstance(data, dict):
            items = [data]
        elif isinstance(data, list) and all(isinstance(item, dict) for item in data):
            items = data
        else:
            raise PayloadError("data: must be an object or a list of objects")
        return [self._transfer(item) for item in items]

    def _transfer(self, item: dict[str, Any]) -> BankTransfer:
        signed_amount = fields.amount(item, "amount", signed=True)
        return BankTransfer(
            provider=self.code,
            provider_transaction_id=fields.identifier(item, "id"),
            account_number=fields.text(item, "accountNumber", allow_empty=False),
            amount=abs(signed_amount),
            memo=fields.text(item, "description"),
            occurred_at=fields.local_datetime(item, "transactionDateTime"),
            bank_reference=fields.optional_text(item, "reference"),
            provider_link=None,
            direction="in" if signed_amount > 0 else "out",
            raw=item,
        )


def _parse_header(value: str) -> tuple[int, list[str]]:
    timestamp: str | None = None
    signatures: list[str] = []
    for part in value.split(","):
        name, sep, item = part.strip().partition("=")
        if not sep:
            raise SignatureError(f"{SIGNATURE_HEADER} is malformed")
        if name == "t":
            timestamp = item.strip()
        elif name == "v1":
            signatures.append(item.strip().lower())
    if timestamp is None or not timestamp.isascii() or not timestamp.isdigit() or not signatures:
        raise SignatureError(f"{SIGNATURE_HEADER} must look like 't=<ms>,v1=<hex>'")
    return int(timestamp), signatures
