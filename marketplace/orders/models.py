"""Orders and their items (prices are snapshots taken at checkout)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import Base, UTCDateTime, utcnow
from producers.models import Commune, Producer


class OrderStatus(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    EXPIRED = "expired"
    CANCELED = "canceled"
    REFUNDED = "refunded"


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (CheckConstraint("total_vnd > 0", name="total_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: public order number shown to people ("DH-…" = the payment reference)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    #: orders made by one checkout share it; it is also the buyer's secret link to them
    checkout_token: Mapped[str] = mapped_column(String(43), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    buyer_name: Mapped[str] = mapped_column(String(120))
    buyer_phone: Mapped[str] = mapped_column(String(16))
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"))
    address_line: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    total_vnd: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(
        String(20), default=OrderStatus.AWAITING_PAYMENT, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    producer: Mapped[Producer] = relationship(lazy="joined")
    commune: Mapped[Commune] = relationship(lazy="joined")
    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="OrderItem.id",
    )

    @property
    def address(self) -> str:
        return ", ".join(
            p for p in (self.address_line, self.commune.name, self.commune.province.name) if p
        )


class OrderItem(Base):
    __tablename__ = "order_items"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("price_vnd >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(40))
    price_vnd: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int]

    order: Mapped[Order] = relationship(back_populates="items", lazy="raise")

    @property
    def line_total(self) -> int:
        return self.price_vnd * self.quantity
