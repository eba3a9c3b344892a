"""The Stripe-like API: API keys, payment intents, Idempotency-Key."""

import threading

import pytest
from sqlalchemy import func, select

from marketplace.accounts.services import create_api_key
from marketplace.core.db import db
from marketplace.payments import vietqr
from marketplace.payments.models import PaymentIntent
from producers.models import Producer


@pytest.fixture
def api(demo_app):
    with demo_app.app_context():
        producer = db.session.scalar(select(Producer).where(Producer.name == "HTX chè Hảo Đạt"))
        other = db.session.scalar(select(Producer).where(Producer.name == "HTX Tuyết Hương"))
        _, secret = create_api_key(db.session, producer.id, "shop")
        _, other_secret = create_api_key(db.session, other.id, "other")
        db.commit()
        account = producer.bank_account
    client = demo_app.test_client()
    return (
        client,
        {"Authorization": f"Bearer {secret}"},
        {"Authorization": f"Bearer {other_secret}"},
        account,
    )


def test_requires_a_valid_key(client):
    for headers in ({}, {"Authorization": "Bearer sk_live_nope"}, {"Authorization": "Basic !!"}):
        response = client.post("/api/v1/payment_intents", json={"amount": 1000}, headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"]["type"] == "authentication_error"


def test_create_get_list_cancel(api):
    client, auth, _, account = api
    created = client.post(
        "/api/v1/payment_intents",
        json={"amount": 250000, "description": "Đơn #A12", "metadata": {"order": "A12"}},
        headers=auth,
    )
    assert created.status_code == 200, created.get_json()
    pi = created.get_json()
    assert pi["object"] == "payment_intent" and pi["status"] == "requires_payment"
    assert pi["amount"] == 250000 and pi["currency"] == "vnd" and pi["metadata"] == {"order": "A12"}
    qr = vietqr.parse(pi["qr"]["payload"])
    assert (qr.account, qr.amount) == (account, 250000) and qr.purpose.startswith(
        pi["reference_code"]
    )
    assert client.get(pi["qr"]["image_url"].replace("http://localhost", "")).mimetype == "image/png"
    assert (
        client.get(f"/api/v1/payment_intents/{pi['id']}", headers=auth).get_json()["id"] == pi["id"]
    )
    listed = client.get("/api/v1/payment_intents?limit=5", headers=auth).get_json()
    assert listed["object"] == "list" and listed["data"][0]["id"] == pi["id"]
    canceled = client.post(
        f"/api/v1/payment_intents/{pi['id']}/cancel",
        json={"cancellation_reason": "abandoned"},
        headers=auth,
    )
    assert (
        canceled.get_json()["status"] == "canceled"
        and canceled.get_json()["cancellation_reason"] == "abandoned"
    )
    again = client.post(f"/api/v1/payment_intents/{pi['id']}/cancel", headers=auth)
    assert (
        again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_state_transition"
    )


def test_other_producers_intents_are_invisible(api):
    client, auth, other, _ = api
    pi = client.post("/api/v1/payment_intents", json={"amount": 1000}, headers=auth).get_json()
    assert client.get(f"/api/v1/payment_intents/{pi['id']}", headers=other).status_code == 404
    assert (
        client.post(f"/api/v1/payment_intents/{pi['id']}/cancel", headers=other).status_code == 404
    )
    assert client.get("/api/v1/payment_intents", headers=other).get_json()["data"] == []


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": 10.5}, "amount"),
        ({"amount": "1e3"}, "amount"),
        ({"amount": True}, "amount"),
        ({}, "amount"),
        ({"amount": 1000, "expires_in": 10}, "expires_in"),
        ({"amount": 1000, "metadata": "x"}, "metadata"),
    ],
)
def test_bad_input_is_typed_and_writes_nothing(api, demo_app, body, param):
    client, auth, _, _ = api
    response = client.post("/api/v1/payment_intents", json=body, headers=auth)
    assert response.status_code == 400
    assert response.get_json()["error"]["param"] == param
    with demo_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PaymentIntent)) == 0


def test_form_encoded_like_stripe(api):
    client, auth, _, _ = api
    response = client.post("/api/v1/payment_intents", data={"amount": "45000"}, headers=auth)
    assert response.status_code == 200 and response.get_json()["amount"] == 45000


def test_idempotency_key_replays_the_stored_response(api, demo_app):
    client, auth, _, _ = api
    headers = auth | {"Idempotency-Key": "order-A12"}
    first = client.post("/api/v1/payment_intents", json={"amount": 99000}, headers=headers)
    second = client.post("/api/v1/payment_intents", json={"amount": 99000}, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    with demo_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PaymentIntent)) == 1
    different = client.post("/api/v1/payment_intents", json={"amount": 100}, headers=headers)
    assert (
        different.status_code == 422
        and different.get_json()["error"]["code"] == "idempotency_key_reused"
    )


def test_idempotency_keys_are_per_producer(api):
    client, auth, other, _ = api
    a = client.post(
        "/api/v1/payment_intents", json={"amount": 5000}, headers=auth | {"Idempotency-Key": "k1"}
    )
    b = client.post(
        "/api/v1/payment_intents", json={"amount": 5000}, headers=other | {"Idempotency-Key": "k1"}
    )
    assert a.get_json()["id"] != b.get_json()["id"]


def test_concurrent_same_key_creates_once(api, demo_app):
    client, auth, _, _ = api
    headers = auth | {"Idempotency-Key": "race"}
    results = []

    def post():
        results.append(
            demo_app.test_client().post(
                "/api/v1/payment_intents", json={"amount": 7000}, headers=headers
            )
        )

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in results)
    assert set(codes) <= {200, 409} and 200 in codes
    ids = {r.get_json()["id"] for r in results if r.status_code == 200}
    assert len(ids) == 1
    with demo_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PaymentIntent)) == 1
    in_flight = [r for r in results if r.status_code == 409]
    assert all(r.get_json()["error"]["code"] == "idempotency_key_in_flight" for r in in_flight)
