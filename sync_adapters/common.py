"""Helpers the API adapters share: the listing's page URL, photos uploaded once, HTML
descriptions, attribute values, price/stock bounds and shop-style slugs."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from . import images
from .base import (
    AccountConfig,
    FieldProblem,
    ImageFile,
    ListingData,
    ListingResult,
    RemoteStatus,
)


def item_url(account: AccountConfig, item_id: str | int) -> str | None:
    """The account's ``item_url`` template filled in (``{base_url}``, ``{shop_id}``,
    ``{item_id}``); None when the account sets none (the channel's own pattern applies)."""
    template = account.extra.get("item_url")
    if not template:
        return None
    return template.format(
        base_url=account.base_url.rstrip("/"), shop_id=account.shop_id, item_id=item_id
    )


def result_for(
    account: AccountConfig,
    item_id: str,
    status: RemoteStatus,
    buyer_url: str,
    sku_id: str | None = None,
) -> ListingResult:
    """A ListingResult with the buyer-facing URL (the account's template, else ``buyer_url``
    with ``{item_id}``); no URL for an item the marketplace no longer has."""
    url = item_url(account, item_id) or buyer_url.format(item_id=item_id)
    if status == RemoteStatus.MISSING:
        url = None
    return ListingResult(item_id, status, url=url, external_sku_id=sku_id or None)


def upload_once(
    photos: tuple[ImageFile, ...],
    spec: images.ImageSpec,
    cache_dir: Path | None,
    uploaded: dict[str, str],
    upload: Callable[[bytes, str], str],
) -> list[str]:
    """Each photo prepared for ``spec`` and sent with ``upload(jpeg, file_name)`` unless
    ``uploaded`` (prepared hash -> the channel's id or URL) already has it; in order."""
    refs = []
    for image in photos[: spec.max_count]:
        prepared = images.prepare(image, spec, cache_dir)
        digest = images.content_hash(prepared)
        if digest not in uploaded:
            uploaded[digest] = upload(prepared, f"{digest[:16]}.jpg")
        refs.append(uploaded[digest])
    return refs


def paragraphs_html(data: ListingData) -> str:
    """The description as escaped HTML paragraphs, one per non-empty line."""
    lines = [line.strip() for line in data.description.splitlines() if line.strip()]
    return "".join(f"<p>{html.escape(line)}</p>" for line in lines)


def facts_html(data: ListingData) -> str:
    """The description as simple HTML, followed by the OCOP facts buyers look for."""
    paragraphs = [
        f"<p>{html.escape(p.strip())}</p>" for p in data.description.split("\n") if p.strip()
    ]
    facts = [
        ("Sản phẩm OCOP", f"{data.ocop_stars} sao" if data.ocop_stars else ""),
        ("Nơi sản xuất", data.origin),
        ("Chủ thể OCOP", data.producer_name),
        ("Quy cách", data.net_quantity),
        ("Hạn sử dụng", data.shelf_life),
    ]
    items = [f"<li>{html.escape(k)}: {html.escape(v)}</li>" for k, v in facts if v]
    return "".join(paragraphs) + (f"<ul>{''.join(items)}</ul>" if items else "")


def attribute_value(data: ListingData, key: str) -> str:
    """An attribute's value: the mapping table's first, else the product's own field."""
    if data.attributes.get(key, "").strip():
        return data.attributes[key].strip()
    derived = {
        "brand": data.brand,
        "origin": data.origin,
        "shelf_life": data.shelf_life,
        "net_content": data.net_quantity,
        "producer": data.producer_name,
    }
    return (derived.get(key) or "").strip()


def price_stock_problems(
    price_vnd: int, stock: int, price_min: int, price_max: int
) -> list[FieldProblem]:
    """Price within the channel's bounds, stock not negative."""
    problems = []
    if not price_min <= price_vnd <= price_max:
        bounds = f"{price_min:,} ₫ đến {price_max:,} ₫".replace(",", ".")
        problems.append(FieldProblem("price_vnd", f"Giá phải từ {bounds}.", "Sửa giá bán."))
    if stock < 0:
        problems.append(
            FieldProblem("stock", "Tồn kho không được âm.", "Nhập tồn kho từ 0 trở lên.")
        )
    return problems


def slug(text: str) -> str:
    """URL slug the way Vietnamese shops write them (no accents, đ -> d)."""
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "san-pham"


def response_body(response: requests.Response) -> Any:
    """The answer's JSON, else the start of its text (for error messages and logs)."""
    try:
        return response.json()
    except ValueError:
        return response.text[:2000]
