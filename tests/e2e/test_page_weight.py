"""Light pages for phones on weak 3G: every page a buyer, a seller, an onboarder or a province
officer opens transfers at most 60 KB of HTML + CSS + JS (gzip, as served; images excluded),
measured by a fresh phone with an empty cache; product images on listing pages load lazily
and reserve their box (width/height)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from marketplace.accounts.demo import LOGINS, ensure_demo_logins
from marketplace.core.clock import today
from marketplace.core.db import db
from tests.e2e.conftest import PHONE
from tests.e2e.test_payments import (
    BUYER,
    TEA,
    add_to_cart,
    bank_notifies,
    fill_checkout,
    open_product,
)

pytestmark = pytest.mark.browser

BUDGET = 60 * 1024
COUNTED = {"document", "stylesheet", "script", "xhr", "fetch"}


def weight(browser: Browser, page: Page, url: str) -> tuple[int, dict[str, int]]:
    """Bytes of HTML, CSS and JS (bodies as transferred) a fresh phone with ``page``'s
    cookies downloads to show ``url``, and the size of each counted response."""
    context = browser.new_context(**PHONE, storage_state=page.context.storage_state())
    try:
        fresh = context.new_page()
        sizes: dict[str, int] = {}

        def count(request) -> None:  # type: ignore[no-untyped-def]
            if request.resource_type in COUNTED:
                sizes[request.url] = sizes.get(request.url, 0) + request.sizes()["responseBodySize"]

        fresh.on("requestfinished", count)
        response = fresh.goto(url, wait_until="load")
        assert response is not None and response.ok, (url, response and response.status)
        fresh.wait_for_load_state("networkidle")
        assert any(u.endswith(".css") for u in sizes), sizes  # the stylesheet was counted
        return sum(sizes.values()), sizes
    finally:
        context.close()


def login(page: Page, base: str, role: str) -> None:
    demo = next(d for d in LOGINS if (d.producer_role or d.role) == role)
    page.context.clear_cookies()
    page.goto(base + "/dang-nhap")
    page.get_by_label("Email").fill(demo.email)
    page.get_by_label("Mật khẩu").fill(demo.password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def lazy_images(page: Page, url: str) -> None:
    page.goto(url)
    images = page.locator("li.card img")
    assert images.count() >= 1, url
    for img in images.all():
        assert img.get_attribute("loading") == "lazy", url
        assert img.get_attribute("width") and img.get_attribute("height"), url


def listed_pages(page: Page, base: str, demo_app: Flask) -> Iterator[tuple[str, str]]:
    """(name, URL) of every page the field-fit issue lists, as a buyer, then an onboarder, an
    owner and a province officer (logged in before their pages are yielded)."""
    with demo_app.app_context():
        ensure_demo_logins(db.session, today())
        db.commit()
    urls: dict[str, str] = {"login": base + "/dang-nhap", "home": base + "/"}

    # a buyer: search, product, producer, cart, checkout, order, receipt
    open_product(page, base, "che dinh", TEA)
    urls["search"] = base + "/tim-kiem?q=che+dinh"
    urls["product"] = page.url
    urls["producer"] = base + page.locator("a[href^='/chu-the/']").first.get_attribute("href")
    add_to_cart(page, 1)
    urls["cart"] = page.url
    page.get_by_role("link", name="Đặt hàng").click()
    urls["checkout"] = page.url
    fill_checkout(page, BUYER)
    page.get_by_role("button", name="Đặt hàng và nhận mã QR").click()
    expect(page.get_by_role("heading", level=1, name="Thanh toán đơn hàng")).to_be_visible()
    urls["order"] = page.url
    section = page.get_by_test_id("payment").first
    amount = int("".join(c for c in section.locator("strong.price").inner_text() if c.isdigit()))
    memo = section.get_by_test_id("memo").inner_text().strip()
    bank_notifies(demo_app, base, memo, amount, "880011")
    page.reload()
    receipt = page.locator("a[href*='/bien-nhan/']:not([href*='format=pdf'])").first
    urls["receipt"] = base + receipt.get_attribute("href")
    yield from urls.items()

    # an onboarder on the demo producer: every step of /quan-ly/ho-tro
    login(page, base, "onboarder")
    page.goto(base + "/quan-ly/ho-tro")
    producer_id = page.evaluate(
        "() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))"
        ".map(h => (h.match(/^\\/quan-ly\\/ho-tro\\/(\\d+)/) || [])[1]).find(Boolean)"
    )
    assert producer_id, "no producer on the onboarder's list"
    steps = ["", "/them", f"/{producer_id}", f"/{producer_id}/chu-the", f"/{producer_id}/dia-chi"]
    steps += [f"/{producer_id}/{s}" for s in ("ngan-hang", "dieu-khoan", "san-pham")]
    for step in steps:
        yield "onboarding" + step, base + "/quan-ly/ho-tro" + step

    # the seller's listings, the province officer's reports
    login(page, base, "owner")
    yield "listings", base + "/quan-ly/kenh-ban"
    login(page, base, "staff")
    yield "reports", base + "/quan-ly/bao-cao"


def test_every_page_is_under_60kb(phone: Page, browser: Browser, live_server: str, demo_app: Flask):
    heavy: dict[str, object] = {}
    for name, url in listed_pages(phone, live_server, demo_app):
        if name in ("home", "search", "producer"):
            lazy_images(phone, url)
        total, sizes = weight(browser, phone, url)
        print(f"{name:<22} {total / 1024:6.1f} KB  {url}")
        if total > BUDGET:
            heavy[name] = (total, sizes)
    assert not heavy, {
        name: (total, sorted(sizes.items(), key=lambda kv: -kv[1]))  # type: ignore[union-attr]
        for name, (total, sizes) in heavy.items()  # type: ignore[misc]
    }


#: every control a finger may aim at; a check box or radio counts by its label's box
SMALL_TARGETS = """() => {
  const small = [];
  const controls = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  for (const el of document.querySelectorAll(controls)) {
    let box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === 'hidden') continue;
    if (['checkbox', 'radio'].includes(el.type) && el.closest('label')) {
      box = el.closest('label').getBoundingClientRect();
    }
    // WCAG 2.5.8's inline exception: a link inside a sentence sizes with its text
    const around = el.parentElement.textContent.replace(el.textContent, '').trim();
    if (el.tagName === 'A' && getComputedStyle(el).display === 'inline' && around) continue;
    if (box.width < 48 || box.height < 48) {
      const name = (el.textContent || el.name || el.type || '').trim().slice(0, 40);
      small.push(`${el.tagName.toLowerCase()} "${name}" ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}"""


def test_every_control_is_a_48px_tap_target(phone: Page, live_server: str, demo_app: Flask):
    small: dict[str, list[str]] = {}
    for name, url in listed_pages(phone, live_server, demo_app):
        phone.goto(url)
        found = phone.evaluate(SMALL_TARGETS)
        if found:
            small[name] = found
    assert not small, small
