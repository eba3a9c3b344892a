"""Pulling recent transactions from a provider's API when a webhook may have been lost.

Pure library code: ``requests`` with explicit timeouts in, ``BankTransfer`` dataclasses out.
Every transfer carries the same ``provider_transaction_id`` the webhook parser would give it
(SePay and Casso: their numeric ``id``; payOS: ``paymentLinkId:reference``), so a transaction
seen both ways is stored once by the ledger.

Documented shapes followed here: SePay's user API v1 (``/userapi/transactions/list``; its
docs show ``id`` and the amounts as strings such as ``"18067000.00"``, so both strings and
numbers are read), Casso API v2 (``/v2/transactions``, paginated; the record's account is
``bankSubAccId``; ``when`` may be a date, a date-time or an ISO date-time) and payOS
(``/v2/payment-requests/{orderCode}``, ``data`` signed like the webhook's ``data``).

Errors are ``PullError``: timeouts, connection failures, 429 and 5xx are ``retryable``;
401/403 (wrong credentials) and other 4xx or malformed answers are permanent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests

from . import fields, payos
from .base import VIETNAM_TZ, BankTransfer, PayloadError, matches_any, usable_secrets
from .payos import SUCCESS, payos_signature

#: (connect, read) seconds: a buyer is waiting, and the job retries anyway
TIMEOUT = (3.05, 10.0)
MAX_CASSO_PAGES = 20
#: the providers' public API hosts, used when a connection names none
DEFAULT_BASE_URLS = {
    "sepay": "https://my.sepay.vn",
    "casso": "https://oauth.casso.vn",
    "payos": "https://api-merchant.payos.vn",
}
_DECIMAL = re.compile(r"^-?\d+(\.0+)?$")


class PullError(Exception):
    """A pull failed; ``retryable`` says whether trying again later can help."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.status = status


