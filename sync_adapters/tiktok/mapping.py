"""ListingData -> TikTok Shop's product body (202309), and the checks TikTok would fail us on."""

from __future__ import annotations

from typing import Any

from .. import images
from ..base import FieldProblem, ListingData
from ..common import attribute_value, paragraphs_html
from .categories import ATTRIBUTE_IDS, ATTRIBUTE_NAMES, CATEGORIES

#: TikTok's main-image rules (300-4000 px, at most 5 MB, 1 to 9 images).
IMAGE_SPEC = images.ImageSpec(min_px=300, max_px=2000, max_bytes=5_000_000, max_count=9)
TITLE_MIN = 25
TITLE_MAX = 255
DESCRIPTION_MAX = 10_000
SELLER_SKU_MAX = 50
PRICE_MIN = 1  # VN local shops: 1 to 180,000,000 VND
PRICE_MAX = 180_000_000
STOCK_MAX = 999_999
CURRENCY = "VND"

#: TikTok business error code -> our field (from the create/edit product error tables).
FIELD_BY_CODE = {
    12052051: "name",
    12052261: "name",
    12052015: "description",
    12052013: "description",
    12052023: "category_id",
    12052024: "category_id",
    12052025: "category_id",
    12052028: "images",
    12019009: "images",
    12052012: "price_vnd",
    12052073: "price_vnd",
    12052084: "price_vnd",
    12019024: "stock",
    12052055: "stock",
    12019059: "sku",
    12052054: "sku",
    12052006: "weight_grams",
    12052181: "weight_grams",
    12019011: "weight_grams",
    12019012: "length_cm",
    12052116: "length_cm",
}
PROPERTY_REQUIRED = 12052104


def validate(data: ListingData) -> list[FieldProblem]:
    """Every rule ``/product/202309/products`` enforces that we can check before calling."""
    out: list[FieldProblem] = []
    title = data.name.strip()
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        out.append(
            FieldProblem(
                "name",
                f"Tên sản phẩm dài {len(title)} ký tự; TikTok Shop cần từ {TITLE_MIN} "
                f"đến {TITLE_MAX} ký tự.",
                "Viết tên đầy đủ: loại sản phẩm, nguyên liệu, quy cách (ví dụ «Mật ong hoa "
                "cà phê Đắk Lắk chai 500ml»).",
            )
        )
    description = paragraphs_html(data)
    if not description or len(description) > DESCRIPTION_MAX:
        out.append(
            FieldProblem(
                "description",
                f"Mô tả trống hoặc dài quá {DESCRIPTION_MAX} ký tự.",
                "Viết mô tả sản phẩm (nên từ 30 từ trở lên) và không quá giới hạn.",
            )
        )
    if not data.sku.strip() or len(data.sku) > SELLER_SKU_MAX:
        out.append(
            FieldProblem(
                "sku",
                f"Mã SKU trống hoặc dài quá {SELLER_SKU_MAX} ký tự.",
                "Kiểm tra mã sản phẩm (SKU).",
            )
        )
    if not PRICE_MIN <= data.price_vnd <= PRICE_MAX:
        out.append(
            FieldProblem(
                "price_vnd",
                f"Giá {data.price_vnd:,} đ nằm ngoài khoảng TikTok Shop cho phép.".replace(
                    ",", "."
                ),
                f"Đặt giá từ {PRICE_MIN:,} đ đến {PRICE_MAX:,} đ.".replace(",", "."),
            )
        )
    if not 0 <= data.stock <= STOCK_MAX:
        out.append(
            FieldProblem("stock", "Số lượng tồn kho không hợp lệ.", f"Nhập từ 0 đến {STOCK_MAX}.")
        )
    if not data.weight_grams or data.weight_grams <= 0:
        out.append(
            FieldProblem(
                "weight_grams",
                "TikTok Shop bắt buộc khối lượng gói hàng.",
                "Nhập khối lượng gói hàng (gam).",
            )
        )
    sides = (data.length_cm, data.width_cm, data.height_cm)
    if any(side is not None for side in sides) and not all(side and side > 0 for side in sides):
        out.append(
            FieldProblem(
                "length_cm",
                "Kích thước gói hàng phải có đủ dài, rộng, cao.",
                "Nhập đủ ba kích thước (cm) hoặc để trống cả ba.",
            )
        )
    out += _category_problems(data)
    out += images.check(data.images, IMAGE_SPEC)
    return out


def _category_problems(data: ListingData) -> list[FieldProblem]:
    category = CATEGORIES.get(data.category_id or "")
    if category is None:
        what = f"Ngành hàng {data.category_id} không có" if data.category_id else "Chưa chọn"
        return [
            FieldProblem(
                "category_id",
                f"{what} ngành hàng TikTok Shop.",
                "Chọn ngành hàng trong bảng ánh xạ ngành hàng của kênh TikTok Shop.",
            )
        ]
    return [
        FieldProblem(
            f"attributes.{key}",
            f"Ngành hàng «{category.name}» bắt buộc thuộc tính «{ATTRIBUTE_NAMES[key]}».",
            f"Điền «{ATTRIBUTE_NAMES[key]}» cho sản phẩm hoặc trong bảng thuộc tính của kênh.",
        )
        for key in category.required_attributes
        if not attribute_value(data, key)
    ]


def product_body(
    data: ListingData, image_uris: list[str], warehouse_id: str, *, sku_id: str | None = None
) -> dict[str, Any]:
    """The create (or, with ``sku_id``, full edit) body of ``/product/202309/products``."""
    sku: dict[str, Any] = {
        "seller_sku": data.sku,
        "price": {"amount": str(data.price_vnd), "currency": CURRENCY},
        "inventory": [{"warehouse_id": warehouse_id, "quantity": data.stock}],
    }
    if sku_id:
        sku["id"] = sku_id
    body: dict[str, Any] = {
        "title": data.name.strip(),
        "description": paragraphs_html(data),
        "category_id": data.category_id or "",
        "main_images": [{"uri": uri} for uri in image_uris],
        "skus": [sku],
        "package_weight": {"value": f"{(data.weight_grams or 0) / 1000:.3f}", "unit": "KILOGRAM"},
        "product_attributes": _attributes(data),
    }
    if data.length_cm and data.width_cm and data.height_cm:
        body["package_dimensions"] = {
            "length": str(data.length_cm),
            "width": str(data.width_cm),
            "height": str(data.height_cm),
            "unit": "CENTIMETER",
        }
    return body


def _attributes(data: ListingData) -> list[dict[str, Any]]:
    category = CATEGORIES.get(data.category_id or "")
    keys = set(category.required_attributes if category else ()) | set(data.attributes)
    out = []
    for key in sorted(keys & set(ATTRIBUTE_IDS)):
        value = attribute_value(data, key)
        if value:
            out.append({"id": ATTRIBUTE_IDS[key], "values": [{"name": value}]})
    return out


def problem_for(code: int, message: str) -> FieldProblem | None:
    """The field a TikTok business error names, in our terms (None: no field named)."""
    if code == PROPERTY_REQUIRED:
        for key, attribute_id in ATTRIBUTE_IDS.items():
            if attribute_id in message:
                name = ATTRIBUTE_NAMES[key]
                return FieldProblem(
                    f"attributes.{key}",
                    f"TikTok Shop bắt buộc thuộc tính «{name}».",
                    f"Điền «{name}» rồi đồng bộ lại.",
                )
        return None
    field = FIELD_BY_CODE.get(code)
    if field is None:
        return None
    return FieldProblem(
        field, f"TikTok Shop từ chối: {message}", "Sửa thông tin này rồi đồng bộ lại."
    )
