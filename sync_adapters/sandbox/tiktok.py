"""TikTok Shop Partner API (202309) simulator: signed calls, OAuth, image hosting, products.

Enforced as the real API does: the lower hex HMAC-SHA256 over app_secret + path + sorted
query (minus sign and access_token) + body (not for multipart) + app_secret, a 5 minute
timestamp window, ``x-tts-access-token`` expiry (105002), ``shop_cipher`` where a shop is
addressed, HTTP 429 + code 36009002 when over the rate, title/description limits, leaf
categories and their required properties, images uploaded here first, warehouse inventory.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import math
import secrets
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from flask import Flask, Response, jsonify, redirect, request
from PIL import Image

from ..tiktok import mapping, signing
from ..tiktok.categories import ATTRIBUTE_IDS, CATEGORIES
from .base import ChannelSandbox

TIMESTAMP_WINDOW_S = 300
V = "/product/202309"
IMAGE_PREFIX = "tos-alisg-i-ocopsandbox-vn"

#: The gateway's refusals: key -> (code, HTTP status, message), as the common-errors page words them.
REFUSALS: dict[str, tuple[int, int, str]] = {
    "app_key": (36009004, 400, "Invalid credentials. Invalid `app_key` query parameter."),
    "no_sign": (36009004, 400, "Missing credentials. The request does not include a required "
                "signature in the query."),
    "timestamp": (36009004, 400, "Invalid timestamp. The value of the `timestamp` query parameter "
                  "must not be earlier than 5 minutes before the current time."),
    "sign": (106001, 401, "Invalid credentials. The `sign` query parameter is invalid."),
    "token": (105001, 401, "Invalid credentials. The `x-tts-access-token` header is invalid."),
    "expired": (105002, 401, "Expired credentials. The `x-tts-access-token` header has expired."),
    "cipher_extra": (36009004, 400, "Unexpected identifier. The `shop_cipher` query parameter is "
                     "not required for this request."),
    "cipher_missing": (106013, 400, "Missing identifier. The `shop_cipher` query parameter is "
                       "required to identify the target shop."),
    "cipher_bad": (36009004, 400, "Invalid identifier. The `shop_cipher` query parameter is invalid."),
    "not_listed": (12052048, 200, "You cannot edit the specified product(s) as it isn't listed in "
                   "your account or shop."),
}  # fmt: skip

PAGE = """<!doctype html><html lang="vi"><meta charset="utf-8"><title>TikTok Shop - Ủy quyền</title>
<body style="font-family:sans-serif;max-width:28rem;margin:3rem auto">
<h1>TikTok Shop Seller Center (sandbox)</h1><p>Cho phép Chợ OCOP quản lý shop?</p>
<form method="post" action="{action}"><label>Mã shop (shop id)
<input name="shop_id" required></label> <button type="submit">Cho phép</button></form>"""


def shop_cipher(shop_id: str) -> str:
    """The sandbox's stable cipher for a shop id."""
    return "ROW_" + hashlib.sha256(f"cipher:{shop_id}".encode()).hexdigest()[:28]


def warehouse_id(shop_id: str) -> str:
    """The sandbox's stable sales-warehouse id for a shop id."""
    return str(
        7_000_000_000_000_000_000 + int(hashlib.sha256(shop_id.encode()).hexdigest()[:15], 16)
    )


