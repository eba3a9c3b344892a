"""The storefront's browse facets: provinces and communes with products, OCOP groups."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from producers.models import (
    Commune,
    OcopGroup,
    Producer,
    ProducerStatus,
    Product,
    ProductStatus,
    Province,
)

from .search_source import listed


def provinces_with_products(session: Session) -> list[tuple[Province, int]]:
    """Provinces that have published products, with counts, most first."""
    # count per producer first: an index-only scan of ix_products_status_producer
    per_producer = (
        select(Product.producer_id, func.count().label("n"))
        .where(Product.status == ProductStatus.PUBLISHED)
        .group_by(Product.producer_id)
        .subquery()
    )
    count = func.sum(per_producer.c.n)
    rows = session.execute(
        select(Province, count)
        .join(Producer, Producer.province_code == Province.code)
        .join(per_producer, per_producer.c.producer_id == Producer.id)
        .where(Producer.status == ProducerStatus.ACTIVE)
        .group_by(Province.code)
        .order_by(count.desc(), Province.code)
    ).all()
    return [(p, int(n)) for p, n in rows]


def communes_with_products(session: Session, province_code: str) -> list[Commune]:
    """Communes of a province that have published products."""
    return list(
        session.scalars(
            select(Commune)
            .where(
                Commune.code.in_(
                    select(Producer.commune_code)
                    .join(Product, Product.producer_id == Producer.id)
                    .where(Producer.province_code == province_code, *listed())
                )
            )
            .order_by(Commune.name_ascii)
        )
    )


def groups(session: Session) -> list[OcopGroup]:
    """The six OCOP groups in order."""
    return list(session.scalars(select(OcopGroup).order_by(OcopGroup.code)))
