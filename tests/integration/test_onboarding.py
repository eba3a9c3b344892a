"""Onboarding pages: steps refuse bad input in Vietnamese with the input kept and nothing
written, resume at the right step, respect the onboarder's scope, map pre-2025 addresses
(a split commune goes to a person), verify the bank account by its VietQR, hand over by
invitation, list expiring certificates, and end with the product listed with its stars."""

from __future__ import annotations

import gzip
import hashlib
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from marketplace.accounts.models import AuditLog, Invitation, User, UserScope
from marketplace.accounts.services import create_user
from marketplace.core.clock import today
from marketplace.core.db import db
from marketplace.core.errors import ValidationError
from marketplace.onboarding import bank, handover, services
from marketplace.onboarding.lineage import map_legacy
from marketplace.payments import vietqr
from producers.models import (
    VALIDITY_MONTHS,
    Certificate,
    Producer,
    Product,
    ProductImage,
    add_months,
)

PASSWORD = "mat-khau-du-dai-1"
TAN_CUONG = "05503"  # Xã Tân Cương, Tỉnh Thái Nguyên
GOOD = {
    "kind": "cooperative",
    "name": "HTX Chè Xanh Tân Cương",
    "tax_code": "4601234999",
    "representative": "Nguyễn Thị Hảo",
    "phone": "0912 345 678",
    "province": "19",
    "commune_code": TAN_CUONG,
}