class TikTokSandbox(ChannelSandbox):
    """TikTok Shop Vietnam's Partner API, on loopback."""

    code = "tiktok"
    name = "TikTok Shop"
    chaos_exempt = ("/open/authorize", "/obj/")

    # --- Flask wiring --------------------------------------------------------------------
    def routes(self, app: Flask) -> None:
        app.add_url_rule("/open/authorize", "authorize", self._authorize, methods=["GET", "POST"])
        app.add_url_rule("/obj/<path:uri>", "hosted_image", self._hosted_image)
        app.add_url_rule("/api/v2/token/get", "token_get", self._token_get)
        app.add_url_rule("/api/v2/token/refresh", "token_refresh", self._token_refresh)
        api: list[tuple[str, str, Any, str]] = [
            ("/authorization/202309/shops", "GET", self._shops, "none"),
            ("/logistics/202309/warehouses", "GET", self._warehouses, "required"),
            (f"{V}/images/upload", "POST", self._image_upload, "ignored"),
            (f"{V}/products", "POST", self._create, "required"),
            (f"{V}/products/search", "POST", self._search, "required"),
            (
                f"{V}/products/deactivate",
                "POST",
                partial(self._switch, to="SELLER_DEACTIVATED"),
                "required",
            ),
            (f"{V}/products/activate", "POST", partial(self._switch, to="ACTIVATE"), "required"),
            (f"{V}/products/<product_id>", "GET", self._get, "required"),
            (f"{V}/products/<product_id>", "PUT", self._edit, "required"),
            (
                f"{V}/products/<product_id>/inventory/update",
                "POST",
                partial(self._sku_update, field="inventory"),
                "required",
            ),
            (
                f"{V}/products/<product_id>/prices/update",
                "POST",
                partial(self._sku_update, field="price"),
                "required",
            ),
        ]
        for rule, method, handler, cipher in api:
            name = f"{method} {rule}"
            app.add_url_rule(rule, name, self._api(handler, cipher), methods=[method])

    def rate_key(self) -> str:
        return str(request.args.get("app_key", "app"))

    def rate_limited(self, retry_after: float) -> Response:
        response = _error(36009002, "Too many requests. Please retry later.", 429)
        response.headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
        return response

    def server_error(self) -> Response:
        return _error(36009003, "Internal system error. Please try again later.", 500)

    def public_view(self, item: dict[str, Any]) -> dict[str, Any]:
        sku = item["skus"][0]
        return {
            "name": item["title"],
            "price_vnd": int(float(sku["price"]["amount"])),
            "stock": sum(int(row["quantity"]) for row in sku["inventory"]),
            "status": "live" if item["product_status"] == "ACTIVATE" else "inactive",
            "image_ids": [uri.rsplit("/", 1)[-1] for uri in item["main_images"]],
        }

    # --- signatures and tokens -------------------------------------------------------------
    def signature_ok(self, path: str, query: dict[str, str], body: str | None) -> bool:
        """Whether the query's sign is right for this path, query and body (vectors use this)."""
        secret = self.apps.get(str(query.get("app_key", "")))
        return secret is not None and signing.verify(
            secret, path, query, body, query.get("sign", "")
        )

    def _api(self, handler: Any, cipher: str) -> Any:
        def view(**kwargs: str) -> Response:
            rejected = self._verify()
            if rejected is not None:
                self.stats.rejected_signatures += 1
                return rejected
            token = request.headers.get("x-tts-access-token", "")
            with self.lock:
                known = token in self.tokens
            shop = self.shop_for_token(token)
            if shop is None:
                return _refuse("expired" if known else "token")
            given = request.args.get("shop_cipher")
            if cipher == "none" and given:
                return _refuse("cipher_extra")
            if cipher == "required" and not given:
                return _refuse("cipher_missing")
            if cipher == "required" and given != shop_cipher(shop):
                return _refuse("cipher_bad")
            return handler(shop, **kwargs)

        return view

    def _verify(self) -> Response | None:
        query = request.args.to_dict()
        if query.get("app_key") not in self.apps:
            return _refuse("app_key")
        if not query.get("sign"):
            return _refuse("no_sign")
        stamp = query.get("timestamp", "")
        if not stamp.isdigit() or abs(self.clock() - int(stamp)) > TIMESTAMP_WINDOW_S:
            return _refuse("timestamp")
        multipart = (request.content_type or "").startswith("multipart/form-data")
        body = None if multipart else request.get_data(as_text=True)
        if not self.signature_ok(request.path, query, body):
            return _refuse("sign")
        return None

    def _token_data(self, shop: str) -> Response:
        access, refresh = self.issue_tokens(shop)
        now = int(self.clock())
        return _ok(
            {
                "access_token": access,
                "access_token_expire_in": now + self.knobs.access_ttl_s,
                "refresh_token": refresh,
                "refresh_token_expire_in": now + self.knobs.refresh_ttl_s,
                "open_id": hashlib.sha256(shop.encode()).hexdigest()[:24],
                "seller_name": f"Shop {shop}",
                "seller_base_region": "VN",
                "user_type": 0,
                "granted_scopes": ["seller.product.basic", "seller.product.write"],
            },
            message="success",
        )

    def _app_ok(self) -> bool:
        key = request.args.get("app_key", "")
        return key in self.apps and request.args.get("app_secret") == self.apps[key]

    def _token_get(self) -> Response:
        if not self._app_ok() or request.args.get("grant_type") != "authorized_code":
            return _error(36004004, "Invalid app_key, app_secret or grant_type.", 400)
        with self.lock:
            shop = self.codes.pop(request.args.get("auth_code", ""), None)  # single use
        if shop is None:
            return _error(36004004, "The auth_code is invalid or expired.", 400)
        return self._token_data(shop)

    def _token_refresh(self) -> Response:
        if not self._app_ok() or request.args.get("grant_type") != "refresh_token":
            return _error(36004004, "Invalid app_key, app_secret or grant_type.", 400)
        with self.lock:
            entry = self.refresh_tokens.get(request.args.get("refresh_token", ""))
        if entry is None or entry["expires_at"] <= self.clock():
            return _error(36004004, "The refresh_token is invalid or expired.", 400)
        return self._token_data(str(entry["shop"]))

    # --- OAuth page ------------------------------------------------------------------------
    def approve(self, authorize_url: str, shop_id: str) -> dict[str, str]:
        """The callback query the authorise page's redirect carries after "Cho phép"."""
        query = {key: values[0] for key, values in parse_qs(urlsplit(authorize_url).query).items()}
        if query.get("service_id") not in self.apps or not query.get("redirect_uri"):
            raise ValueError("unknown service_id or missing redirect_uri")
        params = {"app_key": query["service_id"], "code": self.grant_code(shop_id)}
        params |= {"locale": "vi-VN", "shop_region": "VN"}
        if query.get("state"):
            params["state"] = query["state"]
        return params

    def _authorize(self) -> Response:
        query = request.args.to_dict()
        if query.get("service_id") not in self.apps or not query.get("redirect_uri"):
            return Response(
                "unknown service_id or missing redirect_uri", 400, mimetype="text/plain"
            )
        if request.method == "GET":
            action = html.escape("/open/authorize?" + urlencode(query))
            return Response(PAGE.format(action=action), mimetype="text/html")
        shop_id = request.form.get("shop_id", "").strip()
        if not shop_id:
            return Response("shop_id is required", 400, mimetype="text/plain")
        params = self.approve(request.url, shop_id)
        separator = "&" if "?" in query["redirect_uri"] else "?"
        return redirect(query["redirect_uri"] + separator + urlencode(params))

    # --- shop, warehouses, images ----------------------------------------------------------
    def _shops(self, shop: str) -> Response:
        row = {"id": shop, "name": f"Shop {shop}", "region": "VN", "seller_type": "LOCAL"}
        return _ok({"shops": [{**row, "cipher": shop_cipher(shop), "code": f"VNLC{shop[-6:]}"}]})

    def _warehouses(self, shop: str) -> Response:
        row = {"id": warehouse_id(shop), "name": "Kho chính", "type": "SALES_WAREHOUSE"}
        return _ok({"warehouses": [{**row, "is_default": True, "effect_status": "ENABLED"}]})

    def _image_upload(self, _shop: str) -> Response:
        upload = request.files.get("data")
        data = upload.read() if upload else b""
        code, message, size = _image_check(data)
        if code:
            return _error(code, message, 400)
        uri = f"{IMAGE_PREFIX}/{self.put_image(data)}"
        url = f"{request.host_url}obj/{uri}"
        use_case = request.form.get("use_case", "MAIN_IMAGE")
        return _ok(
            {"uri": uri, "url": url, "width": size[0], "height": size[1], "use_case": use_case}
        )

    def _hosted_image(self, uri: str) -> Response:
        data = self.get_image(uri.rsplit("/", 1)[-1]) if uri.startswith(IMAGE_PREFIX) else None
        return Response(data, mimetype="image/jpeg") if data else Response("not found", 404)

    # --- products --------------------------------------------------------------------------
    def _create(self, shop: str) -> Response:
        body = _json(request.get_data(as_text=True))
        problem = self._problem(shop, body, None)
        if problem:
            return _error(*problem)
        product_id, sku_id = self._new_id(), self._new_id()
        now = int(self.clock())
        item = {"shop": shop, "id": product_id, "product_status": "ACTIVATE", "create_time": now}
        item.update(_stored(body, sku_id, now))
        with self.lock:
            self.items[product_id] = item
        sku = {"id": sku_id, "seller_sku": body["skus"][0]["seller_sku"], "sales_attributes": []}
        return _ok({"product_id": product_id, "skus": [sku], "warnings": []})

    def _edit(self, shop: str, product_id: str) -> Response:
        item = self._own(shop, product_id)
        if item is None:
            return _refuse("not_listed")
        body = _json(request.get_data(as_text=True))
        problem = self._problem(shop, body, item)
        if problem:
            return _error(*problem)
        with self.lock:
            item.update(_stored(body, item["skus"][0]["id"], int(self.clock())))
        sku = {"id": item["skus"][0]["id"], "seller_sku": item["skus"][0]["seller_sku"]}
        return _ok({"product_id": product_id, "skus": [sku], "warnings": []})

    def _get(self, shop: str, product_id: str) -> Response:
        item = self._own(shop, product_id)
        if item is None or item["product_status"] == "DELETED":
            return _error(12019150, "The product ID does not exist.")
        return _ok(self._view(item))

    def _switch(self, shop: str, to: str) -> Response:
        ids = (_json(request.get_data(as_text=True)) or {}).get("product_ids") or []
        if not ids or len(ids) > 20:
            return _error(12019120, "The number of provided product IDs exceeds the limit.")
        errors = []
        for product_id in ids:
            item = self._own(shop, str(product_id))
            if item is None:
                detail = {"product_id": str(product_id)}
                errors.append(
                    {"code": 12052032, "message": "The product does not exist", "detail": detail}
                )
                continue
            with self.lock:
                item["product_status"] = to
        return _ok({"errors": errors})

    def _sku_update(self, shop: str, product_id: str, field: str) -> Response:
        item = self._own(shop, product_id)
        if item is None:
            return _refuse("not_listed")
        rows = (_json(request.get_data(as_text=True)) or {}).get("skus") or []
        if not rows or any(str(row.get("id")) != item["skus"][0]["id"] for row in rows):
            return _error(12052036, "The SKU ID is necessary")
        for row in rows:
            problem = _sku_problem({**item["skus"][0], **row}, shop)
            if problem:
                return _error(*problem)
        with self.lock:
            for row in rows:
                item["skus"][0][field] = row[field]
        return _ok({})

    def _search(self, shop: str) -> Response:
        try:
            size = int(request.args.get("page_size", ""))
        except ValueError:
            size = 0
        if not 1 <= size <= 100:
            return _error(12019109, "page size is invalid")
        wanted = (_json(request.get_data(as_text=True)) or {}).get("seller_skus")
        if wanted is not None and len(wanted) > 10:
            return _error(
                12019027, "The maximum count of “seller_skus” in the search filter is 10."
            )
        rows = [
            item
            for item in self.live_items()
            if item["shop"] == shop and (wanted is None or item["skus"][0]["seller_sku"] in wanted)
        ]
        keys = ("id", "title", "skus", "create_time", "update_time")
        products = [
            {"status": row["product_status"]} | {k: row[k] for k in keys} for row in rows[:size]
        ]
        return _ok({"products": products, "total_count": len(rows), "next_page_token": ""})

    # --- helpers ---------------------------------------------------------------------------
    def _problem(
        self, shop: str, body: dict[str, Any] | None, item: dict[str, Any] | None
    ) -> tuple[int, str] | None:
        if body is None:
            return 36009004, "invalid param: the body is not JSON"
        title = str(body.get("title", "")).strip()
        if not title:
            return 12052261, "product name is empty"
        if not mapping.TITLE_MIN <= len(title) <= mapping.TITLE_MAX:
            return (
                12052051,
                f"The product name must be {mapping.TITLE_MIN}-{mapping.TITLE_MAX} characters",
            )
        description = str(body.get("description", "")).strip()
        if not description:
            return 12052015, "The product description is required"
        if len(description) > mapping.DESCRIPTION_MAX:
            return 12052013, "The product description cannot exceed maximum characters"
        category = CATEGORIES.get(str(body.get("category_id", "")))
        if category is None:
            return 12052023, "Category does not exist"
        uris = [str(image.get("uri", "")) for image in body.get("main_images") or []]
        if not uris:
            return 12052028, "Main product image is required"
        if len(uris) > 9 or not all(self._hosted(uri) for uri in uris):
            return 12019009, "product image list is invalid"
        given = {str(a.get("id")) for a in body.get("product_attributes") or [] if a.get("values")}
        for key in category.required_attributes:
            if ATTRIBUTE_IDS[key] not in given:
                return 12052104, f"property is required: {ATTRIBUTE_IDS[key]}"
        weight = body.get("package_weight") or {}
        try:
            kilograms = float(weight.get("value", 0))
        except (TypeError, ValueError):
            return 12052006, "Incorrect parcel weight format"
        if weight.get("unit") not in ("KILOGRAM", "GRAM") or kilograms <= 0:
            return 12052181, "The package weight of the product can not be zero."
        skus = body.get("skus") or []
        if len(skus) != 1:
            return 12019059, "seller sku is invalid"
        sku = skus[0]
        if item is not None and str(sku.get("id", item["skus"][0]["id"])) != item["skus"][0]["id"]:
            return 12052036, "The SKU ID is necessary"
        other = next(
            (
                row
                for row in self.live_items()
                if row["shop"] == shop and row["skus"][0]["seller_sku"] == sku.get("seller_sku")
            ),
            None,
        )
        if other is not None and (item is None or other["id"] != item["id"]):
            return 12019059, "seller sku is invalid: it is already used by another product"
        return _sku_problem(sku, shop)

    def _hosted(self, uri: str) -> bool:
        prefix, _, image_id = uri.rpartition("/")
        return prefix == IMAGE_PREFIX and self.get_image(image_id) is not None

    def _own(self, shop: str, product_id: str) -> dict[str, Any] | None:
        with self.lock:
            item = self.items.get(product_id)
        return item if item is not None and item["shop"] == shop else None

    def _new_id(self) -> str:
        while True:
            candidate = str(1_729_000_000_000_000_000 + secrets.randbelow(10**15))
            if candidate not in self.items:
                return candidate

    def _view(self, item: dict[str, Any]) -> dict[str, Any]:
        images = [
            {"uri": uri, "urls": [f"{request.host_url}obj/{uri}"], "width": 800, "height": 800}
            for uri in item["main_images"]
        ]
        skus = [
            {
                **sku,
                "price": {
                    "currency": sku["price"]["currency"],
                    "sale_price": sku["price"]["amount"],
                    "tax_exclusive_price": sku["price"]["amount"],
                },
            }
            for sku in item["skus"]
        ]
        view = {key: value for key, value in item.items() if key != "shop"}
        chain = [
            {
                "id": item["category_id"],
                "is_leaf": True,
                "local_name": CATEGORIES[item["category_id"]].name,
            }
        ]
        return {
            **view,
            "main_images": images,
            "skus": skus,
            "category_chains": chain,
            "audit": {"status": "APPROVED"},
        }


