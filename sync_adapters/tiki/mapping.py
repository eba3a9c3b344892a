"""ListingData -> Tiki's request and update payloads, the pre-flight checks, and Tiki's error
strings -> FieldProblems.

The limits here are shared with the Tiki sandbox, so what ``validate`` accepts the simulator
accepts too (and what it refuses, the simulator refuses with the same field named).
"""

from __future__ import annotations

from typing import Any

from .. import common, images
from ..base import Category, FieldProblem, ListingData

#: Tiki wants photos of at least 500x500 px ("image error → … 500x500 px at least").
SPEC = images.ImageSpec(min_px=500, max_px=2000, max_bytes=2_000_000, min_count=1, max_count=9)
NAME_MAX = 255
DESCRIPTION_MAX = 50_000
PRICE_MIN = 1_000
PRICE_MAX = 500_000_000
REJECT_MARKER = "TEST-REJECT"  # the sandbox's review refuses names carrying it

#: Tiki attribute code -> our ListingData field that feeds it (for problems people can fix).
ATTRIBUTE_SOURCE = {"brand": "brand", "product_weight_kg": "weight_grams"}
#: Tiki payload field (as its error strings name it) -> our field.
FIELD_OF = {
    "name": "name",
    "description": "description",
    "category_id": "category_id",
    "image": "images",
    "images": "images",
    "market_price": "price_vnd",
    "price": "price_vnd",
    "variants[0].price": "price_vnd",
    "quantity": "stock",
    "variants[0].quantity": "stock",
    "sku": "sku",
    "variants[0].sku": "sku",
    "original_sku": "sku",
}
_LABELS = {
    "name": "tên sản phẩm",
    "description": "mô tả",
    "category_id": "ngành hàng",
    "images": "ảnh",
    "price_vnd": "giá",
    "stock": "tồn kho",
    "sku": "mã SKU",
    "weight_grams": "khối lượng",
    "brand": "thương hiệu",
}


def attributes(data: ListingData, category: Category | None) -> dict[str, str]:
    """Tiki attributes: derived from the product, then the admin table's values on top."""
    derived = {
        "brand": data.brand.strip() or "No Brand",
        # OCOP products are Vietnamese by definition: made in and branded in Việt Nam.
        "brand_country": "Việt Nam",
        "origin": "Việt Nam",
        "bulky": "0",
    }
    if data.weight_grams:
        derived["product_weight_kg"] = f"{data.weight_grams / 1000:g}"
    for code, value in (
        ("product_length", data.length_cm),
        ("product_width", data.width_cm),
        ("product_height", data.height_cm),
    ):
        if value:
            derived[code] = str(value)
    if category is not None and "require_expiry_date" in category.required_attributes:
        derived["require_expiry_date"] = "1"
    merged = {**derived, **{k: str(v) for k, v in data.attributes.items()}}
    return {k: v for k, v in merged.items() if str(v).strip()}


def request_payload(
    data: ListingData, category: Category | None, image_urls: list[str], extra: dict[str, str]
) -> dict[str, Any]:
    """Body of ``POST /integration/v2.1/requests`` for a simple product (one variant)."""
    variant: dict[str, Any] = {
        "sku": data.sku,
        "price": data.price_vnd,
        "quantity": data.stock,
        "image": image_urls[0] if image_urls else "",
    }
    # Sellers with several contracts must name them; with one, Tiki uses the contract's own.
    for key in ("inventory_type", "supplier"):
        if extra.get(key):
            variant[key] = int(extra[key]) if extra[key].isdigit() else extra[key]
    return {
        "category_id": int(data.category_id) if (data.category_id or "").isdigit() else None,
        "name": data.name,
        "description": common.facts_html(data),
        "market_price": data.price_vnd,
        "attributes": attributes(data, category),
        "image": image_urls[0] if image_urls else "",
        "images": image_urls[1:],
        "option_attributes": [],
        "variants": [variant],
    }


def update_info_payload(
    product_id: int, data: ListingData, category: Category | None, image_urls: list[str]
) -> dict[str, Any]:
    """Body of ``POST /integration/v2/requests/updateProductInfo`` (reviewed by Tiki)."""
    return {
        "product_id": product_id,
        "name": data.name,
        "description": common.facts_html(data),
        "market_price": data.price_vnd,
        "attributes": attributes(data, category),
        "image": image_urls[0] if image_urls else "",
        "images": image_urls[1:],
    }


def update_sku_payload(
    product_id: int,
    *,
    price: int | None = None,
    stock: int | None = None,
    active: bool | None = None,
) -> dict[str, Any]:
    """Body of ``PUT /integration/v2/products/updateSku`` (applied at once, no review)."""
    body: dict[str, Any] = {"product_id": product_id}
    if price is not None:
        body["price"] = price
    if stock is not None:
        body["quantity"] = stock
    if active is not None:
        body["active"] = 1 if active else 0
    return body


