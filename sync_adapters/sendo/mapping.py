"""ListingData -> Sendo's product payload, the pre-flight checks, and Sendo's ``error_details``
-> FieldProblems.

Limits are shared with the Sendo sandbox (``payload_errors``), so what ``validate`` accepts the
simulator accepts, and what it refuses the simulator refuses naming the same field.
"""

from __future__ import annotations

import html
import re
from typing import Any

from .. import common, images
from ..base import Category, FieldProblem, ListingData

SPEC = images.ImageSpec(min_px=500, max_px=2000, max_bytes=2_000_000, min_count=1, max_count=9)
NAME_MAX = 255
DESCRIPTION_MIN = 100  # Sendo: "min 100, max 100.000 ký tự", at most 20 <img>
DESCRIPTION_MAX = 100_000
DESCRIPTION_IMAGES_MAX = 20
PRICE_MIN = 1_000
PRICE_MAX = 500_000_000
#: Sendo's unit enum (``unit_id``) for the units OCOP products use; 1 ("Cái") otherwise.
UNIT_IDS = {"cái": 1, "bộ": 2, "chiếc": 3, "đôi": 4, "hộp": 5, "cuốn": 6, "chai": 7, "thùng": 8}

#: Sendo attribute code -> our field feeding it (so a problem names what people can fix).
ATTRIBUTE_SOURCE = {"thuong_hieu": "brand", "han_su_dung": "shelf_life"}
#: Sendo payload property -> our field.
FIELD_OF = {
    "name": "name",
    "sku": "sku",
    "price": "price_vnd",
    "weight": "weight_grams",
    "stock_quantity": "stock",
    "stock_availability": "stock",
    "description": "description",
    "cat_4_id": "category_id",
    "product_image": "images",
    "avatar": "images",
    "pictures": "images",
    "length": "length_cm",
    "width": "width_cm",
    "height": "height_cm",
    "unit_id": "unit",
}
_TAG = re.compile(r"<[^>]+>")


def attributes(data: ListingData) -> dict[str, str]:
    """Sendo attributes: derived from the product, then the admin table's values on top."""
    derived = {
        "thuong_hieu": data.brand.strip() or "No Brand",
        "xuat_xu": "Việt Nam",  # OCOP products are Vietnamese by definition
        "noi_san_xuat": data.origin,
        "han_su_dung": data.shelf_life,
    }
    merged = {**derived, **{k: str(v) for k, v in data.attributes.items()}}
    return {k: v for k, v in merged.items() if str(v).strip() and k != "unit_id"}


def unit_id(data: ListingData) -> int:
    """Sendo's unit id: the admin table's ``unit_id`` if set, else from the unit's name."""
    override = data.attributes.get("unit_id", "")
    return int(override) if override.isdigit() else UNIT_IDS.get(data.unit.strip().lower(), 1)


def available(active: bool, stock: int) -> bool:
    """Sendo's ``stock_availability``: false hides the product; it must be false at 0 stock."""
    return active and stock > 0


def product_payload(product_id: int, data: ListingData, image_urls: list[str]) -> dict[str, Any]:
    """Body of ``POST /api/partner/product`` (``id`` 0 creates, else updates that product)."""
    avatar = image_urls[0] if image_urls else ""
    return {
        "id": product_id,
        "name": data.name,
        "sku": data.sku,
        "price": data.price_vnd,
        "weight": data.weight_grams,
        "stock_quantity": data.stock,
        "stock_availability": available(data.active, data.stock),
        "description": common.facts_html(data),
        "cat_4_id": int(data.category_id) if (data.category_id or "").isdigit() else None,
        "unit_id": unit_id(data),
        "length": data.length_cm,
        "width": data.width_cm,
        "height": data.height_cm,
        "product_image": avatar,
        "avatar": {"picture_url": avatar},
        "pictures": [{"picture_url": url} for url in image_urls],
        "attributes": [
            {
                "attribute_code": code,
                "attribute_is_custom": True,
                "attribute_values": [{"value": value, "is_selected": True, "is_custom": True}],
            }
            for code, value in attributes(data).items()
        ],
        "is_config_variant": False,
        "variants": [],
        "extended_shipping_package": {"is_using_standard": True},
    }


def price_stock_entry(
    product_id: int, price: int, stock: int, is_available: bool
) -> dict[str, Any]:
    """One element of ``PUT /api/partner/product/config/variant-price``."""
    return {
        "product_id": product_id,
        "price": price,
        "stock_quantity": stock,
        "stock_availability": is_available,
        "is_config_variant": False,
        "special_price": None,
        "promotion_start_date": None,
        "promotion_end_date": None,
        "variants": [],
    }


