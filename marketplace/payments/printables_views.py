"""Print files: a producer's stall poster (bảng QR) and product label sheets, as PNG and PDF.

Public on purpose: a cooperative prints its own poster and labels from links on its pages, and
both show only what buyers already see (the static VietQR of the payee account, the product
page). Keyed like the storefront: by id, with an optional slug that redirects when stale.
Renders are deterministic, so each response carries an ETag and a short public max-age (a
changed bank account or price shows within minutes).
"""

from __future__ import annotations

import logging
import re

from flask import Blueprint, Response, current_app, redirect, request, url_for
from flask.typing import ResponseReturnValue

from marketplace.catalogue import services as catalogue
from marketplace.core.clock import today
from marketplace.core.db import db
from marketplace.core.errors import NotFound, ValidationError
from marketplace.extensions import limiter
from producers.models import Producer, Product

from . import printables
from .intents import BANK_STEP
from .vietqr import VietQRError

bp = Blueprint("printables", __name__)
# each render costs ~0.1 s of CPU: plenty for a cooperative printing, little for a scraper
limiter.limit("60 per minute")(bp)

QUANTITY_ARG = "so-luong"
MAX_AGE = 300
_QUANTITY = re.compile(r"[0-9]{1,3}")
log = logging.getLogger(__name__)


def _stall_poster(producer_id: int) -> tuple[Producer, printables.StallPoster]:
    """An active producer with a usable payee account, or NotFound."""
    producer = catalogue.visible_producer(db.session, producer_id)
    if not (producer.bank_bin and producer.bank_account):
        raise NotFound(
            "Chủ thể này chưa khai báo tài khoản ngân hàng nên chưa có bảng QR. " + BANK_STEP
        )
    poster = printables.StallPoster(
        producer_name=producer.name,
        bank_bin=producer.bank_bin,
        bank_account=producer.bank_account,
        bank_account_name=producer.bank_account_name or "",
    )
    try:
        printables.poster_payload(poster)
    except VietQRError as err:
        log.warning("producer %s has an unusable bank account: %s", producer.id, err)
        raise NotFound(
            "Tài khoản ngân hàng của chủ thể này chưa hợp lệ nên chưa có bảng QR. Sửa ngân hàng và "
            "số tài khoản ở bước “Tài khoản ngân hàng” (Hồ sơ bán hàng hoặc Hỗ trợ chủ thể)."
        ) from err
    return producer, poster


def _product_label(product_id: int) -> tuple[Product, printables.ProductLabel]:
    product = catalogue.visible_product(db.session, product_id)
    certificate = product.current_certificate(today())
    label = printables.ProductLabel(
        name=product.name,
        price_vnd=product.price_vnd,
        unit=product.unit,
        producer_name=product.producer.name,
        url=product_link(product),
        code=product.code,
        stars=certificate.stars if certificate else None,
    )
    return product, label


def product_link(product: Product) -> str:
    """The product page's absolute URL: on PUBLIC_BASE_URL when set, else on the request host."""
    endpoint, args = "catalogue.product_page", {"product_id": product.id, "slug": product.slug}
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **args)
    return url_for(endpoint, **args, _external=True)


def _quantity() -> int:
    raw = request.args.get(QUANTITY_ARG)
    if raw is None:
        return printables.A4_LABELS.per_page
    if not _QUANTITY.fullmatch(raw) or not 1 <= int(raw) <= printables.MAX_LABELS:
        raise ValidationError(
            f"Số lượng nhãn phải là số nguyên từ 1 đến {printables.MAX_LABELS}.",
            param=QUANTITY_ARG,
        )
    return int(raw)


def _send(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    response.add_etag()
    return response.make_conditional(request)


def _poster(producer_id: int, slug: str | None, fmt: str) -> ResponseReturnValue:
    producer, poster = _stall_poster(producer_id)
    if slug is not None and slug != producer.slug:
        endpoint = f"printables.poster_{fmt}"
        return redirect(url_for(endpoint, producer_id=producer.id, slug=producer.slug), 301)
    if fmt == "pdf":
        body, mimetype = printables.poster_pdf(poster), "application/pdf"
    else:
        body, mimetype = printables.poster_png(poster), "image/png"
    return _send(body, mimetype, f"bang-qr-{producer.slug}.{fmt}")


@bp.get("/in/bang-qr/<int:producer_id>.png")
@bp.get("/in/bang-qr/<int:producer_id>-<slug>.png")
def poster_png(producer_id: int, slug: str | None = None) -> ResponseReturnValue:
    """The stall poster (A6 portrait, 300 dpi) as PNG."""
    return _poster(producer_id, slug, "png")


@bp.get("/in/bang-qr/<int:producer_id>.pdf")
@bp.get("/in/bang-qr/<int:producer_id>-<slug>.pdf")
def poster_pdf(producer_id: int, slug: str | None = None) -> ResponseReturnValue:
    """The stall poster as a one-page A6 PDF."""
    return _poster(producer_id, slug, "pdf")


@bp.get("/in/nhan/<int:product_id>.pdf")
def labels_pdf(product_id: int) -> ResponseReturnValue:
    """``?so-luong=`` (1-96, default 24) identical labels on A4 sheets of 3 x 8."""
    count = _quantity()
    product, label = _product_label(product_id)
    body = printables.label_sheet_pdf(label, count)
    return _send(body, "application/pdf", f"nhan-{product.slug}-{count}.pdf")


@bp.get("/in/nhan/<int:product_id>.png")
def label_png(product_id: int) -> ResponseReturnValue:
    """One 70 x 37 mm label at 300 dpi."""
    product, label = _product_label(product_id)
    return _send(printables.label_png(label), "image/png", f"nhan-{product.slug}.png")
