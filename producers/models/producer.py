"""A producer (chủ thể OCOP): cooperative, enterprise or household business."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import Base, UTCDateTime, utcnow

from .geo import Commune

if TYPE_CHECKING:
    from .product import Product


class ProducerKind(StrEnum):
    COOPERATIVE = "cooperative"
    ENTERPRISE = "enterprise"
    HOUSEHOLD = "household"


class ProducerStatus(StrEnum):
    DRAFT = "draft"
    ONBOARDING = "onboarding"
    ACTIVE = "active"
    SUSPENDED = "suspended"


class Producer(Base):
    __tablename__ = "producers"
    __table_args__ = (
        CheckConstraint("kind IN ('cooperative', 'enterprise', 'household')", name="kind_known"),
        CheckConstraint(
            "status IN ('draft', 'onboarding', 'active', 'suspended')", name="status_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    #: mã số thuế: 10 digits, or 10-3 for a branch; None while unknown
    tax_code: Mapped[str | None] = mapped_column(String(14), unique=True)
    representative: Mapped[str] = mapped_column(String(120), default="")
    #: normalised to 0xxxxxxxxx
    phone: Mapped[str] = mapped_column(String(16), default="")
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), index=True)
    #: denormalised from the commune so the storefront filters without joins
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    #: street / village line (thôn, xóm, số nhà)
    street: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    bank_bin: Mapped[str | None] = mapped_column(String(6))
    bank_account: Mapped[str | None] = mapped_column(String(19))
    bank_account_name: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), default=ProducerStatus.DRAFT)
    #: the community digital-technology team member who onboards and helps this producer
    onboarder_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: when the producer accepted the platform's terms, and which version (onboarding)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    terms_version: Mapped[str | None] = mapped_column(String(20))
    #: when a person scanned the account's VietQR and saw the holder name match, and who
    bank_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    bank_verified_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: a pre-2025 address as typed, mapped through the lineage (or why a person must look)
    address_note: Mapped[str] = mapped_column(String(400), default="", server_default="")
    #: the address needs a person (an old commune split among several new ones)
    address_review: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: where demo data came from (sourced vs filler); empty for real sellers
    provenance: Mapped[str] = mapped_column(Text, default="")
    #: identity in an imported source ("sample:P001"), for idempotent imports
    source_ref: Mapped[str | None] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    commune: Mapped[Commune] = relationship(lazy="joined")
    products: Mapped[list[Product]] = relationship(back_populates="producer", lazy="raise")

    @property
    def address(self) -> str:
        """Street line, new commune, province."""
        parts = [self.street, self.commune.name, self.commune.province.name]
        return ", ".join(p for p in parts if p)
