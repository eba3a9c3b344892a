"""A buyer on a phone orders from two producers, pays each one by VietQR, and watches the
order page turn "paid" by itself when the bank's notification arrives."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
import requests
import zxingcpp
from flask import Flask
from PIL import Image
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import func, select

from marketplace.core.crypto import vault_for
from marketplace.core.db import db, utcnow
from marketplace.orders.models import Order
from marketplace.payments import connections, vietqr
from marketplace.payments.models import PaymentIntent
from marketplace.payments.providers import sandbox

pytestmark = pytest.mark.browser

TEA = "Chè Đinh Tân Cương Hảo Đạt"
TEA_PRODUCER = "HTX chè Hảo Đạt"
COCONUT = "Bánh dừa nướng Quý Thu"
COCONUT_PRODUCER = "Công ty TNHH Sản xuất - Thương mại Quý Thu"
BUYER = {
    "name": "Nguyễn Thị Lan",
    "phone": "0912 345 678",
    "province": "Thái Nguyên",
    "commune": "Xã Tân Cương",
    "address": "Xóm Nam Đồng",
    "note": "Gọi trước khi giao",
}
WAITING = "Đang chờ chuyển khoản"
PAID = "Đã thanh toán"
#: the polling script checks every 3 s and reloads the page when a status changes
SELF_UPDATE_MS = 15_000
#: set to a folder (e.g. docs/screenshots) to save phone screenshots of the order page
SCREENSHOT_DIR = os.environ.get("OCOP_SCREENSHOT_DIR")


def vnd(text: str) -> int:
    """``"2.500.000 ₫"`` -> 2500000."""
    match = re.search(r"\d[\d.]*(?=\s*₫)", text)
    assert match, f"no amount in {text!r}"
    return int(match.group(0).replace(".", ""))


def open_product(page: Page, base: str, words: str, name: str) -> None:
    """Search without accents from the home page and open the product, as a buyer would."""
    page.goto(base + "/")
    box = page.get_by_role("searchbox", name="Tìm kiếm")
    box.fill(words)
    box.press("Enter")
    page.get_by_test_id("results").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


def add_to_cart(page: Page, quantity: int) -> int:
    """Put ``quantity`` of the open product in the cart; returns its unit price as shown."""
    price = vnd(page.get_by_test_id("price").inner_text())
    page.get_by_label("Số lượng").fill(str(quantity))
    page.get_by_role("button", name="Thêm vào giỏ").click()
    expect(page.get_by_role("heading", level=1, name="Giỏ hàng")).to_be_visible()
    return price


def fill_checkout(page: Page, buyer: dict[str, str]) -> None:
    page.get_by_label("Họ tên người nhận").fill(buyer["name"])
    page.get_by_label("Số điện thoại").fill(buyer["phone"])
    page.get_by_label("Tỉnh/thành").select_option(label=buyer["province"])
    commune = page.get_by_label("Xã/phường")
    # filled by communes.js from the API once the province changes
    expect(commune.get_by_role("option", name=buyer["commune"], exact=True)).to_have_count(1)
    commune.select_option(label=buyer["commune"])
    page.get_by_label("Địa chỉ (số nhà, thôn, xóm)").fill(buyer["address"])
    page.get_by_label("Ghi chú").fill(buyer["note"])


def payment_of(page: Page, producer: str) -> Locator:
    """The payment section of one producer's order on the order page."""
    return page.get_by_test_id("payment").filter(
        has=page.get_by_role("heading", level=2, name=producer, exact=True)
    )


def shown(section: Locator, term: str) -> str:
    """The value next to a label (``<dt>``) in a payment section, as the buyer reads it."""
    return section.locator("dt", has_text=re.compile(f"^{term}$")).locator("+ dd").inner_text()