def _stored(body: dict[str, Any], sku_id: str, now: int) -> dict[str, Any]:
    sku = body["skus"][0]
    return {
        "title": body["title"].strip(),
        "description": body["description"],
        "category_id": str(body["category_id"]),
        "main_images": [str(image["uri"]) for image in body["main_images"]],
        "skus": [
            {
                "id": sku_id,
                "seller_sku": sku["seller_sku"],
                "price": sku["price"],
                "inventory": sku["inventory"],
            }
        ],
        "package_weight": body["package_weight"],
        "package_dimensions": body.get("package_dimensions"),
        "product_attributes": body.get("product_attributes") or [],
        "update_time": now,
    }


def _sku_problem(sku: dict[str, Any], shop: str) -> tuple[int, str] | None:
    seller_sku = str(sku.get("seller_sku", "")).strip()
    if not seller_sku or len(seller_sku) > mapping.SELLER_SKU_MAX:
        return 12019059, "seller sku is invalid"
    price = sku.get("price") or {}
    if price.get("currency") != mapping.CURRENCY:
        return 12052084, "The provided currency is not available for this shop/region."
    try:
        amount = float(price.get("amount", ""))
    except (TypeError, ValueError):
        return 12052012, "Incorrect price format"
    if not mapping.PRICE_MIN <= amount <= mapping.PRICE_MAX:
        return 12052073, "The product price is invalid"
    inventory = sku.get("inventory") or []
    if not inventory:
        return 12019022, "SKU must contain a valid warehouse."
    for row in inventory:
        if str(row.get("warehouse_id")) != warehouse_id(shop):
            return 12052097, "The warehouse does not exist"
        if (
            not isinstance(row.get("quantity"), int)
            or not 0 <= row["quantity"] <= mapping.STOCK_MAX
        ):
            return (
                12052055,
                "The SKU inventory quantity for the warehouse must be within allowed limits.",
            )
    return None


