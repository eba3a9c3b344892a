"""TikTok Shop's answers and product rules as its sandbox gives them: the ``{"code",
"message", "data", "request_id"}`` envelope, the gateway's refusals, the product, SKU and
image checks, and the shop's stable cipher and warehouse ids."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from typing import Any

from flask import Response, jsonify

from ..tiktok import mapping
from ..tiktok.categories import ATTRIBUTE_IDS, CATEGORIES
from .common import image_info

#: The gateway's refusals: key -> (code, HTTP status, message), as the common-errors page words them.
REFUSALS: dict[str, tuple[int, int, str]] = {
    "app_key": (36009004, 400, "Invalid credentials. Invalid `app_key` query parameter."),
    "no_sign": (36009004, 400, "Missing credentials. The request does not include a required "
                "signature in the query."),
    "timestamp": (36009004, 400, "Invalid timestamp. The value of the `timestamp` query parameter "
                  "must not be earlier than 5 minutes before the current time."),
    "sign": (106001, 401, "Invalid credentials. The `sign` query parameter is invalid."),
    "token": (105001, 401, "Invalid credentials. The `x-tts-access-token` header is invalid."),
    "expired": (105002, 401, "Expired credentials. The `x-tts-access-token` header has expired."),
    "cipher_extra": (36009004, 400, "Unexpected identifier. The `shop_cipher` query parameter is "
                     "not required for this request."),
    "cipher_missing": (106013, 400, "Missing identifier. The `shop_cipher` query parameter is "
                       "required to identify the target shop."),
    "cipher_bad": (36009004, 400, "Invalid identifier. The `shop_cipher` query parameter is invalid."),
    "not_listed": (12052048, 200, "You cannot edit the specified product(s) as it isn't listed in "
                   "your account or shop."),
}  # fmt: skip


def shop_cipher(shop_id: str) -> str:
    """The sandbox's stable cipher for a shop id."""
    return "ROW_" + hashlib.sha256(f"cipher:{shop_id}".encode()).hexdigest()[:28]


def warehouse_id(shop_id: str) -> str:
    """The sandbox's stable sales-warehouse id for a shop id."""
    return str(
        7_000_000_000_000_000_000 + int(hashlib.sha256(shop_id.encode()).hexdigest()[:15], 16)
    )


def product_problem(
    shop: str,
    body: dict[str, Any] | None,
    item: dict[str, Any] | None,
    hosted: Callable[[str], bool],
    sku_owner: Callable[[str], str | None],
) -> tuple[int, str] | None:
    """The first of TikTok's refusals of a create (``item`` None) or edit body, as (code,
    message); ``hosted``: an image URI is on this server; ``sku_owner``: the product id
    already using a seller SKU in the shop."""
    if body is None:
        return 36009004, "invalid param: the body is not JSON"
    title = str(body.get("title", "")).strip()
    if not title:
        return 12052261, "product name is empty"
    if not mapping.TITLE_MIN <= len(title) <= mapping.TITLE_MAX:
        return (
            12052051,
            f"The product name must be {mapping.TITLE_MIN}-{mapping.TITLE_MAX} characters",
        )
    description = str(body.get("description", "")).strip()
    if not description:
        return 12052015, "The product description is required"
    if len(description) > mapping.DESCRIPTION_MAX:
        return 12052013, "The product description cannot exceed maximum characters"
    category = CATEGORIES.get(str(body.get("category_id", "")))
    if category is None:
        return 12052023, "Category does not exist"
    uris = [str(image.get("uri", "")) for image in body.get("main_images") or []]
    if not uris:
        return 12052028, "Main product image is required"
    if len(uris) > 9 or not all(hosted(uri) for uri in uris):
        return 12019009, "product image list is invalid"
    given = {str(a.get("id")) for a in body.get("product_attributes") or [] if a.get("values")}
    for key in category.required_attributes:
        if ATTRIBUTE_IDS[key] not in given:
            return 12052104, f"property is required: {ATTRIBUTE_IDS[key]}"
    weight = body.get("package_weight") or {}
    try:
        kilograms = float(weight.get("value", 0))
    except (TypeError, ValueError):
        return 12052006, "Incorrect parcel weight format"
    if weight.get("unit") not in ("KILOGRAM", "GRAM") or kilograms <= 0:
        return 12052181, "The package weight of the product can not be zero."
    skus = body.get("skus") or []
    if len(skus) != 1:
        return 12019059, "seller sku is invalid"
    sku = skus[0]
    if item is not None and str(sku.get("id", item["skus"][0]["id"])) != item["skus"][0]["id"]:
        return 12052036, "The SKU ID is necessary"
    owner = sku_owner(str(sku.get("seller_sku", "")))
    if owner is not None and (item is None or owner != item["id"]):
        return 12019059, "seller sku is invalid: it is already used by another product"
    return sku_problem(sku, shop)


