"""Lazada's answers and product checks as its sandbox gives them: the ``{"code", "type",
"message", "detail"}`` envelope, payload reading, the product and image rules."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Response, jsonify

from ..lazada import mapping
from ..lazada.categories import CATEGORIES
from .common import image_info

NOT_FOUND = "208"
IMAGE_PATH = re.compile(r"^/p/([0-9a-f]{20})\.jpg$")


def product_problems(
    product: dict[str, Any], hosted: Callable[[str], bool], sku_taken: Callable[[str], bool]
) -> list[dict[str, str]]:
    """What ``/product/create`` (or a merged update) refuses, as Lazada's ``detail`` entries;
    ``hosted``: an image URL is on this server, ``sku_taken``: another item has the SKU."""
    out: list[dict[str, str]] = []
    category = CATEGORIES.get(str(product.get("PrimaryCategory", "")))
    if category is None:
        out.append({"field": "PrimaryCategory", "message": "PrimaryCategory is invalid"})
    attrs = product.get("Attributes") or {}
    for key, limit in (("name", mapping.NAME_MAX), ("description", mapping.DESCRIPTION_MAX)):
        value = str(attrs.get(key, "")).strip()
        if not value or len(value) > limit:
            out.append({"field": key, "message": f"{key} is required, max {limit} characters"})
    for key in category.required_attributes if category else ():
        if not str(attrs.get(key, "")).strip():
            out.append({"field": key, "message": f"{key} is mandatory for this category"})
    urls = (product.get("Images") or {}).get("Image") or []
    if not 1 <= len(urls) <= 8 or not all(hosted(url) for url in urls):
        out.append({"field": "Images", "message": "1-8 images uploaded to Lazada are required"})
    sku = first_sku(product)
    seller_sku = str(sku.get("SellerSku", "")).strip()
    if not seller_sku or len(seller_sku) > mapping.SELLER_SKU_MAX:
        out.append({"field": "SellerSku", "message": "SellerSku is required"})
    else:
        if sku_taken(seller_sku):
            out.append(
                {
                    "field": "SellerSku",
                    "message": "THD_IC_F_IC_INFRA_PRODUCT_036:Insert sku outer id relation "
                    "failed, outerId already exists",
                }
            )
    numbers = {"price": 1, "quantity": 0, "package_weight": 0.01}
    numbers |= {f"package_{side}": 0.01 for side in ("length", "width", "height")}
    return out + number_problems(sku, numbers, required=True)


def payload(raw: str | None) -> dict[str, Any] | None:
    """The ``Request.Product`` object of a JSON ``payload`` parameter, else None."""
    try:
        product = json.loads(raw or "")["Request"]["Product"]
    except (ValueError, KeyError, TypeError):
        return None
    return product if isinstance(product, dict) else None


def first_sku(product: dict[str, Any]) -> dict[str, Any]:
    """The product's first ``Skus.Sku`` entry (empty when absent)."""
    rows = (product.get("Skus") or {}).get("Sku") or [{}]
    return rows[0] if isinstance(rows[0], dict) else {}


def stored_sku(sku: dict[str, Any], item_id: str, sku_id: str) -> dict[str, Any]:
    """The SKU as the sandbox stores it (text values, its ids and status)."""
    keep = ("SellerSku", "quantity", "price", "package_weight", "package_length")
    keep += ("package_width", "package_height")
    stored = {key: str(sku[key]) for key in keep if key in sku}
    stored.update(
        SkuId=str(sku_id),
        ShopSku=f"{item_id}_VNAMZ-{sku_id}",
        Status=str(sku.get("Status", "active")),
    )
    return stored


def number_problems(
    row: dict[str, Any], minimums: dict[str, float], *, required: bool = False
) -> list[dict[str, str]]:
    """Fields of ``row`` below their minimum (or missing when ``required``)."""
    out = []
    for field, minimum in minimums.items():
        if field not in row and not required:
            continue
        try:
            valid = float(row[field]) >= minimum
        except (KeyError, ValueError, TypeError):
            valid = False
        if not valid:
            out.append({"field": field, "message": f"{field} must be a number >= {minimum}"})
    return out


def image_problem(data: bytes) -> str | None:
    """Why ``/image/upload`` refuses the bytes, else None."""
    if not data:
        return "image is required"
    if len(data) > 3_145_728:
        return "image is larger than 3 MB"
    kind, size = image_info(data)
    if kind is None:
        return "image format is not supported"
    if kind not in ("JPEG", "PNG"):
        return "only jpg and png images are supported"
    if min(size) < 330 or max(size) > 5000:
        return "image must be between 330 and 5000 pixels on each side"
    return None


def image_id(url: str) -> str:
    """The stored image id of a ``/p/<id>.jpg`` URL (empty when not one)."""
    match = IMAGE_PATH.match(urlsplit(url).path)
    return match.group(1) if match else ""


def ok(data: Any, *, wrap: bool = True) -> Response:
    """A success: ``data`` under ``data`` (or merged at the top when not ``wrap``)."""
    body = {"code": "0", "request_id": secrets.token_hex(12)}
    body.update({"data": data} if wrap else data)
    return jsonify(body)


def error(
    code: str,
    message: str,
    status: int = 200,
    kind: str = "ISV",
    detail: list[dict[str, str]] | None = None,
) -> Response:
    """A refusal in Lazada's shape (HTTP 200 unless ``status`` says otherwise)."""
    body: dict[str, Any] = {"code": code, "type": kind, "message": message}
    if detail:
        body["detail"] = detail
    body["request_id"] = secrets.token_hex(12)
    response = jsonify(body)
    response.status_code = status
    return response