def check_qr(page: Page, base: str, section: Locator) -> tuple[int, str]:
    """The section's QR loads and encodes exactly what is written beside it.

    Returns the amount and the transfer memo (reference code) shown to the buyer."""
    amount = vnd(section.locator("strong.price").inner_text())
    memo = section.get_by_test_id("memo").inner_text().strip()
    account = shown(section, "Số tài khoản").removesuffix("Chép").strip()
    img = section.get_by_role("img", name=re.compile(r"^Mã VietQR"))
    expect(img).to_be_visible()
    expect(img).to_have_attribute("alt", re.compile(re.escape(f"{amount:,}".replace(",", "."))))
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
    png = page.request.get(base + img.get_attribute("src"))
    assert png.ok and png.headers["content-type"] == "image/png"
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.body())))
    assert code.format == zxingcpp.BarcodeFormat.QRCode
    qr = vietqr.parse(code.text)
    assert qr.amount == amount, (qr, amount)
    assert qr.account == account
    assert qr.purpose is not None and qr.purpose.startswith(memo), (qr.purpose, memo)
    assert qr.point_of_initiation == vietqr.DYNAMIC
    return amount, memo


def bank_notifies(app: Flask, base: str, memo: str, amount: int, txid: str) -> None:
    """The payee's bank-notification service (SePay in the demo) reports a transfer whose
    memo carries the code the buyer copied: a correctly signed webhook, over HTTP."""
    with app.app_context():
        intent = db.session.scalar(
            select(PaymentIntent).where(PaymentIntent.reference_code == memo)
        )
        conn = connections.for_account(db.session, intent.payee_account)
        secret = vault_for(app.config).decrypt(conn.secrets_encrypted)[0]
        signed = sandbox.signed_webhook(
            conn.provider,
            secret,
            intent.payee_account,
            amount,
            f"MBVCB.8812345.{memo.lower()} chuyen tien mua che.CT tu 0912345678 NGUYEN THI LAN",
            txid,
            utcnow(),
            order_code=intent.id,
        )
        url = f"{base}/webhooks/{conn.provider}/{conn.token}"
        db.session.rollback()
    response = requests.post(url, data=signed.body, headers=signed.headers, timeout=15)
    assert response.status_code == 200, response.text


def assert_fits_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width}px wide on a 360px phone"