def stored(body: dict[str, Any], sku_id: str, now: int) -> dict[str, Any]:
    """The product fields the sandbox keeps from a create or edit body."""
    sku = body["skus"][0]
    return {
        "title": body["title"].strip(),
        "description": body["description"],
        "category_id": str(body["category_id"]),
        "main_images": [str(image["uri"]) for image in body["main_images"]],
        "skus": [
            {
                "id": sku_id,
                "seller_sku": sku["seller_sku"],
                "price": sku["price"],
                "inventory": sku["inventory"],
            }
        ],
        "package_weight": body["package_weight"],
        "package_dimensions": body.get("package_dimensions"),
        "product_attributes": body.get("product_attributes") or [],
        "update_time": now,
    }


def sku_problem(sku: dict[str, Any], shop: str) -> tuple[int, str] | None:
    """TikTok's refusal of one SKU (seller SKU, price, warehouse inventory), else None."""
    seller_sku = str(sku.get("seller_sku", "")).strip()
    if not seller_sku or len(seller_sku) > mapping.SELLER_SKU_MAX:
        return 12019059, "seller sku is invalid"
    price = sku.get("price") or {}
    if price.get("currency") != mapping.CURRENCY:
        return 12052084, "The provided currency is not available for this shop/region."
    try:
        amount = float(price.get("amount", ""))
    except (TypeError, ValueError):
        return 12052012, "Incorrect price format"
    if not mapping.PRICE_MIN <= amount <= mapping.PRICE_MAX:
        return 12052073, "The product price is invalid"
    inventory = sku.get("inventory") or []
    if not inventory:
        return 12019022, "SKU must contain a valid warehouse."
    for row in inventory:
        if str(row.get("warehouse_id")) != warehouse_id(shop):
            return 12052097, "The warehouse does not exist"
        if (
            not isinstance(row.get("quantity"), int)
            or not 0 <= row["quantity"] <= mapping.STOCK_MAX
        ):
            return (
                12052055,
                "The SKU inventory quantity for the warehouse must be within allowed limits.",
            )
    return None


def image_check(data: bytes) -> tuple[int, str, tuple[int, int]]:
    """(error code, message, size) of an upload; code 0 when accepted."""
    if not data:
        return (
            12038002,
            "Invalid upload file. Please ensure you are passing the correct file data.",
            (0, 0),
        )
    if len(data) > 5 * 1024 * 1024:
        return 12038005, "The file size exceeds the maximum allowed size.", (0, 0)
    kind, size = image_info(data)
    if kind not in ("JPEG", "PNG", "WEBP"):
        return 12038015, "Failed to process the image. Supported formats: JPG, PNG, WEBP", size
    if min(size) < 300 or max(size) > 4000:
        return (
            12038014,
            "The image dimensions exceed the allowed limits. Allowed dimensions: 300 x 300 to 4000 x 4000",
            size,
        )
    return 0, "", size


def json_object(text: str) -> dict[str, Any] | None:
    """The body as a JSON object, else None."""
    try:
        value = json.loads(text or "")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def ok(data: Any, *, message: str = "Success") -> Response:
    """A success in TikTok's envelope."""
    return jsonify({"code": 0, "message": message, "data": data, "request_id": request_id()})


def error(code: int, message: str, status: int = 200) -> Response:
    """A refusal in TikTok's envelope (HTTP 200 unless ``status`` says otherwise)."""
    response = jsonify({"code": code, "message": message, "data": None, "request_id": request_id()})
    response.status_code = status
    return response


def refuse(key: str) -> Response:
    """One of the gateway's ``REFUSALS``."""
    code, status, message = REFUSALS[key]
    return error(code, message, status)


def request_id() -> str:
    """A request id shaped like TikTok's."""
    return secrets.token_hex(17).upper()
