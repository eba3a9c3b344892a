"""An onboarder on a 390x844 phone, signed in with a real login scoped to their commune, sets
up a cooperative step by step (commune and bank found by accent-free search, the bank account
checked by scanning its VietQR, consent), adds one product with a camera photo and a
certificate scan, and the product appears in the public search with its stars."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import zxingcpp
from flask import Flask
from PIL import Image
from playwright.sync_api import Page, expect

from marketplace.accounts.models import UserScope
from marketplace.accounts.services import create_user
from marketplace.core.clock import today
from marketplace.core.db import db
from marketplace.payments import vietqr
from tests.e2e.test_listings import real_error
from tests.e2e.test_payments import screenshot

pytestmark = pytest.mark.browser

PHONE_390 = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "locale": "vi-VN",
}
EMAIL, PASSWORD = "to-cns@tancuong.vn", "mat-khau-du-dai-1"
TAN_CUONG = "05503"
PRODUCT = "Chè móc câu Tân Cương Đồi Xanh"


def jpeg(color: tuple[int, int, int]) -> dict[str, object]:
    buf = io.BytesIO()
    Image.new("RGB", (1200, 900), color).save(buf, "JPEG", quality=85)
    return {"name": "camera.jpg", "mimeType": "image/jpeg", "buffer": buf.getvalue()}


@pytest.fixture
def onboarder(demo_app: Flask) -> str:
    with demo_app.app_context():
        user = create_user(
            db.session, email=EMAIL, name="Tổ công nghệ số", password=PASSWORD, role="onboarder"
        )
        db.session.add(UserScope(user_id=user.id, commune_code=TAN_CUONG))
        db.commit()
    return EMAIL


@pytest.fixture
def phone390(browser) -> Page:  # type: ignore[no-untyped-def]
    context = browser.new_context(**PHONE_390)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def fits_the_phone(page: Page) -> None:
    """No sideways scrolling, and every button is a finger-sized target."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for button in page.locator("main button:visible").all():
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44, (page.url, button.inner_text(), box)


def save(page: Page) -> None:
    page.get_by_role("button", name="Lưu và tiếp tục").click()


