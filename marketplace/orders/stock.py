"""Stock follows the money: an order's units leave the stock when it is paid and come back if
it is refunded. One atomic UPDATE per line (two payments of the same product at once cannot
lose a decrement), never below zero; the product's revision moves with it, so every
marketplace listing gets the new stock."""

from __future__ import annotations

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from producers.changes import note_changed
from producers.models import Product

from .models import OrderItem, OrderStatus


def settle(session: Session, order_id: int, from_status: str, to_status: str) -> None:
    """Apply the stock change an order's status change implies (none for most)."""
    if to_status == OrderStatus.PAID and from_status != OrderStatus.PAID:
        sign = -1
    elif to_status == OrderStatus.REFUNDED and from_status == OrderStatus.PAID:
        sign = 1
    else:
        return
    lines = session.execute(
        select(OrderItem.product_id, OrderItem.quantity).where(OrderItem.order_id == order_id)
    ).all()
    for product_id, quantity in lines:
        new_stock = Product.stock + sign * quantity
        session.execute(
            update(Product)
            .where(Product.id == product_id)
            .values(
                stock=case((new_stock < 0, 0), else_=new_stock),
                revision=Product.revision + 1,
            )
            .execution_options(synchronize_session=False)
        )
        note_changed(session, product_id)
    session.expire_all()  # loaded products must not show the old stock
