"""In a phone browser: a cooperative's owner invites a member by link and QR code, the member
creates a login from the link and then logs in with their phone number."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from marketplace.accounts.demo import LOGINS
from tests.e2e.conftest import PHONE

OWNER = next(d for d in LOGINS if d.producer_role == "owner")


def _fits_the_screen(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["viewport"]["width"], f"page is {width}px wide"


def test_owner_invites_a_member_who_logs_in_by_phone(
    live_server: str, phone: Page, browser: Browser
) -> None:
    base = live_server
    phone.goto(base + "/dang-nhap")
    phone.get_by_label("Email hoặc số điện thoại").fill(OWNER.email)
    phone.get_by_label("Mật khẩu").fill(OWNER.password)
    phone.get_by_role("button", name="Đăng nhập").click()
    phone.get_by_role("link", name="Người dùng").click()
    _fits_the_screen(phone)
    phone.get_by_label("Ghi chú (ai được mời)").fill("Anh Tư, tổ sao chè")
    phone.get_by_role("button", name="Tạo liên kết mời").click()
    qr = phone.get_by_role("img", name="Mã QR của liên kết")
    expect(qr).to_be_visible()
    assert phone.evaluate("(img) => img.naturalWidth > 100", qr.element_handle())
    link = phone.get_by_test_id("shown-link").locator("code").inner_text()
    assert re.fullmatch(re.escape(base) + r"/moi/[A-Za-z0-9_-]{20,}", link)
    _fits_the_screen(phone)

    member = browser.new_context(**PHONE).new_page()
    member.goto(link)
    expect(member.get_by_test_id("invitation-role")).to_contain_text("Thành viên chủ thể")
    _fits_the_screen(member)
    member.get_by_label("Họ và tên").fill("Anh Tư")
    member.get_by_label("Số điện thoại di động").fill("0987 111 222")
    member.get_by_label("Mật khẩu (ít nhất 10 ký tự)").fill("mat-khau-cua-tu-1")
    member.get_by_label("Nhập lại mật khẩu").fill("mat-khau-cua-tu-1")
    member.get_by_role("button", name="Tạo tài khoản").click()
    expect(member.get_by_role("button", name="Đăng xuất")).to_be_visible()
    member.get_by_role("button", name="Đăng xuất").click()
    member.goto(base + "/dang-nhap")
    member.get_by_label("Email hoặc số điện thoại").fill("+84 987 111 222")
    member.get_by_label("Mật khẩu").fill("mat-khau-cua-tu-1")
    member.get_by_role("button", name="Đăng nhập").click()
    expect(member.get_by_role("button", name="Đăng xuất")).to_be_visible()
    # a member manages nobody: no people link
    expect(member.get_by_role("link", name="Người dùng")).to_have_count(0)
    member.context.close()