def _image_check(data: bytes) -> tuple[int, str, tuple[int, int]]:
    if not data:
        return (
            12038002,
            "Invalid upload file. Please ensure you are passing the correct file data.",
            (0, 0),
        )
    if len(data) > 5 * 1024 * 1024:
        return 12038005, "The file size exceeds the maximum allowed size.", (0, 0)
    try:
        with Image.open(io.BytesIO(data)) as im:
            kind, size = im.format, im.size
    except (OSError, ValueError):
        kind, size = None, (0, 0)
    if kind not in ("JPEG", "PNG", "WEBP"):
        return 12038015, "Failed to process the image. Supported formats: JPG, PNG, WEBP", size
    if min(size) < 300 or max(size) > 4000:
        return (
            12038014,
            "The image dimensions exceed the allowed limits. Allowed dimensions: 300 x 300 to 4000 x 4000",
            size,
        )
    return 0, "", size


def _json(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text or "")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _ok(data: Any, *, message: str = "Success") -> Response:
    return jsonify({"code": 0, "message": message, "data": data, "request_id": _request_id()})


def _error(code: int, message: str, status: int = 200) -> Response:
    response = jsonify(
        {"code": code, "message": message, "data": None, "request_id": _request_id()}
    )
    response.status_code = status
    return response


def _refuse(key: str) -> Response:
    code, status, message = REFUSALS[key]
    return _error(code, message, status)


def _request_id() -> str:
    return secrets.token_hex(17).upper()
