"""A sandbox bank: webhook requests signed the way SePay, Casso and payOS sign theirs.

Demo mode and tests feed these (headers, body) pairs to the same verify/parse path real
webhooks take, so nothing in that path knows it is being simulated. Bodies follow the
providers' published samples field by field; what the samples leave open (exact JSON
spacing, ids, bank references) is filled in plausibly and deterministically.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, Literal, NamedTuple

from . import casso, payos, sepay
from .base import VIETNAM_TZ, Direction
from .memo import mangle_memo

__all__ = ["SignedRequest", "mangle_memo", "signed_webhook"]

LOCAL_FORMAT = "%Y-%m-%d %H:%M:%S"  # how all three write transaction times: Vietnam time


class SignedRequest(NamedTuple):
    """What the provider would POST: headers and the exact body bytes."""

    headers: dict[str, str]
    body: bytes


def signed_webhook(
    provider: str,
    secret: str,
    account_number: str,
    amount: int,
    memo: str,
    transaction_id: str,
    occurred_at: datetime,
    *,
    direction: Direction = "in",
    order_code: int | None = None,
    sent_at: datetime | None = None,
    sepay_scheme: Literal["apikey", "hmac"] = "apikey",
    bank: tuple[str, str] = ("MBBank", "MBB"),  # Casso: bankName, bankAbbreviation
) -> SignedRequest:
    """A signed webhook for one transfer, as ``provider`` would send it.

    ``transaction_id`` is SePay's and Casso's numeric ``id`` (digits only), or payOS's bank
    ``reference``. payOS needs the payment link's ``order_code`` and only reports money in.
    ``sent_at`` (default: ``occurred_at``) stamps the signature for the replay window.
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValueError("amount must be a positive whole number of đồng")
    if occurred_at.utcoffset() is None:
        raise ValueError("occurred_at must be timezone-aware")
    sent = sent_at or occurred_at
    if sent.utcoffset() is None:
        raise ValueError("sent_at must be timezone-aware")
    local_time = occurred_at.astimezone(VIETNAM_TZ).strftime(LOCAL_FORMAT)
    if provider == "sepay":
        body = _sepay_body(account_number, amount, memo, transaction_id, local_time, direction)
        return _sepay_request(secret, _json(body), sent, sepay_scheme)
    if provider == "casso":
        signed = -amount if direction == "out" else amount
        body = _casso_body(account_number, signed, memo, transaction_id, local_time, bank)
        timestamp_ms = int(sent.timestamp() * 1000)
        headers = {
            "Content-Type": "application/json",
            casso.SIGNATURE_HEADER: casso.signature_header(secret, timestamp_ms, body),
        }
        return SignedRequest(headers, _json(body))
    if provider == "payos":
        if direction != "in" or order_code is None:
            raise ValueError("payOS reports money in to a payment link: give order_code")
        data = _payos_data(account_number, amount, memo, transaction_id, local_time, order_code)
        body = {"code": "00", "desc": "success", "success": True, "data": data}
        body["signature"] = payos.payos_signature(data, secret)
        return SignedRequest({"Content-Type": "application/json"}, _json(body))
    raise ValueError(f"unknown provider {provider!r}")


def _sepay_body(
    account: str, amount: int, memo: str, txn: str, local_time: str, direction: Direction
) -> dict[str, Any]:
    return {
        "id": _numeric_id(txn, "SePay"),
        "gateway": "MBBank",  # SePay names the bank ("Vietcombank", "MBBank")
        "transactionDate": local_time,
        "accountNumber": account,
        "code": None,
        "content": memo,
        "transferType": direction,
        "transferAmount": amount,
        "accumulated": amount,
        "subAccount": None,
        "referenceCode": _bank_reference(txn, local_time),
        "description": memo,
    }


def _sepay_request(
    secret: str, body: bytes, sent: datetime, scheme: Literal["apikey", "hmac"]
) -> SignedRequest:
    headers = {"Content-Type": "application/json"}
    if scheme == "hmac":
        timestamp = str(int(sent.timestamp()))
        headers[sepay.TIMESTAMP_HEADER] = timestamp
        headers[sepay.SIGNATURE_HEADER] = sepay.hmac_signature(secret, timestamp, body)
    elif scheme == "apikey":
        headers[sepay.AUTHORIZATION] = f"Apikey {secret}"
    else:
        raise ValueError(f"unknown SePay scheme {scheme!r}")
    return SignedRequest(headers, body)


def _casso_body(
    account: str, amount: int, memo: str, txn: str, local_time: str, bank: tuple[str, str]
) -> dict[str, Any]:
    data = {
        "id": _numeric_id(txn, "Casso"),
        "reference": _bank_reference(txn, local_time),
        "description": memo,
        "amount": amount,
        "runningBalance": abs(amount),
        "transactionDateTime": local_time,
        "accountNumber": account,
        "bankName": bank[0],
        "bankAbbreviation": bank[1],
        "virtualAccountNumber": "",
        "virtualAccountName": "",
        "counterAccountName": "",
        "counterAccountNumber": "",
        "counterAccountBankId": "",
        "counterAccountBankName": "",
    }
    return {"error": 0, "data": data}


def _payos_data(
    account: str, amount: int, memo: str, reference: str, local_time: str, order_code: int
) -> dict[str, Any]:
    if not reference.strip():
        raise ValueError("payOS needs a non-empty bank reference as transaction_id")
    link_id = hashlib.sha256(f"{order_code}".encode()).hexdigest()[:32]
    return {
        "orderCode": order_code,
        "amount": amount,
        "description": memo,
        "accountNumber": account,
        "reference": reference,
        "transactionDateTime": local_time,
        "currency": "VND",
        "paymentLinkId": link_id,
        "code": "00",
        "desc": "success",
        "counterAccountBankId": "",
        "counterAccountBankName": "",
        "counterAccountName": "",
        "counterAccountNumber": "",
        "virtualAccountName": "",
        "virtualAccountNumber": "",
    }


def _numeric_id(txn: str, who: str) -> int:
    if not (txn.isascii() and txn.isdigit()):
        raise ValueError(f"{who} transaction ids are integers: {txn!r}")
    return int(txn)


def _bank_reference(txn: str, local_time: str) -> str:
    # an MB-style "FT" + yyddd + digits reference, stable for a given transaction
    day = datetime.strptime(local_time, LOCAL_FORMAT).strftime("%y%j")
    digits = int(hashlib.sha256(txn.encode()).hexdigest(), 16) % 10**9
    return f"FT{day}{digits:09d}"


def _json(value: Any) -> bytes:
    # compact, UTF-8, insertion order: what JSON.stringify (Casso, payOS) produces
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
