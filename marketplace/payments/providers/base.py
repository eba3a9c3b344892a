"""What every bank-notification provider hands the rest of the platform.

A provider adapter does two things, in this order: ``verify`` the request came from the
provider (headers + the raw body bytes, before anything is parsed or stored), then ``parse``
the body into ``BankTransfer`` dataclasses. Secrets come as a sequence so an old and a new
secret can both be active while a key is rotated; every comparison goes through
``hmac.compare_digest`` and every secret is tried, so timing reveals neither the expected
value nor which secret matched.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Literal, Protocol

VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")  # Vietnam has had no DST since 1975
Direction = Literal["in", "out"]


class ProviderError(Exception):
    """Base of the errors a webhook endpoint turns into an HTTP status."""

    status = 400


class SignatureError(ProviderError):
    """The request cannot be shown to come from the provider: answer 401, store nothing."""

    status = 401


class PayloadError(ProviderError):
    """An authenticated body that is malformed (message names the field): answer 400."""

    status = 400


@dataclass(frozen=True)
class BankTransfer:
    """One bank transaction as a provider reported it; ``amount`` is whole đồng, always > 0."""

    provider: str
    provider_transaction_id: str
    account_number: str
    amount: int
    memo: str
    occurred_at: datetime
    bank_reference: str | None
    provider_link: str | None
    direction: Direction
    raw: dict[str, Any] = field(repr=False, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount <= 0:
            raise ValueError("amount must be a positive whole number of đồng")
        if self.direction not in ("in", "out"):
            raise ValueError("direction must be 'in' or 'out'")
        if self.occurred_at.utcoffset() is None:
            raise ValueError("occurred_at must be timezone-aware")
        if not self.provider_transaction_id:
            raise ValueError("provider_transaction_id must not be empty")


class Provider(Protocol):
    """A bank-notification service: SePay, Casso, payOS."""

    code: str

    def verify(
        self, headers: Mapping[str, str], body: bytes, secrets: Sequence[str], now: datetime
    ) -> None:
        """Return if the request is authentic, else raise SignatureError."""
        ...

    def parse(self, body: bytes) -> list[BankTransfer]:
        """The transfers in an already verified body; PayloadError if it is malformed."""
        ...


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header's value, looked up case-insensitively (plain dicts in tests, Werkzeug live)."""
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    for key, candidate in headers.items():
        if key.lower() == wanted:
            return candidate
    return None


def usable_secrets(secrets: Sequence[str]) -> list[str]:
    """The non-empty secrets; SignatureError when none is configured (never accept blindly)."""
    if isinstance(secrets, str):
        raise TypeError("secrets must be a sequence of strings, not one string")
    usable = [s for s in secrets if s]
    if not usable:
        raise SignatureError("no webhook secret is configured")
    return usable


def matches_any(expected: Iterable[str], provided: str) -> bool:
    """Constant-time: does ``provided`` equal any expected value? Compares against all of them."""
    given = _bytes(provided)
    found = False
    for candidate in expected:
        found |= hmac.compare_digest(_bytes(candidate), given)
    return found


def require_aware(now: datetime) -> datetime:
    """``now`` must carry a timezone: a naive clock would shift every window by hours."""
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now


def _bytes(value: str) -> bytes:
    # compare_digest refuses non-ASCII str; header values may hold anything
    return value.encode("utf-8", "surrogatepass")
