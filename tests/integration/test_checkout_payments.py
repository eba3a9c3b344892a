"""Cart -> checkout -> one order and QR per producer -> signed bank webhook -> paid."""

import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.core.crypto import vault_for
from marketplace.core.db import db, utcnow
from marketplace.orders.models import Order
from marketplace.payments import connections, vietqr
from marketplace.payments.models import (
    BankTransaction,
    NotificationConnection,
    PaymentApplication,
    PaymentIntent,
    ReviewItem,
)
from marketplace.payments.providers import sandbox
from producers.models import Product

BUYER = {
    "name": "Nguyễn Thị Lan",
    "phone": "0912 345 678",
    "province": "19",
    "commune_code": "05503",
    "address_line": "Xóm Nam Đồng",
    "note": "Gọi trước khi giao",
}


def _product_id(app, source_ref):
    with app.app_context():
        return db.session.scalar(select(Product.id).where(Product.source_ref == source_ref))


def _checkout(client, app, refs=("sample:P021", "sample:P009"), quantities=(1, 2)):
    for ref, qty in zip(refs, quantities, strict=True):
        client.post("/gio-hang/them", data={"product_id": _product_id(app, ref), "quantity": qty})
    response = client.post("/dat-hang", data=BUYER)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def _intents(app, token):
    with app.app_context():
        orders = (
            db.session.scalars(select(Order).where(Order.checkout_token == token)).unique().all()
        )
        return [
            db.session.scalar(select(PaymentIntent).where(PaymentIntent.order_id == o.id))
            for o in orders
        ]


def _signed(app, intent, amount=None, txid="900001", memo=None, provider_secret=None):
    with app.app_context():
        conn = db.session.scalar(
            select(NotificationConnection).where(
                NotificationConnection.producer_id == intent.producer_id
            )
        )
        secret = provider_secret or vault_for(app.config).decrypt(conn.secrets_encrypted)[0]
        req = sandbox.signed_webhook(
            conn.provider,
            secret,
            intent.payee_account,
            amount or intent.amount_vnd,
            memo if memo is not None else f"CT DEN:123 {intent.reference_code.lower()} -TRACE 1-",
            txid,
            utcnow(),
            order_code=intent.id,
        )
        return f"/webhooks/{conn.provider}/{conn.token}", req


def test_a_photo_upload_xhr_gets_the_redirect_as_a_header(client, demo_app):
    """photo-resize.js's XHR would follow a redirect and download the next page for nothing:
    it gets 204 + X-Location instead (any redirecting post; here adding to the cart)."""
    data = {"product_id": _product_id(demo_app, "sample:P021"), "quantity": 1}
    plain = client.post("/gio-hang/them", data=data)
    assert plain.status_code == 303 and plain.location.endswith("/gio-hang")
    xhr = client.post("/gio-hang/them", data=data, headers={"X-Requested-With": "photo-upload"})
    assert xhr.status_code == 204 and xhr.get_data() == b""
    assert xhr.headers["X-Location"] == plain.location
    assert "(2)" in client.get("/gio-hang").get_data(as_text=True)  # both were added


def test_two_producers_make_two_orders_and_two_qrs(client, demo_app):
    location = _checkout(client, demo_app)
    token = location.rsplit("/", 1)[1]
    page = client.get(location).get_data(as_text=True)
    assert page.count('data-testid="payment"') == 2
    intents = _intents(demo_app, token)
    assert sorted(i.amount_vnd for i in intents) == [90000, 2500000]
    for intent in intents:
        qr = vietqr.parse(intent.qr_payload)
        assert (qr.bin, qr.account, qr.amount) == (
            intent.payee_bin,
            intent.payee_account,
            intent.amount_vnd,
        )
        assert qr.purpose.startswith(intent.reference_code)
        assert f"/qr/{intent.public_id}.png" in page
        png = client.get(f"/qr/{intent.public_id}.png")
        assert png.status_code == 200 and png.mimetype == "image/png"
    assert len({i.payee_account for i in intents}) == 2  # each producer's own account
    assert client.get("/gio-hang").get_data(as_text=True).count("Giỏ hàng đang trống") == 1


