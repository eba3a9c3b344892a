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
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, request

from ..tiktok import signing
from ..tiktok.categories import CATEGORIES
from .base import ChannelSandbox
from .common import callback_redirect, query_params, whole_seconds
from .tiktok_rules import (
    error,
    image_check,
    json_object,
    ok,
    product_problem,
    refuse,
    shop_cipher,
    sku_problem,
    stored,
    warehouse_id,
)

TIMESTAMP_WINDOW_S = 300
V = "/product/202309"
IMAGE_PREFIX = "tos-alisg-i-ocopsandbox-vn"

PAGE = """<!doctype html><html lang="vi"><meta charset="utf-8"><title>TikTok Shop - Ủy quyền</title>
<body style="font-family:sans-serif;max-width:28rem;margin:3rem auto">
<h1>TikTok Shop Seller Center (sandbox)</h1><p>Cho phép Chợ OCOP quản lý shop?</p>
<form method="post" action="{action}"><label>Mã shop (shop id)
<input name="shop_id" required></label> <button type="submit">Cho phép</button></form>"""


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
        response = error(36009002, "Too many requests. Please retry later.", 429)
        response.headers["Retry-After"] = str(whole_seconds(retry_after))
        return response

    def server_error(self) -> Response:
        return error(36009003, "Internal system error. Please try again later.", 500)

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
                return refuse("expired" if known else "token")
            given = request.args.get("shop_cipher")
            if cipher == "none" and given:
                return refuse("cipher_extra")
            if cipher == "required" and not given:
                return refuse("cipher_missing")
            if cipher == "required" and given != shop_cipher(shop):
                return refuse("cipher_bad")
            return handler(shop, **kwargs)

        return view

    def _verify(self) -> Response | None:
        query = request.args.to_dict()
        if query.get("app_key") not in self.apps:
            return refuse("app_key")
        if not query.get("sign"):
            return refuse("no_sign")
        stamp = query.get("timestamp", "")
        if not stamp.isdigit() or abs(self.clock() - int(stamp)) > TIMESTAMP_WINDOW_S:
            return refuse("timestamp")
        multipart = (request.content_type or "").startswith("multipart/form-data")
        body = None if multipart else request.get_data(as_text=True)
        if not self.signature_ok(request.path, query, body):
            return refuse("sign")
        return None

    def _token_data(self, shop: str) -> Response:
        access, refresh = self.issue_tokens(shop)
        now = int(self.clock())
        return ok(
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
            return error(36004004, "Invalid app_key, app_secret or grant_type.", 400)
        with self.lock:
            shop = self.codes.pop(request.args.get("auth_code", ""), None)  # single use
        if shop is None:
            return error(36004004, "The auth_code is invalid or expired.", 400)
        return self._token_data(shop)

    def _token_refresh(self) -> Response:
        if not self._app_ok() or request.args.get("grant_type") != "refresh_token":
            return error(36004004, "Invalid app_key, app_secret or grant_type.", 400)
        entry = self.take_refresh(request.args.get("refresh_token", ""))
        if entry is None:
            return error(36004004, "The refresh_token is invalid or expired.", 400)
        return self._token_data(str(entry["shop"]))

    # --- OAuth page ------------------------------------------------------------------------
    def approve(self, authorize_url: str, shop_id: str) -> dict[str, str]:
        """The callback query the authorise page's redirect carries after "Cho phép"."""
        query = query_params(authorize_url)
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
        return callback_redirect(query["redirect_uri"], self.approve(request.url, shop_id))

    # --- shop, warehouses, images ----------------------------------------------------------
    def _shops(self, shop: str) -> Response:
        row = {"id": shop, "name": f"Shop {shop}", "region": "VN", "seller_type": "LOCAL"}
        return ok({"shops": [{**row, "cipher": shop_cipher(shop), "code": f"VNLC{shop[-6:]}"}]})

    def _warehouses(self, shop: str) -> Response:
        row = {"id": warehouse_id(shop), "name": "Kho chính", "type": "SALES_WAREHOUSE"}
        return ok({"warehouses": [{**row, "is_default": True, "effect_status": "ENABLED"}]})

    def _image_upload(self, _shop: str) -> Response:
        upload = request.files.get("data")
        data = upload.read() if upload else b""
        code, message, size = image_check(data)
        if code:
            return error(code, message, 400)
        uri = f"{IMAGE_PREFIX}/{self.put_image(data)}"
        url = f"{request.host_url}obj/{uri}"
        use_case = request.form.get("use_case", "MAIN_IMAGE")
        return ok(
            {"uri": uri, "url": url, "width": size[0], "height": size[1], "use_case": use_case}
        )

    def _hosted_image(self, uri: str) -> Response:
        data = self.get_image(uri.rsplit("/", 1)[-1]) if uri.startswith(IMAGE_PREFIX) else None
        return Response(data, mimetype="image/jpeg") if data else Response("not found", 404)

    # --- products --------------------------------------------------------------------------
    def _create(self, shop: str) -> Response:
        body = json_object(request.get_data(as_text=True))
        problem = product_problem(shop, body, None, self._hosted, self._sku_owner(shop))
        if problem:
            return error(*problem)
        product_id, sku_id = (
            self.new_item_id(1_729_000_000_000_000_000, 10**15),
            self.new_item_id(1_729_000_000_000_000_000, 10**15),
        )
        now = int(self.clock())
        item = {"shop": shop, "id": product_id, "product_status": "ACTIVATE", "create_time": now}
        item.update(stored(body, sku_id, now))
        with self.lock:
            self.items[product_id] = item
        sku = {"id": sku_id, "seller_sku": body["skus"][0]["seller_sku"], "sales_attributes": []}
        return ok({"product_id": product_id, "skus": [sku], "warnings": []})

    def _edit(self, shop: str, product_id: str) -> Response:
        item = self.shop_item(shop, product_id)
        if item is None:
            return refuse("not_listed")
        body = json_object(request.get_data(as_text=True))
        problem = product_problem(shop, body, item, self._hosted, self._sku_owner(shop))
        if problem:
            return error(*problem)
        with self.lock:
            item.update(stored(body, item["skus"][0]["id"], int(self.clock())))
        sku = {"id": item["skus"][0]["id"], "seller_sku": item["skus"][0]["seller_sku"]}
        return ok({"product_id": product_id, "skus": [sku], "warnings": []})

    def _get(self, shop: str, product_id: str) -> Response:
        item = self.shop_item(shop, product_id)
        if item is None or item["product_status"] == "DELETED":
            return error(12019150, "The product ID does not exist.")
        return ok(self._view(item))

    def _switch(self, shop: str, to: str) -> Response:
        ids = (json_object(request.get_data(as_text=True)) or {}).get("product_ids") or []
        if not ids or len(ids) > 20:
            return error(12019120, "The number of provided product IDs exceeds the limit.")
        errors = []
        for product_id in ids:
            item = self.shop_item(shop, str(product_id))
            if item is None:
                detail = {"product_id": str(product_id)}
                errors.append(
                    {"code": 12052032, "message": "The product does not exist", "detail": detail}
                )
                continue
            with self.lock:
                item["product_status"] = to
        return ok({"errors": errors})

    def _sku_update(self, shop: str, product_id: str, field: str) -> Response:
        item = self.shop_item(shop, product_id)
        if item is None:
            return refuse("not_listed")
        rows = (json_object(request.get_data(as_text=True)) or {}).get("skus") or []
        if not rows or any(str(row.get("id")) != item["skus"][0]["id"] for row in rows):
            return error(12052036, "The SKU ID is necessary")
        for row in rows:
            problem = sku_problem({**item["skus"][0], **row}, shop)
            if problem:
                return error(*problem)
        with self.lock:
            for row in rows:
                item["skus"][0][field] = row[field]
        return ok({})

    def _search(self, shop: str) -> Response:
        try:
            size = int(request.args.get("page_size", ""))
        except ValueError:
            size = 0
        if not 1 <= size <= 100:
            return error(12019109, "page size is invalid")
        wanted = (json_object(request.get_data(as_text=True)) or {}).get("seller_skus")
        if wanted is not None and len(wanted) > 10:
            return error(12019027, "The maximum count of “seller_skus” in the search filter is 10.")
        rows = [
            item
            for item in self.live_items()
            if item["shop"] == shop and (wanted is None or item["skus"][0]["seller_sku"] in wanted)
        ]
        keys = ("id", "title", "skus", "create_time", "update_time")
        products = [
            {"status": row["product_status"]} | {k: row[k] for k in keys} for row in rows[:size]
        ]
        return ok({"products": products, "total_count": len(rows), "next_page_token": ""})

    # --- helpers ---------------------------------------------------------------------------
    def _hosted(self, uri: str) -> bool:
        prefix, _, image_id = uri.rpartition("/")
        return prefix == IMAGE_PREFIX and self.get_image(image_id) is not None

    def _sku_owner(self, shop: str) -> Callable[[str], str | None]:
        """The product id of the shop's product carrying a seller SKU, if any."""

        def owner(seller_sku: str) -> str | None:
            for row in self.live_items():
                if row["shop"] == shop and row["skus"][0]["seller_sku"] == seller_sku:
                    return str(row["id"])
            return None

        return owner

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
