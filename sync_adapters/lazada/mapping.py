"""ListingData -> Lazada's ``payload`` JSON, and the checks Lazada would fail us on."""

from __future__ import annotations

from typing import Any

from .. import images
from ..base import FieldProblem, ListingData
from ..common import attribute_value, paragraphs_html
from .categories import CATEGORIES

#: Lazada's image rules (min 330 px, max 3 MB, at most 8 per product).
IMAGE_SPEC = images.ImageSpec(min_px=330, max_px=2000, max_bytes=3_000_000, max_count=8)
NAME_MAX = 255
DESCRIPTION_MAX = 25_000
SELLER_SKU_MAX = 200
PRICE_MIN = 1_000
PRICE_MAX = 1_000_000_000
STOCK_MAX = 999_999

ATTRIBUTE_LABELS = {
    "brand": "Thương hiệu",
    "origin": "Xuất xứ",
    "shelf_life": "Hạn sử dụng",
    "net_content": "Khối lượng tịnh",
    "alcohol_content": "Nồng độ cồn",
    "material": "Chất liệu",
}

#: Lazada's field names (in error details) -> ours.
FIELD_NAMES = {
    "name": "name",
    "description": "description",
    "PrimaryCategory": "category_id",
    "Images": "images",
    "image": "images",
    "SellerSku": "sku",
    "price": "price_vnd",
    "Price": "price_vnd",
    "quantity": "stock",
    "Quantity": "stock",
    "package_weight": "weight_grams",
    "package_length": "length_cm",
    "package_width": "width_cm",
    "package_height": "height_cm",
}


def weight_kg(grams: int) -> str:
    """Grams as Lazada's package_weight (kilograms, at most two decimals, never 0)."""
    return f"{max(grams, 10) / 1000:.2f}"


def _problem(field: str, message: str, fix: str) -> FieldProblem:
    return FieldProblem(field, message, fix)


def validate(data: ListingData) -> list[FieldProblem]:
    """Every rule ``/product/create`` enforces that we can check before calling."""
    out: list[FieldProblem] = []
    name = data.name.strip()
    if not name:
        out.append(_problem("name", "Thiếu tên sản phẩm.", "Nhập tên sản phẩm."))
    elif len(name) > NAME_MAX:
        out.append(
            _problem(
                "name",
                f"Tên sản phẩm dài {len(name)} ký tự, Lazada chỉ nhận tối đa {NAME_MAX}.",
                f"Rút gọn tên xuống {NAME_MAX} ký tự trở xuống.",
            )
        )
    description = paragraphs_html(data)
    if not description:
        out.append(_problem("description", "Lazada bắt buộc có mô tả.", "Viết mô tả sản phẩm."))
    elif len(description) > DESCRIPTION_MAX:
        out.append(
            _problem(
                "description",
                f"Mô tả quá dài ({len(description)} ký tự, tối đa {DESCRIPTION_MAX}).",
                "Rút gọn mô tả.",
            )
        )
    if not data.sku.strip() or len(data.sku) > SELLER_SKU_MAX:
        out.append(_problem("sku", "Mã SKU trống hoặc quá dài.", "Kiểm tra mã sản phẩm (SKU)."))
    if not PRICE_MIN <= data.price_vnd <= PRICE_MAX:
        out.append(
            _problem(
                "price_vnd",
                f"Giá {data.price_vnd:,} đ nằm ngoài khoảng Lazada cho phép.".replace(",", "."),
                f"Đặt giá từ {PRICE_MIN:,} đ đến {PRICE_MAX:,} đ.".replace(",", "."),
            )
        )
    if not 0 <= data.stock <= STOCK_MAX:
        out.append(
            _problem(
                "stock",
                "Số lượng tồn kho không hợp lệ.",
                f"Nhập tồn kho từ 0 đến {STOCK_MAX}.",
            )
        )
    out += _category_problems(data)
    for field, label in (
        ("weight_grams", "khối lượng gói hàng"),
        ("length_cm", "chiều dài gói hàng"),
        ("width_cm", "chiều rộng gói hàng"),
        ("height_cm", "chiều cao gói hàng"),
    ):
        value = getattr(data, field)
        if value is None or value <= 0:
            out.append(
                _problem(
                    field,
                    f"Lazada bắt buộc {label}.",
                    f"Nhập {label} (khối lượng theo gam, kích thước theo cm).",
                )
            )
    out += images.check(data.images, IMAGE_SPEC)
    return out