def validate(data: ListingData, categories: dict[str, Category]) -> list[FieldProblem]:
    """Every problem Tiki would refuse, synchronously or in its review."""
    problems: list[FieldProblem] = []
    add = problems.append
    name = data.name.strip()
    if not name:
        add(FieldProblem("name", "Thiếu tên sản phẩm.", "Nhập tên sản phẩm."))
    elif len(name) > NAME_MAX:
        add(
            FieldProblem(
                "name",
                f"Tên dài {len(name)} ký tự, Tiki cho tối đa {NAME_MAX}.",
                f"Rút gọn tên xuống {NAME_MAX} ký tự.",
            )
        )
    if not data.description.strip():
        add(FieldProblem("description", "Thiếu mô tả sản phẩm.", "Viết mô tả sản phẩm."))
    elif len(data.description) > DESCRIPTION_MAX:
        add(
            FieldProblem(
                "description",
                f"Mô tả dài quá {DESCRIPTION_MAX} ký tự.",
                "Rút gọn phần mô tả.",
            )
        )
    if not data.sku.strip():
        add(FieldProblem("sku", "Thiếu mã SKU.", "Lưu sản phẩm để hệ thống cấp mã."))
    problems += price_stock_problems(data.price_vnd, data.stock)
    if not data.weight_grams or data.weight_grams <= 0:
        add(
            FieldProblem(
                "weight_grams",
                "Thiếu khối lượng; Tiki cần để tính phí giao hàng.",
                "Nhập khối lượng cả bao bì (gam).",
            )
        )
    category = _category_problems(data, categories, add)
    if category is not None:
        have = attributes(data, category)
        for code in category.required_attributes:
            if code in have or code == "product_weight_kg":  # weight is reported above
                continue
            field = ATTRIBUTE_SOURCE.get(code, f"attributes.{code}")
            add(
                FieldProblem(
                    field,
                    f"Ngành hàng này của Tiki bắt buộc thuộc tính «{code}».",
                    "Điền giá trị trong bảng ánh xạ thuộc tính Tiki.",
                )
            )
    problems.extend(images.check(data.images, SPEC))
    return problems


def price_stock_problems(price_vnd: int, stock: int) -> list[FieldProblem]:
    """Price within Tiki's bounds, stock not negative."""
    return common.price_stock_problems(price_vnd, stock, PRICE_MIN, PRICE_MAX)


def _category_problems(
    data: ListingData, categories: dict[str, Category], add: Any
) -> Category | None:
    if not data.category_id:
        add(
            FieldProblem(
                "category_id",
                "Chưa chọn ngành hàng Tiki.",
                "Chọn ngành hàng Tiki cho nhóm sản phẩm này trong bảng ánh xạ.",
            )
        )
        return None
    category = categories.get(data.category_id)
    if category is None:
        add(
            FieldProblem(
                "category_id",
                f"Ngành hàng {data.category_id} không có trong danh mục Tiki.",
                "Chọn lại ngành hàng Tiki trong bảng ánh xạ.",
            )
        )
    return category


def problems_from_errors(errors: list[Any]) -> list[FieldProblem]:
    """Tiki's ``{"errors": ["field: what"]}`` strings as FieldProblems (unnamed fields kept)."""
    problems = []
    for text in errors:
        key, sep, what = str(text).partition(": ")
        if not sep:
            key, what = "", str(text)
        field = FIELD_OF.get(key) or (
            ATTRIBUTE_SOURCE.get(key.removeprefix("attributes."), key)
            if key.startswith("attributes.")
            else key or "listing"
        )
        label = _LABELS.get(field, field)
        problems.append(
            FieldProblem(field, f"Tiki từ chối {label}: {what}", f"Sửa {label} rồi gửi lại.")
        )
    return problems


def request_errors(body: dict[str, Any], categories: dict[str, Category]) -> list[str]:
    """Tiki's synchronous checks of a product request body, as its ``errors`` strings (the
    review checks images and attributes later). The sandbox answers with these."""
    errors = []
    category = str(body.get("category_id") or "")
    if category not in categories:
        errors.append(f"category_id: {category or 'missing'} is not a primary category")
    name = str(body.get("name") or "").strip()
    if not 0 < len(name) <= NAME_MAX:
        errors.append(f"name: must have 1 to {NAME_MAX} characters")
    if not str(body.get("description") or "").strip():
        errors.append("description: is required")
    if not body.get("image") or not isinstance(body.get("images", []), list):
        errors.append("image: an image URL is required (images: a list of URLs)")
    if len(body.get("option_attributes") or []) > 2:
        errors.append("option_attributes: Tiki supports at most 2 option attributes")
    variants = body.get("variants")
    if not isinstance(variants, list) or not variants:
        return [*errors, "variants: at least one variant is required"]
    for variant in variants:
        if not str(variant.get("sku") or "").strip():
            errors.append("variants[0].sku: is required")
        required = {"price": variant.get("price"), "quantity": variant.get("quantity")}
        errors += value_errors(required, prefix="variants[0].")
    return errors


def value_errors(body: dict[str, Any], prefix: str = "") -> list[str]:
    """Checks of ``price`` and ``quantity`` where present (requests and ``updateSku``)."""
    errors = []
    price = body.get("price")
    if "price" in body and (not isinstance(price, int) or not PRICE_MIN <= price <= PRICE_MAX):
        errors.append(f"{prefix}price: must be between {PRICE_MIN} and {PRICE_MAX}")
    quantity = body.get("quantity")
    if "quantity" in body and (not isinstance(quantity, int) or quantity < 0):
        errors.append(f"{prefix}quantity: must be a whole number >= 0")
    return errors
