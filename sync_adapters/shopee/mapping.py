"""ListingData -> Shopee v2 product payloads, and the checks Shopee Việt Nam would fail.

Limits are Shopee VN's listing rules: ``item_name`` 20–120 characters, plain-text
``description`` 100–3000, ``original_price`` 1.000–120.000.000 ₫, ``seller_stock`` 0–999.999,
``weight`` (kg) required, up to 9 images hosted in Shopee's media space.
"""

from __future__ import annotations

import html
import re
from typing import Any

from .. import images
from ..base import FieldProblem, ListingData
from .categories import ALCOHOL, ATTRIBUTE_IDS, CATEGORIES, EXPIRY, NET_WEIGHT, ORIGIN

NAME_MIN, NAME_MAX = 20, 120
DESCRIPTION_MIN, DESCRIPTION_MAX = 100, 3000
PRICE_MIN, PRICE_MAX = 1_000, 120_000_000
STOCK_MAX = 999_999
SKU_MAX = 100
IMAGE_SPEC = images.ImageSpec(min_px=500, max_px=2000, max_bytes=2_000_000, max_count=9)
NO_BRAND = "No Brand"

# Shopee's field names (as its error messages spell them) -> ours, most specific first.
SHOPEE_FIELDS: tuple[tuple[str, str], ...] = (
    ("item_name", "name"),
    ("description", "description"),
    ("original_price", "price_vnd"),
    ("seller_stock", "stock"),
    ("normal_stock", "stock"),
    ("stock", "stock"),
    ("item_sku", "sku"),
    ("category_id", "category_id"),
    ("attribute", "attributes"),
    ("weight", "weight_grams"),
    ("package_length", "length_cm"),
    ("package_width", "width_cm"),
    ("package_height", "height_cm"),
    ("dimension", "length_cm"),
    ("image", "images"),
    ("brand", "brand"),
    ("logistic", "logistic_info"),
)

FIXES: dict[str, str] = {
    "name": f"Sửa tên sản phẩm cho dài {NAME_MIN}–{NAME_MAX} ký tự.",
    "description": f"Viết mô tả dài {DESCRIPTION_MIN}–{DESCRIPTION_MAX} ký tự, không chèn HTML.",
    "price_vnd": f"Đặt giá từ {PRICE_MIN:,} đến {PRICE_MAX:,} đồng.".replace(",", "."),
    "stock": f"Nhập tồn kho từ 0 đến {STOCK_MAX:,}.".replace(",", "."),
    "sku": f"Mã sản phẩm không được để trống, tối đa {SKU_MAX} ký tự.",
    "category_id": "Chọn danh mục Shopee cho nhóm sản phẩm này trong bảng ánh xạ danh mục.",
    "attributes": "Bổ sung thuộc tính còn thiếu trong bảng thuộc tính của sản phẩm.",
    "weight_grams": "Nhập khối lượng cả bao bì (gam).",
    "length_cm": "Nhập đủ dài, rộng, cao của kiện hàng (cm), hoặc bỏ trống cả ba.",
    "width_cm": "Nhập đủ dài, rộng, cao của kiện hàng (cm), hoặc bỏ trống cả ba.",
    "height_cm": "Nhập đủ dài, rộng, cao của kiện hàng (cm), hoặc bỏ trống cả ba.",
    "images": "Tải lên ảnh JPEG/PNG rõ nét, cạnh ngắn từ 500 px.",
    "brand": "Kiểm tra thương hiệu (hoặc để “No Brand”).",
    "logistic_info": "Bật ít nhất một đơn vị vận chuyển trong Kênh Người Bán Shopee.",
}

_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<\s*(br|/p|/div|/li|/h\d)\s*/?>", re.IGNORECASE)
_BLANKS = re.compile(r"\n{3,}")