def _category_problems(data: ListingData) -> list[FieldProblem]:
    if not data.category_id:
        return [
            _problem(
                "category_id",
                "Chưa chọn ngành hàng Lazada.",
                "Chọn ngành hàng trong bảng ánh xạ ngành hàng của kênh Lazada.",
            )
        ]
    category = CATEGORIES.get(data.category_id)
    if category is None:
        return [
            _problem(
                "category_id",
                f"Ngành hàng {data.category_id} không có trên Lazada.",
                "Chọn lại ngành hàng trong bảng ánh xạ ngành hàng.",
            )
        ]
    out = []
    for key in category.required_attributes:
        if not attribute_value(data, key):
            label = ATTRIBUTE_LABELS.get(key, key)
            out.append(
                _problem(
                    f"attributes.{key}",
                    f"Ngành hàng «{category.name}» bắt buộc thuộc tính «{label}».",
                    f"Điền «{label}» cho sản phẩm hoặc trong bảng thuộc tính của kênh.",
                )
            )
    return out


def _attributes(data: ListingData) -> dict[str, str]:
    attributes = {"name": data.name.strip(), "description": paragraphs_html(data)}
    attributes["brand"] = attribute_value(data, "brand") or "No Brand"
    category = CATEGORIES.get(data.category_id or "")
    keys = set(data.attributes) | set(category.required_attributes if category else ())
    for key in sorted(keys):
        value = attribute_value(data, key)
        if value and key not in attributes:
            attributes[key] = value
    return attributes


def _sku(data: ListingData) -> dict[str, Any]:
    sku: dict[str, Any] = {
        "SellerSku": data.sku,
        "quantity": str(data.stock),
        "price": str(data.price_vnd),
        "Status": "active" if data.active else "inactive",
    }
    if data.weight_grams:
        sku["package_weight"] = weight_kg(data.weight_grams)
    for ours, theirs in (
        ("length_cm", "package_length"),
        ("width_cm", "package_width"),
        ("height_cm", "package_height"),
    ):
        if getattr(data, ours):
            sku[theirs] = str(getattr(data, ours))
    return sku


def product_payload(
    data: ListingData,
    image_urls: list[str],
    *,
    item_id: str | None = None,
    sku_id: str | None = None,
) -> dict[str, Any]:
    """``Request.Product`` for ``/product/create`` (or ``/product/update`` with the ids)."""
    sku = _sku(data)
    product: dict[str, Any] = {}
    if item_id:
        product["ItemId"] = item_id
        if sku_id:
            sku["SkuId"] = sku_id
    product.update(
        {
            "PrimaryCategory": data.category_id or "",
            "Images": {"Image": image_urls},
            "Attributes": _attributes(data),
            "Skus": {"Sku": [sku]},
        }
    )
    return {"Request": {"Product": product}}


def price_quantity_payload(item_id: str, sku_id: str, price_vnd: int, stock: int) -> dict[str, Any]:
    """``Request.Product.Skus`` for ``/product/price_quantity/update``."""
    sku = {"ItemId": item_id, "SkuId": sku_id, "Price": str(price_vnd), "Quantity": str(stock)}
    return {"Request": {"Product": {"Skus": {"Sku": [sku]}}}}


def our_field(lazada_field: str) -> str:
    """Our ListingData field for a field name in a Lazada error detail."""
    if lazada_field in FIELD_NAMES:
        return FIELD_NAMES[lazada_field]
    if lazada_field in ATTRIBUTE_LABELS:
        return "brand" if lazada_field == "brand" else f"attributes.{lazada_field}"
    return lazada_field
