"""An OCOP product and its images."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import Base, UTCDateTime, utcnow

from .certificate import Certificate
from .classification import OcopSet
from .producer import Producer


class ProductStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    HIDDEN = "hidden"


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'hidden')", name="status_known"),
        CheckConstraint("price_vnd >= 0", name="price_not_negative"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        Index("ix_products_status_price", "status", "price_vnd"),
        # per-producer counts of published products (province facet), index-only
        Index("ix_products_status_producer", "status", "producer_id"),
        # search: what a candidate is filtered and ranked on, keyed by (status, id)
        Index(
            "ix_products_search_rank",
            "status",
            "id",
            "producer_id",
            "set_no",
            "price_vnd",
            "cert_stars",
            "cert_valid_until",
            "search_name",
        ),
        # Not declared: the PostgreSQL-only search table ``product_search`` (migration 0009)
        # and SQLite's ``product_fts``, both kept in step with ``search_text`` by triggers.
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    set_no: Mapped[int] = mapped_column(ForeignKey("ocop_sets.set_no"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    #: selling unit: chai, hộp, gói, kg, vé/người
    unit: Mapped[str] = mapped_column(String(40))
    #: net quantity of one unit: "500 ml", "hộp 200 g"
    net_quantity: Mapped[str] = mapped_column(String(80), default="")
    #: integer đồng
    price_vnd: Mapped[int] = mapped_column(BigInteger)
    stock: Mapped[int] = mapped_column(default=0)
    #: shipping weight; None for services (no physical item)
    weight_grams: Mapped[int | None]
    #: bumped by every change a marketplace listing may care about (see producers/changes.py)
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    #: package dimensions (marketplaces price shipping by them); None until measured
    length_cm: Mapped[int | None]
    width_cm: Mapped[int | None]
    height_cm: Mapped[int | None]
    shelf_life: Mapped[str] = mapped_column(String(120), default="")
    storage_notes: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(16), default=ProductStatus.DRAFT, index=True)
    #: folded name words with a leading space (see core.text.search_text)
    search_name: Mapped[str] = mapped_column(Text, default="")
    #: folded name + producer + place + classification + description words
    search_text: Mapped[str] = mapped_column(Text, default="")
    #: cache of the newest valid certificate, refreshed on change and daily;
    #: readers still check cert_valid_until against today, so a stale cache never shows stars
    cert_stars: Mapped[int | None]
    cert_valid_until: Mapped[date | None] = mapped_column(Date)
    provenance: Mapped[str] = mapped_column(Text, default="")
    #: identity in an imported source ("sample:P001"), for idempotent imports
    source_ref: Mapped[str | None] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    producer: Mapped[Producer] = relationship(back_populates="products", lazy="joined")
    ocop_set: Mapped[OcopSet] = relationship(lazy="joined")
    certificates: Mapped[list[Certificate]] = relationship(
        back_populates="product",
        order_by=(Certificate.decision_date.desc(), Certificate.id.desc()),
        cascade="all, delete-orphan",
    )
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product",
        lazy="selectin",
        order_by="ProductImage.position",
        cascade="all, delete-orphan",
    )

    @property
    def code(self) -> str:
        """Stable product code, used as the SKU on marketplaces."""
        return f"OCOP{self.id:06d}"

    def current_certificate(self, today: date) -> Certificate | None:
        """The newest certificate valid on ``today``; its stars are the product's stars."""
        for cert in self.certificates:  # newest decision first
            if cert.is_valid_on(today):
                return cert
        return None

    def stars_on(self, today: date) -> int | None:
        """Stars from the cached newest valid certificate, None once it lapsed."""
        if self.cert_valid_until is None or self.cert_valid_until < today:
            return None
        return self.cert_stars

    @property
    def is_service(self) -> bool:
        return self.weight_grams is None


class ProductImage(Base):
    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    #: paths relative to the media folder
    original_path: Mapped[str] = mapped_column(String(300))
    thumb_small_path: Mapped[str] = mapped_column(String(300))
    thumb_large_path: Mapped[str] = mapped_column(String(300))
    width: Mapped[int]
    height: Mapped[int]
    #: content hash of the cleaned original, to skip duplicate uploads
    sha256: Mapped[str] = mapped_column(String(64))
    alt: Mapped[str] = mapped_column(String(200), default="")
    #: generated placeholder rather than a real photo
    is_placeholder: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    product: Mapped[Product] = relationship(back_populates="images", lazy="raise")
