"""Lazada Open Platform simulator: signed calls, OAuth, image hosting, products.

Enforced as the real platform does: the UPPER hex HMAC-SHA256 signature over the path and
every text parameter (``payload`` included, uploaded files excluded), a 7200 s timestamp
window, access-token expiry, the ``ApiCallLimit`` answer (HTTP 200) when over the rate,
required product fields and category attributes, length limits, images that must be hosted
here (``/image/upload`` returns ``/p/<id>.jpg`` on this server), seller-SKU uniqueness.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Flask, Response, request

from ..lazada import signing
from .base import ChannelSandbox
from .common import callback_redirect, oauth_problem, query_params, whole_seconds
from .lazada_rules import (
    IMAGE_PATH,
    NOT_FOUND,
    error,
    first_sku,
    image_id,
    image_problem,
    number_problems,
    ok,
    payload,
    product_problems,
    stored_sku,
)

TIMESTAMP_WINDOW_S = 7200
_FILTERS = {
    "all",
    "live",
    "inactive",
    "deleted",
    "image-missing",
    "pending",
    "rejected",
    "sold-out",
}

PAGE = """<!doctype html><html lang="vi"><meta charset="utf-8"><title>Lazada - Ủy quyền</title>
<body style="font-family:sans-serif;max-width:28rem;margin:3rem auto">
<h1>Lazada Seller Center (sandbox)</h1><p>Cho phép Chợ OCOP quản lý shop?</p>
<form method="post" action="{action}"><label>Mã shop (seller id)
<input name="shop_id" required value="{shop}"></label>
<button type="submit">Cho phép</button></form></body></html>"""


class LazadaSandbox(ChannelSandbox):
    """Lazada Vietnam's seller API, on loopback."""

    code = "lazada"
    name = "Lazada"
    chaos_exempt = ("/oauth/authorize", "/p/")

    # --- Flask wiring --------------------------------------------------------------------
    def routes(self, app: Flask) -> None:
        app.add_url_rule("/oauth/authorize", "authorize", self._authorize, methods=["GET", "POST"])
        app.add_url_rule("/p/<name>", "hosted_image", self._hosted_image)
        api = {
            "/auth/token/create": (self._token_create, False),
            "/auth/token/refresh": (self._token_refresh, False),
            "/image/upload": (self._image_upload, True),
            "/product/create": (self._product_create, True),
            "/product/update": (self._product_update, True),
            "/product/price_quantity/update": (self._price_quantity, True),
            "/product/deactivate": (self._deactivate, True),
            "/product/item/get": (self._item_get, True),
            "/products/get": (self._products_get, True),
        }
        for path, (handler, auth) in api.items():
            app.add_url_rule(
                path, path, self._api(handler, path, auth=auth), methods=["GET", "POST"]
            )

    def rate_key(self) -> str:
        return str(request.values.get("app_key", "app"))

    def rate_limited(self, retry_after: float) -> Response:
        seconds = whole_seconds(retry_after)
        return error(
            "ApiCallLimit",
            "The request has exceeded the limit, please retry later. "
            f"This ban will last {seconds} seconds",
            kind="ISP",
        )

    def server_error(self) -> Response:
        return error("InternalError", "The request has failed due to an internal error", 500, "ISP")

    def public_view(self, item: dict[str, Any]) -> dict[str, Any]:
        sku = item["skus"][0]
        return {
            "name": item["attributes"].get("name", ""),
            "price_vnd": int(float(sku["price"])),
            "stock": int(sku["quantity"]),
            "status": "live" if item["status"] == "Active" else "inactive",
            "image_ids": [image_id(url) for url in item["images"]],
        }

    # --- signatures ------------------------------------------------------------------------
    def signature_ok(self, api_path: str, params: dict[str, str]) -> bool:
        """Whether ``params`` carry the right sign for ``api_path`` (test vectors use this)."""
        secret = self.apps.get(str(params.get("app_key", "")))
        return secret is not None and signing.verify(
            secret, api_path, params, params.get("sign", "")
        )

    def _api(self, handler: Any, path: str, *, auth: bool) -> Any:
        def view() -> Response:
            params = {key: request.values[key] for key in request.values}
            rejected = self._verify(path, params)
            if rejected is not None:
                self.stats.rejected_signatures += 1
                return rejected
            shop = None
            if auth:
                shop = self.shop_for_token(params.get("access_token", ""))
                if shop is None:
                    return error(
                        "IllegalAccessToken", "The specified access token is invalid or expired"
                    )
            return handler(shop, params)

        return view

    def _verify(self, path: str, params: dict[str, str]) -> Response | None:
        if params.get("app_key") not in self.apps:
            return error("InvalidAppKey", "Specified app key is invalid")
        if params.get("sign_method", "sha256") != signing.SIGN_METHOD:
            return error("InvalidSignMethod", "Specified signature method is not supported")
        try:
            stamp = int(params.get("timestamp", "")) / 1000
        except ValueError:
            return error("InvalidTimestamp", "Timestamp is invalid")
        if abs(self.clock() - stamp) > TIMESTAMP_WINDOW_S:
            return error("InvalidTimestamp", "Timestamp is out of the 7200 seconds window")
        if not self.signature_ok(path, params):
            return error(
                "IncompleteSignature",
                "The request signature does not conform to platform standards",
            )
        return None

    # --- OAuth -----------------------------------------------------------------------------
    def approve(self, authorize_url: str, shop_id: str) -> dict[str, str]:
        """The callback query the authorise page's redirect carries after "Cho phép"."""
        query = query_params(authorize_url)
        problem = oauth_problem(query, self.apps)
        if problem:
            raise ValueError(problem)
        params = {"code": self.grant_code(shop_id)}
        if query.get("state"):
            params["state"] = query["state"]
        return params

    def _authorize(self) -> Response:
        query = request.args.to_dict()
        problem = oauth_problem(query, self.apps)
        if problem:
            return Response(html.escape(problem), status=400, mimetype="text/plain")
        if request.method == "GET":
            action = html.escape("/oauth/authorize?" + urlencode(query))
            return Response(PAGE.format(action=action, shop=""), mimetype="text/html")
        shop_id = request.form.get("shop_id", "").strip()
        if not shop_id:
            return Response("shop_id is required", status=400, mimetype="text/plain")
        return callback_redirect(query["redirect_uri"], self.approve(request.url, shop_id))

    def _token_body(self, shop: str) -> Response:
        access, refresh = self.issue_tokens(shop)
        return ok(
            {
                "access_token": access,
                "refresh_token": refresh,
                "expires_in": self.knobs.access_ttl_s,
                "refresh_expires_in": self.knobs.refresh_ttl_s,
                "account": f"{shop}@sandbox.lazada.vn",
                "account_platform": "seller_center",
                "country": "vn",
                "country_user_info": [
                    {"country": "vn", "seller_id": shop, "user_id": shop, "short_code": f"VN{shop}"}
                ],
            },
            wrap=False,
        )

    def _token_create(self, _shop: None, params: dict[str, str]) -> Response:
        with self.lock:
            shop = self.codes.pop(params.get("code", ""), None)  # codes are single-use
        if shop is None:
            return error("InvalidCode", "Invalid authorization code")
        return self._token_body(shop)

    def _token_refresh(self, _shop: None, params: dict[str, str]) -> Response:
        entry = self.take_refresh(params.get("refresh_token", ""))
        if entry is None:
            return error("IllegalRefreshToken", "The specified refresh token is invalid or expired")
        return self._token_body(str(entry["shop"]))

    # --- images ----------------------------------------------------------------------------
    def _image_upload(self, _shop: str, _params: dict[str, str]) -> Response:
        upload = request.files.get("image")
        data = upload.read() if upload else b""
        problem = image_problem(data)
        if problem:
            return error("500", problem, detail=[{"field": "image", "message": problem}])
        image_id = self.put_image(data)
        url = f"{request.host_url}p/{image_id}.jpg"
        return ok({"image": {"hash_code": image_id, "url": url}})

    def _hosted_image(self, name: str) -> Response:
        data = self.get_image(name.removesuffix(".jpg"))
        if data is None:
            return Response("not found", status=404)
        return Response(data, mimetype="image/jpeg")

    def _hosted(self, url: str) -> bool:
        parts = urlsplit(str(url))
        match = IMAGE_PATH.match(parts.path)
        return bool(match and parts.netloc == request.host and self.get_image(match.group(1)))

    # --- products --------------------------------------------------------------------------
    def _product_create(self, shop: str, params: dict[str, str]) -> Response:
        product = payload(params.get("payload"))
        if product is None:
            return error("1001", "The parameters are not in JSON format")
        sku = first_sku(product)
        details = product_problems(product, self._hosted, self._sku_taken(shop))
        if details:
            return error("500", details[0]["message"], kind="ISP", detail=details)
        item_id, sku_id = (
            self.new_item_id(3_000_000_000, 6_000_000_000),
            self.new_item_id(3_000_000_000, 6_000_000_000),
        )
        now = str(int(self.clock() * 1000))
        item = {
            "shop": shop,
            "item_id": item_id,
            "primary_category": str(product["PrimaryCategory"]),
            "attributes": dict(product["Attributes"]),
            "images": list(product["Images"]["Image"]),
            "skus": [stored_sku(sku, item_id, sku_id)],
            "status": "Active" if sku.get("Status", "active") == "active" else "InActive",
            "created_time": now,
            "updated_time": now,
        }
        with self.lock:
            self.items[item_id] = item
        sku_list = [
            {
                "shop_sku": item["skus"][0]["ShopSku"],
                "seller_sku": sku["SellerSku"],
                "sku_id": int(sku_id),
            }
        ]
        return ok({"item_id": int(item_id), "sku_list": sku_list})

    def _product_update(self, shop: str, params: dict[str, str]) -> Response:
        product = payload(params.get("payload"))
        if product is None:
            return error("1001", "The parameters are not in JSON format")
        item = self.shop_item(shop, str(product.get("ItemId", "")))
        if item is None:
            return error(NOT_FOUND, "Product not found")
        merged = {
            "PrimaryCategory": product.get("PrimaryCategory") or item["primary_category"],
            "Images": product.get("Images") or {"Image": item["images"]},
            "Attributes": {**item["attributes"], **(product.get("Attributes") or {})},
            # SKU fields left out keep their stored values
            "Skus": {"Sku": [{**item["skus"][0], **first_sku(product)}]},
        }
        details = product_problems(merged, self._hosted, self._sku_taken(shop, item))
        if details:
            return error("500", details[0]["message"], kind="ISP", detail=details)
        sku = first_sku(merged)
        with self.lock:
            old = item["skus"][0]
            item.update(
                primary_category=str(merged["PrimaryCategory"]),
                attributes=dict(merged["Attributes"]),
                images=list(merged["Images"]["Image"]),
                skus=[stored_sku({**old, **sku}, item["item_id"], old["SkuId"])],
                updated_time=str(int(self.clock() * 1000)),
            )
            if "Status" in sku:
                item["status"] = "Active" if sku["Status"] == "active" else "InActive"
        return ok(None)

    def _price_quantity(self, shop: str, params: dict[str, str]) -> Response:
        product = payload(params.get("payload"))
        if product is None:
            return error("1001", "The parameters are not in JSON format")
        rows = (product.get("Skus") or {}).get("Sku") or []
        details: list[dict[str, str]] = []
        for row in rows:
            item = self.shop_item(shop, str(row.get("ItemId", "")))
            if (
                item is None
                or str(row.get("SkuId", item["skus"][0]["SkuId"])) != item["skus"][0]["SkuId"]
            ):
                return error(NOT_FOUND, "Product not found")
            details += number_problems(row, {"Price": 1, "Quantity": 0})
        if not rows or details:
            details = details or [{"field": "Skus", "message": "Skus.Sku is required"}]
            return error("500", details[0]["message"], kind="ISP", detail=details)
        with self.lock:
            for row in rows:
                sku = self.items[str(row["ItemId"])]["skus"][0]
                if "Price" in row:
                    sku["price"] = str(row["Price"])
                if "Quantity" in row:
                    sku["quantity"] = str(int(float(row["Quantity"])))
        return ok(None)

    def _deactivate(self, shop: str, params: dict[str, str]) -> Response:
        product = payload(params.get("apiRequestBody"))
        if product is None:
            return error("1001", "The parameters are not in JSON format")
        item = self.shop_item(shop, str(product.get("ItemId", "")))
        if item is None:
            return error(NOT_FOUND, "Product not found")
        with self.lock:
            item["status"] = "InActive"
            item["skus"][0]["Status"] = "inactive"
        return ok(None)

    def _item_get(self, shop: str, params: dict[str, str]) -> Response:
        item = self.shop_item(shop, params.get("item_id", ""))
        if item is None and params.get("seller_sku"):
            item = self._by_seller_sku(shop, params["seller_sku"])
        if item is None:
            return error(NOT_FOUND, "Product not found")
        return ok(self._view(item))

    def _products_get(self, shop: str, params: dict[str, str]) -> Response:
        wanted = params.get("filter", "")
        if wanted not in _FILTERS:
            return error("MissingParameter", "The input parameter filter is invalid or missing")
        try:
            skus = (
                set(json.loads(params["sku_seller_list"]))
                if params.get("sku_seller_list")
                else None
            )
            offset, limit = int(params.get("offset", 0)), min(int(params.get("limit", 20)), 50)
        except (ValueError, TypeError):
            return error("InvalidParameter", "The input parameter is invalid")
        rows = [
            item
            for item in self.live_items()
            if item["shop"] == shop
            and (skus is None or item["skus"][0]["SellerSku"] in skus)
            and (wanted == "all" or (wanted == "live") == (item["status"] == "Active"))
        ]
        page = [self._view(item) for item in rows[offset : offset + limit]]
        return ok({"total_products": len(rows), "products": page})

    # --- helpers ---------------------------------------------------------------------------
    def _sku_taken(self, shop: str, item: dict[str, Any] | None = None) -> Callable[[str], bool]:
        """Whether another item of the shop than ``item`` already carries a seller SKU."""

        def taken(seller_sku: str) -> bool:
            other = self._by_seller_sku(shop, seller_sku)
            return other is not None and (item is None or other["item_id"] != item["item_id"])

        return taken

    def _by_seller_sku(self, shop: str, seller_sku: str) -> dict[str, Any] | None:
        with self.lock:
            for item in self.items.values():
                if item["shop"] == shop and item["skus"][0]["SellerSku"] == seller_sku:
                    return item
        return None

    def _view(self, item: dict[str, Any]) -> dict[str, Any]:
        url = self.item_url(request.host_url, item["item_id"])
        skus = [{**sku, "Url": url, "Images": item["images"]} for sku in item["skus"]]
        view = {key: value for key, value in item.items() if key != "shop"}
        return {**view, "item_id": int(item["item_id"]), "skus": skus}
