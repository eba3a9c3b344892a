"""Cart, checkout and the buyer's order pages (thin: parse, call a service, render)."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from marketplace.core.db import db, utcnow
from marketplace.core.errors import ValidationError
from marketplace.payments.models import PaymentIntent
from producers.models import Commune, Province

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
        raise ValidationError(
            "Sản phẩm này không còn bán. Tải lại trang và chọn sản phẩm khác.", param="product_id"
        ) from None
    quantity = service.parse_quantity(request.form.get("quantity", "1")) or 1
    cart[product_id] = min(cart.get(product_id, 0) + quantity, service.MAX_QUANTITY)
    if len(cart) > service.MAX_LINES:
        raise ValidationError(
            "Giỏ hàng đã đủ số dòng tối đa. Đặt hàng phần đang có, hoặc bỏ bớt sản phẩm.",
            param="cart",
        )
    _save(cart)
    if request.form.get("then") == "checkout":  # "buy now": straight to the checkout form
        return redirect(url_for("orders.checkout"), 303)
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


def _checkout_page(
    groups: list[service.CartGroup], form: dict[str, str], error: ValidationError | None
) -> str:
    """The checkout form; the communes of the chosen province are in the page, so the picker
    works without JavaScript (communes.js only refills it when the province changes)."""
    province = form.get("province", "")
    communes = (
        db.session.query(Commune)
        .filter(Commune.province_code == province)
        .order_by(Commune.name_ascii)
        .all()
        if province
        else []
    )
    provinces = db.session.query(Province).order_by(Province.name_ascii).all()
    return render_template(
        "orders/checkout.html",
        groups=groups,
        form=form,
        error=error,
        provinces=provinces,
        communes=communes,
    )


def checkout() -> ResponseReturnValue:
    groups = service.cart_groups(db.session, _cart())
    if request.method == "GET":
        if not groups:
            return redirect(url_for("orders.cart"))
        return _checkout_page(groups, {}, None)
    form = request.form.to_dict()
    commune = db.session.get(Commune, form.get("commune_code", ""))
    if form.get("pick_province") and (
        commune is None or commune.province_code != form.get("province")
    ):
        # without JavaScript the province is sent first: answer with its communes to pick from
        return _checkout_page(groups, form, None)
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
        return _checkout_page(groups, form, exc), 400
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
