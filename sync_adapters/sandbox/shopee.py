"""Shopee Open Platform v2 simulator: its paths, its signature and 5-minute timestamp window,
4-hour access tokens with single-use rotating refresh tokens, its media space, and the
Shopee VN listing rules, all answered in Shopee's ``{"error", "message", "request_id"}`` shape.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from html import escape
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Flask, Response, redirect, request

from ..base import RemoteStatus
from ..shopee.signing import TIMESTAMP_WINDOW_S, base_string, hmac_hex
from .base import ChannelSandbox, Knobs
from .common import image_info
from .shopee_rules import (
    LOGISTICS,
    PRICE_RANGE,
    PRICE_STOCK,
    STOCK_RANGE,
    ShopeeError,
    apply_item,
    check_item,
    entries,
    error_response,
    item_view,
    json_body,
    list_arg,
    numeric,
    ok_response,
    price_of,
    stock_of,
)

AUTH_PARTNER = "/api/v2/shop/auth_partner"
TOKEN_GET = "/api/v2/auth/token/get"
REFRESH = "/api/v2/auth/access_token/get"
UPLOAD_IMAGE = "/api/v2/media_space/upload_image"
#: Paths signed without access token and shop id (Shopee's "public" APIs).
PUBLIC_PATHS = frozenset(
    {AUTH_PARTNER, TOKEN_GET, REFRESH, UPLOAD_IMAGE, "/api/v2/public/get_shops_by_partner"}
)
CODE_TTL_S = 600  # an authorisation code is single-use and lives 10 minutes
MAX_IMAGE_BYTES = 10 * 1024 * 1024
_PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>Shopee — Cấp quyền ứng dụng</title></head><body style="font-family:sans-serif;max-width:32em;margin:3em auto">
<h1>Cho phép Chợ OCOP quản lý shop?</h1>
<p>Ứng dụng (partner {partner}) sẽ được đăng, sửa và ẩn sản phẩm của shop.</p>{error}
<form method="post" action="{action}"><label>Mã shop (shop id)
<input name="shop_id" inputmode="numeric" required value="{shop}"></label>
<button type="submit">Đồng ý cấp quyền</button></form></body></html>"""


