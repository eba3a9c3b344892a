"""A buyer whose phone runs no JavaScript (turned off, blocked, or too old) can still browse,
search with or without accents, filter, sort, page through results, read a product and its
certificate, visit its producer, and order it: the commune picker falls back to a server round
trip, and the order page shows the VietQR to scan. JavaScript only enhances."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.browser

TEA = "Chè Đinh Tân Cương Hảo Đạt"
TEA_PRODUCER = "HTX chè Hảo Đạt"
THAI_NGUYEN, TAN_CUONG = "19", "05503"


@pytest.fixture
def nojs(browser: Browser) -> Iterator[Page]:
    """A 360 px phone with JavaScript disabled, recording the images it fetched."""
    context = browser.new_context(java_script_enabled=False, **PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.images_ok = set()  # type: ignore[attr-defined]
    page.on(
        "response",
        lambda r: r.request.resource_type == "image" and r.ok and page.images_ok.add(r.url),  # type: ignore[attr-defined]
    )
    yield page
    context.close()


def count(page: Page) -> int:
    """The number of results the search page announces."""
    text = page.get_by_test_id("result-count").inner_text()
    return int(re.sub(r"\D", "", text))


def cards(page: Page) -> Locator:
    return page.get_by_test_id("results").locator("li.card")


def price(text: str) -> int:
    """``"150.000 ₫ / hộp"`` -> 150000."""
    match = re.search(r"\d[\d.]*(?=\s*₫)", text)
    assert match, text
    return int(match.group(0).replace(".", ""))


def search(page: Page, words: str) -> int:
    """Type into the header's search box and press Enter (a plain GET form)."""
    box = page.locator("form[role=search] input[name=q]")
    box.fill(words)
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/tim-kiem\?q="))
    return count(page)


def test_a_buyer_without_javascript_browses_searches_and_reaches_checkout(
    nojs: Page, live_server: str
):
    page, base = nojs, live_server

    # home: groups, featured products with their photos
    page.goto(base + "/")
    expect(page.locator("main li.card").first).to_be_visible()

    # search with and without accents: the same products
    accented = search(page, "trà tân cương")
    assert accented > 0
    names = cards(page).locator(".card-name").all_inner_texts()
    assert search(page, "tra tan cuong") == accented
    assert cards(page).locator(".card-name").all_inner_texts() == names

    # filters in a plain <details> + GET form: province, group, min stars, price, sort
    page.goto(base + "/tim-kiem")
    total = count(page)
    page.locator("details.filters > summary").click()
    form = page.locator("form.filter-form")
    form.locator("[name=province]").select_option(THAI_NGUYEN)
    form.locator("[name=group]").select_option(index=1)  # the first OCOP group (Thực phẩm)
    form.locator("[name=min_stars]").select_option("4")
    form.locator("[name=price_min]").fill("50000")
    form.locator("[name=price_max]").fill("500000")
    form.locator("[name=sort]").select_option("price_asc")
    form.locator("button[type=submit]").click()
    for arg in ("province=19", "min_stars=4", "price_min=50000", "price_max=500000", "sort=price"):
        expect(page).to_have_url(re.compile(arg))
    filtered = count(page)
    assert 0 < filtered < total
    prices = [price(t) for t in cards(page).locator(".card-price").all_inner_texts()]
    assert prices == sorted(prices) and all(50_000 <= p <= 500_000 for p in prices), prices
    for card in cards(page).all():
        expect(card.locator(".badge")).to_have_class(re.compile(r"stars-[45]"))
        expect(card.locator(".card-place")).to_contain_text("Thái Nguyên")

    # pages: 30 products, 24 a page
    page.goto(base + "/tim-kiem")
    first = cards(page).count()
    page.locator("nav.pager a[rel=next]").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    assert first + cards(page).count() == total
    page.locator("nav.pager a[rel=prev]").click()
    expect(cards(page)).to_have_count(first)

    # the product: price, stars, certificate details, photos
    search(page, "che dinh")
    page.get_by_test_id("results").get_by_role("link", name=TEA).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TEA)
    assert price(page.get_by_test_id("price").inner_text()) > 0
    certificate = page.get_by_test_id("certificate")
    expect(certificate.locator(".badge")).to_have_class(re.compile(r"stars-5"))
    expect(certificate.locator("dd")).to_have_count(4)  # decision, date, authority, valid until
    expect(certificate.get_by_test_id("valid-until")).to_have_text(re.compile(r"\d\d/\d\d/\d{4}"))
    photos = page.locator(".gallery img")
    assert photos.count() >= 1
    for photo in photos.all():
        src = photo.get_attribute("src")
        assert src and base + src in page.images_ok, (src, page.images_ok)  # type: ignore[attr-defined]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    product_url = page.url

    # its producer's page
    page.locator(".producer-card a").click()
    expect(page.get_by_test_id("producer").get_by_role("heading", level=1)).to_have_text(
        TEA_PRODUCER
    )
    expect(page.locator("li.card")).not_to_have_count(0)

    # back to the product, into the cart (a plain POST form), on to the checkout form
    page.goto(product_url)
    page.locator("form.add-to-cart [name=quantity]").fill("2")
    page.locator("form.add-to-cart button[type=submit]:not([name])").click()
    expect(page).to_have_url(re.compile(r"/gio-hang$"))
    expect(page.get_by_test_id("cart")).to_contain_text(TEA)
    page.locator("a[href$='/dat-hang']").click()
    form = page.get_by_test_id("checkout")
    expect(form).to_be_visible()

    # the commune picker without JavaScript: choose the province, ask for its communes
    form.locator("[name=name]").fill("Nguyễn Thị Lan")
    form.locator("[name=phone]").fill("0912 345 678")
    form.locator("[name=province]").select_option(THAI_NGUYEN)
    commune = form.locator("[name=commune_code]")
    expect(commune.locator("option")).to_have_count(1)  # nothing fills it without JS
    form.locator("button[name=pick_province]").click()
    form = page.get_by_test_id("checkout")
    expect(form.locator("[name=name]")).to_have_value("Nguyễn Thị Lan")  # input kept
    expect(form.locator("[name=province]")).to_have_value(THAI_NGUYEN)
    assert form.locator("[name=commune_code] option").count() > 10
    form.locator("[name=commune_code]").select_option(TAN_CUONG)
    form.locator("[name=address_line]").fill("Xóm Nam Đồng")
    form.locator("button[type=submit]:not([name])").click()

    # the order page: the VietQR image loads, the amount is written beside it
    expect(page).to_have_url(re.compile(r"/don-hang/[\w-]+$"))
    payment = page.get_by_test_id("payment")
    expect(payment).to_have_count(1)
    qr = payment.locator("img.qr")
    expect(qr).to_be_visible()
    assert base + qr.get_attribute("src") in page.images_ok  # type: ignore[attr-defined,operator]
    expect(payment.get_by_test_id("memo")).not_to_be_empty()
    # copy buttons need JavaScript: none is offered without it (the values are written out)
    expect(payment.locator("button.copy")).not_to_have_count(0)
    expect(payment.locator("button.copy:visible")).to_have_count(0)


def test_buy_now_without_javascript_goes_straight_to_the_checkout_form(
    nojs: Page, live_server: str
):
    page = nojs
    page.goto(live_server + "/tim-kiem?q=che+dinh")
    page.get_by_test_id("results").get_by_role("link", name=TEA).click()
    page.get_by_test_id("buy-now").click()
    expect(page).to_have_url(re.compile(r"/dat-hang$"))
    expect(page.get_by_test_id("checkout")).to_contain_text(TEA_PRODUCER)