def jpeg(color: tuple[int, int, int] = (40, 120, 60)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def counts() -> dict[str, int]:
    return {
        m.__name__: db.session.scalar(select(func.count()).select_from(m))
        for m in (Producer, Product, Certificate, ProductImage, AuditLog, Invitation)
    }


@pytest.fixture
def people(demo_app):
    with demo_app.app_context():
        helper = create_user(
            db.session, email="cdsc@example.vn", name="Tổ CNS", password=PASSWORD, role="onboarder"
        )
        db.session.add(UserScope(user_id=helper.id, commune_code=TAN_CUONG))
        other = create_user(
            db.session, email="khac@example.vn", name="Tổ khác", password=PASSWORD, role="onboarder"
        )
        elsewhere = db.session.scalars(
            select(Producer).where(Producer.province_code != "19").order_by(Producer.id)
        ).first()
        db.session.add(UserScope(user_id=other.id, commune_code=elsewhere.commune_code))
        staff = create_user(
            db.session, email="canbo@example.vn", name="Cán bộ", password=PASSWORD, role="staff"
        )
        db.session.add(UserScope(user_id=staff.id, province_code="19"))
        create_user(
            db.session, email="admin@example.vn", name="Admin", password=PASSWORD, role="admin"
        )
        db.commit()
        return {"helper": helper.id, "elsewhere": elsewhere.id}


def login(client, email):
    response = client.post("/dang-nhap", data={"email": email, "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)


def create(client) -> int:
    response = client.post("/quan-ly/ho-tro/them", data=GOOD)
    assert response.status_code == 303, response.get_data(as_text=True)
    producer_id = int(re.search(r"/ho-tro/(\d+)/", response.location).group(1))
    assert response.location.endswith(f"/ho-tro/{producer_id}/dia-chi")
    return producer_id


def product_form(**over):
    data = {
        "name": "Chè búp Tân Cương Xanh",
        "set_no": "11",
        "price_vnd": "120.000",
        "unit": "hộp",
        "net_quantity": "hộp 200 g",
        "stock": "30",
        "weight_grams": "250",
        "stars": "4",
        "decision_number": "1234/QĐ-UBND",
        "decision_date": (today() - timedelta(days=200)).isoformat(),
        "issuing_authority": "UBND tỉnh Thái Nguyên",
        "photo": (io.BytesIO(jpeg()), "anh.jpg"),
        "scan": (io.BytesIO(jpeg((250, 250, 240))), "giay.jpg"),
    }
    data.update(over)
    return data


def test_step_one_refuses_bad_input_keeps_it_and_writes_nothing(demo_app, client, people):
    login(client, "cdsc@example.vn")
    with demo_app.app_context():
        before = counts()
    bad = {**GOOD, "tax_code": "46012", "phone": "12345", "representative": " "}
    response = client.post("/quan-ly/ho-tro/them", data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Mã số thuế phải gồm 10 chữ số" in page
    assert "Số điện thoại không hợp lệ" in page
    assert "Vui lòng nhập họ tên người đại diện." in page
    assert 'value="HTX Chè Xanh Tân Cương"' in page and 'value="46012"' in page
    assert 'aria-invalid="true"' in page
    # outside the onboarder's communes: refused the same way
    hanoi = client.post("/quan-ly/ho-tro/them", data={**GOOD, "commune_code": "00004"})
    assert hanoi.status_code == 400
    assert "xã/phường mình phụ trách" in hanoi.get_data(as_text=True)
    with demo_app.app_context():
        assert counts() == before


def test_steps_in_order_resume_and_go_live_with_stars(demo_app, client, people):
    login(client, "cdsc@example.vn")
    producer_id = create(client)
    base = f"/quan-ly/ho-tro/{producer_id}"
    with demo_app.app_context():
        producer = db.session.get(Producer, producer_id)
        assert producer.onboarder_user_id == people["helper"]
        assert producer.status == "onboarding" and producer.phone == "0912345678"
    # leave and come back: the first missing step
    assert client.get(base + "/tiep-tuc").location.endswith(base + "/dia-chi")
    assert "Tiếp tục: Địa chỉ" in client.get(base).get_data(as_text=True)

    missing_street = client.post(
        base + "/dia-chi", data={"province": "19", "commune_code": TAN_CUONG}
    )
    assert missing_street.status_code == 400
    assert "thôn/xóm" in missing_street.get_data(as_text=True)
    done = client.post(
        base + "/dia-chi",
        data={"province": "19", "commune_code": TAN_CUONG, "street": "Xóm Hồng Thái 2"},
    )
    assert done.location.endswith(base + "/ngan-hang")
    assert client.get(base + "/tiep-tuc").location.endswith(base + "/ngan-hang")

    with demo_app.app_context():
        before = counts()
    bad_bank = client.post(
        base + "/ngan-hang",
        data={"bank_bin": "999999", "bank_account": "12-34", "bank_account_name": "Nguyễn Thị Hảo"},
    )
    page = bad_bank.get_data(as_text=True)
    assert bad_bank.status_code == 400
    assert "Chọn ngân hàng trong danh sách" in page and "Số tài khoản chỉ gồm" in page
    assert 'value="Nguyễn Thị Hảo"' in page
    saved = client.post(
        base + "/ngan-hang",
        data={
            "bank_bin": "970436",
            "bank_account": "0451 0000 12345",
            "bank_account_name": "Nguyễn Thị Hảo",
        },
    )
    assert saved.status_code == 303
    page = client.get(base + "/ngan-hang").get_data(as_text=True)
    with demo_app.app_context():
        assert counts()["AuditLog"] == before["AuditLog"] + 1
        producer = db.session.get(Producer, producer_id)
        assert producer.bank_account_name == "NGUYEN THI HAO"
        assert producer.bank_account == "045100001234" + "5"
        payload = bank.bank_qr_payload(producer)
    qr = vietqr.parse(payload)
    assert (qr.bin, qr.account, qr.amount) == ("970436", "0451000012345", None)
    assert "data:image/svg+xml;base64," in page and "NGUYEN THI HAO" in page
    # not ticked: refused; ticked: verified, on to consent
    assert client.post(base + "/ngan-hang/xac-minh", data={}).status_code == 400
    verified = client.post(base + "/ngan-hang/xac-minh", data={"verified": "1"})
    assert verified.location.endswith(base + "/dieu-khoan")

    assert client.post(base + "/dieu-khoan", data={}).status_code == 400
    assert client.post(base + "/dieu-khoan", data={"agree": "1"}).location.endswith(
        base + "/san-pham"
    )
    with demo_app.app_context():
        assert db.session.get(Producer, producer_id).status == "onboarding"
        before = counts()

    bad = client.post(
        base + "/san-pham",
        data=product_form(
            price_vnd="mười nghìn", stars="6", photo=(io.BytesIO(b""), ""), weight_grams=""
        ),
        content_type="multipart/form-data",
    )
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Nhập giá bán là số đồng nguyên" in page
    assert "Nhập khối lượng (gam)" in page  # in the same answer: one round trip on 3G
    assert "Chọn hạng sao OCOP" in page and "ít nhất một ảnh sản phẩm" in page
    assert 'value="Chè búp Tân Cương Xanh"' in page and 'value="1234/QĐ-UBND"' in page
    future = client.post(
        base + "/san-pham",
        data=product_form(decision_date=(today() + timedelta(days=3)).isoformat()),
        content_type="multipart/form-data",
    )
    assert future.status_code == 400
    assert "không được ở tương lai" in future.get_data(as_text=True)
    not_image = client.post(
        base + "/san-pham",
        data=product_form(photo=(io.BytesIO(b"not an image"), "x.jpg")),
        content_type="multipart/form-data",
    )
    assert not_image.status_code == 400 and "Không đọc được ảnh" in not_image.get_data(as_text=True)
    with demo_app.app_context():
        assert counts() == before  # no product, certificate, image or audit row half-written

    added = client.post(base + "/san-pham", data=product_form(), content_type="multipart/form-data")
    assert added.status_code == 303, added.get_data(as_text=True)
    with demo_app.app_context():
        producer = db.session.get(Producer, producer_id)
        product = db.session.scalar(select(Product).where(Product.producer_id == producer_id))
        assert producer.status == "active"
        assert (product.status, product.cert_stars, len(product.images)) == ("published", 4, 1)
        cert = product.certificates[0]
        assert cert.document_path.startswith(f"certificates/{product.id}/")
        assert cert.decision_number == "1234/QĐ-UBND"
        media = Path(demo_app.config["MEDIA_DIR"])
        assert (media / cert.document_path).is_file()
        assert (media / product.images[0].original_path).is_file()
        audited = db.session.scalars(
            select(AuditLog.action).where(AuditLog.on_behalf_of_producer_id == producer_id)
        ).all()
    assert {"onboarding.created", "onboarding.bank_verified", "onboarding.product_added"} <= set(
        audited
    )
    for path in ("", "/chu-the", "/dia-chi", "/ngan-hang", "/dieu-khoan", "/san-pham"):
        body = client.get(base + path).get_data()
        assert len(gzip.compress(body)) < 20_000, (path, len(gzip.compress(body)))  # light pages
    results = client.get("/tim-kiem?q=che+bup+tan+cuong+xanh").get_data(as_text=True)
    assert "Chè búp Tân Cương Xanh" in results and "OCOP 4 sao" in results
    assert "Đang bán trên Chợ OCOP." in client.get(base).get_data(as_text=True)


def test_scope_other_commune_is_404_and_staff_only_reads(demo_app, client, people):
    login(client, "khac@example.vn")
    login(client, "cdsc@example.vn")
    elsewhere = people["elsewhere"]
    for path in ("", "/chu-the", "/dia-chi", "/ngan-hang", "/dieu-khoan", "/san-pham", "/tiep-tuc"):
        assert client.get(f"/quan-ly/ho-tro/{elsewhere}{path}").status_code == 404, path
    assert (
        client.post(f"/quan-ly/ho-tro/{elsewhere}/dieu-khoan", data={"agree": "1"}).status_code
        == 404
    )
    assert client.post(f"/quan-ly/ho-tro/{elsewhere}/moi-chu-the").status_code == 404
    producer_id = create(client)
    client.post("/dang-xuat")
    login(client, "khac@example.vn")
    assert client.get(f"/quan-ly/ho-tro/{producer_id}").status_code == 404
    assert client.get(f"/quan-ly/ho-tro/{elsewhere}").status_code == 200
    assert "HTX Chè Xanh Tân Cương" not in client.get("/quan-ly/ho-tro").get_data(as_text=True)
    login(client, "canbo@example.vn")
    assert client.get(f"/quan-ly/ho-tro/{producer_id}").status_code == 200
    assert (
        client.post(f"/quan-ly/ho-tro/{producer_id}/dieu-khoan", data={"agree": "1"}).status_code
        == 403
    )
    assert client.get("/quan-ly/ho-tro/them").status_code == 403


def test_legacy_address_mapped_and_split_commune_sent_to_a_person(demo_app, client, people):
    login(client, "cdsc@example.vn")
    producer_id = create(client)
    base = f"/quan-ly/ho-tro/{producer_id}"
    mapped = client.post(
        base + "/dia-chi",
        data={"street": "Xóm 3", "legacy": "xa tan cuong, tp thai nguyen, tinh thai nguyen"},
    )
    assert mapped.location.endswith(base + "/ngan-hang")
    with demo_app.app_context():
        producer = db.session.get(Producer, producer_id)
        assert producer.commune_code == TAN_CUONG and not producer.address_review
        assert producer.address_note.startswith("Địa chỉ cũ: xa tan cuong")
    # Phường Cống Vị (Ba Đình) was split between Ngọc Hà and Giảng Võ: a person chooses
    split = client.post(
        base + "/dia-chi",
        data={"street": "Số 5 ngõ 12", "legacy": "Phường Cống Vị, Quận Ba Đình, Hà Nội"},
    )
    assert split.location.endswith(base + "/dia-chi")
    page = client.get(base + "/dia-chi").get_data(as_text=True)
    assert "Xã cũ đã chia tách" in page and 'value="00008"' in page and 'value="00025"' in page
    with demo_app.app_context():
        producer = db.session.get(Producer, producer_id)
        assert producer.address_review and producer.commune_code == TAN_CUONG
        item = services.checklist(db.session, producer, today()).item("address")
        assert item.missing == ["address_review"]
    assert "Địa chỉ cần người xác minh" in client.get("/quan-ly/ho-tro").get_data(as_text=True)
    assert (
        client.post(base + "/dia-chi/xac-nhan", data={"commune_code": TAN_CUONG}).status_code == 400
    )
    resolved = client.post(base + "/dia-chi/xac-nhan", data={"commune_code": "00025"})
    assert resolved.status_code == 303
    with demo_app.app_context():
        producer = db.session.get(Producer, producer_id)
        assert (producer.commune_code, producer.province_code) == ("00025", "01")
        assert not producer.address_review
    unknown = client.post(
        base + "/dia-chi", data={"street": "Xóm 1", "legacy": "Xã Không Có, Huyện Ảo"}
    )
    assert unknown.status_code == 400
    assert "Không tìm thấy xã/phường cũ" in unknown.get_data(as_text=True)


def test_lineage_matching_rules(session):
    one = map_legacy(session, "Xã Tân Cương, Thành phố Thái Nguyên, Tỉnh Thái Nguyên")
    assert one.new_codes == (TAN_CUONG,) and not one.is_split
    split = map_legacy(session, "P. Cống Vị, Q. Ba Đình, TP Hà Nội")
    assert split.new_codes == ("00008", "00025") and split.is_split
    assert "Phường Cống Vị" in split.old_label
    with pytest.raises(ValidationError, match="khớp nhiều xã"):
        map_legacy(session, "Xã Tân Lập")


def test_invitation_lets_the_producer_take_over(demo_app, client, people):
    login(client, "cdsc@example.vn")
    producer_id = create(client)
    response = client.post(f"/quan-ly/ho-tro/{producer_id}/moi-chu-the")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    token = re.search(r"/moi/([A-Za-z0-9_-]{40,})", page).group(1)
    with demo_app.app_context():
        invitation = db.session.scalar(select(Invitation))
        assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert (invitation.role, invitation.producer_role) == ("producer", "owner")
        assert invitation.producer_id == producer_id
        assert invitation.created_by_user_id == people["helper"]
        details = " ".join(db.session.scalars(select(AuditLog.detail)))
        assert token not in details
        # the producer's own login sees its checklist and nobody else's
        create_user(
            db.session,
            email="chu@example.vn",
            name="Chị Hảo",
            password=PASSWORD,
            role="producer",
            producer_id=producer_id,
        )
        db.commit()
    login(client, "chu@example.vn")
    home = client.get("/quan-ly/ho-tro")
    assert home.location.endswith(f"/quan-ly/ho-tro/{producer_id}")
    assert "Tiếp tục: Địa chỉ" in client.get(home.location).get_data(as_text=True)
    assert client.get(f"/quan-ly/ho-tro/{people['elsewhere']}").status_code == 404
    with demo_app.app_context():
        member = create_user(
            db.session,
            email="thanhvien@example.vn",
            name="Thành viên",
            password=PASSWORD,
            role="producer",
            producer_id=producer_id,
        )
        member.producer_role = "member"
        db.commit()
    login(client, "thanhvien@example.vn")
    assert client.post(f"/quan-ly/ho-tro/{producer_id}/moi-chu-the").status_code == 403
    ok = client.post(
        f"/quan-ly/ho-tro/{producer_id}/dia-chi",
        data={"province": "19", "commune_code": TAN_CUONG, "street": "Xóm 2"},
    )
    assert ok.status_code == 303


def test_certificates_expiring_within_90_days_are_listed(demo_app, client, people):
    login(client, "cdsc@example.vn")
    producer_id = create(client)
    base = f"/quan-ly/ho-tro/{producer_id}"
    soon = add_months(today(), -VALIDITY_MONTHS) + timedelta(days=30)
    added = client.post(
        base + "/san-pham",
        data=product_form(name="Chè sắp hết hạn", decision_date=soon.isoformat()),
        content_type="multipart/form-data",
    )
    assert added.status_code == 303, added.get_data(as_text=True)
    for page in (client.get("/quan-ly/ho-tro"), client.get(base)):
        text = page.get_data(as_text=True)
        assert "Giấy chứng nhận sắp hết hiệu lực" in text and "Chè sắp hết hạn" in text
    with demo_app.app_context():
        other = db.session.scalar(select(User).where(User.email == "khac@example.vn"))
        names = [p.name for p in handover.expiring(db.session, other, today())]
        assert "Chè sắp hết hạn" not in names
    # a renewal moves it out of the list
    product_id = int(
        re.search(r'id="sp-(\d+)"', client.get(base + "/san-pham").get_data(as_text=True)).group(1)
    )
    renewed = client.post(
        f"{base}/san-pham/{product_id}/chung-nhan",
        data={
            "stars": "5",
            "decision_number": "77/QĐ-UBND",
            "decision_date": today().isoformat(),
            "issuing_authority": "UBND tỉnh Thái Nguyên",
            "scan": (io.BytesIO(jpeg((10, 10, 10))), "moi.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert renewed.status_code == 303
    with demo_app.app_context():
        assert (
            handover.expiring(
                db.session, db.session.get(User, people["helper"]), today(), producer_id
            )
            == []
        )
