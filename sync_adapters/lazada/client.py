"""Lazada Open Platform adapter: one seller (shop) of Lazada Vietnam.

Every call carries app_key, timestamp (ms), sign_method=sha256, access_token and the UPPER
hex signature over the path and all text parameters. Lazada answers HTTP 200 even for most
errors; the body's ``code`` ("0" = success) and ``type`` (ISV/ISP/SYSTEM) say what happened.
Images must live on Lazada: we use ``/image/upload`` (multipart, the file is not signed)
because our photos are local files, not public URLs ``/image/migrate`` could fetch.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from .. import images
from ..base import (
    Adapter,
    AuthExpiredError,
    FieldProblem,
    ListingData,
    ListingResult,
    PermanentError,
    RateLimitedError,
    RemoteStatus,
    RetryableError,
    Tokens,
)
from ..common import result_for
from ..http import send
from . import mapping, signing
from .categories import CATEGORIES, DEFAULT_MAPPING

LIVE_AUTH_PAGE = "https://auth.lazada.com/oauth/authorize"
LIVE_AUTH_API = "https://auth.lazada.com/rest"
BUYER_URL = "https://www.lazada.vn/products/-i{item_id}.html"

_RATE_CODES = {"ApiCallLimit", "AppCallLimit", "AccessControlLimit", "SellerCallLimit"}
_AUTH_CODES = {"IllegalAccessToken", "MissingAccessToken", "AccessTokenExpired"}
_CREDENTIAL_CODES = {
    "IncompleteSignature",
    "InvalidTimestamp",
    "InvalidAppKey",
    "IllegalAppKey",
    "InvalidSignMethod",
}
_TRANSIENT_CODES = {"InternalError", "ServiceUnavailable", "ServiceTimeout", "SystemError"}
NOT_FOUND_CODE = "208"
_BAN = re.compile(r"ban will last (\d+(?:\.\d+)?) seconds?")


class LazadaAdapter(Adapter):
    """Lazada Vietnam via the Open Platform REST API."""

    code = "lazada"
    name = "Lazada"
    auth_flow = "oauth"
    categories = CATEGORIES
    default_mapping = DEFAULT_MAPPING
    default_rate_limit = 5.0

    # --- authorisation -------------------------------------------------------------------
    def _is_live(self) -> bool:
        return "lazada." in self.account.base_url and "api." in self.account.base_url

    def _auth_page(self) -> str:
        if self._is_live():
            return LIVE_AUTH_PAGE
        return self.account.base_url.rstrip("/") + "/oauth/authorize"

    def _auth_api(self) -> str:
        return LIVE_AUTH_API if self._is_live() else self.account.base_url

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        """Lazada's seller authorisation page for our app."""
        query = {
            "response_type": "code",
            "force_auth": "true",
            "redirect_uri": redirect_uri,
            "client_id": self.account.app_key,
            "state": state,
        }
        return f"{self._auth_page()}?{urlencode(query)}"

    def exchange_code(self, params: dict[str, str], redirect_uri: str) -> tuple[str, Tokens]:
        """``/auth/token/create``: the callback's ``code`` -> tokens and the seller id."""
        code = params.get("code", "")
        if not code:
            raise PermanentError("Lazada không trả về mã cấp quyền; hãy kết nối lại kênh bán.")
        body = self._call("/auth/token/create", {"code": code}, base=self._auth_api(), auth=False)
        users = body.get("country_user_info") or []
        seller = next((u for u in users if str(u.get("country", "")).lower() == "vn"), None)
        seller = seller or (users[0] if users else {})
        shop_id = str(seller.get("seller_id") or seller.get("user_id") or body.get("account"))
        return shop_id, self._tokens(body)

    def refresh(self) -> Tokens:
        """``/auth/token/refresh``: a new access token (and refresh token) from the refresh token."""
        tokens = self.account.tokens
        if tokens is None or not tokens.refresh_token:
            raise PermanentError("Chưa có refresh token Lazada; hãy kết nối lại kênh bán.")
        body = self._call(
            "/auth/token/refresh",
            {"refresh_token": tokens.refresh_token},
            base=self._auth_api(),
            auth=False,
        )
        return self._tokens(body)

    @staticmethod
    def _tokens(body: dict[str, Any]) -> Tokens:
        now = datetime.now(UTC)
        return Tokens(
            access_token=str(body["access_token"]),
            expires_at=now + timedelta(seconds=int(body.get("expires_in", 0))),
            refresh_token=str(body.get("refresh_token") or "") or None,
            refresh_expires_at=now + timedelta(seconds=int(body.get("refresh_expires_in", 0))),
            extra={"account": str(body.get("account", ""))},
        )

    # --- listings --------------------------------------------------------------------------
    def validate(self, data: ListingData) -> list[FieldProblem]:
        """Every problem Lazada would reject (see ``mapping.validate``)."""
        return mapping.validate(data)

    def create(self, data: ListingData) -> ListingResult:
        """Upload the photos, then ``/product/create``; hidden at once if ``data.active`` is off."""
        urls = self._upload_images(data)
        payload = mapping.product_payload(data, urls)
        body = self._call("/product/create", {"payload": _json(payload)})
        item_id = str(body["data"]["item_id"])
        skus = body["data"].get("sku_list") or [{}]
        sku_id = str(skus[0].get("sku_id") or "") or None
        status = RemoteStatus.LIVE if data.active else RemoteStatus.INACTIVE
        return self._result(item_id, status, sku_id)

    def update(self, result: ListingResult, data: ListingData) -> ListingResult:
        """``/product/update`` with content, price, stock and the SKU's active status."""
        sku_id = result.external_sku_id or self._sku_id(result.external_id)
        urls = self._upload_images(data)
        payload = mapping.product_payload(data, urls, item_id=result.external_id, sku_id=sku_id)
        self._call("/product/update", {"payload": _json(payload)})
        status = RemoteStatus.LIVE if data.active else RemoteStatus.INACTIVE
        return self._result(result.external_id, status, sku_id)

    def update_price_stock(
        self, result: ListingResult, price_vnd: int, stock: int
    ) -> ListingResult:
        """``/product/price_quantity/update`` for the listing's one SKU (one call when the
        SKU id is known)."""
        sku_id = result.external_sku_id or self._sku_id(result.external_id)
        payload = mapping.price_quantity_payload(result.external_id, sku_id or "", price_vnd, stock)
        self._call("/product/price_quantity/update", {"payload": _json(payload)})
        return self._result(result.external_id, result.status, sku_id)

    def delist(self, result: ListingResult) -> ListingResult:
        """``/product/deactivate``: the item stays in Seller Center, hidden from buyers."""
        body = {"Request": {"Product": {"ItemId": result.external_id}}}
        try:
            self._call("/product/deactivate", {"apiRequestBody": _json(body)})
        except PermanentError as exc:
            if _code(exc.raw) == NOT_FOUND_CODE:
                return self._result(result.external_id, RemoteStatus.MISSING)
            raise
        return self._result(result.external_id, RemoteStatus.INACTIVE, result.external_sku_id)

    def status(self, result: ListingResult) -> ListingResult:
        """``/product/item/get``: Active -> LIVE, InActive -> INACTIVE, gone -> MISSING."""
        item = self._item(result.external_id)
        if item is None:
            return self._result(result.external_id, RemoteStatus.MISSING)
        sku = (item.get("skus") or [{}])[0]
        return self._result(result.external_id, _status(item), str(sku.get("SkuId", "")) or None)

    def find_by_sku(self, sku: str) -> ListingResult | None:
        """``/products/get`` filtered by ``sku_seller_list`` (every status)."""
        params = {"filter": "all", "sku_seller_list": _json([sku]), "offset": "0", "limit": "10"}
        body = self._call("/products/get", params, method="GET")
        for product in (body.get("data") or {}).get("products") or []:
            for row in product.get("skus") or []:
                if row.get("SellerSku") == sku:
                    status = _status(product)
                    return self._result(str(product["item_id"]), status, str(row.get("SkuId")))
        return None

    # --- plumbing --------------------------------------------------------------------------
    def _result(
        self, item_id: str, status: RemoteStatus, sku_id: str | None = None
    ) -> ListingResult:
        return result_for(self.account, item_id, status, BUYER_URL, sku_id)

    def _item(self, item_id: str) -> dict[str, Any] | None:
        try:
            body = self._call("/product/item/get", {"item_id": item_id}, method="GET")
        except PermanentError as exc:
            if _code(exc.raw) == NOT_FOUND_CODE:
                return None
            raise
        return body.get("data") or None

    def _sku_id(self, item_id: str) -> str | None:
        item = self._item(item_id)
        if item is None:
            raise PermanentError("Sản phẩm không còn trên Lazada; hãy đăng lại.", raw=item_id)
        return str((item.get("skus") or [{}])[0].get("SkuId", "")) or None

    def _upload_images(self, data: ListingData) -> list[str]:
        urls = []
        for image in data.images[: mapping.IMAGE_SPEC.max_count]:
            jpeg = images.prepare(image, mapping.IMAGE_SPEC, self.image_cache)
            files = {"image": (f"{image.sha256[:16]}.jpg", jpeg, "image/jpeg")}
            body = self._call("/image/upload", {}, files=files)
            urls.append(str(body["data"]["image"]["url"]))
        return urls

    def _call(
        self,
        api_path: str,
        params: dict[str, str],
        *,
        method: str = "POST",
        files: dict[str, Any] | None = None,
        base: str | None = None,
        auth: bool = True,
    ) -> dict[str, Any]:
        """One signed call; returns the body when ``code`` is "0", else raises a typed error."""
        signed = {
            "app_key": self.account.app_key,
            "timestamp": str(int(time.time() * 1000)),
            "sign_method": signing.SIGN_METHOD,
            **params,
        }
        if auth:
            if self.account.tokens is None:
                raise AuthExpiredError("Chưa có access token Lazada; cần cấp quyền lại.")
            signed["access_token"] = self.account.tokens.access_token
        # files (the image bytes) are never part of the signature
        signed["sign"] = signing.sign(self.account.app_secret, api_path, signed)
        url = (base or self.account.base_url).rstrip("/") + api_path
        # a create or a code exchange must not be repeated blindly (duplicate item, used code)
        safe = api_path not in ("/product/create", "/auth/token/create")
        if method == "GET":
            response = send(self.http, "GET", url, timeout=self.timeout, params=signed)
        else:
            response = send(
                self.http,
                "POST",
                url,
                timeout=self.timeout,
                data=signed,
                files=files,
                idempotent=safe,
            )
        try:
            body = response.json()
        except ValueError as exc:
            raise RetryableError(
                f"Lazada trả về dữ liệu không đọc được (HTTP {response.status_code}).",
                raw=response.text[:2000],
            ) from exc
        return _check(body)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _code(raw: Any) -> str:
    return str(raw.get("code", "")) if isinstance(raw, dict) else ""


