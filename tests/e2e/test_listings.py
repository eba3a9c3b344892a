"""A producer on a phone connects Shopee, Lazada and Tiki (each through the sandbox
marketplace's own consent page), lists a product on all three from its channel matrix, and
watches each listing reach "on sale"; a product without a weight is refused per field, in
Vietnamese, with the fix."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from sqlalchemy import select

from marketplace.core.clock import today
from marketplace.core.db import db
from marketplace.listings.models import ChannelListing, ListingState
from marketplace.listings.tasks import listings_sweep
from producers.models import Product
from tests.e2e.test_payments import screenshot

from .conftest import PHONE, PRODUCER_PASSWORD

pytestmark = pytest.mark.browser

PRODUCER = "HTX chè Hảo Đạt"
CONNECTED = "Đã kết nối"
LIVE = "Đang bán"
IN_REVIEW = "Sàn đang duyệt"
ATTENTION = "Cần xử lý"
#: channel code -> (name in our select, the sandbox's approve button, a shop id to type)
CHANNELS = {
    "shopee": ("Shopee", "Đồng ý cấp quyền", "880011"),
    "lazada": ("Lazada", "Cho phép", "vn-ocop-hao-dat"),
    "tiki": ("Tiki", "Cho phép", "410022"),
}
MAX_MATRIX_BYTES = 60 * 1024


def login(page: Page, base: str, email: str) -> None:
    page.goto(base + "/dang-nhap")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mật khẩu").fill(PRODUCER_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("link", name="Kênh bán")).to_be_visible()


def connect(page: Page, base: str, sandboxes: dict, code: str) -> None:
    """Choose the channel, press "Kết nối", approve on the marketplace's page, come back."""
    name, approve, shop_id = CHANNELS[code]
    page.goto(base + "/quan-ly/kenh-ban")
    page.get_by_test_id("channel-select").select_option(label=name)
    page.get_by_role("button", name="Kết nối", exact=True).click()
    # the marketplace's own consent page, on its own origin
    expect(page).to_have_url(re.compile("^" + re.escape(sandboxes[code].url + "/")))
    page.get_by_label(re.compile("Mã shop")).fill(shop_id)
    page.get_by_role("button", name=approve).click()
    expect(page).to_have_url(re.compile("^" + re.escape(base) + r"/quan-ly/kenh-ban/shop/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{name} · {shop_id}")
    expect(page.get_by_test_id("account-status")).to_have_text(CONNECTED)


def listable_product(app: Flask, producer_id: int) -> tuple[int, str]:
    """A published product of the producer with a valid certificate: (id, name)."""
    with app.app_context():
        product = db.session.scalars(
            select(Product)
            .where(
                Product.producer_id == producer_id,
                Product.status == "published",
                Product.cert_valid_until >= today(),
            )
            .order_by(Product.id)
        ).first()
        assert product is not None, f"{PRODUCER} has no listable product in the demo data"
        return product.id, product.name


def row(page: Page, code: str):  # type: ignore[no-untyped-def]
    return page.get_by_test_id("matrix").locator(f"tr[data-channel={code}]")


def list_on(page: Page, names: list[str]) -> None:
    for name in names:
        box = page.get_by_role("checkbox", name=name, exact=True)
        box.check()
        expect(box).to_be_checked()
    page.get_by_role("button", name="Đăng lên các kênh đã chọn").click()


def open_on_marketplace(page: Page, code: str, sandbox_url: str, product_name: str) -> None:
    """The row's "Xem trên sàn" opens the item's page on the marketplace, showing it."""
    link = row(page, code).get_by_role("link", name="Xem trên sàn")
    expect(link).to_have_attribute("href", re.compile("^" + re.escape(sandbox_url + "/")))
    with page.context.expect_page() as opened:
        link.click()
    item = opened.value
    item.wait_for_load_state()
    assert item.url.startswith(sandbox_url + "/"), item.url
    expect(item.get_by_role("heading", level=1)).to_contain_text(product_name)
    item.close()


def real_error(message: ConsoleMessage) -> bool:
    """A console error, except the 404 of the favicon Chromium asks every new site for (the
    site declares none)."""
    return message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico")


def matrix_weight(browser: Browser, page: Page, url: str) -> tuple[int, list[str]]:
    """Bytes a fresh phone (empty cache, same login) downloads to show ``url``, and the
    console errors it logs."""
    context = browser.new_context(**PHONE, storage_state=page.context.storage_state())
    try:
        fresh = context.new_page()
        sizes: list[int] = []
        errors: list[str] = []
        fresh.on(
            "requestfinished",
            lambda r: sizes.append(
                r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"]
            ),
        )
        fresh.on("console", lambda m: real_error(m) and errors.append(m.text))
        fresh.on("pageerror", lambda e: errors.append(str(e)))
        fresh.goto(url, wait_until="load")
        fresh.wait_for_load_state("networkidle")
        expect(fresh.get_by_test_id("matrix")).to_be_visible()
        assert len(sizes) >= 2, sizes  # the page and at least its stylesheet were counted
        return sum(sizes), errors
    finally:
        context.close()


def test_producer_connects_three_marketplaces_and_lists_a_product(
    phone: Page,
    browser: Browser,
    live_server: str,
    demo_app: Flask,
    channel_sandboxes: dict,
    producer_login,  # type: ignore[no-untyped-def]
):
    base = live_server
    console: list[str] = []
    phone.on(
        "console",
        lambda m: real_error(m) and console.append(f"{phone.url}: {m.text}"),
    )
    phone.on("pageerror", lambda e: console.append(f"{phone.url}: {e}"))
    email, producer_id = producer_login(PRODUCER)
    product_id, product_name = listable_product(demo_app, producer_id)

    # 1. connect three shops, each approved on the marketplace's own page
    login(phone, base, email)
    for code in CHANNELS:
        connect(phone, base, channel_sandboxes, code)
    phone.goto(base + "/quan-ly/kenh-ban")
    shops = phone.get_by_test_id("shops")
    for name, _, shop_id in CHANNELS.values():
        shop = shops.locator("tr").filter(has=phone.get_by_role("link", name=name, exact=True))
        expect(shop).to_contain_text(CONNECTED)
        expect(shop).to_contain_text(shop_id)

    # 2. the product's channel matrix: nothing listed yet
    matrix_url = f"{base}/quan-ly/kenh-ban/san-pham/{product_id}"
    phone.goto(matrix_url)
    expect(phone.get_by_role("heading", level=1)).to_have_text(product_name)
    for code in CHANNELS:
        expect(row(phone, code)).to_contain_text("Chưa đăng")

    # 3. list on the three ticked channels
    list_on(phone, [name for name, _, _ in CHANNELS.values()])
    expect(phone).to_have_url(matrix_url)
    for code in ("shopee", "lazada"):
        expect(row(phone, code).get_by_test_id("state")).to_have_text(LIVE)
    screenshot(phone, "phone-channels.png")  # only when OCOP_SCREENSHOT_DIR is set
    expect(row(phone, "tiki").get_by_test_id("state")).to_have_text(IN_REVIEW)
    expect(row(phone, "tiki").get_by_role("checkbox")).to_be_disabled()
    for code in ("shopee", "lazada"):
        open_on_marketplace(phone, code, channel_sandboxes[code].url, product_name)
    assert channel_sandboxes["tiki"].sandbox.requests, "Tiki received no product request"

    # 4. Tiki finishes its review; the next sweep brings the listing live
    channel_sandboxes["tiki"].sandbox.review_all()
    with demo_app.app_context():
        listings_sweep.call_local()
    phone.reload()
    expect(row(phone, "tiki").get_by_test_id("state")).to_have_text(LIVE)
    open_on_marketplace(phone, "tiki", channel_sandboxes["tiki"].url, product_name)
    for code in ("shopee", "lazada"):
        expect(row(phone, code).get_by_test_id("state")).to_have_text(LIVE)
    with demo_app.app_context():
        states = db.session.scalars(
            select(ChannelListing.state).where(ChannelListing.product_id == product_id)
        ).all()
        assert sorted(states) == [ListingState.LIVE] * 3
    for code in CHANNELS:
        [item] = channel_sandboxes[code].sandbox.live_items()  # listed exactly once
        assert product_name in channel_sandboxes[code].sandbox.public_view(item)["name"]

    # 5. the matrix stays light and clean on a phone
    weight, errors = matrix_weight(browser, phone, matrix_url)
    assert weight < MAX_MATRIX_BYTES, f"the matrix page weighs {weight} bytes"
    assert errors == []
    assert [line for line in console if "/quan-ly/kenh-ban/san-pham/" in line] == []


def test_missing_weight_is_explained_per_field_with_its_fix(
    phone: Page,
    live_server: str,
    demo_app: Flask,
    channel_sandboxes: dict,
    producer_login,  # type: ignore[no-untyped-def]
):
    base = live_server
    email, producer_id = producer_login(PRODUCER)
    product_id, product_name = listable_product(demo_app, producer_id)
    with demo_app.app_context():
        db.session.get(Product, product_id).weight_grams = None
        db.commit()

    login(phone, base, email)
    connect(phone, base, channel_sandboxes, "shopee")
    phone.goto(f"{base}/quan-ly/kenh-ban/san-pham/{product_id}")
    list_on(phone, ["Shopee"])

    shopee = row(phone, "shopee")
    expect(shopee.get_by_test_id("state")).to_have_text(ATTENTION)
    problems = shopee.get_by_test_id("problems").get_by_role("listitem")
    weight = problems.filter(has_text="khối lượng")
    expect(weight).to_have_count(1)
    expect(weight.locator("strong")).to_have_text("Shopee bắt buộc khối lượng sản phẩm.")
    expect(weight).to_contain_text("Cách sửa: Nhập khối lượng cả bao bì (gam).")
    expect(shopee.get_by_role("link", name="Xem trên sàn")).to_have_count(0)
    assert channel_sandboxes["shopee"].sandbox.live_items() == []  # nothing was sent

    # the producer enters the weight: the parked listing syncs again by itself
    with demo_app.app_context():
        db.session.get(Product, product_id).weight_grams = 250
        db.commit()
    phone.reload()
    expect(shopee.get_by_test_id("state")).to_have_text(LIVE)
    expect(shopee.get_by_test_id("problems")).to_have_count(0)
    open_on_marketplace(phone, "shopee", channel_sandboxes["shopee"].url, product_name)
