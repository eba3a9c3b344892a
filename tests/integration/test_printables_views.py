"""Print-file routes over the demo catalogue: statuses, types, caching, and the QR they carry."""

from __future__ import annotations

import io
from datetime import date
from urllib.parse import urlsplit

import pytest
from flask import url_for
from PIL import Image
from sqlalchemy import select

from marketplace.core.db import db
from marketplace.payments import printables
from marketplace.payments.printables_views import bp
from marketplace.payments.vietqr import parse
from producers.models import Producer, Product
from tests.unit.test_printables import A4_POINTS, A6_POINTS, Pdf, assert_size, decode

JSON = {"Accept": "application/json"}
CERTIFIED = "Chè Đinh Tân Cương Hảo Đạt"  # 5 stars, 16/01/2025 - 16/01/2028 in the demo data


@pytest.fixture(autouse=True)
def registered(demo_app):
    """The blueprint, until create_app registers it itself."""
    if "printables" not in demo_app.blueprints:
        demo_app.register_blueprint(bp)
    return demo_app


def producer(app, **where) -> Producer:
    with app.app_context():
        query = select(Producer).order_by(Producer.id)
        return db.session.scalars(query.filter_by(**where)).first()


def product(app, name=None) -> Product:
    with app.app_context():
        query = select(Product).order_by(Product.id)
        if name:
            query = query.where(Product.name == name)
        return db.session.scalars(query).unique().first()


def change(app, model, id_, **values) -> None:
    with app.app_context():
        row = db.session.get(model, id_)
        for key, value in values.items():
            setattr(row, key, value)
        db.session.commit()


def image_of(response) -> Image.Image:
    image = Image.open(io.BytesIO(response.data))
    assert image.format == "PNG"
    return image


# --- stall poster ---------------------------------------------------------------------------