def test_signed_webhook_pays_the_order(client, demo_app):
    token = _checkout(client, demo_app).rsplit("/", 1)[1]
    intent = _intents(demo_app, token)[0]
    url, req = _signed(demo_app, intent)
    response = client.post(url, data=req.body, headers=req.headers)
    assert response.status_code == 200 and response.get_json()["new"] == 1
    status = client.get(f"/thanh-toan/{intent.public_id}/trang-thai").get_json()
    assert status["status"] == "succeeded" and status["amount_due"] == 0
    with demo_app.app_context():
        order = db.session.get(Order, intent.order_id)
        assert order.status == "paid"
    receipt = client.get(f"/don-hang/{token}/bien-nhan/{intent.reference_code}")
    assert receipt.status_code == 200 and "Xác nhận thanh toán" in receipt.get_data(as_text=True)
    pdf = client.get(f"/don-hang/{token}/bien-nhan/{intent.reference_code}?format=pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_replayed_webhook_credits_once(client, demo_app):
    token = _checkout(client, demo_app).rsplit("/", 1)[1]
    intent = _intents(demo_app, token)[0]
    url, req = _signed(demo_app, intent, amount=intent.amount_vnd // 2)
    for _ in range(5):
        assert client.post(url, data=req.body, headers=req.headers).status_code == 200
    with demo_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BankTransaction)) == 1
        fresh = db.session.get(PaymentIntent, intent.id)
        assert (fresh.status, fresh.amount_received_vnd) == (
            "partially_paid",
            intent.amount_vnd // 2,
        )


def test_fifty_concurrent_deliveries_credit_once(demo_app):
    client = demo_app.test_client()
    token = _checkout(client, demo_app).rsplit("/", 1)[1]
    intent = _intents(demo_app, token)[0]
    url, req = _signed(demo_app, intent)

    def deliver(_):
        return demo_app.test_client().post(url, data=req.body, headers=req.headers).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(deliver, range(50)))
    assert statuses == [200] * 50
    with demo_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BankTransaction)) == 1
        assert db.session.scalar(select(func.count()).select_from(PaymentApplication)) == 1
        fresh = db.session.get(PaymentIntent, intent.id)
        assert (fresh.status, fresh.amount_received_vnd) == ("succeeded", intent.amount_vnd)


def test_two_transfers_for_one_order(client, demo_app):
    token = _checkout(client, demo_app).rsplit("/", 1)[1]
    intent = _intents(demo_app, token)[0]
    first = intent.amount_vnd - 40000
    for txid, amount in (("700001", first), ("700002", 40000)):
        url, req = _signed(demo_app, intent, amount=amount, txid=txid)
        assert client.post(url, data=req.body, headers=req.headers).status_code == 200
    with demo_app.app_context():
        fresh = db.session.get(PaymentIntent, intent.id)
        assert (fresh.status, fresh.amount_received_vnd) == ("succeeded", intent.amount_vnd)


def test_overpayment_pays_and_sends_excess_to_review(client, demo_app):
    token = _checkout(client, demo_app).rsplit("/", 1)[1]
    intent = _intents(demo_app, token)[0]
    url, req = _signed(demo_app, intent, amount=intent.amount_vnd + 5000)
    client.post(url, data=req.body, headers=req.headers)
    with demo_app.app_context():
        assert db.session.get(PaymentIntent, intent.id).status == "succeeded"
        [item] = db.session.scalars(select(ReviewItem)).all()
        assert (item.reason, item.amount_vnd, item.intent_id) == ("overpaid", 5000, intent.id)


@pytest.mark.parametrize(
    ("memo", "reason"),
    [("CHUYEN TIEN MUA HANG", "no_match"), ("thanh toan", "no_match")],
)
def test_unmatched_money_goes_to_review_never_by_amount(client, demo_app, memo, reason):
    token = _checkout(client, demo_app).rsplit("/", 1)[1]
    intent = _intents(demo_app, token)[0]
    url, req = _signed(demo_app, intent, memo=memo)  # exact amount, no code
    client.post(url, data=req.body, headers=req.headers)
    with demo_app.app_context():
        assert db.session.get(PaymentIntent, intent.id).status == "requires_payment"
        [item] = db.session.scalars(select(ReviewItem)).all()
        assert item.reason == reason and item.intent_id is None


