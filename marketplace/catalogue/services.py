"""Read-side queries for the storefront pages."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.core.errors import NotFound
from producers.models import Producer, ProducerStatus, Product, ProductStatus

from .search import stars_expr
from .search_source import listed


def featured(session: Session, today: date, limit: int = 8) -> list[Product]:
    """Products with a valid 5★ or 4★ certificate, best first."""
    stars = stars_expr(today)
    return list(
        session.scalars(
            select(Product)
            .join(Product.producer)
            .where(*listed(), stars >= 4)
            .order_by(stars.desc(), Product.id)
            .limit(limit)
        ).unique()
    )


def visible_product(session: Session, product_id: int) -> Product:
    """A product buyers may see, or NotFound."""
    product = session.get(Product, product_id)
    if (
        product is None
        or product.status != ProductStatus.PUBLISHED
        or product.producer.status != ProducerStatus.ACTIVE
    ):
        raise NotFound(
            "Không tìm thấy sản phẩm này. Có thể sản phẩm đã ngừng bán: tìm sản phẩm tương tự ở "
            "trang Tìm kiếm.",
            param="id",
        )
    return product


def visible_producer(session: Session, producer_id: int) -> Producer:
    """A producer buyers may see, or NotFound."""
    producer = session.get(Producer, producer_id)
    if producer is None or producer.status != ProducerStatus.ACTIVE:
        raise NotFound("Không tìm thấy chủ thể này. Xem các chủ thể khác ở trang chủ.", param="id")
    return producer


def related(session: Session, product: Product, today: date, limit: int = 4) -> list[Product]:
    """Other products of the same criteria set or producer, best stars first."""
    stars = func.coalesce(stars_expr(today), 0)
    return list(
        session.scalars(
            select(Product)
            .join(Product.producer)
            .where(
                *listed(),
                Product.id != product.id,
                (Product.set_no == product.set_no) | (Product.producer_id == product.producer_id),
            )
            .order_by((Product.producer_id == product.producer_id).desc(), stars.desc(), Product.id)
            .limit(limit)
        ).unique()
    )


def producer_products(session: Session, producer: Producer) -> list[Product]:
    """A producer's published products."""
    return list(
        session.scalars(
            select(Product)
            .where(Product.producer_id == producer.id, Product.status == ProductStatus.PUBLISHED)
            .order_by(Product.id)
        ).unique()
    )
