"""ORM objects -> API dictionaries (the only place the API's shape is written)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for

from producers.models import Certificate, Commune, Producer, Product


def _abs(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, _external=True, **values)


def commune(c: Commune) -> dict[str, Any]:
    return {"code": c.code, "name": c.name, "short_name": c.short_name, "type": c.type}


def province_of(c: Commune) -> dict[str, Any]:
    p = c.province
    return {"code": p.code, "name": p.name, "short_name": p.short_name}


def certificate(cert: Certificate, today: date) -> dict[str, Any]:
    return {
        "object": "certificate",
        "id": cert.id,
        "stars": cert.stars,
        "decision_number": cert.decision_number,
        "decision_date": cert.decision_date.isoformat(),
        "decision_date_estimated": cert.date_estimated,
        "issuing_authority": cert.issuing_authority,
        "valid_until": cert.valid_until.isoformat(),
        "valid": cert.is_valid_on(today),
    }


def producer_summary(p: Producer) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "kind": p.kind, "slug": p.slug}


def product(p: Product, today: date, *, full: bool = False) -> dict[str, Any]:
    if full:  # exact, from the certificates themselves
        cert = p.current_certificate(today)
        stars = cert.stars if cert else None
        cert_data = certificate(cert, today) if cert else None
    else:  # lists use the cached newest valid certificate
        stars = p.stars_on(today)
        cert_data = _cached_certificate(p, today)
    data: dict[str, Any] = {
        "object": "product",
        "id": p.id,
        "code": p.code,
        "name": p.name,
        "slug": p.slug,
        "price_vnd": p.price_vnd,
        "currency": "VND",
        "unit": p.unit,
        "net_quantity": p.net_quantity,
        "stock": p.stock,
        "is_service": p.is_service,
        "stars": stars,
        "certificate": cert_data,
        "ocop_set": {
            "set_no": p.ocop_set.set_no,
            "name": p.ocop_set.name_vi,
            "group": p.ocop_set.group_code,
        },
        "producer": producer_summary(p.producer),
        "province": province_of(p.producer.commune),
        "commune": commune(p.producer.commune),
        "url": _abs("catalogue.product_page", product_id=p.id, slug=p.slug),
        "image": _abs("media", path=p.images[0].thumb_large_path) if p.images else None,
    }
    if full:
        data["description"] = p.description
        data["weight_grams"] = p.weight_grams
        data["shelf_life"] = p.shelf_life
        data["storage_notes"] = p.storage_notes
        data["images"] = [
            {
                "url": _abs("media", path=i.original_path),
                "thumbnail_small": _abs("media", path=i.thumb_small_path),
                "thumbnail_large": _abs("media", path=i.thumb_large_path),
                "width": i.width,
                "height": i.height,
                "alt": i.alt,
                "placeholder": i.is_placeholder,
            }
            for i in p.images
        ]
        data["certificates"] = [certificate(c, today) for c in p.certificates]
    return data


def _cached_certificate(p: Product, today: date) -> dict[str, Any] | None:
    """Stars and validity of the cached current certificate (no extra query per list item)."""
    stars = p.stars_on(today)
    if stars is None or p.cert_valid_until is None:
        return None
    return {
        "object": "certificate",
        "stars": stars,
        "valid_until": p.cert_valid_until.isoformat(),
        "valid": True,
    }


def producer(p: Producer, products: list[Product], today: date) -> dict[str, Any]:
    return {
        "object": "producer",
        "id": p.id,
        "name": p.name,
        "slug": p.slug,
        "kind": p.kind,
        "tax_code": p.tax_code,
        "representative": p.representative,
        "street": p.street,
        "address": p.address,
        "description": p.description,
        "province": province_of(p.commune),
        "commune": commune(p.commune),
        "url": _abs("catalogue.producer_page", producer_id=p.id, slug=p.slug),
        "products": [product(x, today) for x in products],
    }
