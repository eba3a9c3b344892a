"""payOS: the signature travels inside the webhook body, over its ``data`` object.

``signature = hex HMAC-SHA256(checksum_key, "k1=v1&k2=v2...")`` with ``data``'s keys sorted;
null is the empty string, nested lists and objects are compact JSON with their keys sorted.
That rule reproduces every payOS SDK test case and the payOS docs' webhook sample in
``payment_vectors.json``. Unpinned corners (no published case covers them): booleans are
written ``true``/``false`` and non-ASCII inside nested JSON is left unescaped, as JavaScript's
``JSON.stringify`` does.

payOS sends no timestamp, so there is no replay window: a replayed webhook carries a
transaction the ledger already holds, and the ledger's unique provider reference absorbs it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from . import fields
from .base import BankTransfer, PayloadError, SignatureError, matches_any, usable_secrets

LINK_FIELDS = ("amount", "cancelUrl", "description", "orderCode", "returnUrl")
SUCCESS = "00"
DESCRIPTION_LIMIT_UNLINKED = 9  # payOS: accounts not linked through payOS keep 9 characters
DESCRIPTION_LIMIT_LINKED = 25  # payOS API reference's maximum for linked accounts (unverified)


def payos_value(value: Any) -> str:
    """One value as payOS writes it into the string to sign."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # JavaScript prints 3000.0 as 3000
    return str(value)


def payos_signature(data: Mapping[str, Any], key: str) -> str:
    """payOS checksum of an object: HMAC-SHA256 over its sorted ``k=v`` pairs."""
    message = "&".join(f"{name}={payos_value(data[name])}" for name in sorted(data))
    return hmac.new(key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def payment_link_signature(request: Mapping[str, Any], key: str) -> str:
    """Checksum of a create-payment-link request: only its five LINK_FIELDS are signed."""
    missing = [name for name in LINK_FIELDS if name not in request]
    if missing:
        raise ValueError(f"payment link request lacks {', '.join(missing)}")
    return payos_signature({name: request[name] for name in LINK_FIELDS}, key)


def description_for_link(memo: str, *, linked_account: bool = False) -> str:
    """The part of ``memo`` payOS will carry: 9 characters unless the account is linked.

    Whether payOS refuses or cuts a longer description is not pinned here; either way only
    the first 9 characters are safe, so a reference code that must survive fits in them.
    """
    limit = DESCRIPTION_LIMIT_LINKED if linked_account else DESCRIPTION_LIMIT_UNLINKED
    return memo.strip()[:limit]


def bank_transfer(
    item: dict[str, Any],
    *,
    link_id: str | None,
    order_code_from: dict[str, Any],
    raw: dict[str, Any],
) -> BankTransfer:
    """One payOS transaction as a BankTransfer: the webhook and the API pull share it, so a
    transfer seen both ways gets the same identity and is stored once."""
    reference = fields.text(item, "reference", allow_empty=False)
    return BankTransfer(
        provider="payos",
        # a bank reference is unique only within its bank; the link id makes it payOS-wide
        provider_transaction_id=f"{link_id}:{reference}" if link_id else reference,
        account_number=fields.text(item, "accountNumber", allow_empty=False),
        amount=fields.amount(item, "amount"),
        memo=fields.text(item, "description"),
        occurred_at=fields.local_datetime(item, "transactionDateTime"),
        bank_reference=reference,
        provider_link=str(fields.whole_number(order_code_from, "orderCode")),
        direction="in",
        raw=raw,
    )


class PayosProvider:
    """payOS payment-link webhooks; ``provider_link`` is the link's ``orderCode``."""

    code = "payos"

    def verify(
        self, headers: Mapping[str, str], body: bytes, secrets: Sequence[str], now: datetime
    ) -> None:
        """Check the in-body signature over ``data`` against every checksum key."""
        keys = usable_secrets(secrets)
        try:
            envelope = fields.load_object(body)
        except PayloadError:
            raise SignatureError("body is not a JSON object, so it carries no signature") from None
        data, signature = envelope.get("data"), envelope.get("signature")
        if not isinstance(data, dict) or not isinstance(signature, str) or not signature:
            raise SignatureError("body lacks data or signature")
        expected = [payos_signature(data, key) for key in keys]
        if not matches_any(expected, signature.strip().lower()):
            raise SignatureError("signature does not match")

    def parse(self, body: bytes) -> list[BankTransfer]:
        """The paid transaction; none when ``data.code`` is not ``00``.

        Only ``data`` is signed, so nothing outside it (the envelope's ``code``, ``desc``,
        ``success``) decides anything.
        """
        envelope = fields.load_object(body)
        data = fields.obj(envelope, "data")
        if data.get("code", SUCCESS) != SUCCESS:
            return []
        link_id = fields.optional_text(data, "paymentLinkId")
        return [bank_transfer(data, link_id=link_id, order_code_from=data, raw=data)]
