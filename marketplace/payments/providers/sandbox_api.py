"""Loopback simulators of the SePay, Casso and payOS transaction APIs, for tests and the demo.

A server of its own (Flask, on 127.0.0.1): the three list/detail endpoints ``pull`` reads,
answered from an in-memory store, enforcing each provider's credentials and error shape and
paginating Casso. Transactions are added with ``ProviderApiSandbox.add_transfer`` in the same
id scheme ``sandbox.signed_webhook`` uses, so a transfer pulled and also delivered by webhook
lands on the same ledger key.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.serving import make_server

from .base import VIETNAM_TZ, matches_any
from .payos import payos_signature
from .sandbox import LOCAL_FORMAT


@dataclass
class ProviderApiSandbox:
    """In-memory provider APIs; ``calls`` counts requests per provider."""

    sepay_token: str = "sepay-api-token"
    casso_api_key: str = "casso-api-key"
    payos_client_id: str = "payos-client"
    payos_api_key: str = "payos-api-key"
    payos_checksum_key: str = "payos-checksum"
    sepay: list[dict[str, Any]] = field(default_factory=list)
    casso: list[dict[str, Any]] = field(default_factory=list)
    payos: dict[int, dict[str, Any]] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=lambda: {"sepay": 0, "casso": 0, "payos": 0})
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_transfer(
        self,
        provider: str,
        account: str,
        amount: int,
        memo: str,
        transaction_id: str,
        occurred_at: datetime,
        *,
        order_code: int | None = None,
    ) -> None:
        """Record one incoming transfer as ``provider``'s API would list it."""
        local = occurred_at.astimezone(VIETNAM_TZ).strftime(LOCAL_FORMAT)
        with self.lock:
            if provider == "sepay":
                self.sepay.append(_sepay_record(account, amount, memo, transaction_id, local))
            elif provider == "casso":
                self.casso.append(_casso_record(account, amount, memo, transaction_id, local))
            elif provider == "payos" and order_code is not None:
                link = self.payos.setdefault(order_code, _payos_link(order_code, local))
                link["transactions"].append(
                    {
                        "reference": transaction_id,
                        "amount": amount,
                        "accountNumber": account,
                        "description": memo,
                        "transactionDateTime": local,
                        "virtualAccountName": None,
                        "virtualAccountNumber": None,
                        "counterAccountBankId": None,
                        "counterAccountBankName": None,
                        "counterAccountName": None,
                        "counterAccountNumber": None,
                    }
                )
                link["amountPaid"] += amount
                link["amount"] = max(link["amount"], link["amountPaid"])
                link["amountRemaining"] = link["amount"] - link["amountPaid"]
                link["status"] = "PAID" if link["amountRemaining"] == 0 else "PENDING"
            else:
                raise ValueError(f"cannot add a {provider!r} transfer (payOS needs order_code)")

    def create_app(self) -> Flask:
        """The Flask app serving the three endpoints."""
        app = Flask("provider_api_sandbox")
        app.add_url_rule("/userapi/transactions/list", view_func=self._sepay_list)
        app.add_url_rule("/v2/transactions", view_func=self._casso_list)
        app.add_url_rule("/v2/payment-requests/<int:order_code>", view_func=self._payos_get)
        return app

    def _count(self, provider: str) -> None:
        with self.lock:
            self.calls[provider] += 1

    def _sepay_list(self) -> ResponseReturnValue:
        self._count("sepay")
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or not matches_any([self.sepay_token], token):
            body = {"status": 401, "error": "unauthenticated", "messages": {"success": False}}
            return jsonify(body), 401
        account = request.args.get("account_number")
        since = request.args.get("transaction_date_min", "")
        limit = request.args.get("limit", 5000, type=int)
        rows = [
            r
            for r in reversed(self.sepay)
            if (not account or r["account_number"] == account) and r["transaction_date"] >= since
        ][: max(1, min(limit, 5000))]
        body = {"status": 200, "error": None, "messages": {"success": True}, "transactions": rows}
        return jsonify(body)

    def _casso_list(self) -> ResponseReturnValue:
        self._count("casso")
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Apikey" or not matches_any([self.casso_api_key], key):
            return jsonify({"error": 401, "message": "Unauthorized Access", "data": None}), 401
        since = request.args.get("fromDate", "")
        page = max(1, request.args.get("page", 1, type=int))
        size = max(1, min(request.args.get("pageSize", 10, type=int), 100))
        rows = [r for r in self.casso if r["when"] >= since]
        pages = max(1, -(-len(rows) // size))
        data = {
            "page": page,
            "pageSize": size,
            "nextPage": page + 1 if page < pages else None,
            "prevPage": page - 1 if page > 1 else None,
            "totalPages": pages,
            "totalRecords": len(rows),
            "records": rows[(page - 1) * size : page * size],
        }
        return jsonify({"error": 0, "message": "success", "data": data})

    def _payos_get(self, order_code: int) -> ResponseReturnValue:
        self._count("payos")
        client_ok = matches_any([self.payos_client_id], request.headers.get("x-client-id", ""))
        key_ok = matches_any([self.payos_api_key], request.headers.get("x-api-key", ""))
        if not (client_ok and key_ok):
            body = {"code": "401", "desc": "Thông tin xác thực không hợp lệ", "data": None}
            return jsonify(body), 401
        link = self.payos.get(order_code)
        if link is None:
            return jsonify({"code": "101", "desc": "Không tìm thấy đơn thanh toán", "data": None})
        signature = payos_signature(link, self.payos_checksum_key)
        return jsonify({"code": "00", "desc": "success", "data": link, "signature": signature})


@contextmanager
def serve(sandbox: ProviderApiSandbox) -> Iterator[str]:
    """Run ``sandbox`` on 127.0.0.1 (a free port) in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, sandbox.create_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


def _sepay_record(account: str, amount: int, memo: str, txn: str, local: str) -> dict[str, Any]:
    return {
        "id": txn,
        "bank_brand_name": "MBBank",
        "account_number": account,
        "transaction_date": local,
        "amount_out": "0.00",
        "amount_in": f"{amount}.00",
        "accumulated": f"{amount}.00",
        "transaction_content": memo,
        "reference_number": f"FT{txn}",
        "code": None,
        "sub_account": None,
        "bank_account_id": "19",
    }


def _casso_record(account: str, amount: int, memo: str, txn: str, local: str) -> dict[str, Any]:
    return {
        "id": int(txn),
        "tid": f"FT{txn}",
        "description": memo,
        "amount": amount,
        "cusumBalance": amount,
        "when": local,
        "bankSubAccId": account,
        "subAccId": account,
        "bankName": "MBBank",
        "bankAbbreviation": "MBB",
        "virtualAccount": "",
        "corresponsiveName": "",
        "corresponsiveAccount": "",
        "corresponsiveBankId": "",
        "corresponsiveBankName": "",
    }


def _payos_link(order_code: int, local: str) -> dict[str, Any]:
    # the same payment-link id sandbox.signed_webhook puts in paymentLinkId
    return {
        "id": hashlib.sha256(f"{order_code}".encode()).hexdigest()[:32],
        "orderCode": order_code,
        "amount": 0,
        "amountPaid": 0,
        "amountRemaining": 0,
        "status": "PENDING",
        "createdAt": local,
        "transactions": [],
        "canceledAt": None,
        "cancellationReason": None,
    }
