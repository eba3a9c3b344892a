"""'Tôi đã chuyển khoản' pulls the payee's recent transactions when a webhook was lost."""

import json

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import AuditLog
from marketplace.core.crypto import vault_for
from marketplace.core.db import db, utcnow
from marketplace.payments import connections
from marketplace.payments.models import BankTransaction, NotificationConnection, PaymentIntent
from marketplace.payments.providers import sandbox
from marketplace.payments.providers.sandbox_api import ProviderApiSandbox, serve
from tests.integration.test_checkout_payments import _checkout, _intents
from tests.integration.test_dashboard import login, people  # noqa: F401 (fixture)

CREDENTIALS = {
    "sepay": {"token": "sepay-api-token"},
    "casso": {"api_key": "casso-api-key"},
    "payos": {"client_id": "payos-client", "api_key": "payos-api-key"},
}


def _wire(app, intent, provider, base_url, credentials):
    """Point the payee's connection at ``provider`` with pull credentials; its webhook secret."""
    with app.app_context(), db.transaction() as session:
        vault = vault_for(app.config)
        conn = session.scalar(
            select(NotificationConnection).where(
                NotificationConnection.producer_id == intent.producer_id
            )
        )
        conn.provider = provider
        conn.api_credentials_encrypted = vault.encrypt([json.dumps(credentials)])
        conn.api_base_url = base_url
        return conn.token, vault.decrypt(conn.secrets_encrypted)[0]


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _status(app, intent):
    with app.app_context():
        return db.session.get(PaymentIntent, intent.id).status


@pytest.mark.parametrize("provider", ["sepay", "casso", "payos"])
def test_claim_pulls_the_lost_transfer_and_the_late_webhook_adds_nothing(
    client, demo_app, provider
):
    intent = _intents(demo_app, _checkout(client, demo_app).rsplit("/", 1)[1])[0]
    box = ProviderApiSandbox()
    with serve(box) as base_url:
        token, secret = _wire(demo_app, intent, provider, base_url, CREDENTIALS[provider])
        box.payos_checksum_key = secret  # payOS signs API answers with the checksum key
        memo = f"CT DEN:123 {intent.reference_code.lower()} -TRACE 1-"
        txid = "900001" if provider != "payos" else "FT26326900001"
        box.add_transfer(
            provider, intent.payee_account, intent.amount_vnd, memo, txid, utcnow(),
            order_code=intent.id,
        )  # fmt: skip
        assert _status(demo_app, intent) == "requires_payment"
        response = client.post(f"/thanh-toan/{intent.public_id}/da-chuyen")
        assert response.status_code == 303
        assert box.calls[provider] == 1
    assert _status(demo_app, intent) == "succeeded"
    assert _count(demo_app, BankTransaction) == 1
    with demo_app.app_context():
        raw = json.loads(db.session.scalar(select(BankTransaction.raw_payload)))
        assert raw  # the provider's record, kept as received
    late = sandbox.signed_webhook(
        provider, secret, intent.payee_account, intent.amount_vnd, memo, txid, utcnow(),
        order_code=intent.id,
    )  # fmt: skip
    answer = client.post(f"/webhooks/{provider}/{token}", data=late.body, headers=late.headers)
    assert answer.status_code == 200 and answer.get_json()["new"] == 0
    assert _count(demo_app, BankTransaction) == 1


def test_wrong_credentials_write_nothing_and_are_audited(client, demo_app):
    intent = _intents(demo_app, _checkout(client, demo_app).rsplit("/", 1)[1])[0]
    box = ProviderApiSandbox()
    with serve(box) as base_url:
        _wire(demo_app, intent, "sepay", base_url, {"token": "wrong"})
        box.add_transfer("sepay", intent.payee_account, intent.amount_vnd, "x", "1", utcnow())
        response = client.post(f"/thanh-toan/{intent.public_id}/da-chuyen")
    assert response.status_code == 303
    assert _status(demo_app, intent) == "requires_payment"
    assert _count(demo_app, BankTransaction) == 0
    with demo_app.app_context():
        row = db.session.scalar(select(AuditLog).where(AuditLog.action == "connection.pull_failed"))
        detail = json.loads(row.detail)
    assert detail["intent"] == intent.public_id and detail["retryable"] is False
    assert "401" in detail["error"]


def test_repeated_presses_pull_once_per_interval(client, demo_app):
    intent = _intents(demo_app, _checkout(client, demo_app).rsplit("/", 1)[1])[0]
    box = ProviderApiSandbox()
    with serve(box) as base_url:
        _wire(demo_app, intent, "sepay", base_url, CREDENTIALS["sepay"])
        for _ in range(3):
            client.post(f"/thanh-toan/{intent.public_id}/da-chuyen")
        assert box.calls["sepay"] == 1


def test_connection_form_stores_api_credentials_encrypted(demo_app):
    with demo_app.app_context(), db.transaction() as session:
        vault = vault_for(demo_app.config)
        conn = connections.connect(
            session,
            vault,
            provider="payos",
            secrets=["checksum"],
            accounts=["0123456789"],
            producer_id=None,
            api_credentials={"client_id": "cid", "api_key": "key"},
            api_base_url="http://127.0.0.1:9/",
        )
        assert "key" not in conn.api_credentials_encrypted
        assert connections.api_credentials(vault, conn) == {"client_id": "cid", "api_key": "key"}
        assert conn.api_base_url == "http://127.0.0.1:9"


@pytest.mark.usefixtures("people")
def test_dashboard_form_takes_optional_api_credentials(client, demo_app):
    login(client, "htx@example.vn")
    half = {"provider": "payos", "secret": "checksum", "api_key": "key"}
    assert client.post("/quan-ly/ket-noi-ngan-hang", data=half).status_code == 400
    full = {**half, "api_client_id": "cid", "api_base_url": "https://api-merchant.payos.vn"}
    page = client.post("/quan-ly/ket-noi-ngan-hang", data=full)
    assert page.status_code == 200
    with demo_app.app_context():
        conn = db.session.scalar(
            select(NotificationConnection).where(NotificationConnection.provider == "payos")
        )
        creds = connections.api_credentials(vault_for(demo_app.config), conn)
    assert creds == {"client_id": "cid", "api_key": "key"}
    assert conn.api_base_url == "https://api-merchant.payos.vn"
