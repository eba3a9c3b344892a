"""URL rules and thin handlers of /api/v1 (catalogue part)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from marketplace.catalogue import facets
from marketplace.catalogue import search as search_service
from marketplace.catalogue import services as catalogue
from marketplace.core.clock import today
from marketplace.core.db import db
from marketplace.core.errors import NotFound, ValidationError
from marketplace.extensions import limiter
from producers.models import Commune, OcopGroup, OcopSet, OcopSubgroup, Province

from . import serializers
from .openapi import document

bp = Blueprint("api", __name__)
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"])(bp)


def _limit() -> int:
    raw = request.args.get("limit", "20")
    maximum = current_app.config["API_MAX_LIMIT"]
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
        raise ValidationError(f"'limit' phải là số nguyên từ 1 đến {maximum}.", param="limit")
    return int(raw)


def _starting_after() -> int | None:
    raw = request.args.get("starting_after", "")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) >= 2**31:  # ids are INTEGER
        raise ValidationError("'starting_after' phải là id sản phẩm.", param="starting_after")
    return int(raw)


@bp.get("/products")
def list_products() -> ResponseReturnValue:
    """Search and filter published products, cursor-paginated."""
    query = search_service.parse_query(
        request.args,
        max_chars=current_app.config["SEARCH_MAX_QUERY_CHARS"],
        per_page=1,
    )
    day = today()
    items, has_more = search_service.search_after(
        db.session, query, day, _starting_after(), _limit()
    )
    return jsonify(
        {
            "object": "list",
            "url": "/api/v1/products",
            "data": [serializers.product(p, day) for p in items],
            "has_more": has_more,
        }
    )


@bp.get("/products/<int:product_id>")
def get_product(product_id: int) -> ResponseReturnValue:
    product = catalogue.visible_product(db.session, product_id)
    return jsonify(serializers.product(product, today(), full=True))


@bp.get("/producers/<int:producer_id>")
def get_producer(producer_id: int) -> ResponseReturnValue:
    producer = catalogue.visible_producer(db.session, producer_id)
    products = catalogue.producer_products(db.session, producer)
    return jsonify(serializers.producer(producer, products, today()))


@bp.get("/provinces")
def list_provinces() -> ResponseReturnValue:
    provinces = db.session.scalars(select(Province).order_by(Province.code))
    data = [
        {"code": p.code, "name": p.name, "short_name": p.short_name, "type": p.type}
        for p in provinces
    ]
    return jsonify({"object": "list", "data": data, "has_more": False})


@bp.get("/provinces/<code>/communes")
def list_communes(code: str) -> ResponseReturnValue:
    """Official communes of a province (for address pickers); ``with_products=1`` narrows."""
    if db.session.get(Province, code) is None:
        raise NotFound(
            "Không có tỉnh/thành với mã này. Xem các mã ở GET /api/v1/provinces.", param="code"
        )
    if request.args.get("with_products") == "1":
        communes = facets.communes_with_products(db.session, code)
    else:
        communes = list(
            db.session.scalars(
                select(Commune).where(Commune.province_code == code).order_by(Commune.name_ascii)
            )
        )
    return jsonify(
        {"object": "list", "data": [serializers.commune(c) for c in communes], "has_more": False}
    )


@bp.get("/ocop/groups")
def list_groups() -> ResponseReturnValue:
    """The OCOP classification tree: groups, subgroups and criteria sets."""
    session = db.session
    subgroups = list(session.scalars(select(OcopSubgroup).order_by(OcopSubgroup.code)))
    sets = list(session.scalars(select(OcopSet).order_by(OcopSet.set_no)))
    data = []
    for g in session.scalars(select(OcopGroup).order_by(OcopGroup.code)):
        data.append(
            {
                "code": g.code,
                "slug": g.slug,
                "name_vi": g.name_vi,
                "name_en": g.name_en,
                "subgroups": [
                    {
                        "code": s.code,
                        "name_vi": s.name_vi,
                        "name_en": s.name_en,
                        "sets": [
                            {
                                "set_no": x.set_no,
                                "code": x.code,
                                "name_vi": x.name_vi,
                                "name_en": x.name_en,
                            }
                            for x in sets
                            if x.subgroup_code == s.code
                        ],
                    }
                    for s in subgroups
                    if s.group_code == g.code
                ],
            }
        )
    return jsonify({"object": "list", "data": data, "has_more": False})


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(document())


from . import payment_intents  # noqa: E402, F401  (registers the payment intent routes)