def test_poster_png_carries_the_producers_static_vietqr(client, demo_app):
    payee = producer(demo_app, status="active")
    response = client.get(f"/in/bang-qr/{payee.id}.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    image = image_of(response)
    assert image.size == (1240, 1748)
    qr = parse(decode(image))
    assert (qr.bin, qr.account) == (payee.bank_bin, payee.bank_account)
    assert qr.amount is None and qr.purpose is None


def test_poster_pdf_is_one_a6_page(client, demo_app):
    payee = producer(demo_app, status="active")
    response = client.get(f"/in/bang-qr/{payee.id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'inline; filename="bang-qr-{payee.slug}.pdf"'
    pdf = Pdf(response.data)
    (box,) = pdf.media_boxes()
    assert_size(box, A6_POINTS)
    qr = parse(decode(pdf.image()))
    assert (qr.bin, qr.account, qr.amount) == (payee.bank_bin, payee.bank_account, None)


@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_poster_with_slug_and_a_stale_slug_redirects(client, demo_app, fmt):
    payee = producer(demo_app, status="active")
    assert client.get(f"/in/bang-qr/{payee.id}-{payee.slug}.{fmt}").status_code == 200
    response = client.get(f"/in/bang-qr/{payee.id}-ten-cu.{fmt}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/in/bang-qr/{payee.id}-{payee.slug}.{fmt}"


def test_poster_is_cached_briefly_and_revalidates(client, demo_app):
    url = f"/in/bang-qr/{producer(demo_app, status='active').id}.png"
    response = client.get(url)
    assert response.cache_control.public and response.cache_control.max_age == 300
    etag = response.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


@pytest.mark.parametrize(
    "values, message",
    [
        ({"status": "suspended"}, "Không tìm thấy chủ thể này. Xem các chủ thể khác ở trang chủ."),
        ({"status": "onboarding"}, "Không tìm thấy chủ thể này. Xem các chủ thể khác ở trang chủ."),
        ({"bank_account": None}, "chưa khai báo tài khoản ngân hàng nên chưa có bảng QR. Khai báo"),
        ({"bank_bin": None}, "chưa khai báo tài khoản ngân hàng nên chưa có bảng QR. Khai báo"),
        ({"bank_bin": "999999"}, "chưa hợp lệ nên chưa có bảng QR. Sửa ngân hàng"),
    ],
)
@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_no_poster_without_an_active_producer_and_a_usable_account(
    client, demo_app, values, message, fmt
):
    payee = producer(demo_app, status="active")
    change(demo_app, Producer, payee.id, **values)
    response = client.get(f"/in/bang-qr/{payee.id}.{fmt}", headers=JSON)
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["code"] == "resource_missing" and message in error["message"]
    page = client.get(f"/in/bang-qr/{payee.id}.{fmt}")
    assert page.status_code == 404 and message in page.get_data(as_text=True)


def test_unknown_producer_is_404(client):
    assert client.get("/in/bang-qr/999999.png").status_code == 404
    assert client.get("/in/bang-qr/999999.pdf").status_code == 404


# --- product labels -------------------------------------------------------------------------


def expected_url(app, item: Product, base_url: str = "http://localhost/") -> str:
    with app.test_request_context(base_url=base_url):
        return url_for("catalogue.product_page", product_id=item.id, slug=item.slug, _external=True)


def test_label_png_links_to_the_product_page(client, demo_app):
    item = product(demo_app)
    response = client.get(f"/in/nhan/{item.id}.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = image_of(response)
    assert image.size == (827, 437)
    url = decode(image)
    assert url == expected_url(demo_app, item)
    assert client.get(urlsplit(url).path).status_code == 200  # the QR opens the product page


def test_label_url_uses_public_base_url_when_set(client, demo_app):
    demo_app.config["PUBLIC_BASE_URL"] = "https://cho-ocop.example/"
    item = product(demo_app)
    url = decode(image_of(client.get(f"/in/nhan/{item.id}.png")))
    assert url == f"https://cho-ocop.example/san-pham/{item.id}-{item.slug}"


@pytest.mark.parametrize(
    "query, pages", [("", [24]), ("?so-luong=1", [1]), ("?so-luong=30", [24, 6])]
)
def test_label_sheet_pdf_pages(client, demo_app, query, pages):
    item = product(demo_app)
    response = client.get(f"/in/nhan/{item.id}.pdf{query}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    count = sum(pages)
    assert response.headers["Content-Disposition"] == (
        f'inline; filename="nhan-{item.slug}-{count}.pdf"'
    )
    pdf = Pdf(response.data)
    for box in pdf.media_boxes():
        assert_size(box, A4_POINTS)
    assert [len(page) for page in pdf.placements()] == pages
    assert decode(pdf.image()) == expected_url(demo_app, item)


def test_label_sheet_takes_up_to_96(client, demo_app):
    item = product(demo_app)
    pdf = Pdf(client.get(f"/in/nhan/{item.id}.pdf?so-luong=96").data)
    assert [len(page) for page in pdf.placements()] == [24] * 4


@pytest.mark.parametrize("value", ["0", "97", "1000", "-1", "1.5", "abc", "", " 5", "٣", "0x10"])
def test_bad_label_quantity_is_a_clear_400(client, demo_app, value):
    item = product(demo_app)
    response = client.get(f"/in/nhan/{item.id}.pdf", query_string={"so-luong": value}, headers=JSON)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["param"] == "so-luong" and error["code"] == "parameter_invalid"
    assert error["message"] == "Số lượng nhãn phải là số nguyên từ 1 đến 96."
    page = client.get(f"/in/nhan/{item.id}.pdf", query_string={"so-luong": value})
    assert page.status_code == 400 and "từ 1 đến 96" in page.get_data(as_text=True)


@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_no_label_for_hidden_or_unknown_products(client, demo_app, fmt):
    item = product(demo_app)
    assert client.get(f"/in/nhan/999999.{fmt}").status_code == 404
    change(demo_app, Product, item.id, status="hidden")
    response = client.get(f"/in/nhan/{item.id}.{fmt}", headers=JSON)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "resource_missing"


def test_no_label_when_the_producer_is_suspended(client, demo_app):
    item = product(demo_app)
    change(demo_app, Producer, item.producer_id, status="suspended")
    assert client.get(f"/in/nhan/{item.id}.png").status_code == 404


@pytest.mark.parametrize("day, stars", [(date(2026, 11, 22), 5), (date(2028, 1, 17), None)])
def test_label_shows_stars_only_while_the_certificate_is_valid(
    client, demo_app, monkeypatch, day, stars
):
    seen = []
    original = printables.label_png
    monkeypatch.setattr("marketplace.payments.printables_views.today", lambda: day)
    monkeypatch.setattr(
        printables, "label_png", lambda label: seen.append(label) or original(label)
    )
    item = product(demo_app, CERTIFIED)
    assert client.get(f"/in/nhan/{item.id}.png").status_code == 200
    (label,) = seen
    assert (label.stars, label.price_vnd, label.code) == (stars, 2_500_000, item.code)
    assert label.name == CERTIFIED and label.unit == "kg"
