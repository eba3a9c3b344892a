"""From our product to the adapter's ``ListingData``: what may be listed, in which category,
with which attributes and photos. The content fingerprint decides between a full update and
the cheap price/stock call."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from producers.models import Certificate, Producer, ProducerStatus, Product, ProductStatus
from sync_adapters import registry
from sync_adapters.base import ImageFile, ListingData

from .models import CategoryMapping


def load_product(session: Session, product_id: int) -> Product | None:
    """The product with what a listing needs (producer, commune, set, images, certificates)."""
    return session.scalar(
        select(Product)
        .where(Product.id == product_id)
        .options(selectinload(Product.images), selectinload(Product.certificates))
        .execution_options(populate_existing=True)  # a long-lived session must not read stale rows
    )


def rejected(reason: str) -> str:
    """A marketplace's refusal, with what to do about it."""
    reason = reason.strip().rstrip(".")
    said = f"Sàn từ chối: {reason}." if reason else "Sàn từ chối sản phẩm."
    return f"{said} Sửa theo lý do này rồi bấm “Thử lại”."


def why_not_listable(product: Product, today: date) -> str | None:
    """None when the product may be on marketplaces; else the reason, in Vietnamese."""
    if product.ocop_set.group_code == "6":
        return "Dịch vụ du lịch không đăng bán trên sàn thương mại điện tử."
    if product.status != ProductStatus.PUBLISHED:
        return (
            "Sản phẩm chưa hiển thị (đang nháp hoặc đã ẩn): đổi trạng thái sang “Đang hiển thị” để "
            "đăng lên sàn."
        )
    producer: Producer = product.producer
    if producer.status != ProducerStatus.ACTIVE:
        return (
            "Chủ thể chưa hoạt động hoặc đang tạm ngưng: hoàn tất các bước ở Hỗ trợ chủ thể, hoặc "
            "liên hệ cán bộ quản lý."
        )
    if product.current_certificate(today) is None:
        return (
            "Giấy chứng nhận OCOP đã hết hiệu lực: sản phẩm tạm gỡ khỏi các sàn cho đến khi gia hạn "
            "(thêm giấy chứng nhận mới ở trang Sản phẩm)."
        )
    return None


def category_for(
    session: Session, channel: str, set_code: str
) -> tuple[str | None, dict[str, str]]:
    """The channel category and fixed attributes of an OCOP set: the admins' table first,
    then the adapter's default mapping."""
    row = session.scalar(
        select(CategoryMapping).where(
            CategoryMapping.channel == channel, CategoryMapping.set_code == set_code
        )
    )
    if row is not None:
        return row.category_id, dict(row.attributes or {})
    return registry.get(channel).default_mapping.get(set_code), {}


def listing_data(
    session: Session, product: Product, channel: str, media_dir: Path, today: date, active: bool
) -> ListingData:
    """What the channel should show for ``product`` now."""
    category_id, attributes = category_for(session, channel, product.ocop_set.code)
    cert: Certificate | None = product.current_certificate(today)
    producer = product.producer
    province = producer.commune.province.name if producer.commune else ""
    images = tuple(
        ImageFile(path=media_dir / image.original_path, sha256=image.sha256)
        for image in sorted(product.images, key=lambda i: (i.position, i.id))
    )
    attributes = {
        "brand": producer.name,
        "origin": province,
        "ocop_stars": str(cert.stars) if cert else "",
        "shelf_life": product.shelf_life,
        **attributes,
    }
    return ListingData(
        sku=product.code,
        name=product.name,
        description=_description(product, cert),
        price_vnd=product.price_vnd,
        stock=product.stock,
        category_id=category_id,
        images=images,
        weight_grams=product.weight_grams,
        length_cm=product.length_cm,
        width_cm=product.width_cm,
        height_cm=product.height_cm,
        brand=attributes.get("brand") or "No Brand",
        unit=product.unit,
        net_quantity=product.net_quantity,
        origin=province,
        producer_name=producer.name,
        shelf_life=product.shelf_life,
        ocop_stars=cert.stars if cert else None,
        attributes={k: v for k, v in attributes.items() if v},
        active=active,
    )


def _description(product: Product, cert: Certificate | None) -> str:
    parts = [product.description.strip()]
    if product.net_quantity:
        parts.append(f"Quy cách: {product.net_quantity} / {product.unit}.")
    if product.shelf_life:
        parts.append(f"Hạn sử dụng: {product.shelf_life}.")
    if product.storage_notes:
        parts.append(f"Bảo quản: {product.storage_notes}.")
    if cert is not None:
        parts.append(
            f"Sản phẩm OCOP {cert.stars} sao (quyết định {cert.decision_number}, "
            f"hiệu lực đến {cert.valid_until:%d/%m/%Y})."
        )
    parts.append(f"Sản xuất bởi {product.producer.name}.")
    return "\n".join(p for p in parts if p)


def fingerprint(data: ListingData) -> str:
    """Hash of everything but price, stock and the active flag (those have a cheap call)."""
    content = asdict(data)
    for key in ("price_vnd", "stock", "active"):
        content.pop(key)
    content["images"] = [image.sha256 for image in data.images]
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()