def _status(item: dict[str, Any]) -> RemoteStatus:
    state = str(item.get("status", "")).lower().replace(" ", "")
    if state == "active":
        return RemoteStatus.LIVE
    if state in ("deleted",):
        return RemoteStatus.MISSING
    if state in ("rejected", "suspended"):
        return RemoteStatus.REJECTED
    if state in ("pendingqc", "pending"):
        return RemoteStatus.PENDING_REVIEW
    return RemoteStatus.INACTIVE


def _check(body: dict[str, Any]) -> dict[str, Any]:
    """Turn Lazada's error body into the matching typed error."""
    code = str(body.get("code", "0"))
    if code == "0":
        return body
    message = str(body.get("message", ""))
    if code in _RATE_CODES:
        match = _BAN.search(message)
        wait = float(match.group(1)) if match else 1.0
        raise RateLimitedError(
            "Lazada báo gọi quá nhanh; sẽ thử lại sau.", retry_after=max(wait, 0.1), raw=body
        )
    if code in _AUTH_CODES:
        raise AuthExpiredError("Access token Lazada đã hết hạn hoặc bị thu hồi.", raw=body)
    if code == "IllegalRefreshToken":
        raise PermanentError(
            "Lazada không nhận refresh token (hết hạn hoặc bị thu hồi); hãy kết nối lại kênh bán.",
            raw=body,
        )
    if code in _CREDENTIAL_CODES:
        raise PermanentError(
            f"Lazada từ chối chữ ký yêu cầu ({code}). Kiểm tra App Key, App Secret "
            "và đồng hồ máy chủ.",
            raw=body,
        )
    if code in _TRANSIENT_CODES or body.get("type") == "SYSTEM":
        raise RetryableError(f"Lazada gặp lỗi tạm thời ({code}).", raw=body)
    problems = [
        FieldProblem(
            mapping.our_field(str(detail.get("field", ""))),
            f"Lazada từ chối: {detail.get('message', message)}",
            "Sửa thông tin này rồi đồng bộ lại.",
        )
        for detail in body.get("detail") or []
        if isinstance(detail, dict)
    ]
    raise PermanentError(f"Lazada từ chối yêu cầu ({code}): {message}", problems=problems, raw=body)
