"""Shopee's shapes and rules as its sandbox enforces them: answers and refusals
(``{"error", "message", "request_id"}``), the VN item rules, item views, request reading."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

from flask import Response, jsonify, request

from ..shopee.categories import ATTRIBUTE_IDS, CATEGORIES

NAME_LEN, DESCRIPTION_LEN = (20, 120), (100, 3000)
PRICE_RANGE, STOCK_RANGE = (1_000, 120_000_000), (0, 999_999)
MAX_IMAGES = 9
LOGISTICS: tuple[dict[str, Any], ...] = (
    {"logistics_channel_id": 50011, "logistics_channel_name": "Giao Hàng Nhanh", "enabled": True},
    {
        "logistics_channel_id": 50012,
        "logistics_channel_name": "Giao Hàng Tiết Kiệm",
        "enabled": True,
    },
    {"logistics_channel_id": 50021, "logistics_channel_name": "SPX Express", "enabled": True},
    {"logistics_channel_id": 50018, "logistics_channel_name": "J&T Express", "enabled": False},
)
_LOGISTIC_IDS = {c["logistics_channel_id"] for c in LOGISTICS}
_ATTRIBUTE_NAMES = {v: k for k, v in ATTRIBUTE_IDS.items()}
_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


class ShopeeError(Exception):
    """A refusal in Shopee's shape (``error`` code, English ``message``, HTTP status)."""

    def __init__(self, error: str, message: str, status: int = 400):
        super().__init__(message)
        self.error, self.message, self.status = error, message, status


def error_response(error: str, message: str, status: int) -> Response:
    """A refusal in Shopee's shape."""
    body = {"error": error, "message": message, "request_id": secrets.token_hex(16)}
    response = jsonify(body)
    response.status_code = status
    return response


def ok_response(response: dict[str, Any] | None = None, **top: Any) -> Response:
    """A success in Shopee's shape (``response`` wraps the payload; ``top`` fields sit beside it)."""
    body: dict[str, Any] = {"error": "", "message": "", "request_id": secrets.token_hex(16)}
    if response is not None:
        body["warning"] = ""
        body["response"] = response
    body.update(top)
    return jsonify(body)


def check_item(
    body: dict[str, Any], current: dict[str, Any] | None, has_image: Callable[[str], bool]
) -> None:
    """Shopee VN's listing rules; ``current`` set: an update (only sent fields checked);
    ``has_image`` says whether an image id is in the media space."""
    if current is None:
        for field in _REQUIRED:
            if body.get(field) in (None, "", [], {}):
                raise ShopeeError("error_param", f"{field} is required.")
        if "seller_stock" not in body and "normal_stock" not in body:
            raise ShopeeError("error_param", "seller_stock is required.")
    _check_fields(body)
    if current is None and stock_of(body) is None:
        raise ShopeeError("error_param", "seller_stock should be between 0 and 999999.")
    for image_id in (body.get("image") or {}).get("image_id_list") or []:
        if not has_image(str(image_id)):
            raise ShopeeError("error_param", f"image_id_list: {image_id} is not in media space.")
    category = str(body.get("category_id", current["category_id"] if current else ""))
    if current is None or "category_id" in body or "attribute_list" in body:
        attrs = body.get("attribute_list", current["attribute_list"] if current else [])
        _check_attributes(category, attrs)


PRICE_STOCK = {"original_price", "seller_stock", "normal_stock"}


def _positive_dims(dim: Any) -> bool:
    sides = ("package_length", "package_width", "package_height")
    return isinstance(dim, dict) and all(isinstance(dim.get(s), int) and dim[s] > 0 for s in sides)


def _channels_ok(channels: Any) -> bool:
    rows = channels if isinstance(channels, list) else []
    known = all(isinstance(c, dict) and c.get("logistic_id") in _LOGISTIC_IDS for c in rows)
    return known and any(c.get("enabled") for c in rows)


def _text(low: int, high: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, str) and low <= len(v.strip()) <= high