def test_one_character_typo_is_detected_not_matched(client, demo_app):
    token = _checkout(client, demo_app).rsplit("/", 1)[1]
    intent = _intents(demo_app, token)[0]
    code = intent.reference_code
    typo = code[:4] + ("A" if code[4] != "A" else "B") + code[5:]
    url, req = _signed(demo_app, intent, memo=f"IBFT {typo} chuyen tien")
    client.post(url, data=req.body, headers=req.headers)
    with demo_app.app_context():
        assert db.session.get(PaymentIntent, intent.id).status == "requires_payment"
        [item] = db.session.scalars(select(ReviewItem)).all()
        assert item.reason == "typo" and typo in item.detail


def test_money_for_expired_intent_goes_to_review(client, demo_app):
    token = _checkout(client, demo_app).rsplit("/", 1)[1]
    intent = _intents(demo_app, token)[0]
    with demo_app.app_context():
        from marketplace.payments.intents import expire_due

        with db.transaction() as session:
            assert expire_due(session, utcnow() + timedelta(hours=25)) == 2
    url, req = _signed(demo_app, intent)
    client.post(url, data=req.body, headers=req.headers)
    with demo_app.app_context():
        fresh = db.session.get(PaymentIntent, intent.id)
        assert fresh.status == "expired" and fresh.amount_received_vnd == 0
        assert db.session.get(Order, intent.order_id).status == "expired"
        [item] = db.session.scalars(select(ReviewItem)).all()
        assert item.reason == "intent_expired"


def test_forged_or_stale_signature_writes_nothing(client, demo_app):
    token = _checkout(client, demo_app).rsplit("/", 1)[1]
    intent = _intents(demo_app, token)[0]
    url, req = _signed(demo_app, intent, provider_secret="not-the-secret")
    assert client.post(url, data=req.body, headers=req.headers).status_code == 401
    url, good = _signed(demo_app, intent)
    assert (
        client.post(
            url.replace("/sepay/", "/casso/"), data=good.body, headers=good.headers
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/webhooks/sepay/unknown-token", data=good.body, headers=good.headers
        ).status_code
        == 404
    )
    # Casso signs the body with a timestamp: tampering or replaying late is refused
    with demo_app.app_context():
        conn = connections.connect(
            db.session,
            vault_for(demo_app.config),
            provider="casso",
            secrets=["old-key", "casso-key"],
            accounts=[intent.payee_account],
            producer_id=intent.producer_id,
        )
        casso_url = f"/webhooks/casso/{conn.token}"
        db.commit()
    memo = intent.reference_code
    signed = sandbox.signed_webhook(
        "casso", "casso-key", intent.payee_account, intent.amount_vnd, memo, "55501", utcnow()
    )
    tampered = signed.body.replace(
        str(intent.amount_vnd).encode(), str(intent.amount_vnd * 10).encode()
    )
    assert client.post(casso_url, data=tampered, headers=signed.headers).status_code == 401
    stale = sandbox.signed_webhook(
        "casso",
        "casso-key",
        intent.payee_account,
        intent.amount_vnd,
        memo,
        "55502",
        utcnow() - timedelta(hours=1),
    )
    assert client.post(casso_url, data=stale.body, headers=stale.headers).status_code == 401
    with demo_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BankTransaction)) == 0
    # the rotated-in secret works, and the payment goes through
    assert client.post(casso_url, data=signed.body, headers=signed.headers).status_code == 200
    assert (
        client.get(f"/thanh-toan/{intent.public_id}/trang-thai").get_json()["status"] == "succeeded"
    )


def test_malformed_body_is_400(client, demo_app):
    token = _checkout(client, demo_app).rsplit("/", 1)[1]
    intent = _intents(demo_app, token)[0]
    url, req = _signed(demo_app, intent)
    body = json.loads(req.body)
    body["transferAmount"] = "mười nghìn"
    response = client.post(url, data=json.dumps(body), headers=req.headers)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "payload_invalid"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "12345", "Số điện thoại"),
        ("commune_code", "99999", "xã/phường"),
        ("name", " ", "họ tên"),
        ("address_line", "", "địa chỉ"),
    ],
)
def test_checkout_errors_are_vietnamese_and_write_nothing(client, demo_app, field, value, message):
    client.post(
        "/gio-hang/them", data={"product_id": _product_id(demo_app, "sample:P021"), "quantity": 1}
    )
    response = client.post("/dat-hang", data=BUYER | {field: value})
    assert response.status_code == 400
    assert message.lower() in response.get_data(as_text=True).lower()
    with demo_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0
        assert db.session.scalar(select(func.count()).select_from(PaymentIntent)) == 0