def plain_text(text: str) -> str:
    """Shopee descriptions are plain text: HTML tags dropped, entities decoded, breaks kept."""
    text = _BREAK.sub("\n", text)
    text = html.unescape(_TAG.sub("", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def title(data: ListingData) -> str:
    """The ``item_name``: our name, with the net quantity added when it is too short alone."""
    name = " ".join(data.name.split())
    if len(name) < NAME_MIN and data.net_quantity and data.net_quantity not in name:
        name = f"{name} {data.net_quantity.strip()}"
    return name


def description(data: ListingData) -> str:
    """The description, followed by the OCOP facts buyers look for when they fit."""
    body = plain_text(data.description)
    facts = []
    if data.ocop_stars:
        facts.append(f"Sản phẩm OCOP {data.ocop_stars} sao.")
    for label, value in (
        ("Chủ thể OCOP", data.producer_name),
        ("Xuất xứ", data.origin),
        ("Quy cách", data.net_quantity),
        ("Hạn sử dụng", data.shelf_life),
    ):
        if value.strip():
            facts.append(f"{label}: {value.strip()}")
    block = "\n".join(facts)
    if block and len(body) + len(block) + 2 <= DESCRIPTION_MAX:
        return f"{body}\n\n{block}" if body else block
    return body


def attribute_values(data: ListingData, category_id: str | None) -> dict[str, str]:
    """The category's required attributes with their values (from the mapping table first,
    then from the product's own fields); missing ones are left out."""
    category = CATEGORIES.get(category_id or "")
    if category is None:
        return {}
    fallback = {
        ORIGIN: "Việt Nam",  # OCOP products are Vietnamese by definition
        EXPIRY: data.shelf_life,
        NET_WEIGHT: data.net_quantity,
        ALCOHOL: "",
    }
    values: dict[str, str] = {}
    for name in category.required_attributes:
        value = (data.attributes.get(name) or fallback.get(name, "")).strip()
        if value:
            values[name] = value
    return values


def validate(data: ListingData) -> list[FieldProblem]:
    """Every rule Shopee VN's ``add_item`` would reject ``data`` for."""
    problems: list[FieldProblem] = []

    def bad(field: str, message: str) -> None:
        problems.append(FieldProblem(field, message, FIXES[field]))

    name = title(data)
    if not NAME_MIN <= len(name) <= NAME_MAX:
        bad("name", f"Tên sản phẩm dài {len(name)} ký tự; Shopee cần {NAME_MIN}–{NAME_MAX}.")
    text = description(data)
    if not DESCRIPTION_MIN <= len(text) <= DESCRIPTION_MAX:
        bad(
            "description",
            f"Mô tả dài {len(text)} ký tự; Shopee cần {DESCRIPTION_MIN}–{DESCRIPTION_MAX}.",
        )
    if not PRICE_MIN <= data.price_vnd <= PRICE_MAX:
        bad("price_vnd", f"Giá {data.price_vnd} đồng nằm ngoài khoảng Shopee cho phép.")
    if not 0 <= data.stock <= STOCK_MAX:
        bad("stock", f"Tồn kho {data.stock} không hợp lệ.")
    if not data.sku.strip() or len(data.sku) > SKU_MAX:
        bad("sku", "Mã sản phẩm (SKU) trống hoặc quá dài.")
    category = CATEGORIES.get(data.category_id or "")
    if data.category_id is None:
        bad("category_id", "Sản phẩm chưa có danh mục Shopee.")
    elif category is None:
        bad("category_id", f"Danh mục {data.category_id} không có trong cây danh mục Shopee.")
    else:
        have = attribute_values(data, data.category_id)
        for attr in category.required_attributes:
            if attr not in have:
                bad("attributes", f"Thiếu thuộc tính “{attr}” bắt buộc cho danh mục này.")
    if not data.weight_grams or data.weight_grams <= 0:
        bad("weight_grams", "Shopee bắt buộc khối lượng sản phẩm.")
    dims = (data.length_cm, data.width_cm, data.height_cm)
    if any(d is not None for d in dims) and not all(d and d > 0 for d in dims):
        bad("length_cm", "Kích thước kiện hàng phải có đủ dài, rộng, cao và lớn hơn 0.")
    problems += images.check(data.images, IMAGE_SPEC)
    return problems


def item_payload(
    data: ListingData, image_ids: list[str], logistic_ids: list[int]
) -> dict[str, Any]:
    """The ``add_item`` body (``update_item`` takes the same content plus ``item_id``)."""
    body: dict[str, Any] = {
        "item_name": title(data),
        "description": description(data),
        "item_sku": data.sku,
        "original_price": data.price_vnd,
        "seller_stock": [{"stock": data.stock}],
        "category_id": _int_or_raw(data.category_id),
        "image": {"image_id_list": image_ids[: IMAGE_SPEC.max_count]},
        "logistic_info": [{"logistic_id": lid, "enabled": True} for lid in logistic_ids],
        "attribute_list": [
            {
                "attribute_id": ATTRIBUTE_IDS[name],
                "attribute_value_list": [{"value_id": 0, "original_value_name": value}],
            }
            for name, value in attribute_values(data, data.category_id).items()
        ],
        "brand": _brand(data),
        "condition": "NEW",
        "item_status": "NORMAL" if data.active else "UNLIST",
    }
    if data.weight_grams:
        body["weight"] = round(data.weight_grams / 1000, 3)
    if data.length_cm and data.width_cm and data.height_cm:
        body["dimension"] = {
            "package_length": data.length_cm,
            "package_width": data.width_cm,
            "package_height": data.height_cm,
        }
    return body


def update_payload(
    item_id: int, data: ListingData, image_ids: list[str], logistic_ids: list[int]
) -> dict[str, Any]:
    """The ``update_item`` body: content and visibility (price and stock have their own calls)."""
    body = item_payload(data, image_ids, logistic_ids)
    del body["original_price"], body["seller_stock"]
    return {"item_id": item_id, **body}


def field_of(message: str) -> str | None:
    """Our field named by a Shopee error message, if any."""
    lowered = message.lower()
    for shopee, ours in SHOPEE_FIELDS:
        if shopee in lowered:
            return ours
    return None


def problems_from(message: str) -> list[FieldProblem]:
    """A Shopee rejection as field problems (empty when it names no field we know)."""
    field = field_of(message)
    if field is None:
        return []
    return [FieldProblem(field, f"Shopee từ chối: {message}", FIXES[field])]


def _brand(data: ListingData) -> dict[str, Any]:
    # Shopee only takes brands from its brand list (v2.product.get_brand_list); an admin may
    # set the shop's brand id as the "brand_id" attribute, else the listing is "No Brand".
    raw = data.attributes.get("brand_id", "").strip()
    if raw.isdigit() and int(raw) > 0:
        return {"brand_id": int(raw), "original_brand_name": data.brand}
    return {"brand_id": 0, "original_brand_name": NO_BRAND}


def _int_or_raw(value: str | None) -> int | str | None:
    return int(value) if value and value.isdigit() else value
