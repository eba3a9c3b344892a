"""A buyer on a small phone finds OCOP products, reads their certificate, switches language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PEANUT_OIL = "Dầu đậu phộng nguyên chất Bảo Tâm"
DINH_TEA = "Chè Đinh Tân Cương Hảo Đạt"
FISH_SAUCE = "Nước mắm nhĩ truyền thống Tư Tài"


def search(page: Page, base: str, words: str) -> None:
    """Type into the header search box and submit, as a buyer would."""
    page.goto(base + "/")
    box = page.get_by_role("searchbox", name="Tìm kiếm")
    box.fill(words)
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f'Kết quả cho "{words}"')


def open_product(page: Page, base: str, words: str, name: str) -> None:
    search(page, base, words)
    page.get_by_test_id("results").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


def assert_no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width}px wide on a 360px phone"


def test_search_without_accents_finds_peanut_oil_and_its_price(phone: Page, live_server: str):
    search(phone, live_server, "dau phong")
    results = phone.get_by_test_id("results")
    expect(results.get_by_role("link", name=PEANUT_OIL)).to_be_visible()
    results.get_by_role("link", name=PEANUT_OIL).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(PEANUT_OIL)
    expect(phone.get_by_test_id("price")).to_contain_text("120.000 ₫")


def test_five_star_tea_shows_badge_and_certificate(phone: Page, live_server: str):
    open_product(phone, live_server, "che tan cuong", DINH_TEA)
    cert = phone.get_by_test_id("certificate")
    expect(cert).to_be_visible()
    expect(cert.get_by_text("OCOP 5 sao")).to_be_visible()
    expect(cert).to_contain_text("Ngày quyết định")
    expect(cert).to_contain_text("16/01/2025")
    expect(cert).to_contain_text("Bộ Nông nghiệp và Phát triển nông thôn")
    expect(cert.get_by_test_id("valid-until")).to_have_text("16/01/2028")
    expect(phone.get_by_test_id("certificate-expired")).to_have_count(0)


def test_expired_certificate_shows_notice_and_no_stars(phone: Page, live_server: str):
    open_product(phone, live_server, "nuoc mam tu tai", FISH_SAUCE)
    product = phone.get_by_test_id("product")
    expired = product.get_by_test_id("certificate-expired")
    expect(expired).to_be_visible()
    expect(expired).to_contain_text("Giấy chứng nhận OCOP 3 sao đã hết hiệu lực")
    expect(product.get_by_test_id("certificate")).to_have_count(0)
    expect(product.get_by_text("★")).to_have_count(0)


@pytest.mark.parametrize(
    "page_name",
    [
        "home",
        "all products",
        "search with filters open",
        "product",
    ],
)
def test_no_horizontal_scroll_on_a_360px_phone(phone: Page, live_server: str, page_name: str):
    if page_name == "home":
        phone.goto(live_server + "/")
    elif page_name == "all products":
        phone.goto(live_server + "/tim-kiem")
    elif page_name == "search with filters open":
        search(phone, live_server, "tra tan cuong")
        phone.get_by_text("Bộ lọc và sắp xếp").click()
        expect(phone.get_by_role("button", name="Áp dụng")).to_be_visible()
    else:
        open_product(phone, live_server, "che tan cuong", DINH_TEA)
    assert_no_horizontal_scroll(phone)


def test_language_switch_goes_to_english_and_back(phone: Page, live_server: str):
    phone.goto(live_server + "/")
    expect(phone.locator("html")).to_have_attribute("lang", "vi")
    phone.get_by_role("link", name="English").click()
    expect(phone).to_have_url(re.compile(r"[?&]lang=en\b"))
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    phone.get_by_role("link", name="Tiếng Việt").click()
    expect(phone).to_have_url(re.compile(r"[?&]lang=vi\b"))
    expect(phone.locator("html")).to_have_attribute("lang", "vi")
    expect(phone.get_by_role("link", name="English")).to_be_visible()


def test_unknown_product_shows_vietnamese_404(phone: Page, live_server: str):
    response = phone.goto(live_server + "/san-pham/999999-khong-co")
    assert response is not None and response.status == 404
    error = phone.get_by_test_id("error")
    expect(error.get_by_role("heading", name="Không tìm thấy")).to_be_visible()
    expect(error.get_by_role("link", name="Về trang chủ")).to_be_visible()


def test_search_images_are_lazy_and_province_filter_narrows(phone: Page, live_server: str):
    phone.goto(live_server + "/tim-kiem")
    count = phone.get_by_test_id("result-count")
    expect(count).to_have_text("30 sản phẩm")
    images = phone.get_by_test_id("results").get_by_role("img")
    assert images.count() > 0
    for img in images.all():
        expect(img).to_have_attribute("loading", "lazy")

    phone.get_by_text("Bộ lọc và sắp xếp").click()
    province = phone.get_by_label("Tỉnh/thành")
    label = next(
        t.strip()
        for t in province.locator("option").all_inner_texts()
        if t.startswith("Thái Nguyên")
    )
    province.select_option(label=label)
    phone.get_by_role("button", name="Áp dụng").click()

    expected = int(re.search(r"\((\d+)\)", label).group(1))
    expect(count).to_have_text(f"{expected} sản phẩm")
    assert 0 < expected < 30
    cards = phone.get_by_test_id("results").get_by_role("listitem")
    expect(cards).to_have_count(expected)
    for card in cards.all():
        expect(card).to_contain_text("Thái Nguyên")
