"""Outbound webhooks end to end: a paid intent reaches a real loopback receiver, signed per
Standard Webhooks; failures are retried on schedule under the same webhook-id; replay; scoping."""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import AuditLog
from marketplace.accounts.services import create_api_key, create_user
from marketplace.core.crypto import vault_for
from marketplace.core.db import db, utcnow
from marketplace.payments import intents, outbound, outbound_tasks
from marketplace.payments.models import NotificationConnection, PaymentIntent
from marketplace.payments.models_extra import WebhookDelivery, WebhookEndpoint
from marketplace.payments.providers import sandbox
from producers.models import Producer

PASSWORD = "mat-khau-du-dai-1"
SELLER, OTHER = "HTX chè Hảo Đạt", "HTX Tuyết Hương"


class Receiver:
    """A producer's system: verifies each webhook with its secret, answers scripted codes."""

    def __init__(self) -> None:
        self.secret = ""
        self.statuses: list[int] = []  # answers to give, then 200
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    outbound.verify(receiver.secret, self.headers.items(), body)
                    verified = True
                except outbound.WebhookVerificationError:
                    verified = False
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.received.append(
                    {
                        "id": self.headers["webhook-id"],
                        "timestamp": self.headers["webhook-timestamp"],
                        "body": body,
                        "verified": verified,
                        "status": status,
                    }
                )
                self.send_response(status if verified else 400)
                self.end_headers()
                self.wfile.write(b"ok" if verified else b"bad signature")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/ocop"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()

    def events(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers():
    made: list[Receiver] = []

    def make() -> Receiver:
        made.append(Receiver())
        return made[-1]

    yield make
    for r in made:
        r.close()


@pytest.fixture
def shop(demo_app, receivers):
    """The seller logged in with an endpoint on a loopback receiver, and an API key."""
    demo_app.config["WEBHOOK_ALLOW_PRIVATE_URLS"] = True  # the receiver is on 127.0.0.1
    with demo_app.app_context():
        ids = {}
        for name, email in ((SELLER, "htx@example.vn"), (OTHER, "th@example.vn")):
            producer = db.session.scalar(select(Producer).where(Producer.name == name))
            create_user(
                db.session,
                email=email,
                name=name,
                password=PASSWORD,
                role="producer",
                producer_id=producer.id,
            )
            ids[name] = producer.id
        _, api_secret = create_api_key(db.session, ids[SELLER], "shop")
        db.commit()
    client = demo_app.test_client()
    login(client, "htx@example.vn")
    receiver = receivers()
    receiver.secret = add_endpoint(client, receiver.url)
    return {
        "client": client,
        "receiver": receiver,
        "auth": {"Authorization": f"Bearer {api_secret}"},
        "ids": ids,
    }


def login(client, email):
    response = client.post("/dang-nhap", data={"email": email, "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)


def add_endpoint(client, url, events=()):
    page = client.post("/quan-ly/webhook", data={"url": url, "events": list(events)})
    assert page.status_code == 200, page.get_data(as_text=True)
    return re.search(r"<code>(whsec_[A-Za-z0-9+/=]+)</code>", page.get_data(as_text=True))[1]


def create_intent(shop, amount=150000):
    response = shop["client"].post(
        "/api/v1/payment_intents", json={"amount": amount}, headers=shop["auth"]
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def pay(demo_app, client, public_id, amount=None, txid="900001"):
    """Money arrives: the payee's notification service posts a signed bank webhook."""
    with demo_app.app_context():
        intent = db.session.scalar(
            select(PaymentIntent).where(PaymentIntent.public_id == public_id)
        )
        conn = db.session.scalar(
            select(NotificationConnection).where(
                NotificationConnection.producer_id == intent.producer_id
            )
        )
        secret = vault_for(demo_app.config).decrypt(conn.secrets_encrypted)[0]
        req = sandbox.signed_webhook(
            conn.provider,
            secret,
            intent.payee_account,
            amount or intent.amount_vnd,
            f"CT DEN:123 {intent.reference_code.lower()} chuyen tien",
            txid,
            utcnow(),
            order_code=intent.id,
        )
        url = f"/webhooks/{conn.provider}/{conn.token}"
    assert client.post(url, data=req.body, headers=req.headers).status_code == 200


def deliveries(demo_app):
    with demo_app.app_context():
        return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_paid_intent_is_delivered_once_with_a_valid_signature(shop, demo_app):
    client, receiver = shop["client"], shop["receiver"]
    pi = create_intent(shop)
    pay(demo_app, client, pi["id"])
    assert len(receiver.received) == 1 and receiver.received[0]["verified"]
    [event] = receiver.events()
    assert event["type"] == "payment_intent.succeeded"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z", event["timestamp"])
    # data.object is exactly what the API shows for the intent
    shown = client.get(f"/api/v1/payment_intents/{pi['id']}", headers=shop["auth"]).get_json()
    assert event["data"]["object"] == shown and shown["status"] == "succeeded"
    [delivery] = deliveries(demo_app)
    assert receiver.received[0]["id"] == delivery.message_id
    assert receiver.received[0]["body"] == delivery.payload.encode()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None
    # the producer sees the endpoint and its delivery log
    listing = client.get("/quan-ly/webhook").get_data(as_text=True)
    assert receiver.url in listing and "whsec_" not in listing
    log = client.get(f"/quan-ly/webhook/{delivery.endpoint_id}").get_data(as_text=True)
    assert "payment_intent.succeeded" in log and delivery.message_id in log
    assert pi["id"] in log and "Gửi lại" in log


def test_partial_then_full_payment_are_two_events(shop, demo_app):
    pi = create_intent(shop, 100000)
    pay(demo_app, shop["client"], pi["id"], amount=40000, txid="900011")
    pay(demo_app, shop["client"], pi["id"], amount=60000, txid="900012")
    events = shop["receiver"].events()
    assert [e["type"] for e in events] == [
        "payment_intent.partially_paid",
        "payment_intent.succeeded",
    ]
    assert [e["data"]["object"]["amount_received"] for e in events] == [40000, 100000]
    assert len({r["id"] for r in shop["receiver"].received}) == 2


def test_failed_attempt_is_retried_on_schedule_with_the_same_id(shop, demo_app):
    receiver = shop["receiver"]
    receiver.statuses = [500]
    pi = create_intent(shop)
    paid_at = utcnow()
    pay(demo_app, shop["client"], pi["id"])
    [delivery] = deliveries(demo_app)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert "HTTP 500" in delivery.last_error
    due = delivery.next_attempt_at
    assert timedelta(seconds=4) < due - paid_at < timedelta(seconds=30)
    with demo_app.app_context():
        # not due yet: neither the job nor the sweep sends
        assert outbound_tasks.run_delivery(delivery.id, now=due - timedelta(seconds=1)) == "skipped"
        assert outbound_tasks.sweep(now=due - timedelta(seconds=1)) == []
        assert outbound_tasks.sweep(now=due) == [delivery.id]
    assert [r["status"] for r in receiver.received] == [500, 200]
    assert len({r["id"] for r in receiver.received}) == 1
    assert receiver.received[0]["body"] == receiver.received[1]["body"]
    assert all(r["verified"] for r in receiver.received)
    [delivery] = deliveries(demo_app)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 2, 200)
    assert delivery.last_error == ""


def test_gives_up_after_about_three_days(shop, demo_app):
    receiver = shop["receiver"]
    receiver.statuses = [503] * 20
    pay(demo_app, shop["client"], create_intent(shop)["id"])
    [delivery] = deliveries(demo_app)
    start = delivery.created_at
    with demo_app.app_context():
        for _ in range(20):
            row = db.session.get(WebhookDelivery, delivery.id, populate_existing=True)
            if row.status != "pending":
                break
            last_attempt_at = row.next_attempt_at
            outbound_tasks.run_delivery(row.id, now=last_attempt_at)
    [delivery] = deliveries(demo_app)
    assert (delivery.status, delivery.attempts) == ("failed", 10)
    assert delivery.next_attempt_at is None and len(receiver.received) == 10
    assert len({r["id"] for r in receiver.received}) == 1
    span = last_attempt_at - start
    assert timedelta(hours=70) < span < timedelta(hours=74)  # ≈ 3 days of retries
    log = shop["client"].get(f"/quan-ly/webhook/{delivery.endpoint_id}").get_data(as_text=True)
    assert "thất bại" in log and "503" in log


def test_replay_resends_with_the_same_id_and_is_audited(shop, demo_app):
    client, receiver = shop["client"], shop["receiver"]
    pay(demo_app, client, create_intent(shop)["id"])
    [delivery] = deliveries(demo_app)
    response = client.post(f"/quan-ly/webhook/{delivery.endpoint_id}/gui-lai/{delivery.id}")
    assert response.status_code == 303
    assert len(receiver.received) == 2 and all(r["verified"] for r in receiver.received)
    assert receiver.received[1]["id"] == receiver.received[0]["id"] == delivery.message_id
    assert receiver.received[1]["body"] == receiver.received[0]["body"]
    [again] = deliveries(demo_app)
    assert (again.status, again.attempts) == ("succeeded", 1)
    with demo_app.app_context():
        audit = db.session.scalar(
            select(AuditLog).where(AuditLog.action == "webhook_delivery.replay")
        )
        assert audit.actor == "htx@example.vn" and audit.object_id == str(delivery.id)
        assert delivery.message_id in audit.detail


def test_other_producers_and_unwanted_or_disabled_endpoints_get_nothing(shop, demo_app, receivers):
    other_client = demo_app.test_client()
    login(other_client, "th@example.vn")
    other = receivers()
    other.secret = add_endpoint(other_client, other.url)
    picky = receivers()
    picky.secret = add_endpoint(shop["client"], picky.url, events=["payment_intent.canceled"])
    off = receivers()
    off.secret = add_endpoint(shop["client"], off.url)
    with demo_app.app_context():
        off_id = db.session.scalar(select(WebhookEndpoint.id).where(WebhookEndpoint.url == off.url))
    assert shop["client"].post(f"/quan-ly/webhook/{off_id}/tat").status_code == 303
    # the other producer can neither see nor touch the seller's endpoints
    assert other_client.get(f"/quan-ly/webhook/{off_id}").status_code == 404
    assert other_client.post(f"/quan-ly/webhook/{off_id}/tat").status_code == 404
    assert shop["receiver"].url not in other_client.get("/quan-ly/webhook").get_data(as_text=True)

    pay(demo_app, shop["client"], create_intent(shop)["id"])
    assert len(shop["receiver"].received) == 1
    assert other.received == [] and picky.received == [] and off.received == []
    [delivery] = deliveries(demo_app)
    assert (
        other_client.post(
            f"/quan-ly/webhook/{delivery.endpoint_id}/gui-lai/{delivery.id}"
        ).status_code
        == 404
    )
    # the picky endpoint does get what it asked for
    pi = create_intent(shop)
    shop["client"].post(f"/api/v1/payment_intents/{pi['id']}/cancel", headers=shop["auth"])
    assert [e["type"] for e in picky.events()] == ["payment_intent.canceled"]


def test_cancel_event_carries_the_reason(shop, demo_app):
    pi = create_intent(shop)
    response = shop["client"].post(
        f"/api/v1/payment_intents/{pi['id']}/cancel",
        json={"cancellation_reason": "abandoned"},
        headers=shop["auth"],
    )
    assert response.status_code == 200
    [event] = shop["receiver"].events()
    assert event["type"] == "payment_intent.canceled"
    assert event["data"]["object"] == response.get_json()
    assert event["data"]["object"]["cancellation_reason"] == "abandoned"


def test_expiry_from_the_sweep_outside_a_request(shop, demo_app):
    pi = create_intent(shop)
    later = utcnow() + timedelta(days=2)
    with demo_app.app_context():
        with db.transaction() as session:
            assert intents.expire_due(session, later) == 1
        assert outbound_tasks.sweep(later) != []  # due at the (fake) time of the event
    [event] = shop["receiver"].events()
    assert event["type"] == "payment_intent.expired"
    assert event["data"]["object"]["id"] == pi["id"]
    assert event["data"]["object"]["qr"]["image_url"].endswith(f"/qr/{pi['id']}.png")


def test_a_lost_job_is_picked_up_by_the_sweep_and_claims_are_exclusive(shop, demo_app):
    pi = create_intent(shop)
    now = utcnow()
    with demo_app.app_context():
        intent = intents.lock(db.session, intents.by_public_id(db.session, pi["id"]).id)
        intents.transition(db.session, intent, "canceled", "test", now)
        db.session.commit()  # the bare commit drops the after-commit enqueue: a lost job
        db.session.info.pop("after_commit", None)
        [delivery_id] = outbound_tasks.due_ids(db.session, now)
        assert shop["receiver"].received == []
        vault = vault_for(demo_app.config)
        with db.transaction() as session:
            first = outbound_tasks.claim(session, vault, delivery_id, now)
        with db.transaction() as session:
            second = outbound_tasks.claim(session, vault, delivery_id, now)
        assert first is not None and second is None  # only the claimant sends
        assert outbound_tasks.sweep(now) == []  # leased, not due
        assert outbound_tasks.webhooks_sweep.call_local() == 0
        assert outbound_tasks.sweep(now + outbound_tasks.LEASE) == [delivery_id]
    assert [e["type"] for e in shop["receiver"].events()] == ["payment_intent.canceled"]


def test_private_addresses_are_refused_unless_allowed(shop, demo_app):
    demo_app.config["WEBHOOK_ALLOW_PRIVATE_URLS"] = False
    pay(demo_app, shop["client"], create_intent(shop)["id"])
    assert shop["receiver"].received == []
    [delivery] = deliveries(demo_app)
    assert delivery.status == "pending" and "127.0.0.1 is not a public address" in (
        delivery.last_error
    )


def test_fees_and_intents_without_producer_are_not_sent(shop, demo_app):
    with demo_app.app_context():
        payee = intents.Payee("970436", "0011009999999", "CONG TY CHO OCOP DEMO")
        now = utcnow()
        for producer_id, purpose in ((shop["ids"][SELLER], "fee"), (None, "order")):
            intent = intents.create_intent(
                db.session,
                purpose=purpose,
                amount_vnd=10000,
                payee=payee,
                now=now,
                ttl=timedelta(hours=1),
                producer_id=producer_id,
            )
            assert outbound.emit(db.session, intent, "payment_intent.canceled", now) == []
        db.session.rollback()


@pytest.mark.parametrize(
    "url", ["ftp://example.vn/hook", "javascript:alert(1)", "https://", "http://a b.vn/", ""]
)
def test_endpoint_url_must_be_http(shop, demo_app, url):
    page = shop["client"].post("/quan-ly/webhook", data={"url": url})
    assert page.status_code == 400 and "http://" in page.get_data(as_text=True)
    with demo_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 1


def test_secret_is_shown_once_and_stored_encrypted(shop, demo_app):
    with demo_app.app_context():
        endpoint = db.session.scalar(select(WebhookEndpoint))
        assert shop["receiver"].secret not in endpoint.secret_encrypted
        stored = vault_for(demo_app.config).decrypt(endpoint.secret_encrypted)
        assert stored == [shop["receiver"].secret]
        assert db.session.scalar(
            select(AuditLog).where(AuditLog.action == "webhook_endpoint.create")
        )
    assert "whsec_" not in shop["client"].get("/quan-ly/webhook").get_data(as_text=True)
