"""A seller on 3G takes a product photo with a 12-megapixel camera: the browser shrinks it to
at most 2000 px (JPEG 0.85) before the upload, the form posts with a progress bar, and the
stored photo is the small one."""

from __future__ import annotations

import io
import random
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from playwright.sync_api import Page, Request, expect
from sqlalchemy import select

from marketplace.accounts.demo import LOGINS, ensure_demo_logins
from marketplace.core.clock import today
from marketplace.core.db import db
from producers.models import Product, ProductImage
from tests.e2e.test_listings import real_error

pytestmark = pytest.mark.browser

ONBOARDER = next(login for login in LOGINS if login.role == "onboarder")
PRODUCT = "Mật ong hoa nhãn ảnh nặng"


def camera_photo(path: Path) -> Path:
    """A 4000x3000 JPEG with sensor-like noise: several MB, the same bytes every run."""
    noise = Image.frombytes("RGB", (4000, 3000), random.Random(7).randbytes(4000 * 3000 * 3))
    gradient = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    Image.blend(gradient, noise, 0.2).save(path, "JPEG", quality=95)
    return path


def small_jpeg() -> dict[str, object]:
    buf = io.BytesIO()
    Image.new("RGB", (800, 600), (250, 248, 235)).save(buf, "JPEG", quality=85)
    return {"name": "giay.jpg", "mimeType": "image/jpeg", "buffer": buf.getvalue()}


@pytest.fixture
def demo_producer_id(demo_app: Flask) -> int:
    """The demo logins exist; the id of the producer the demo onboarder looks after."""
    with demo_app.app_context():
        ensure_demo_logins(db.session, today())
        db.commit()
        owner = next(login for login in LOGINS if login.producer_role == "owner")
        from marketplace.accounts.models import User

        user = db.session.scalar(select(User).where(User.email == owner.email))
        assert user is not None and user.producer_id is not None
        return user.producer_id


def test_camera_photo_is_shrunk_in_the_browser_before_upload(
    phone: Page, live_server: str, demo_app: Flask, demo_producer_id: int, tmp_path: Path
):
    page, base = phone, live_server
    problems: list[str] = []
    page.on("console", lambda m: real_error(m) and problems.append(f"{page.url}: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
    photo = camera_photo(tmp_path / "IMG_0001.jpg")
    assert photo.stat().st_size > 5_000_000

    page.goto(base + "/dang-nhap")
    page.get_by_label("Email").fill(ONBOARDER.email)
    page.get_by_label("Mật khẩu").fill(ONBOARDER.password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).not_to_have_url(re.compile("/dang-nhap"))
    page.goto(f"{base}/quan-ly/ho-tro/{demo_producer_id}/san-pham")

    form = page.get_by_test_id("product-form")
    form.get_by_label("Ảnh sản phẩm").set_input_files(photo)
    expect(page.locator("#f-photo")).to_have_attribute("data-resize", "done")
    size, width, height, kind = page.evaluate(
        """async () => {
            const file = document.getElementById('f-photo').files[0];
            const bmp = await createImageBitmap(file);
            return [file.size, bmp.width, bmp.height, file.type];
        }"""
    )
    assert size < 1_500_000, size
    assert (width, height) == (2000, 1500) and kind == "image/jpeg"

    form.get_by_label("Tên sản phẩm").fill(PRODUCT)
    form.get_by_role("combobox", name="Bộ sản phẩm OCOP").select_option(value="11")
    form.get_by_label("Giá bán (đồng)").fill("180.000")
    form.get_by_label("Đơn vị bán").fill("chai")
    form.get_by_label("Tồn kho").fill("20")
    form.get_by_label("Khối lượng đóng gói (gam)").fill("700")
    form.get_by_role("combobox", name="Hạng sao OCOP").select_option(value="3")
    form.get_by_label("Số quyết định công nhận").fill("118/QĐ-UBND")
    form.get_by_label("Ngày quyết định").fill((today() - timedelta(days=60)).isoformat())
    form.get_by_label("Cơ quan cấp").fill("UBND tỉnh")
    form.get_by_label("Ảnh chụp giấy chứng nhận").set_input_files(small_jpeg())
    expect(page.locator("#f-scan")).to_have_attribute("data-resize", "done")
    posts: list[Request] = []
    page.on("requestfinished", lambda r: r.method == "POST" and posts.append(r))
    form.get_by_role("button", name="Thêm sản phẩm").click()

    expect(page).not_to_have_url(re.compile(r"/san-pham$"))  # saved: the next step
    # sent by XMLHttpRequest (for the progress bar), with the small photo only
    [post] = posts
    assert post.resource_type == "xhr", post.resource_type
    assert post.sizes()["requestBodySize"] < 1_600_000
    page.goto(f"{base}/quan-ly/ho-tro/{demo_producer_id}/san-pham")
    expect(page.get_by_test_id("product-list")).to_contain_text(PRODUCT)

    with demo_app.app_context():
        product = db.session.scalar(
            select(Product).where(Product.name == PRODUCT, Product.producer_id == demo_producer_id)
        )
        assert product is not None
        image = db.session.scalar(select(ProductImage).where(ProductImage.product_id == product.id))
        assert image is not None and max(image.width, image.height) <= 2000
        stored = Path(demo_app.config["MEDIA_DIR"]) / image.original_path
        with Image.open(stored) as original:
            assert max(original.size) <= 2000
    assert not problems, problems
