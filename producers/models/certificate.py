"""An OCOP certificate: stars, recognition decision, validity (36 months by default)."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .product import Product

VALIDITY_MONTHS = 36


def add_months(day: date, months: int) -> date:
    """Calendar months later, clamped to the month's last day (31/01 + 1 -> 28/02)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Certificate(Base):
    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("stars BETWEEN 3 AND 5", name="stars_3_to_5"),
        CheckConstraint("valid_until > decision_date", name="valid_after_decision"),
        Index("ix_certificates_product_decision", "product_id", "decision_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    stars: Mapped[int]
    #: recognition decision number, e.g. "4894/QĐ-UBND"
    decision_number: Mapped[str] = mapped_column(String(80))
    decision_date: Mapped[date] = mapped_column(Date)
    issuing_authority: Mapped[str] = mapped_column(String(200))
    valid_until: Mapped[date] = mapped_column(Date)
    #: scanned certificate, relative to the media folder
    document_path: Mapped[str | None] = mapped_column(String(300))
    #: provenance, e.g. which dates were estimated for demo data
    note: Mapped[str] = mapped_column(Text, default="")
    #: the decision date was not published and was estimated (demo data)
    date_estimated: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    product: Mapped[Product] = relationship(back_populates="certificates", lazy="raise")

    def is_valid_on(self, day: date) -> bool:
        """Valid from the decision date through ``valid_until`` inclusive."""
        return self.decision_date <= day <= self.valid_until