# field -> (accepts the value, Shopee's message when it does not); only sent fields are checked.
_RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "item_name": (
        _text(*NAME_LEN),
        "item_name length should be between {} and {}.".format(*NAME_LEN),
    ),
    "description": (
        lambda v: _text(*DESCRIPTION_LEN)(v) and not _HTML_TAG.search(v),
        "description should be plain text of {} to {} characters.".format(*DESCRIPTION_LEN),
    ),
    "original_price": (
        lambda v: _number(v) and PRICE_RANGE[0] <= v <= PRICE_RANGE[1],
        "original_price should be between {} and {}.".format(*PRICE_RANGE),
    ),
    "category_id": (lambda v: str(v) in CATEGORIES, "category_id is invalid."),
    "weight": (lambda v: _number(v) and 0 < v <= 1000, "weight should be between 0 and 1000 kg."),
    "dimension": (_positive_dims, "dimension: package_length/width/height should be positive."),
    "image": (
        lambda v: (
            isinstance(v, dict)
            and isinstance(v.get("image_id_list"), list)
            and 1 <= len(v["image_id_list"]) <= MAX_IMAGES
        ),
        f"image_id_list length should be between 1 and {MAX_IMAGES}.",
    ),
    "logistic_info": (_channels_ok, "logistic_info needs an enabled, known logistic_id."),
    "brand": (
        lambda v: isinstance(v, dict) and isinstance(v.get("brand_id"), int) and v["brand_id"] >= 0,
        "brand.brand_id is invalid.",
    ),
    "item_sku": (_text(0, 100), "item_sku should be at most 100 characters."),
    "item_status": (lambda v: v in {"NORMAL", "UNLIST"}, "item_status should be NORMAL or UNLIST."),
}
_REQUIRED = [f for f in _RULES if f not in {"dimension", "item_sku", "item_status"}]
_CONTENT = [f for f in _RULES if f not in {"original_price", "category_id"}]
_CONTENT += ["attribute_list", "condition"]


def _check_fields(body: dict[str, Any]) -> None:
    for field, (accepts, message) in _RULES.items():
        if field in body and not accepts(body[field]):
            raise ShopeeError("error_param", message)


def _check_attributes(category_id: str, attribute_list: Any) -> None:
    values: dict[int, str] = {}
    for attr in attribute_list or []:
        if attr.get("attribute_id") not in _ATTRIBUTE_NAMES:
            raise ShopeeError("error_param", f"attribute_id {attr.get('attribute_id')} is invalid.")
        for value in attr.get("attribute_value_list") or []:
            text = str(value.get("original_value_name") or "").strip()
            if text or value.get("value_id"):
                values[attr["attribute_id"]] = text
    for name in CATEGORIES[category_id].required_attributes:
        if ATTRIBUTE_IDS[name] not in values:
            raise ShopeeError(
                "error_param",
                f"attribute_list: mandatory attribute {ATTRIBUTE_IDS[name]} ({name}) is missing.",
            )


def apply_item(item: dict[str, Any], body: dict[str, Any], now: int) -> None:
    """Copy the sent content (and price/stock when present) onto the stored item."""
    for field in _CONTENT:
        if field in body:
            item[field] = body[field]
    if "category_id" in body:
        item["category_id"] = int(body["category_id"])
    if "original_price" in body:
        item["original_price"] = item["current_price"] = body["original_price"]
    stock = stock_of(body)
    if stock is not None:
        item["stock"] = stock
    item["update_time"] = now


def item_view(item: dict[str, Any]) -> dict[str, Any]:
    """One item as ``get_item_base_info`` returns it."""
    view = {
        k: v
        for k, v in item.items()
        if k not in {"shop_id", "stock", "original_price", "current_price"}
    }
    view["weight"] = str(item.get("weight", ""))
    view["has_model"] = False
    view["price_info"] = [
        {
            "currency": "VND",
            "original_price": item["original_price"],
            "current_price": item["current_price"],
        }
    ]
    view["stock_info_v2"] = {
        "summary_info": {"total_reserved_stock": 0, "total_available_stock": item["stock"]},
        "seller_stock": [{"location_id": "VNZ", "stock": item["stock"]}],
    }
    return view


def price_of(entry: dict[str, Any]) -> float | None:
    """An entry's ``original_price`` when within bounds, else None."""
    price = entry.get("original_price")
    ok = _number(price) and PRICE_RANGE[0] <= price <= PRICE_RANGE[1]
    return price if ok else None


def stock_of(entry: dict[str, Any]) -> int | None:
    """An entry's stock (``seller_stock`` or ``normal_stock``) when within bounds, else None."""
    if "seller_stock" in entry:
        rows = entry["seller_stock"]
        stock = rows[0].get("stock") if isinstance(rows, list) and len(rows) == 1 else None
    else:
        stock = entry.get("normal_stock")
    if isinstance(stock, int) and STOCK_RANGE[0] <= stock <= STOCK_RANGE[1]:
        return stock
    return None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def entries(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The 1 to 50 entries of a batch call's list ``name``."""
    rows = body.get(name)
    if not isinstance(rows, list) or not 1 <= len(rows) <= 50:
        raise ShopeeError("error_param", f"{name} length should be between 1 and 50.")
    return rows


def numeric(value: str) -> int | str:
    """A numeric id as a number (Shopee's JSON ids are numbers), else as given."""
    return int(value) if value.isdigit() else value


def json_body() -> dict[str, Any]:
    """The request's JSON object body."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ShopeeError("error_param", "Request body should be a JSON object.")
    return body


def list_arg(name: str) -> list[str]:
    """A list query parameter."""
    # Shopee takes lists in a query either repeated or comma-separated.
    return [part for raw in request.args.getlist(name) for part in raw.split(",") if part]