def validate(data: ListingData, categories: dict[str, Category]) -> list[FieldProblem]:
    """Every problem Sendo would refuse."""
    problems: list[FieldProblem] = []
    add = problems.append
    name = data.name.strip()
    if not 0 < len(name) <= NAME_MAX:
        add(FieldProblem("name", f"Tên cần 1–{NAME_MAX} ký tự.", "Nhập hoặc rút gọn tên."))
    text = data.description.strip()
    if not DESCRIPTION_MIN <= len(text) <= DESCRIPTION_MAX:
        add(
            FieldProblem(
                "description",
                f"Sendo cần mô tả từ {DESCRIPTION_MIN} đến {DESCRIPTION_MAX:,} ký tự "
                f"(hiện có {len(text)}).".replace(",", "."),
                "Viết mô tả đầy đủ hơn: thành phần, cách dùng, bảo quản.",
            )
        )
    if not data.sku.strip():
        add(FieldProblem("sku", "Thiếu mã SKU.", "Lưu sản phẩm để hệ thống cấp mã."))
    problems += price_stock_problems(data.price_vnd, data.stock)
    for field, value, label in (
        ("weight_grams", data.weight_grams, "khối lượng (gam)"),
        ("length_cm", data.length_cm, "chiều dài gói hàng (cm)"),
        ("width_cm", data.width_cm, "chiều rộng gói hàng (cm)"),
        ("height_cm", data.height_cm, "chiều cao gói hàng (cm)"),
    ):
        if not value or value <= 0:
            add(
                FieldProblem(
                    field,
                    f"Thiếu {label}; Sendo cần để tính phí giao hàng.",
                    f"Nhập {label} của sản phẩm đã đóng gói.",
                )
            )
    category = categories.get(data.category_id or "")
    if category is None:
        add(
            FieldProblem(
                "category_id",
                "Chưa chọn ngành hàng Sendo hoặc ngành hàng không có trên Sendo.",
                "Chọn ngành hàng Sendo (cấp 4) cho nhóm sản phẩm này trong bảng ánh xạ.",
            )
        )
    else:
        have = attributes(data)
        for code in category.required_attributes:
            if code not in have:
                add(
                    FieldProblem(
                        ATTRIBUTE_SOURCE.get(code, f"attributes.{code}"),
                        f"Ngành hàng này của Sendo bắt buộc thuộc tính «{code}».",
                        "Điền thông tin này cho sản phẩm hoặc trong bảng ánh xạ thuộc tính.",
                    )
                )
    problems.extend(images.check(data.images, SPEC))
    return problems


def price_stock_problems(price_vnd: int, stock: int) -> list[FieldProblem]:
    """Price within Sendo's bounds, stock not negative."""
    return common.price_stock_problems(price_vnd, stock, PRICE_MIN, PRICE_MAX)


def payload_errors(body: dict[str, Any], categories: dict[str, Category]) -> list[tuple[str, str]]:
    """Sendo's checks of a product body as ``(property_name, message)`` (the sandbox's answer;
    whether images are hosted is the sandbox's own check)."""
    errors = []
    name = str(body.get("name") or "").strip()
    if not 0 < len(name) <= NAME_MAX:
        errors.append(("name", f"Tên sản phẩm cần 1–{NAME_MAX} ký tự"))
    if not str(body.get("sku") or "").strip():
        errors.append(("sku", "Mã sản phẩm là bắt buộc"))
    for key in ("price", "weight", "length", "width", "height"):
        value = body.get(key)
        if not isinstance(value, int | float) or value <= 0:
            errors.append((key, f"{key} phải lớn hơn 0"))
    price = body.get("price")
    if isinstance(price, int | float) and not PRICE_MIN <= price <= PRICE_MAX:
        errors.append(("price", f"Giá phải từ {PRICE_MIN} đến {PRICE_MAX}"))
    errors += stock_errors(body)
    description = str(body.get("description") or "")
    text = html.unescape(_TAG.sub("", description)).strip()
    if not DESCRIPTION_MIN <= len(text) <= DESCRIPTION_MAX:
        errors.append(
            ("description", f"Mô tả cần từ {DESCRIPTION_MIN} đến {DESCRIPTION_MAX} ký tự")
        )
    if description.lower().count("<img") > DESCRIPTION_IMAGES_MAX:
        errors.append(("description", f"Mô tả chứa tối đa {DESCRIPTION_IMAGES_MAX} hình"))
    if not isinstance(body.get("unit_id"), int):
        errors.append(("unit_id", "Đơn vị tính là bắt buộc"))
    category = categories.get(str(body.get("cat_4_id") or ""))
    if category is None:
        errors.append(("cat_4_id", "Ngành hàng cấp 4 không hợp lệ"))
        return errors
    given = {
        str(a.get("attribute_code")): [
            v.get("value") for v in a.get("attribute_values") or [] if v.get("is_selected")
        ]
        for a in body.get("attributes") or []
    }
    for code in category.required_attributes:
        if not any(str(v or "").strip() for v in given.get(code, [])):
            errors.append((f"attributes.{code}", f"Thuộc tính {code} là bắt buộc"))
    return errors


def stock_errors(body: dict[str, Any]) -> list[tuple[str, str]]:
    """Sendo's stock rules: quantity >= 0, and "hết hàng" (false) whenever quantity <= 0."""
    quantity = body.get("stock_quantity")
    if not isinstance(quantity, int) or quantity < 0:
        return [("stock_quantity", "Tồn kho phải là số nguyên >= 0")]
    if quantity <= 0 and body.get("stock_availability"):
        return [("stock_availability", "stock_quantity <= 0 thì stock_availability phải là false")]
    return []


def problems_from_error(body: Any) -> list[FieldProblem]:
    """Sendo's ``error.error_details[{property_name, message}]`` as FieldProblems."""
    error = body.get("error") if isinstance(body, dict) else None
    details = error.get("error_details") if isinstance(error, dict) else None
    problems = []
    for detail in details or []:
        prop = str(detail.get("property_name") or "")
        field = FIELD_OF.get(prop) or (
            ATTRIBUTE_SOURCE.get(prop.removeprefix("attributes."), prop)
            if prop.startswith("attributes.")
            else prop or "listing"
        )
        what = str(detail.get("message") or "không hợp lệ")
        problems.append(
            FieldProblem(field, f"Sendo từ chối: {what}", "Sửa thông tin này rồi gửi lại.")
        )
    return problems
