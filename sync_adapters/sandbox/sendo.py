"""Sendo simulator: key login for 8-hour tokens, ``id=0`` product create/replace, the
``variant-price`` update, an image host, and Sendo's envelope
``{"result", "success", "statusCode", "error": {"message", "error_details"}}``.

``apps`` maps shop key -> secret key; a token's shop is the shop key unless the keys came from
the sandbox's copy of the seller-centre keys page (``/cau-hinh/api``, or ``approve``), which
ties new keys to the shop id typed there. Products are approved at once (status 2) unless
their name carries ``TEST-REJECT`` (status 3, rejected), so both outcomes can be tested.
"""

from __future__ import annotations

import functools
import html
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from flask import Flask, Response, jsonify, request

from ..common import slug
from ..sendo import mapping
from ..sendo.categories import CATEGORIES
from .base import ChannelSandbox, Knobs
from .common import sandbox_image_id, whole_seconds

_KEYS_PATH = "/cau-hinh/api"
_PAGE = """<!doctype html><html lang="vi"><meta charset="utf-8"><title>Sendo - Kết nối API</title>
<h1>Sendo · Kết nối API</h1><p>Cho phép Chợ OCOP quản lý shop?</p>{body}</html>"""
_FORM = """<form method="post"><label>Mã shop <input name="shop_id" required></label>
<button type="submit">Cho phép</button></form>"""
_REJECT_MARKER = "TEST-REJECT"