def test_onboarder_sets_up_a_cooperative_and_its_product_goes_live(
    phone390: Page, live_server: str, onboarder: str
):
    page, base = phone390, live_server
    problems: list[str] = []
    expected = "status of 400"  # the refused product form below answers 400, on purpose
    page.on(
        "console",
        lambda m: (
            real_error(m) and expected not in m.text and problems.append(f"{page.url}: {m.text}")
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))

    page.goto(base + "/dang-nhap")
    page.get_by_label("Email").fill(onboarder)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Hỗ trợ chủ thể").click()
    page.get_by_test_id("new-producer").click()

    # 1. identity; the commune found by typing without accents
    expect(page.get_by_role("heading", level=1)).to_have_text("Thêm chủ thể mới")
    page.get_by_label("Tên chủ thể (như trên giấy đăng ký)").fill("HTX Chè Đồi Xanh")
    page.get_by_label("Mã số thuế").fill("4601239876")
    page.get_by_label("Người đại diện").fill("Nguyễn Thị Hảo")
    page.get_by_label("Số điện thoại").fill("0912 345 678")
    # the onboarder's own province is preselected; clear the commune, then find it again
    expect(page.get_by_role("combobox", name="Tỉnh/thành")).to_have_value("19")
    commune = page.get_by_role("combobox", name="Xã/phường", exact=True)
    commune.select_option(value="")
    page.get_by_label("Tìm xã/phường").fill("tan cuong")
    expect(commune).to_have_value(TAN_CUONG)
    fits_the_phone(page)
    save(page)

    # 2. address
    expect(page).to_have_url(re.compile(r"/quan-ly/ho-tro/\d+/dia-chi$"))
    producer_id = int(re.search(r"/ho-tro/(\d+)/", page.url).group(1))
    page.get_by_label("Thôn/xóm, số nhà, đường").fill("Xóm Hồng Thái 2")
    save(page)

    # 3. bank: found by BIN, holder in capitals without accents, checked by scanning the QR
    expect(page).to_have_url(re.compile(r"/ngan-hang$"))
    page.get_by_label("Tìm ngân hàng").fill("970436")
    expect(page.get_by_role("combobox", name="Ngân hàng", exact=True)).to_have_value("970436")
    page.get_by_label("Số tài khoản").fill("0451000012345")
    page.get_by_label("Tên chủ tài khoản").fill("Nguyễn Thị Hảo")
    page.get_by_role("button", name="Lưu tài khoản").click()
    expect(page.get_by_test_id("holder")).to_have_text("NGUYEN THI HAO")
    shot = page.get_by_test_id("bank-qr").screenshot()
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    scanned = vietqr.parse(code.text)  # what any bank app reads from it
    assert (scanned.bin, scanned.account, scanned.amount) == ("970436", "0451000012345", None)
    fits_the_phone(page)
    screenshot(page, "phone-onboarding-bank.png")  # only when OCOP_SCREENSHOT_DIR is set
    page.get_by_label(re.compile("Tôi đã quét mã")).check()
    page.get_by_role("button", name="Đã xác minh").click()

    # 4. consent
    expect(page).to_have_url(re.compile(r"/dieu-khoan$"))
    page.get_by_label(re.compile("đã đọc và đồng ý")).check()
    page.get_by_role("button", name="Đồng ý và tiếp tục").click()

    # leave and come back: the home list resumes at the products step
    page.goto(base + "/quan-ly/ho-tro")
    page.get_by_role("link", name="Tiếp tục: Sản phẩm").click()
    expect(page).to_have_url(re.compile(rf"/ho-tro/{producer_id}/san-pham$"))

    # 5. one product: camera photo, certificate scan, decision, stars, price, stock, weight
    form = page.get_by_test_id("product-form")
    form.get_by_label("Tên sản phẩm").fill(PRODUCT)
    form.get_by_label("Giá bán (đồng)").fill("một trăm")
    form.get_by_role("button", name="Thêm sản phẩm").click()
    errors = page.get_by_test_id("errors")
    expect(errors).to_contain_text("Nhập giá bán là số đồng nguyên")
    expect(errors).to_contain_text("Chụp hoặc chọn ít nhất một ảnh sản phẩm.")
    expect(form.get_by_label("Tên sản phẩm")).to_have_value(PRODUCT)  # input kept
    screenshot(page, "phone-onboarding-errors.png")
    form.get_by_label("Ảnh sản phẩm").set_input_files(jpeg((46, 125, 50)))
    form.get_by_role("combobox", name="Bộ sản phẩm OCOP").select_option(value="11")
    form.get_by_label("Giá bán (đồng)").fill("150.000")
    form.get_by_label("Đơn vị bán").fill("hộp")
    form.get_by_label("Tồn kho").fill("40")
    form.get_by_label("Khối lượng đóng gói (gam)").fill("300")
    form.get_by_role("combobox", name="Hạng sao OCOP").select_option(value="4")
    form.get_by_label("Số quyết định công nhận").fill("2150/QĐ-UBND")
    form.get_by_label("Ngày quyết định").fill((today() - timedelta(days=120)).isoformat())
    form.get_by_label("Cơ quan cấp").fill("UBND tỉnh Thái Nguyên")
    form.get_by_label("Ảnh chụp giấy chứng nhận").set_input_files(jpeg((250, 248, 235)))
    fits_the_phone(page)
    form.get_by_role("button", name="Thêm sản phẩm").click()

    # the checklist is complete: the producer is active
    expect(page).to_have_url(re.compile(rf"/ho-tro/{producer_id}$"))
    expect(page.get_by_test_id("active")).to_be_visible()
    expect(page.get_by_test_id("checklist").locator("li.done")).to_have_count(5)
    screenshot(page, "phone-onboarding-done.png")

    # the public catalogue lists the product with its stars
    page.goto(base + "/tim-kiem?q=" + "che moc cau doi xanh")
    card = page.get_by_test_id("results").locator("li.card").filter(has_text=PRODUCT)
    expect(card).to_have_count(1)
    expect(card.locator(".badge")).to_contain_text("OCOP 4 sao")
    assert not problems, problems
