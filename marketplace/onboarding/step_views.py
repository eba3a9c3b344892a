"""Onboarding steps 3-5: the bank account (and its check by VietQR), consent to the terms, and
products with photo and certificate (and renewals). Thin: parse, call one service, render or
redirect."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.core.clock import today
from marketplace.core.db import db, utcnow
from marketplace.core.errors import AppError
from marketplace.core.storage import MediaStorage
from producers.models import OcopSet, Producer, Product

from . import bank as bank_service
from . import products as product_service
from . import services
from .forms import BankForm, CertificateForm, ProductForm
from .pages import actor, image_limits, next_step, page, producer_or_404, qr_data_uri, refused

# --- step 3: bank -----------------------------------------------------------------------------


def _bank_page(producer: Producer, **ctx: Any) -> Any:
    payload = bank_service.bank_qr_payload(producer)
    saved = {
        "bank_bin": producer.bank_bin or "",
        "bank_account": producer.bank_account or "",
        "bank_account_name": producer.bank_account_name or "",
    }
    by = producer.bank_verified_by_user_id
    return page(
        "onboarding/bank.html",
        producer,
        **{
            "form": saved,
            "banks": bank_service.banks(db.session),
            "qr": qr_data_uri(payload) if payload else None,
            "verifier": db.session.get(User, by) if by else None,
            **ctx,
        },
    )


@login_required
def bank(producer_id: int) -> ResponseReturnValue:
    """Step 3: bank picked by name or BIN, account number, holder name."""
    producer = producer_or_404(producer_id)
    if request.method == "GET":
        return _bank_page(producer)
    data = BankForm.parse(request.form)
    try:
        bank_service.update_bank(db.session, actor(), producer, data, today())
    except AppError as exc:
        return _bank_page(producer, form=data.__dict__, **refused(producer, exc))
    return redirect(url_for("onboarding.bank", producer_id=producer.id) + "#xac-minh", 303)


@login_required
def verify_bank(producer_id: int) -> ResponseReturnValue:
    """Step 3, second half: the helper scanned the QR and ticks "verified"."""
    producer = producer_or_404(producer_id)
    ticked = request.form.get("verified") == "1"
    try:
        bank_service.verify_bank(db.session, actor(), producer, ticked, utcnow(), today())
    except AppError as exc:
        return _bank_page(producer, **refused(producer, exc))
    return next_step(producer)


# --- step 4: consent --------------------------------------------------------------------------


@login_required
def consent(producer_id: int) -> ResponseReturnValue:
    """Step 4: the producer reads and accepts the terms."""
    producer = producer_or_404(producer_id)
    version = services.TERMS_VERSION
    if request.method == "GET":
        return page("onboarding/consent.html", producer, terms_version=version)
    agreed = request.form.get("agree") == "1"
    try:
        services.give_consent(db.session, actor(), producer, agreed, utcnow(), today())
    except AppError as exc:
        failed = refused(producer, exc)
        return page("onboarding/consent.html", producer, terms_version=version, **failed)
    return next_step(producer)


# --- step 5: products -------------------------------------------------------------------------


def _products_page(producer: Producer, **ctx: Any) -> Any:
    products = db.session.scalars(
        select(Product).where(Product.producer_id == producer.id).order_by(Product.id)
    ).unique()
    sets = db.session.scalars(select(OcopSet).order_by(OcopSet.set_no))
    return page(
        "onboarding/products.html", producer, products=list(products), sets=list(sets), **ctx
    )


@login_required
def products(producer_id: int) -> ResponseReturnValue:
    """Step 5: the producer's products, and a product with photo and certificate to add."""
    producer = producer_or_404(producer_id)
    if request.method == "GET":
        return _products_page(producer, form={"stock": "0"})
    storage = MediaStorage(current_app.config["MEDIA_DIR"])
    try:
        data = ProductForm.parse(
            request.form, request.files, product_service.weightless_sets(db.session)
        )
        product_service.add_product(
            db.session, storage, actor(), producer, data, image_limits(), today()
        )
    except AppError as exc:
        return _products_page(producer, form=request.form, **refused(producer, exc))
    return next_step(producer)


@login_required
def renew(producer_id: int, product_id: int) -> ResponseReturnValue:
    """A new certificate for one of the producer's products (before the old one lapses)."""
    producer = producer_or_404(producer_id)
    product = db.session.get(Product, product_id)
    if product is None or product.producer_id != producer.id:
        abort(404)
    storage = MediaStorage(current_app.config["MEDIA_DIR"])
    try:
        data = CertificateForm.parse_alone(request.form, request.files)
        product_service.renew_certificate(
            db.session, storage, actor(), product, data, image_limits(), today()
        )
    except AppError as exc:
        failed = refused(producer, exc)
        return _products_page(producer, renew_form=request.form, renew_id=product_id, **failed)
    return redirect(
        url_for("onboarding.products", producer_id=producer.id) + f"#sp-{product_id}", 303
    )