class SendoSandbox(ChannelSandbox):
    """Loopback Sendo Open API."""

    code = "sendo"
    name = "Sendo"
    chaos_exempt = (_KEYS_PATH,)

    def __init__(
        self,
        knobs: Knobs | None = None,
        *,
        apps: dict[str, str] | None = None,
        state_dir: Path | None = None,
    ):
        self.shop_of_key: dict[str, str] = {}  # shop key -> shop id (keys made on the page)
        self.next_product_id = 30_000_001
        # Sendo's token lasts 8 hours ("Token sẽ hết hiệu lực trong vòng 8 giờ").
        super().__init__(knobs or Knobs(access_ttl_s=8 * 3600), apps=apps, state_dir=state_dir)

    # --- base hooks ------------------------------------------------------------------------
    def extra_state(self) -> dict[str, Any]:
        """Keys made on the keys page, and the id counter."""
        with self.lock:
            return {
                "apps": self.apps,
                "shop_of_key": self.shop_of_key,
                "next_product_id": self.next_product_id,
            }

    def load_extra_state(self, state: dict[str, Any]) -> None:
        """Restore what ``extra_state`` saved."""
        self.apps.update(state.get("apps", {}))
        self.shop_of_key = dict(state.get("shop_of_key", {}))
        self.next_product_id = int(state.get("next_product_id", self.next_product_id))

    def rate_limited(self, retry_after: float) -> Response:
        response = _envelope(429, message="Quá nhiều yêu cầu, vui lòng thử lại sau")
        response.headers["Retry-After"] = str(whole_seconds(retry_after))
        return response

    def server_error(self) -> Response:
        return _envelope(500, message="Hệ thống đang bận, vui lòng thử lại sau")

    def public_view(self, item: dict[str, Any]) -> dict[str, Any]:
        urls = [item["product_image"], *(p["picture_url"] for p in item["pictures"])]
        ids = [i for i in map(sandbox_image_id, urls) if i]
        live = item["status"] == 2 and item["stock_availability"]
        return {
            "name": item["name"],
            "price_vnd": item["price"],
            "stock": item["stock_quantity"],
            "status": "live" if live else ("rejected" if item["status"] == 3 else "inactive"),
            "image_ids": list(dict.fromkeys(ids)),
        }

    # --- test helpers ----------------------------------------------------------------------
    def approve(self, authorize_url: str, shop_id: str) -> dict[str, str]:
        """What the keys page hands the seller for ``shop_id``: ``shop_key``, ``secret_key``."""
        if urlparse(authorize_url).path != _KEYS_PATH:
            raise ValueError("not the Sendo keys page")
        return self._new_keys(shop_id)

    def _new_keys(self, shop_id: str) -> dict[str, str]:
        shop_key, secret_key = secrets.token_hex(16), secrets.token_hex(16)
        with self.lock:
            self.apps[shop_key] = secret_key
            self.shop_of_key[shop_key] = shop_id
        return {"shop_key": shop_key, "secret_key": secret_key}

    # --- routes ----------------------------------------------------------------------------
    def routes(self, app: Flask) -> None:
        app.add_url_rule(_KEYS_PATH, "sendo_keys", self._keys_page, methods=["GET", "POST"])
        app.add_url_rule("/login", "sendo_login", self._login, methods=["POST"])
        api: list[tuple[str, Callable[..., Response], list[str]]] = [
            ("/api/partner/upload-image", self._upload, ["POST"]),
            ("/api/partner/product", self._get, ["GET"]),
            ("/api/partner/product", self._save_product, ["POST"]),
            ("/api/partner/product/config/variant-price", self._price_stock, ["PUT"]),
        ]
        for rule, view, methods in api:
            app.add_url_rule(rule, f"sendo{view.__name__}", self._authed(view), methods=methods)

    def _authed(self, view: Callable[..., Response]) -> Callable[..., Response]:
        """``Authorization: bearer <token>`` -> shop, else 401 in Sendo's envelope."""

        @functools.wraps(view)
        def wrapper(**kwargs: Any) -> Response:
            shop = self.bearer_shop()
            if shop is None:
                return _envelope(401, message="Token không hợp lệ hoặc đã hết hạn")
            return view(shop, **kwargs)

        return wrapper

    def _keys_page(self) -> Response:
        if request.method == "GET":
            return Response(_PAGE.format(body=_FORM), mimetype="text/html")
        shop_id = request.form.get("shop_id", "").strip()
        if not shop_id:
            return Response(
                _PAGE.format(body="<p>Nhập mã shop.</p>" + _FORM), 400, mimetype="text/html"
            )
        keys = self._new_keys(shop_id)
        shown = "".join(f"<p>{k}: <code>{html.escape(v)}</code></p>" for k, v in keys.items())
        return Response(_PAGE.format(body=shown), mimetype="text/html")

    def _login(self) -> Response:
        body = request.get_json(silent=True) or {}
        shop_key, secret_key = str(body.get("shop_key", "")), str(body.get("secret_key", ""))
        if not shop_key or self.apps.get(shop_key) != secret_key:
            self.stats.rejected_signatures += 1  # Sendo signs nothing: the key pair is the check
            return _envelope(400, message="Shop key hoặc secret key không đúng")
        access, refresh = self.issue_tokens(self.shop_of_key.get(shop_key, shop_key))
        with self.lock:
            self.refresh_tokens.pop(refresh, None)  # Sendo has no refresh token
            expires = self.tokens[access]["expires_at"]
        stamp = datetime.fromtimestamp(expires, UTC).isoformat().replace("+00:00", "Z")
        return _envelope(200, result={"token": access, "expires": stamp})

    def _upload(self, shop: str) -> Response:
        file = request.files.get("file") or request.files.get("image")
        url = self.host_photo(file.read() if file else b"")
        if url is None:
            return _envelope(
                400, message="File không phải hình ảnh", details=[("file", "Không đọc được ảnh")]
            )
        return _envelope(200, result=url)

    def _get(self, shop: str) -> Response:
        key, value = (
            ("id", request.args["id"])
            if request.args.get("id")
            else ("sku", request.args.get("sku", ""))
        )
        item = self._find(shop, key, value)
        if item is None or item["status"] == 5:
            return _envelope(404, message="Không tìm thấy sản phẩm")
        return _envelope(200, result={k: v for k, v in item.items() if k != "shop"})

    def _save_product(self, shop: str) -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return _envelope(400, message="Dữ liệu không hợp lệ", details=[("body", "JSON object")])
        product_id = int(body.get("id") or 0)
        current = self._find(shop, "id", str(product_id)) if product_id else None
        if product_id and current is None:
            return _envelope(404, message="Không tìm thấy sản phẩm")
        if current is not None and current["status"] in (1, 4, 5):
            return _envelope(
                400,
                message="Sản phẩm ở trạng thái này không được cập nhật",
                details=[("id", "status 1/4/5")],
            )
        errors = mapping.payload_errors(body, CATEGORIES)
        for prop, url in _image_urls(body):
            image_id = sandbox_image_id(url)
            if image_id is None or self.get_image(image_id) is None:
                errors.append((prop, f"Ảnh phải được tải lên Sendo trước: {url}"))
        same_sku = self._find(shop, "sku", str(body.get("sku", "")))
        if same_sku is not None and same_sku["id"] != product_id:
            errors.append(("sku", "Mã sản phẩm (sku) đã tồn tại trong shop"))
        if errors:
            return _envelope(400, message="Dữ liệu sản phẩm không hợp lệ", details=errors)
        with self.lock:
            if current is None:
                product_id, self.next_product_id = self.next_product_id, self.next_product_id + 1
            item = self._stored(shop, product_id, body, current)
            if current is not None:
                current.update(item)  # in place: views holding the product see the change
            else:
                self.items[str(product_id)] = item
        return _envelope(200, result=product_id)

    def _stored(
        self, shop: str, product_id: int, body: dict[str, Any], current: dict[str, Any] | None
    ) -> dict[str, Any]:
        now = int(self.clock())
        keep = (
            "id",
            "name",
            "sku",
            "price",
            "weight",
            "stock_quantity",
            "stock_availability",
            "description",
            "cat_4_id",
            "unit_id",
            "length",
            "width",
            "height",
            "product_image",
            "pictures",
            "attributes",
        )
        item = {k: body.get(k) for k in keep}
        rejected = _REJECT_MARKER in str(body.get("name", ""))
        item.update(
            id=product_id,
            status=3 if rejected else 2,  # Sendo: 2 đã duyệt, 3 từ chối
            shop=shop,
            url_path=f"{slug(str(body['name']))}-{product_id}.html",
            created_date_timestamp=current["created_date_timestamp"] if current else now,
            updated_date_timestamp=now,
        )
        return item

    def _price_stock(self, shop: str) -> Response:
        entries = request.get_json(silent=True)
        if not isinstance(entries, list):
            return _envelope(400, message="Dữ liệu phải là một mảng", details=[("body", "array")])
        error_list = []
        for entry in entries:
            item = self._find(shop, "id", str(entry.get("product_id")))
            problems = mapping.stock_errors(entry)
            price = entry.get("price")
            if (
                not isinstance(price, int | float)
                or not mapping.PRICE_MIN <= price <= mapping.PRICE_MAX
            ):
                problems.append(
                    ("price", f"Giá phải từ {mapping.PRICE_MIN} đến {mapping.PRICE_MAX}")
                )
            if item is None:
                problems = [("product_id", "Không tìm thấy sản phẩm")]
            if problems:
                error_list += [
                    {"product_id": entry.get("product_id"), "message": m} for _, m in problems
                ]
                continue
            with self.lock:
                item["price"] = price
                item["stock_quantity"] = entry["stock_quantity"]
                item["stock_availability"] = bool(entry.get("stock_availability"))
                item["updated_date_timestamp"] = int(self.clock())
        return _envelope(200, result={"error_list": error_list})

    def _find(self, shop: str, key: str, value: str) -> dict[str, Any] | None:
        with self.lock:
            for item in self.items.values():
                if item["shop"] == shop and str(item[key]) == value and value:
                    return item
        return None


def _image_urls(body: dict[str, Any]) -> list[tuple[str, str]]:
    urls = [("product_image", str(body.get("product_image") or ""))]
    urls += [("pictures", str(p.get("picture_url") or "")) for p in body.get("pictures") or []]
    return urls


def _envelope(
    status: int,
    *,
    result: Any = None,
    message: str = "",
    details: list[tuple[str, str]] | None = None,
) -> Response:
    """Sendo's answer: ``statusCode`` mirrors the HTTP status."""
    error = None
    if status >= 400:
        error = {
            "message": message,
            "error_details": [{"property_name": p, "message": m} for p, m in details or []],
        }
    response = jsonify(result=result, success=status < 400, statusCode=status, error=error)
    response.status_code = status
    return response
