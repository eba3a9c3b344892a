"""Tiki's answers and review as its sandbox gives them: the ``{"errors": [...]}`` and Hydra
OAuth2 error shapes, the review's reasons, and the products a review makes or changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, jsonify

from ..tiki import mapping
from ..tiki.categories import CATEGORIES

OAUTH_ERRORS = {  # Hydra's error codes and wording
    "invalid_client": (401, "Client authentication failed (unknown client or wrong secret)."),
    "invalid_grant": (
        400,
        "The grant is invalid, expired, revoked, already used, or does not match the redirect_uri.",
    ),
    "unsupported_grant_type": (400, "The authorization grant type is not supported."),
}


def refusal(status: int, *messages: str) -> Response:
    """Tiki's ``{"errors": [...]}`` answer."""
    response = jsonify(errors=list(messages))
    response.status_code = status
    return response


def oauth_error(error: str) -> Response:
    """Hydra's OAuth2 error answer."""
    status, description = OAUTH_ERRORS[error]
    response = jsonify(error=error, error_description=description, status_code=status)
    response.status_code = status
    return response


def review_reasons(
    record: dict[str, Any], items: dict[str, Any], has_image: Callable[[str], bool]
) -> list[str]:
    """Why the review refuses a request (empty: approved); ``has_image``: a photo URL is one
    the sandbox hosts."""
    body = record["payload"]
    reasons = []
    if mapping.REJECT_MARKER in str(body.get("name", "")):
        reasons.append("name: Tên sản phẩm vi phạm chính sách nội dung của Tiki")
    for url in [body.get("image", ""), *body.get("images", [])]:
        if url and not has_image(str(url)):
            reasons.append(f"image: Không tải được ảnh {url}")
    if record["kind"] == "create_product":
        category = CATEGORIES.get(str(body.get("category_id")))
        attrs = body.get("attributes") or {}
        for code in category.required_attributes if category else ():
            if not str(attrs.get(code, "")).strip():
                reasons.append(f"attributes.{code}: Thiếu thuộc tính bắt buộc")
    elif str(body.get("product_id")) not in items:
        reasons.append("product_id: product not found")
    return reasons


def new_product(
    product_id: int, shop: str, body: dict[str, Any], variant: dict[str, Any], now: float
) -> dict[str, Any]:
    """The product an approved create request makes of one variant."""
    return {
        "id": product_id,
        "sku": str(2_000_000_000_000 + product_id),  # Tiki's own 13-digit SKU
        "original_sku": str(variant["sku"]),
        "name": variant.get("name") or body["name"],
        "description": body.get("description", ""),
        "category_id": body["category_id"],
        "attributes": dict(body.get("attributes") or {}),
        "price": int(variant["price"]),
        "market_price": int(body.get("market_price") or variant["price"]),
        "active": 0,  # Tiki: approved products are inactive until the seller activates them
        "inventory": {
            "inventory_type": variant.get("inventory_type", "dropship"),
            "quantity": int(variant["quantity"]),
        },
        "image_urls": [body["image"], *body.get("images", [])],
        "shop": shop,
        "created_at": now,
        "updated_at": now,
    }


def apply_update(item: dict[str, Any], body: dict[str, Any], now: float) -> None:
    """Apply an approved ``updateProductInfo`` request to the product."""
    for key in ("name", "description", "market_price"):
        if key in body:
            item[key] = body[key]
    item["attributes"] = {**item["attributes"], **(body.get("attributes") or {})}
    if body.get("image"):
        item["image_urls"] = [body["image"], *body.get("images", [])]
    item["updated_at"] = now


def product_json(item: dict[str, Any]) -> dict[str, Any]:
    """A stored product as the product endpoints show it."""
    shown = {k: v for k, v in item.items() if k not in ("shop", "image_urls")}
    shown["thumbnail"] = item["image_urls"][0] if item["image_urls"] else None
    shown["images"] = [{"url": u, "position": n} for n, u in enumerate(item["image_urls"])]
    return shown


def shown_state(record: dict[str, Any]) -> str:
    """The state a request's tracking shows (queuing reads as awaiting approval)."""
    if record["state"] != "queuing":
        return str(record["state"])
    return (
        "awaiting_approve"
        if record["kind"] == "create_product"
        else "update_product_awaiting_approve"
    )