@dataclass
class PullClient:
    """Shared HTTP plumbing for the three provider clients."""

    base_url: str
    timeout: tuple[float, float] = TIMEOUT
    #: an optional shared session (connection reuse); plain ``requests.get`` otherwise
    http: requests.Session | None = field(default=None, repr=False)

    def _get(self, path: str, headers: Mapping[str, str], params: Mapping[str, Any]) -> Any:
        url = self.base_url.rstrip("/") + path
        try:
            response = (self.http or requests).get(
                url,
                headers=dict(headers),
                params=dict(params),
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.Timeout:
            raise PullError(
                f"{url}: no answer within {self.timeout[1]} s", retryable=True
            ) from None
        except requests.RequestException as exc:
            raise PullError(
                f"{url}: cannot connect ({type(exc).__name__})", retryable=True
            ) from None
        status = response.status_code
        detail = response.text[:200]
        if status in (401, 403):
            raise PullError(
                f"API credentials were rejected (HTTP {status}): {detail}",
                retryable=False,
                status=status,
            )
        if status == 429 or status >= 500:
            raise PullError(
                f"provider busy or failing (HTTP {status})", retryable=True, status=status
            )
        if status != 200:
            raise PullError(f"unexpected HTTP {status}: {detail}", retryable=False, status=status)
        try:
            return response.json()
        except ValueError:
            raise PullError("answer is not JSON", retryable=False, status=status) from None


@dataclass
class SepayClient(PullClient):
    """SePay user API: ``Authorization: Bearer <API token>``."""

    token: str = ""

    def recent(self, account: str, since: datetime, limit: int = 100) -> list[BankTransfer]:
        """Transactions into ``account`` on or after the day of ``since`` (newest ``limit``)."""
        body = self._get(
            "/userapi/transactions/list",
            {"Authorization": f"Bearer {self.token}"},
            {
                "account_number": account,
                "transaction_date_min": since.astimezone(VIETNAM_TZ).strftime("%Y-%m-%d"),
                "limit": limit,
            },
        )
        if not isinstance(body, dict) or not (body.get("messages") or {}).get("success"):
            raise PullError(f"SePay reported failure: {str(body)[:200]}", retryable=False)
        return _mapped(body.get("transactions"), _sepay_transfer)


@dataclass
class CassoClient(PullClient):
    """Casso API v2: ``Authorization: Apikey <key>``; pages followed up to MAX_CASSO_PAGES."""

    api_key: str = ""
    page_size: int = 100

    def recent(self, since: datetime) -> list[BankTransfer]:
        """Every transaction from the day of ``since`` on, all of the key's accounts."""
        transfers: list[BankTransfer] = []
        page: int | None = 1
        while page is not None and page <= MAX_CASSO_PAGES:
            body = self._get(
                "/v2/transactions",
                {"Authorization": f"Apikey {self.api_key}"},
                {
                    "fromDate": since.astimezone(VIETNAM_TZ).strftime("%Y-%m-%d"),
                    "page": page,
                    "pageSize": self.page_size,
                    "sort": "ASC",
                },
            )
            if not isinstance(body, dict) or body.get("error") != 0:
                raise PullError(f"Casso reported failure: {str(body)[:200]}", retryable=False)
            data = body.get("data") or {}
            transfers += _mapped(data.get("records"), _casso_transfer)
            next_page = data.get("nextPage")
            page = next_page if isinstance(next_page, int) and next_page > page else None
        return transfers


@dataclass
class PayosClient(PullClient):
    """payOS merchant API: ``x-client-id`` / ``x-api-key``; answers verified by checksum key."""

    client_id: str = ""
    api_key: str = ""
    checksum_keys: Sequence[str] = ()

    def payments(self, order_code: int) -> list[BankTransfer]:
        """The transactions that paid payment link ``order_code`` (signature checked first)."""
        body = self._get(
            f"/v2/payment-requests/{int(order_code)}",
            {"x-client-id": self.client_id, "x-api-key": self.api_key},
            {},
        )
        if not isinstance(body, dict) or body.get("code") != SUCCESS:
            raise PullError(f"payOS reported failure: {str(body)[:200]}", retryable=False)
        data, signature = body.get("data"), body.get("signature")
        if not isinstance(data, dict) or not isinstance(signature, str):
            raise PullError("payOS answer lacks data or signature", retryable=False)
        expected = [payos_signature(data, key) for key in usable_secrets(self.checksum_keys)]
        if not matches_any(expected, signature.strip().lower()):
            raise PullError("payOS answer signature does not match", retryable=False)
        items = data.get("transactions") or []
        if not isinstance(items, list):
            raise PullError("payOS data.transactions: must be a list", retryable=False)
        return _mapped(
            [{"_link": data, **t} for t in items if isinstance(t, dict)], _payos_transfer
        )


def _mapped(items: Any, mapper: Any) -> list[BankTransfer]:
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise PullError("transactions: must be a list of objects", retryable=False)
    try:
        return [t for t in (mapper(item) for item in items) if t is not None]
    except (PayloadError, ValueError) as exc:
        raise PullError(f"malformed transaction: {exc}", retryable=False) from None


def _money(item: dict[str, Any], name: str) -> int:
    """A whole-đồng amount sent as a number or a decimal string (``"18067000.00"``)."""
    value = item.get(name)
    if isinstance(value, str):
        if not _DECIMAL.match(value.strip()):
            raise PayloadError(f"{name}: not a whole amount: {value!r}")
        return int(value.strip().split(".")[0])
    if value is None:
        return 0
    return fields.whole_number(item, name)


def _sepay_transfer(item: dict[str, Any]) -> BankTransfer | None:
    money_in, money_out = _money(item, "amount_in"), _money(item, "amount_out")
    if money_in <= 0 and money_out <= 0:
        return None
    return BankTransfer(
        provider="sepay",
        provider_transaction_id=fields.identifier(item, "id"),
        account_number=fields.text(item, "account_number", allow_empty=False),
        amount=money_in if money_in > 0 else money_out,
        memo=fields.text(item, "transaction_content"),
        occurred_at=fields.local_datetime(item, "transaction_date"),
        bank_reference=fields.optional_text(item, "reference_number"),
        provider_link=fields.optional_text(item, "code"),
        direction="in" if money_in > 0 else "out",
        raw=item,
    )


def _casso_transfer(item: dict[str, Any]) -> BankTransfer:
    signed = fields.amount(item, "amount", signed=True)
    account = item.get("bankSubAccId") or item.get("accountNumber")
    return BankTransfer(
        provider="casso",
        provider_transaction_id=fields.identifier(item, "id"),
        account_number=fields.text({"account": account}, "account", allow_empty=False),
        amount=abs(signed),
        memo=fields.text(item, "description"),
        occurred_at=fields.local_datetime(item, "when"),
        bank_reference=fields.optional_text(item, "tid"),
        provider_link=None,
        direction="in" if signed > 0 else "out",
        raw=item,
    )


def _payos_transfer(item: dict[str, Any]) -> BankTransfer:
    link = item.pop("_link")
    link_id = fields.optional_text(link, "id")
    raw = {**item, "orderCode": link.get("orderCode"), "paymentLinkId": link_id}
    return payos.bank_transfer(item, link_id=link_id, order_code_from=link, raw=raw)