class ShopeeSandbox(ChannelSandbox):
    """Loopback Shopee: partner apps in ``apps`` (partner_id -> partner_key)."""

    code = "shopee"
    name = "Shopee"
    chaos_exempt: ClassVar[tuple[str, ...]] = (AUTH_PARTNER, "/file/")

    def __init__(
        self,
        knobs: Knobs | None = None,
        *,
        apps: dict[str, str] | None = None,
        state_dir: Path | None = None,
    ):
        self.code_expiry: dict[str, float] = {}  # set before the base loads saved state
        self._last_id = 24_000_000_000
        super().__init__(knobs, apps=apps, state_dir=state_dir)

    def extra_state(self) -> dict[str, Any]:
        """State beyond the base's stores: authorisation code expiry."""
        with self.lock:
            return {"code_expiry": dict(self.code_expiry)}

    def load_extra_state(self, state: dict[str, Any]) -> None:
        """Restore ``extra_state``."""
        self.code_expiry = {str(k): float(v) for k, v in state.get("code_expiry", {}).items()}

    # --- the channel's answers ---------------------------------------------------------------
    def rate_limited(self, retry_after: float) -> Response:
        return error_response(
            "error_too_many_request", "Too many requests, please retry later.", 429
        )

    def server_error(self) -> Response:
        return error_response("error_server", "System error, please try again later.", 500)

    def rate_key(self) -> str:
        return f"{request.args.get('partner_id', '')}:{request.args.get('shop_id', '')}"

    def public_view(self, item: dict[str, Any]) -> dict[str, Any]:
        live = item["item_status"] == "NORMAL"
        return {
            "name": item["item_name"],
            "price_vnd": int(item["original_price"]),
            "stock": int(item["stock"]),
            "status": str(RemoteStatus.LIVE if live else RemoteStatus.INACTIVE),
            "image_ids": list(item["image"]["image_id_list"]),
        }

    # --- signatures and tokens ---------------------------------------------------------------
    def check_signature(self, path: str, params: Mapping[str, str], *, window: bool = True) -> None:
        """Raise ``ShopeeError`` unless ``params`` sign ``path`` as Shopee v2 requires."""
        for name in ("partner_id", "timestamp", "sign"):
            if not params.get(name):
                raise ShopeeError("error_param", f"There is no {name} in query.")
        key = self.apps.get(str(params["partner_id"]))
        if key is None:
            self.stats.rejected_signatures += 1
            raise ShopeeError("error_param", "Invalid partner_id.", 403)
        timestamp = str(params["timestamp"])
        if not timestamp.isdigit() or (
            window and abs(self.clock() - int(timestamp)) > TIMESTAMP_WINDOW_S
        ):
            self.stats.rejected_signatures += 1
            raise ShopeeError("error_param", "Invalid timestamp.", 403)
        token = shop = None
        if path not in PUBLIC_PATHS:
            token = params.get("access_token")
            shop = params.get("shop_id") or params.get("merchant_id")
            if not token or not shop:
                missing = "access_token" if not token else "shop_id"
                raise ShopeeError("error_param", f"There is no {missing} in query.")
        expected = hmac_hex(key, base_string(params["partner_id"], path, timestamp, token, shop))
        if not hmac.compare_digest(expected, str(params["sign"])):
            self.stats.rejected_signatures += 1
            raise ShopeeError("error_sign", "Wrong sign.", 403)

    def _shop_call(self) -> str:
        params = request.args.to_dict()
        self.check_signature(request.path, params)
        shop = self.shop_for_token(params["access_token"])
        if shop is None or shop != params.get("shop_id"):
            raise ShopeeError("invalid_acceess_token", "Invalid access_token.", 403)
        return shop

    def grant_code(self, shop_id: str) -> str:
        code = super().grant_code(shop_id)
        with self.lock:
            self.code_expiry[code] = self.clock() + CODE_TTL_S
        return code

    def approve(self, authorize_url: str, shop_id: str) -> dict[str, str]:
        """What the seller's "Đồng ý" sends back: the callback's query (code, shop_id, …)."""
        parts = urlsplit(authorize_url)
        params = dict(parse_qsl(parts.query))
        self.check_signature(parts.path, params)
        return dict(parse_qsl(urlsplit(self._callback(params, shop_id)).query))

    def _callback(self, params: Mapping[str, str], shop_id: str) -> str:
        target = urlsplit(params["redirect"])
        query = [*parse_qsl(target.query), ("code", self.grant_code(shop_id)), ("shop_id", shop_id)]
        return urlunsplit(target._replace(query=urlencode(query)))

    # --- routes ------------------------------------------------------------------------------
    def routes(self, app: Flask) -> None:
        app.register_error_handler(
            ShopeeError, lambda e: error_response(e.error, e.message, e.status)
        )
        rules = {
            AUTH_PARTNER: (self.authorize_page, ["GET", "POST"]),
            TOKEN_GET: (self.token_get, ["POST"]),
            REFRESH: (self.token_refresh, ["POST"]),
            UPLOAD_IMAGE: (self.upload_image, ["POST"]),
            "/file/<image_id>": (self.image_file, ["GET"]),
            "/api/v2/logistics/get_channel_list": (self.channel_list, ["GET"]),
            "/api/v2/product/add_item": (self.add_item, ["POST"]),
            "/api/v2/product/update_item": (self.update_item, ["POST"]),
            "/api/v2/product/unlist_item": (self.unlist_item, ["POST"]),
            "/api/v2/product/update_price": (self.update_price, ["POST"]),
            "/api/v2/product/update_stock": (self.update_stock, ["POST"]),
            "/api/v2/product/get_item_base_info": (self.base_info, ["GET"]),
            "/api/v2/product/search_item": (self.search_item, ["GET"]),
        }
        for rule, (view, methods) in rules.items():
            app.add_url_rule(rule, f"shopee_{view.__name__}", view, methods=methods)

    def authorize_page(self) -> Response | str:
        params = request.args.to_dict()
        # The link is checked when opened; the seller may then take their time to answer.
        self.check_signature(AUTH_PARTNER, params, window=request.method == "GET")
        if not params.get("redirect"):
            raise ShopeeError("error_param", "There is no redirect in query.")
        shop_id = request.form.get("shop_id", "").strip()
        if request.method == "POST" and shop_id.isdigit():
            return redirect(self._callback(params, shop_id), code=302)
        error = "<p style='color:#c00'>Mã shop phải là số.</p>" if request.method == "POST" else ""
        return _PAGE.format(
            partner=escape(params["partner_id"]),
            action=escape(request.full_path),
            shop=escape(shop_id),
            error=error,
        )

    def token_get(self) -> Response:
        self.check_signature(TOKEN_GET, request.args.to_dict())
        body = json_body()
        if str(body.get("partner_id")) != request.args["partner_id"]:
            raise ShopeeError("error_param", "partner_id in body does not match the query.")
        code, shop_id = str(body.get("code", "")), str(body.get("shop_id", ""))
        with self.lock:
            owner = self.codes.get(code)
            if owner is None or self.code_expiry.get(code, 0) < self.clock():
                raise ShopeeError("error_auth", "Invalid code.", 403)
            if owner != shop_id:
                raise ShopeeError("error_param", "shop_id does not match the code.")
            del self.codes[code]  # single use
            self.code_expiry.pop(code, None)
        access, refresh = self.issue_tokens(shop_id)
        return ok_response(
            access_token=access,
            refresh_token=refresh,
            expire_in=self.knobs.access_ttl_s,
            shop_id_list=[numeric(shop_id)],
            merchant_id_list=[],
        )

    def token_refresh(self) -> Response:
        self.check_signature(REFRESH, request.args.to_dict())
        body = json_body()
        token, shop_id = str(body.get("refresh_token", "")), str(body.get("shop_id", ""))
        with self.lock:
            entry = self.refresh_tokens.get(token)
            if entry is None or entry["expires_at"] <= self.clock():
                raise ShopeeError("error_auth", "Invalid refresh_token.", 403)
            if entry["shop"] != shop_id:
                raise ShopeeError("error_param", "shop_id does not match the refresh_token.")
            del self.refresh_tokens[token]  # single use: the old one is refused from now on
        access, refresh = self.issue_tokens(shop_id)
        return ok_response(
            partner_id=numeric(request.args["partner_id"]),
            shop_id=numeric(shop_id),
            access_token=access,
            refresh_token=refresh,
            expire_in=self.knobs.access_ttl_s,
        )

    def upload_image(self) -> Response:
        self.check_signature(UPLOAD_IMAGE, request.args.to_dict())
        upload = request.files.get("image")
        if upload is None:
            raise ShopeeError("error_param", "There is no image in request.")
        data = upload.read()
        if len(data) > MAX_IMAGE_BYTES:
            raise ShopeeError("error_param", "image size should be less than 10MB.")
        kind, _ = image_info(data)
        if kind not in {"JPEG", "PNG"}:
            raise ShopeeError("error_param", "image format should be JPG, JPEG or PNG.")
        image_id = "vn-11134207-" + self.put_image(data)
        url = f"{request.host_url.rstrip('/')}/file/{image_id}"
        info = {
            "image_id": image_id,
            "image_url_list": [{"image_url_region": "VN", "image_url": url}],
        }
        return ok_response({"image_info": info, "image_info_list": [{"id": 0, "image_info": info}]})

    def _has_image(self, image_id: str) -> bool:
        return self.get_image(image_id) is not None

    def get_image(self, image_id: str) -> bytes | None:
        # Shopee-looking ids carry a region/type prefix the base store does not know.
        return super().get_image(image_id.removeprefix("vn-11134207-"))

    def image_file(self, image_id: str) -> Response:
        data = self.get_image(image_id)
        if data is None:
            return Response("not found", status=404)
        mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
        return Response(data, mimetype=mime)

    def channel_list(self) -> Response:
        self._shop_call()
        return ok_response({"logistics_channel_list": [dict(c) for c in LOGISTICS]})

    # --- products ----------------------------------------------------------------------------
    def add_item(self) -> Response:
        shop = self._shop_call()
        body = json_body()
        check_item(body, None, self._has_image)
        now = int(self.clock())
        with self.lock:
            self._last_id += 1
            while str(self._last_id) in self.items:  # ids restored from saved state
                self._last_id += 1
            item_id = self._last_id
            item = {"item_id": item_id, "shop_id": shop, "create_time": now, "condition": "NEW"}
            item["item_status"] = "NORMAL"
            apply_item(item, body, now)
            self.items[str(item_id)] = item
        return ok_response(
            {"item_id": item_id, "item_name": item["item_name"], "item_status": item["item_status"]}
        )

    def update_item(self) -> Response:
        shop = self._shop_call()
        body = json_body()
        item = self._item(shop, body.get("item_id"))
        check_item(body, item, self._has_image)
        with self.lock:
            # Price and stock change only through update_price / update_stock.
            apply_item(
                item, {k: v for k, v in body.items() if k not in PRICE_STOCK}, int(self.clock())
            )
        return ok_response({"item_id": item["item_id"], "item_status": item["item_status"]})

    def unlist_item(self) -> Response:
        shop = self._shop_call()
        entries = json_body().get("item_list")
        if not isinstance(entries, list) or not 1 <= len(entries) <= 50:
            raise ShopeeError("error_param", "item_list length should be between 1 and 50.")
        done, failed = [], []
        for entry in entries:
            try:
                item = self._item(shop, entry.get("item_id"))
            except ShopeeError as exc:
                failed.append({"item_id": entry.get("item_id"), "failed_reason": exc.message})
                continue
            with self.lock:
                item["item_status"] = "UNLIST" if entry.get("unlist") else "NORMAL"
                item["update_time"] = int(self.clock())
            done.append({"item_id": item["item_id"], "unlist": bool(entry.get("unlist"))})
        return ok_response({"success_list": done, "failure_list": failed})

    def update_price(self) -> Response:
        return self._model_update("price_list", price_of, "original_price", PRICE_RANGE)

    def update_stock(self) -> Response:
        return self._model_update("stock_list", stock_of, "seller_stock", STOCK_RANGE)

    def _model_update(
        self, name: str, read: Callable[[dict], Any], field: str, bounds: tuple[int, int]
    ) -> Response:
        # update_price / update_stock: per-model results (an item without models is model 0).
        shop = self._shop_call()
        body = json_body()
        item = self._item(shop, body.get("item_id"))
        done, failed = [], []
        for entry in entries(body, name):
            value = read(entry)
            if value is None:
                reason = f"{field} should be between {bounds[0]} and {bounds[1]}."
                failed.append({"model_id": entry.get("model_id", 0), "failed_reason": reason})
                continue
            with self.lock:
                if field == "original_price":
                    item["original_price"] = item["current_price"] = value
                else:
                    item["stock"] = value
            done.append({"model_id": 0, field: value})
        return ok_response({"success_list": done, "failure_list": failed})

    def base_info(self) -> Response:
        shop = self._shop_call()
        ids = list_arg("item_id_list")
        if not 1 <= len(ids) <= 50:
            raise ShopeeError("error_param", "item_id_list length should be between 1 and 50.")
        with self.lock:
            found = [self.items.get(i) for i in ids]
            items = [item_view(i) for i in found if i and i["shop_id"] == shop]
        return ok_response({"item_list": items})

    def search_item(self) -> Response:
        shop = self._shop_call()
        size, offset = request.args.get("page_size", ""), request.args.get("offset", "0")
        if not size.isdigit() or not 1 <= int(size) <= 100 or not offset.isdigit():
            raise ShopeeError("error_param", "page_size should be between 1 and 100.")
        sku = request.args.get("item_sku", "").lower()
        name = request.args.get("item_name", "").lower()
        statuses = set(list_arg("item_status")) or {"NORMAL"}
        with self.lock:
            ids = [
                item["item_id"]
                for item in self.items.values()
                if item["shop_id"] == shop
                and item["item_status"] in statuses
                and sku in str(item.get("item_sku", "")).lower()
                and name in item["item_name"].lower()
            ]
        start, end = int(offset), int(offset) + int(size)
        page: dict[str, Any] = {"item_id_list": ids[start:end], "total_count": len(ids)}
        if end < len(ids):
            page["next_offset"] = str(end)
        return ok_response(page)

    def _item(self, shop: str, item_id: Any) -> dict[str, Any]:
        with self.lock:
            item = self.items.get(str(item_id))
        if item is None or item["shop_id"] != shop:
            raise ShopeeError("error_item_not_found", f"Item {item_id} not found.", 404)
        return item
