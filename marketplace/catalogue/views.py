"""Storefront views: parse input, call one service, render."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, redirect, render_template, request, send_from_directory, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from marketplace.core.clock import today
from marketplace.core.db import db
from producers.models import Product, ProductImage

from . import facets, services
from . import search as search_service
from .labels import KIND_LABELS


def absolute_url(path: str) -> str:
    """Absolute URL for sharing cards (PUBLIC_BASE_URL when set, else the request host)."""
    base = current_app.config.get("PUBLIC_BASE_URL") or request.url_root
    return base.rstrip("/") + path


def media_url(path: str | None) -> str:
    return url_for("media", path=path) if path else ""


def product_url(product: Product) -> str:
    return url_for("catalogue.product_page", product_id=product.id, slug=product.slug)


def thumb(product: Product) -> ProductImage | None:
    return product.images[0] if product.images else None


def _common() -> dict[str, Any]:
    return {
        "media_url": media_url,
        "product_url": product_url,
        "thumb": thumb,
        "kind_labels": KIND_LABELS,
    }


def home() -> ResponseReturnValue:
    day = today()
    session = db.session
    return render_template(
        "catalogue/home.html",
        groups=facets.groups(session),
        featured=services.featured(session, day),
        provinces=facets.provinces_with_products(session),
        **_common(),
    )


def search_page() -> ResponseReturnValue:
    session = db.session
    query = search_service.parse_query(
        request.args,
        max_chars=current_app.config["SEARCH_MAX_QUERY_CHARS"],
        per_page=current_app.config["PAGE_SIZE"],
    )
    result = search_service.search(session, query, today())
    communes = facets.communes_with_products(session, query.province) if query.province else []
    args = {k: v for k, v in request.args.items() if k not in ("page", "lang") and v}
    return render_template(
        "catalogue/search.html",
        query=query,
        result=result,
        groups=facets.groups(session),
        provinces=facets.provinces_with_products(session),
        communes=communes,
        page_args=args,
        sorts=search_service.SORTS,
        canonical=absolute_url(url_for("catalogue.search_page", q=query.q)),
        **_common(),
    )


def product_page(product_id: int, slug: str | None = None) -> ResponseReturnValue:
    session = db.session
    product = services.visible_product(session, product_id)
    if slug != product.slug:
        return redirect(product_url(product), code=301)
    day = today()
    certificate = product.current_certificate(day)
    return render_template(
        "catalogue/product.html",
        product=product,
        certificate=certificate,
        certificates=product.certificates,
        related=services.related(session, product, day),
        json_ld=_product_json_ld(product, certificate is not None and certificate.stars),
        canonical=absolute_url(product_url(product)),
        og_image=absolute_url(media_url(product.images[0].thumb_large_path))
        if product.images
        else "",
        **_common(),
    )


def _product_json_ld(product: Product, stars: int | bool | None) -> str:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "sku": product.code,
        "description": product.description[:500],
        "url": absolute_url(product_url(product)),
        "image": [absolute_url(media_url(i.thumb_large_path)) for i in product.images],
        "brand": {"@type": "Organization", "name": product.producer.name},
        "category": product.ocop_set.name_vi,
        "offers": {
            "@type": "Offer",
            "price": str(product.price_vnd),
            "priceCurrency": "VND",
            "availability": "https://schema.org/InStock"
            if product.stock > 0
            else "https://schema.org/OutOfStock",
            "seller": {"@type": "Organization", "name": product.producer.name},
        },
    }
    if stars:
        data["award"] = f"OCOP {stars} sao"
    # "</" must not appear inside a <script> element
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def producer_page(producer_id: int, slug: str | None = None) -> ResponseReturnValue:
    session = db.session
    producer = services.visible_producer(session, producer_id)
    if slug != producer.slug:
        return redirect(
            url_for("catalogue.producer_page", producer_id=producer.id, slug=producer.slug), 301
        )
    return render_template(
        "catalogue/producer.html",
        producer=producer,
        products=services.producer_products(session, producer),
        **_common(),
    )


def healthz() -> ResponseReturnValue:
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


def robots() -> ResponseReturnValue:
    return "User-agent: *\nAllow: /\nDisallow: /api/\n", 200, {"Content-Type": "text/plain"}


def favicon() -> ResponseReturnValue:
    """The icon at the root, for clients that ask there without reading the page's link."""
    return send_from_directory(
        current_app.static_folder or "", "favicon.ico", mimetype="image/vnd.microsoft.icon"
    )
