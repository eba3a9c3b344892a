"""Cart and checkout: items from several producers make one order per producer, each with a
payment intent whose QR pays that producer's own bank account."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.core.errors import ValidationError
from marketplace.core.text import clean_block, clean_line
from marketplace.payments import intents
from producers import validation
from producers.models import Commune, Producer, ProducerStatus, Product, ProductStatus

from .models import Order, OrderItem

MAX_LINES = 30
MAX_QUANTITY = 99


def clean_cart(raw: object) -> dict[int, int]:
    """A cart from the session cookie: {product id: quantity}, bad entries dropped."""
    cart: dict[int, int] = {}
    if not isinstance(raw, dict):
        return cart
    for key, qty in list(raw.items())[:MAX_LINES]:
        try:
            product_id, quantity = int(key), int(qty)
        except (TypeError, ValueError):
            continue
        if product_id > 0 and quantity > 0:
            cart[product_id] = min(quantity, MAX_QUANTITY)
    return cart


def parse_quantity(value: object) -> int:
    """A quantity typed by a person: 1..99."""
    try:
        quantity = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError("Số lượng phải là số nguyên.", param="quantity") from None
    if not 0 <= quantity <= MAX_QUANTITY:
        raise ValidationError(f"Số lượng phải từ 0 đến {MAX_QUANTITY}.", param="quantity")
    return quantity


@dataclass
class CartLine:
    product: Product
    quantity: int

    @property
    def total(self) -> int:
        return self.product.price_vnd * self.quantity


@dataclass
class CartGroup:
    """The lines of one producer: they become one order, paid to that producer."""

    producer: Producer
    lines: list[CartLine] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(line.total for line in self.lines)


def cart_groups(session: Session, cart: dict[int, int]) -> list[CartGroup]:
    """The cart's purchasable lines, grouped by producer (unavailable products left out)."""
    if not cart:
        return []
    products = session.scalars(
        select(Product)
        .join(Product.producer)
        .where(
            Product.id.in_(cart),
            Product.status == ProductStatus.PUBLISHED,
            Producer.status == ProducerStatus.ACTIVE,
        )
        .order_by(Product.producer_id, Product.id)
    ).unique()
    groups: dict[int, CartGroup] = {}
    for product in products:
        group = groups.setdefault(product.producer_id, CartGroup(product.producer))
        group.lines.append(CartLine(product, cart[product.id]))
    return list(groups.values())


@dataclass
class CheckoutInput:
    """What the buyer types at checkout."""

    name: str
    phone: str
    commune_code: str
    address_line: str
    note: str = ""


def _validate(session: Session, data: CheckoutInput) -> tuple[str, str, Commune, str, str]:
    name = clean_line(data.name, 120)
    if not name:
        raise ValidationError("Vui lòng nhập họ tên người nhận.", param="name")
    phone = validation.phone(data.phone or "")
    commune = session.get(Commune, (data.commune_code or "").strip())
    if commune is None:
        raise ValidationError(
            "Vui lòng chọn tỉnh/thành và xã/phường nhận hàng.", param="commune_code"
        )
    address = clean_line(data.address_line, 200)
    if not address:
        raise ValidationError("Vui lòng nhập địa chỉ (số nhà, thôn, xóm).", param="address_line")
    return name, phone, commune, address, clean_block(data.note)[:1000]


def checkout(
    session: Session, cart: dict[int, int], data: CheckoutInput, *, now: datetime, ttl: timedelta
) -> tuple[str, list[Order]]:
    """Create one order and one payment intent per producer; returns the checkout token."""
    name, phone, commune, address, note = _validate(session, data)
    groups = cart_groups(session, cart)
    if not groups:
        raise ValidationError(
            "Giỏ hàng đang trống. Thêm sản phẩm vào giỏ trước khi đặt hàng.", param="cart"
        )
    if sum(len(g.lines) for g in groups) < len(cart):
        raise ValidationError(
            "Một số sản phẩm trong giỏ đã ngừng bán. Vui lòng xem lại giỏ hàng.", param="cart"
        )
    for group in groups:
        producer = group.producer
        if not (producer.bank_bin and producer.bank_account and producer.bank_account_name):
            raise ValidationError(
                f"{producer.name} chưa cài đặt tài khoản nhận tiền, tạm thời chưa bán trực tuyến. Bỏ "
                "sản phẩm của người bán này khỏi giỏ để đặt phần còn lại.",
                param="cart",
            )
        for line in group.lines:
            if not line.product.is_service and line.quantity > line.product.stock:
                raise ValidationError(
                    f"{line.product.name}: chỉ còn {line.product.stock} {line.product.unit}. Giảm số "
                    "lượng rồi đặt hàng lại.",
                    param="quantity",
                )
    token = secrets.token_urlsafe(24)
    orders = []
    for group in groups:
        producer = group.producer
        order = Order(
            number="PENDING-" + secrets.token_hex(4),
            checkout_token=token,
            producer_id=producer.id,
            buyer_name=name,
            buyer_phone=phone,
            commune_code=commune.code,
            address_line=address,
            note=note,
            total_vnd=group.total,
            created_at=now,
            updated_at=now,
            items=[
                OrderItem(
                    product_id=line.product.id,
                    name=line.product.name,
                    unit=line.product.unit,
                    price_vnd=line.product.price_vnd,
                    quantity=line.quantity,
                )
                for line in group.lines
            ],
        )
        session.add(order)
        session.flush()
        intent = intents.create_intent(
            session,
            purpose="order",
            amount_vnd=group.total,
            payee=intents.Payee(
                producer.bank_bin, producer.bank_account, producer.bank_account_name
            ),  # type: ignore[arg-type]
            now=now,
            ttl=ttl,
            producer_id=producer.id,
            order_id=order.id,
            description="Cho OCOP",
        )
        order.number = intent.reference_code
        orders.append(order)
    session.flush()
    return token, orders


def orders_of_checkout(session: Session, token: str) -> list[Order]:
    """The orders a buyer's checkout link shows."""
    return list(
        session.scalars(
            select(Order).where(Order.checkout_token == token).order_by(Order.id)
        ).unique()
    )
