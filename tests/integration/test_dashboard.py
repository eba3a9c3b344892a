"""The signed-in area: login, review actions (audited), manual transfers, fees, keys."""

import re

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import AuditLog
from marketplace.accounts.services import create_user
from marketplace.core.crypto import vault_for
from marketplace.core.db import db, utcnow
from marketplace.payments.models import NotificationConnection, PaymentIntent, ReviewItem
from marketplace.payments.models_extra import Fee
from marketplace.payments.providers import sandbox
from producers.models import Producer

PASSWORD = "mat-khau-du-dai-1"


@pytest.fixture
def people(demo_app):
    with demo_app.app_context():
        producer = db.session.scalar(select(Producer).where(Producer.name == "HTX chè Hảo Đạt"))
        create_user(
            db.session,
            email="htx@example.vn",
            name="Chị Hảo",
            password=PASSWORD,
            role="producer",
            producer_id=producer.id,
        )
        create_user(
            db.session, email="admin@example.vn", name="Admin", password=PASSWORD, role="admin"
        )
        db.commit()
        return {"producer_id": producer.id, "account": producer.bank_account}


def login(client, email):
    response = client.post("/dang-nhap", data={"email": email, "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)


def test_login_required_and_wrong_password(client, people):
    assert client.get("/quan-ly").status_code == 302
    bad = client.post("/dang-nhap", data={"email": "htx@example.vn", "password": "sai"})
    assert bad.status_code == 401 and "không đúng" in bad.get_data(as_text=True)
    login(client, "htx@example.vn")
    assert "HTX chè Hảo Đạt" in client.get("/quan-ly").get_data(as_text=True)
    assert client.get("/quan-ly/tinh-phi").status_code == 403


def _unmatched_transfer(demo_app, client, account, amount=120000, txid="8800"):
    with demo_app.app_context():
        conn = db.session.scalar(
            select(NotificationConnection).where(NotificationConnection.accounts == account)
        )
        secret = vault_for(demo_app.config).decrypt(conn.secrets_encrypted)[0]
        req = sandbox.signed_webhook(
            conn.provider, secret, account, amount, "chuyen tien che", txid, utcnow()
        )
        url = f"/webhooks/{conn.provider}/{conn.token}"
    assert client.post(url, data=req.body, headers=req.headers).status_code == 200


def _intent(client, demo_app, amount):
    from marketplace.accounts.services import create_api_key

    with demo_app.app_context():
        producer = db.session.scalar(select(Producer).where(Producer.name == "HTX chè Hảo Đạt"))
        _, secret = create_api_key(db.session, producer.id)
        db.commit()
    return client.post(
        "/api/v1/payment_intents",
        json={"amount": amount},
        headers={"Authorization": f"Bearer {secret}"},
    ).get_json()


def test_review_assign_then_audit(client, demo_app, people):
    pi = _intent(client, demo_app, 120000)
    _unmatched_transfer(demo_app, client, people["account"])
    login(client, "htx@example.vn")
    page = client.get("/quan-ly/doi-soat").get_data(as_text=True)
    assert "chuyen tien che" in page
    with demo_app.app_context():
        item = db.session.scalar(select(ReviewItem))
    wrong = client.post(
        f"/quan-ly/doi-soat/{item.id}", data={"action": "assign", "reference_code": "DHAAAAAAA"}
    )
    said = wrong.get_data(as_text=True)
    assert wrong.status_code == 400 and "Không có yêu cầu thanh toán với mã này" in said
    assert "Kiểm tra lại mã thanh toán trong nội dung chuyển khoản" in said
    ok = client.post(
        f"/quan-ly/doi-soat/{item.id}",
        data={"action": "assign", "reference_code": pi["reference_code"].lower()},
    )
    assert ok.status_code == 303
    with demo_app.app_context():
        intent = db.session.scalar(select(PaymentIntent).where(PaymentIntent.public_id == pi["id"]))
        assert intent.status == "succeeded"
        log = db.session.scalars(select(AuditLog).where(AuditLog.action == "review.assign")).all()
        assert len(log) == 1 and log[0].actor == "htx@example.vn"
    twice = client.post(
        f"/quan-ly/doi-soat/{item.id}",
        data={"action": "assign", "reference_code": pi["reference_code"]},
    )
    assert twice.status_code == 409


def test_review_dismiss_needs_a_reason(client, demo_app, people):
    _unmatched_transfer(demo_app, client, people["account"])
    login(client, "admin@example.vn")
    with demo_app.app_context():
        item = db.session.scalar(select(ReviewItem))
    assert (
        client.post(
            f"/quan-ly/doi-soat/{item.id}", data={"action": "dismissed", "note": " "}
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"/quan-ly/doi-soat/{item.id}",
            data={"action": "refund_due", "note": "Khách chuyển nhầm"},
        ).status_code
        == 303
    )
    with demo_app.app_context():
        assert db.session.get(ReviewItem, item.id).status == "refund_due"
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditLog)
                .where(AuditLog.action == "review.refund_due")
            )
            == 1
        )