def screenshot(page: Page, name: str) -> None:
    if SCREENSHOT_DIR:
        folder = Path(SCREENSHOT_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        page.evaluate("document.fonts.ready")
        page.evaluate("window.scrollTo(0, 0)")  # else the sticky header lands mid-page
        page.screenshot(path=folder / name, full_page=True, animations="disabled", caret="hide")


def test_buyer_pays_two_producers_by_vietqr(phone: Page, live_server: str, demo_app: Flask):
    base = live_server
    phone.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)

    # 1. two products from two producers into the cart
    open_product(phone, base, "che dinh", TEA)
    tea_price = add_to_cart(phone, 1)
    open_product(phone, base, "banh dua", COCONUT)
    coconut_price = add_to_cart(phone, 2)
    total = tea_price + 2 * coconut_price
    fmt = "{:,} ₫".format
    cart = phone.get_by_test_id("cart")
    expect(cart.get_by_role("heading", level=2)).to_have_count(2)  # one group per producer
    for producer in (TEA_PRODUCER, COCONUT_PRODUCER):
        expect(cart.get_by_role("heading", level=2, name=producer, exact=True)).to_be_visible()
    expect(cart.get_by_role("listitem").filter(has_text=TEA)).to_contain_text(
        fmt(tea_price).replace(",", ".")
    )
    expect(cart.get_by_role("listitem").filter(has_text=COCONUT)).to_contain_text(
        fmt(2 * coconut_price).replace(",", ".")
    )
    expect(phone.get_by_test_id("cart-total")).to_have_text(fmt(total).replace(",", "."))
    expect(phone.get_by_test_id("cart-link")).to_have_text("Giỏ hàng (3)")
    assert_fits_phone(phone)

    # 2. checkout
    phone.get_by_role("link", name="Đặt hàng").click()
    expect(phone.get_by_role("heading", level=1, name="Đặt hàng")).to_be_visible()
    expect(phone.get_by_test_id("checkout")).to_contain_text("Bạn sẽ nhận 2 mã QR")
    fill_checkout(phone, BUYER)
    assert_fits_phone(phone)
    phone.get_by_role("button", name="Đặt hàng và nhận mã QR").click()

    # 3. one payment per producer, each with a QR that loads and says what the page says
    expect(phone.get_by_role("heading", level=1, name="Thanh toán đơn hàng")).to_be_visible()
    order_url = phone.url
    expect(phone.get_by_test_id("payment")).to_have_count(2)
    tea, coconut = payment_of(phone, TEA_PRODUCER), payment_of(phone, COCONUT_PRODUCER)
    expect(tea).to_contain_text(f"1 × {TEA}")
    expect(coconut).to_contain_text(f"2 × {COCONUT}")
    tea_amount, tea_memo = check_qr(phone, base, tea)
    coconut_amount, coconut_memo = check_qr(phone, base, coconut)
    assert (tea_amount, coconut_amount) == (tea_price, 2 * coconut_price)
    assert tea_memo != coconut_memo
    assert shown(tea, "Số tài khoản") != shown(coconut, "Số tài khoản")  # each seller's own
    for section in (tea, coconut):
        expect(section.get_by_test_id("payment-status")).to_contain_text(WAITING)
        expect(section.get_by_role("link", name="Xem xác nhận thanh toán")).to_be_hidden()
    expect(phone.get_by_test_id("cart-link")).to_have_text("Giỏ hàng")  # emptied

    # 4. copy buttons: amount, account number and memo, each copying what is shown
    for section, amount, memo in (
        (tea, tea_amount, tea_memo),
        (coconut, coconut_amount, coconut_memo),
    ):
        buttons = section.get_by_role("button", name="Chép")
        expect(buttons).to_have_count(3)
        account = shown(section, "Số tài khoản").removesuffix("Chép").strip()
        values = [b.get_attribute("data-copy") for b in buttons.all()]
        assert values == [str(amount), account, memo]
    copy_memo = tea.get_by_test_id("memo").locator("+ button")
    copy_memo.click()
    expect(copy_memo).to_have_text("✓")
    assert phone.evaluate("navigator.clipboard.readText()") == tea_memo
    expect(copy_memo).to_have_text("Chép")
    assert_fits_phone(phone)
    screenshot(phone, "phone-payment.png")

    # 5. the tea seller's bank reports the transfer; the page updates without the buyer acting
    bank_notifies(demo_app, base, tea_memo, tea_amount, txid="810001")
    expect(tea.get_by_test_id("payment-status")).to_contain_text(PAID, timeout=SELF_UPDATE_MS)
    assert phone.url == order_url
    expect(tea.get_by_role("img")).to_have_count(0)
    expect(tea.get_by_role("button", name="Giả lập chuyển khoản (demo)")).to_have_count(0)
    expect(coconut.get_by_test_id("payment-status")).to_contain_text(WAITING)
    expect(coconut.get_by_role("img", name=re.compile(r"^Mã VietQR"))).to_be_visible()
    screenshot(phone, "phone-paid.png")

    receipt_link = tea.get_by_role("link", name="Xem xác nhận thanh toán")
    expect(receipt_link).to_be_visible()
    pdf_href = tea.get_by_role("link", name="PDF").get_attribute("href")
    order_number = re.search(r"Đơn hàng (\S+)", tea.inner_text()).group(1)
    receipt_link.click()
    receipt = phone.get_by_test_id("receipt")
    expect(receipt.get_by_role("heading", level=1)).to_have_text("Xác nhận thanh toán")
    delivery = f"{BUYER['address']}, {BUYER['commune']}"
    for text in (order_number, TEA_PRODUCER, BUYER["name"], "0912345678", delivery, f"1 × {TEA}"):
        expect(receipt).to_contain_text(text)
    expect(receipt.locator("tr").last).to_contain_text(fmt(tea_amount).replace(",", "."))
    assert_fits_phone(phone)
    pdf = phone.request.get(base + pdf_href)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # 6. the demo button pays the other order through the sandbox bank
    phone.go_back()
    expect(coconut.get_by_test_id("payment-status")).to_contain_text(WAITING)
    coconut.get_by_role("button", name="Giả lập chuyển khoản (demo)").click()
    expect(coconut.get_by_test_id("payment-status")).to_contain_text(PAID, timeout=SELF_UPDATE_MS)
    expect(coconut.get_by_role("link", name="Xem xác nhận thanh toán")).to_be_visible()
    expect(tea.get_by_test_id("payment-status")).to_contain_text(PAID)
    expect(phone.get_by_text(WAITING)).to_have_count(0)
    expect(phone.get_by_role("img", name=re.compile(r"^Mã VietQR"))).to_have_count(0)

    with demo_app.app_context():
        statuses = db.session.execute(
            select(
                PaymentIntent.reference_code,
                PaymentIntent.status,
                PaymentIntent.amount_received_vnd,
            )
        ).all()
        assert sorted(statuses) == sorted(
            [(tea_memo, "succeeded", tea_amount), (coconut_memo, "succeeded", coconut_amount)]
        )