def test_checkout_rejects_quantity_over_stock(client, demo_app):
    pid = _product_id(demo_app, "sample:P021")
    client.post("/gio-hang/them", data={"product_id": pid, "quantity": 99})
    client.post("/gio-hang/them", data={"product_id": pid, "quantity": 99})
    response = client.post("/dat-hang", data=BUYER)
    said = response.get_data(as_text=True)
    assert response.status_code == 400 and "chỉ còn" in said
    assert "Giảm số lượng rồi đặt hàng lại." in said  # what to do next, not only what is wrong


def test_memo_scan_finds_code_amid_bank_text():
    from marketplace.payments import reference

    code = reference.new_code("order")
    memo = f"MBVCB.1234567.890123.{code.lower()}-chuyen tien.CT tu 0123 NGUYEN VAN AN"
    assert reference.codes_in_memo(memo)[0] == [code]
    assert re.fullmatch(r"DH[A-Z2-9]{7}", code)


def test_partially_paid_then_expired_goes_to_review(client, demo_app):
    token = _checkout(client, demo_app).rsplit("/", 1)[1]
    intent = _intents(demo_app, token)[0]
    url, req = _signed(demo_app, intent, amount=10000)
    client.post(url, data=req.body, headers=req.headers)
    with demo_app.app_context():
        from marketplace.payments.intents import expire_due

        with db.transaction() as session:
            expire_due(session, utcnow() + timedelta(hours=25))
        fresh = db.session.get(PaymentIntent, intent.id)
        assert (fresh.status, fresh.amount_received_vnd) == ("expired", 10000)
        [item] = db.session.scalars(select(ReviewItem)).all()
        assert (item.reason, item.amount_vnd, item.intent_id) == (
            "partial_expired",
            10000,
            intent.id,
        )


def test_same_transfer_reported_by_two_services_credits_once(client, demo_app):
    from marketplace.payments import ledger
    from marketplace.payments.matching import match_transaction
    from marketplace.payments.providers.base import BankTransfer

    token = _checkout(client, demo_app).rsplit("/", 1)[1]
    intent = _intents(demo_app, token)[0]
    with demo_app.app_context():
        now = utcnow()
        ids = []
        for provider, ptid in (("sepay", "1001"), ("casso", "77")):
            transfer = BankTransfer(
                provider,
                ptid,
                intent.payee_account,
                intent.amount_vnd,
                intent.reference_code,
                now,
                "FT2432100",
                None,
                "in",
                {},
            )
            with db.transaction() as session:
                ids += ledger.record(session, [transfer], now)
        for tx_id in ids:
            with db.transaction() as session:
                match_transaction(session, tx_id, now)
        assert db.session.scalar(select(func.count()).select_from(PaymentApplication)) == 1
        [item] = db.session.scalars(select(ReviewItem)).all()
        assert item.reason == "duplicate"
        assert db.session.get(PaymentIntent, intent.id).amount_received_vnd == intent.amount_vnd


def _stock(app, product_id):
    with app.app_context():
        product = db.session.get(Product, product_id)
        return product.stock, product.revision


def test_a_paid_order_takes_its_units_from_stock_once(client, demo_app):
    ref = "sample:P021"
    product_id = _product_id(demo_app, ref)
    before, revision = _stock(demo_app, product_id)
    token = _checkout(client, demo_app, refs=(ref,), quantities=(3,)).rsplit("/", 1)[1]
    assert _stock(demo_app, product_id)[0] == before  # ordering alone reserves nothing
    intent = _intents(demo_app, token)[0]
    url, req = _signed(demo_app, intent)
    for _ in range(3):  # replays credit once, and take the stock once
        assert client.post(url, data=req.body, headers=req.headers).status_code == 200
    after, new_revision = _stock(demo_app, product_id)
    assert after == before - 3
    assert new_revision > revision  # marketplace listings see the change