def test_manual_transfer_goes_through_matching(client, demo_app, people):
    pi = _intent(client, demo_app, 64000)
    login(client, "htx@example.vn")
    form = {
        "bank_reference": "FT24123",
        "amount": "64.000",
        "occurred_at": "2026-11-20T10:15",
        "memo": f"{pi['reference_code']} tra",
    }
    assert client.post("/quan-ly/chuyen-khoan-thu-cong", data=form).status_code == 303
    assert client.get(f"/thanh-toan/{pi['id']}/trang-thai").get_json()["status"] == "succeeded"
    again = client.post("/quan-ly/chuyen-khoan-thu-cong", data=form)
    assert again.status_code == 303 and "dup" in again.headers["Location"]
    bad = client.post(
        "/quan-ly/chuyen-khoan-thu-cong", data=form | {"amount": "abc", "bank_reference": "FT9"}
    )
    assert bad.status_code == 400 and "Số tiền" in bad.get_data(as_text=True)


def test_fee_charged_paid_by_qr_and_marked_paid(client, demo_app, people):
    login(client, "admin@example.vn")
    response = client.post(
        "/quan-ly/tinh-phi",
        data={
            "producer_id": str(people["producer_id"]),
            "kind": "yearly",
            "description": "Phí năm 2027",
            "amount": "200.000",
        },
    )
    assert response.status_code == 303
    client.post("/dang-xuat")
    login(client, "htx@example.vn")
    with demo_app.app_context():
        fee = db.session.scalar(select(Fee))
    assert client.post(f"/quan-ly/phi/{fee.id}/thanh-toan").status_code == 303
    page = client.get("/quan-ly/phi").get_data(as_text=True)
    assert 'data-testid="payment"' in page and "CONG TY CHO OCOP DEMO" in page
    with demo_app.app_context():
        intent = db.session.get(PaymentIntent, db.session.get(Fee, fee.id).intent_id)
        assert (
            intent.payee_account == demo_app.config["PLATFORM_BANK_ACCOUNT"]
            and intent.purpose == "fee"
        )
        conn = db.session.scalar(
            select(NotificationConnection).where(NotificationConnection.producer_id.is_(None))
        )
        secret = vault_for(demo_app.config).decrypt(conn.secrets_encrypted)[0]
        req = sandbox.signed_webhook(
            conn.provider,
            secret,
            intent.payee_account,
            200000,
            intent.reference_code,
            "9911",
            utcnow(),
        )
        url = f"/webhooks/{conn.provider}/{conn.token}"
    assert client.post(url, data=req.body, headers=req.headers).status_code == 200
    with demo_app.app_context():
        assert db.session.get(Fee, fee.id).status == "paid"


def test_api_keys_page_shows_secret_once(client, people):
    login(client, "htx@example.vn")
    created = client.post("/quan-ly/khoa-api", data={"name": "website"}).get_data(as_text=True)
    assert "sk_live_" in created
    listed = client.get("/quan-ly/khoa-api").get_data(as_text=True)
    assert "website" in listed and 'data-testid="new-secret"' not in listed


def test_connect_notification_service(client, demo_app, people):
    login(client, "htx@example.vn")
    assert (
        client.post(
            "/quan-ly/ket-noi-ngan-hang", data={"provider": "bank", "secret": "x"}
        ).status_code
        == 400
    )
    page = client.post(
        "/quan-ly/ket-noi-ngan-hang", data={"provider": "casso", "secret": "casso-secret"}
    ).get_data(as_text=True)
    assert "/webhooks/casso/" in page
    with demo_app.app_context():
        conn = db.session.scalar(
            select(NotificationConnection).where(NotificationConnection.provider == "casso")
        )
        assert "casso-secret" not in conn.secrets_encrypted
        assert vault_for(demo_app.config).decrypt(conn.secrets_encrypted) == ["casso-secret"]


def test_dashboard_links_to_printables(client, people):
    login(client, "htx@example.vn")
    page = client.get("/quan-ly").get_data(as_text=True)
    poster = re.search(r'data-testid="poster-link"[^>]*|href="(/in/bang-qr/[^"]+\.pdf)"', page)
    assert poster is not None
    href = re.search(r'href="(/in/bang-qr/[^"]+\.pdf)"', page).group(1)
    response = client.get(href)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    labels = re.search(r'href="(/in/nhan/\d+\.pdf)"', page).group(1)
    assert client.get(labels).mimetype == "application/pdf"


def test_admin_connects_the_fee_account(client, demo_app, people):
    login(client, "admin@example.vn")
    page = client.post(
        "/quan-ly/ket-noi-ngan-hang", data={"provider": "payos", "secret": "checksum-key"}
    )
    assert page.status_code == 200 and "/webhooks/payos/" in page.get_data(as_text=True)
    with demo_app.app_context():
        conn = db.session.scalar(
            select(NotificationConnection).where(NotificationConnection.provider == "payos")
        )
        assert conn.producer_id is None and conn.account_list == [
            demo_app.config["PLATFORM_BANK_ACCOUNT"]
        ]
