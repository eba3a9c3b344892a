"""Cart, checkout and the buyer's order pages (thin: parse, call a service, render)."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from marketplace.core.db import db, utcnow
from marketplace.core.errors import ValidationError
from marketplace.payments.models import PaymentIntent
from producers.models import Province

from . import checkout as service
from . import receipts

CART_KEY = "cart"


def _cart() -> dict[int, int]:
    return service.clean_cart(session.get(CART_KEY))


def _save(cart: dict[int, int]) -> None:
    session[CART_KEY] = {str(k): v for k, v in cart.items()}


def add_to_cart() -> ResponseReturnValue:
    cart = _cart()
    try:
        product_id = int(request.form.get("product_id", ""))
    except ValueError:
        raise ValidationError("Sản phẩm không hợp lệ.", param="product_id") from None
    quantity = service.parse_quantity(request.form.get("quantity", "1")) or 1
    cart[product_id] = min(cart.get(product_id, 0) + quantity, service.MAX_QUANTITY)
    if len(cart) > service.MAX_LINES:
        raise ValidationError("Giỏ hàng đã đủ số dòng tối đa.", param="cart")
    _save(cart)
    return redirect(url_for("orders.cart"), 303)


def update_cart() -> ResponseReturnValue:
    cart = _cart()
    for key, value in request.form.items():
        if key.startswith("qty-"):
            product_id = int(key[4:]) if key[4:].isdigit() else 0
            quantity = service.parse_quantity(value)
            if quantity == 0:
                cart.pop(product_id, None)
            elif product_id in cart:
                cart[product_id] = quantity
    _save(cart)
    return redirect(url_for("orders.cart"), 303)


def cart() -> ResponseReturnValue:
    groups = service.cart_groups(db.session, _cart())
    return render_template("orders/cart.html", groups=groups, total=sum(g.total for g in groups))


def _provinces() -> list[Province]:
    return list(db.session.query(Province).order_by(Province.name_ascii))


def checkout() -> ResponseReturnValue:
    groups = service.cart_groups(db.session, _cart())
    if request.method == "GET":
        if not groups:
            return redirect(url_for("orders.cart"))
        return render_template(
            "orders/checkout.html", groups=groups, form={}, error=None, provinces=_provinces()
        )
    form = request.form.to_dict()
    data = service.CheckoutInput(
        name=form.get("name", ""),
        phone=form.get("phone", ""),
        commune_code=form.get("commune_code", ""),
        address_line=form.get("address_line", ""),
        note=form.get("note", ""),
    )
    ttl = timedelta(hours=current_app.config["PAYMENT_INTENT_TTL_HOURS"])
    try:
        token, _orders = service.checkout(db.session, _cart(), data, now=utcnow(), ttl=ttl)
    except ValidationError as exc:
        db.rollback()
        return (
            render_template(
                "orders/checkout.html", groups=groups, form=form, error=exc, provinces=_provinces()
            ),
            400,
        )
    session.pop(CART_KEY, None)
    return redirect(url_for("orders.order_group", token=token), 303)


def order_group(token: str) -> ResponseReturnValue:
    orders = service.orders_of_checkout(db.session, token)
    if not orders:
        abort(404)
    payments = {
        i.order_id: i
        for i in db.session.query(PaymentIntent).filter(
            PaymentIntent.order_id.in_([o.id for o in orders])
        )
    }
    return render_template("orders/orders.html", orders=orders, payments=payments, token=token)


def receipt(token: str, number: str) -> ResponseReturnValue:
    order, intent = receipts.paid_order(db.session, token, number)
    if request.args.get("format") == "pdf":
        pdf = receipts.receipt_pdf(order, intent)
        return (
            pdf,
            200,
            {
                "Content-Type": "application/pdf",
                "Content-Disposition": f'inline; filename="bien-nhan-{order.number}.pdf"',
            },
        )
    return render_template(
        "orders/receipt.html",
        order=order,
        intent=intent,
        references=receipts.bank_references(db.session, intent),
    )
