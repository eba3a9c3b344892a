"""Checkout without JavaScript: "buy now" skips the cart, the province is sent back once for
its communes (the form keeps what was typed), and a complete form sent by that same button
(Enter in a field submits the first button) places the order."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.core.db import db
from producers.models import Product

BUYER = {
    "name": "Nguyễn Thị Lan",
    "phone": "0912 345 678",
    "province": "19",
    "commune_code": "05503",
    "address_line": "Xóm Nam Đồng",
}


def _buy_now(client, app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        product_id = db.session.scalar(
            select(Product.id).where(Product.source_ref == "sample:P021")
        )
    response = client.post(
        "/gio-hang/them", data={"product_id": product_id, "quantity": "1", "then": "checkout"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/dat-hang")


def test_province_round_trip_lists_its_communes_and_keeps_the_form(client, demo_app):
    _buy_now(client, demo_app)
    page = client.get("/dat-hang").get_data(as_text=True)
    assert 'name="pick_province"' in page and 'value="05503"' not in page

    sent = {"name": BUYER["name"], "province": "19", "commune_code": "", "pick_province": "1"}
    response = client.post("/dat-hang", data=sent)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="05503"' in page and "Xã Tân Cương" in page
    assert BUYER["name"] in page
    assert 'role="alert"' not in page  # not an error, a step


def test_a_complete_form_sent_by_the_province_button_places_the_order(client, demo_app):
    _buy_now(client, demo_app)
    response = client.post("/dat-hang", data={**BUYER, "pick_province": "1"})
    assert response.status_code == 303
    assert "/don-hang/" in response.headers["Location"]


def test_a_commune_of_another_province_is_sent_back_with_the_new_list(client, demo_app):
    _buy_now(client, demo_app)
    moved = {**BUYER, "province": "48", "pick_province": "1"}  # Tân Cương is not in Đà Nẵng
    response = client.post("/dat-hang", data=moved)
    assert response.status_code == 200
    assert 'value="05503"' not in response.get_data(as_text=True)