def test_checkout_error_is_vietnamese_keeps_input_and_charges_nothing(
    phone: Page, live_server: str, demo_app: Flask
):
    open_product(phone, live_server, "che dinh", TEA)
    add_to_cart(phone, 1)
    phone.get_by_role("link", name="Đặt hàng").click()
    fill_checkout(phone, BUYER | {"phone": "123"})
    phone.get_by_role("button", name="Đặt hàng và nhận mã QR").click()

    error = phone.get_by_role("alert")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Số điện thoại không hợp lệ")
    expect(phone.get_by_label("Số điện thoại")).to_have_attribute("aria-invalid", "true")
    # written again next to its field, which points at it for screen readers
    expect(phone.locator("#e-phone")).to_contain_text("Số điện thoại không hợp lệ")
    expect(phone.get_by_label("Số điện thoại")).to_have_attribute("aria-describedby", "e-phone")
    expect(phone.get_by_label("Họ tên người nhận")).to_have_value(BUYER["name"])
    expect(phone.get_by_label("Số điện thoại")).to_have_value("123")
    province = phone.get_by_label("Tỉnh/thành")
    expect(province.locator("option:checked")).to_have_text(BUYER["province"])
    commune = phone.get_by_label("Xã/phường")
    expect(commune.locator("option:checked")).to_have_text(BUYER["commune"])
    expect(phone.get_by_label("Địa chỉ (số nhà, thôn, xóm)")).to_have_value(BUYER["address"])
    expect(phone.get_by_label("Ghi chú")).to_have_value(BUYER["note"])
    expect(phone.get_by_test_id("payment")).to_have_count(0)
    expect(phone.get_by_role("img", name=re.compile(r"^Mã VietQR"))).to_have_count(0)
    expect(phone.get_by_test_id("cart-link")).to_have_text("Giỏ hàng (1)")
    with demo_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0
        assert db.session.scalar(select(func.count()).select_from(PaymentIntent)) == 0

    # correcting only the phone number is enough: the rest was kept
    phone.get_by_label("Số điện thoại").fill(BUYER["phone"])
    phone.get_by_role("button", name="Đặt hàng và nhận mã QR").click()
    expect(phone.get_by_role("heading", level=1, name="Thanh toán đơn hàng")).to_be_visible()
    expect(phone.get_by_test_id("payment")).to_have_count(1)
    with demo_app.app_context():
        [order] = db.session.scalars(select(Order)).unique().all()
        assert order.buyer_name == BUYER["name"] and "Tân Cương" in order.address
