"""TikTok Shop Partner API (202309) adapter: one seller shop of TikTok Shop Vietnam.

Calls carry ``app_key``, ``timestamp`` (s), ``shop_cipher`` and ``sign`` in the query and the
access token in the ``x-tts-access-token`` header. Three hosts in production: the authorise
page (services.tiktokshop.com), the token API (auth.tiktok-shops.com) and the Open API; a
sandbox or compatible server serves all three on ``base_url``. The shop cipher (learnt from
``/authorization/202309/shops``) is kept in ``Tokens.extra["shop_cipher"]``.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, datetime
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
from ..http import retry_after_seconds, send
from . import mapping, signing
from .categories import CATEGORIES, DEFAULT_MAPPING

LIVE_API_HOST = "open-api.tiktokglobalshop.com"
LIVE_AUTH_PAGE = "https://services.tiktokshop.com/open/authorize"
LIVE_TOKEN_API = "https://auth.tiktok-shops.com"
BUYER_URL = "https://shop.tiktok.com/view/product/{item_id}?region=VN&locale=vi-VN"
V = "/product/202309"

_AUTH_CODES = {105001, 105002, 105003, 101000}
_RATE_CODES = {36009002, 12052109}
_TRANSIENT_CODES = {36009003, 36009007, 12001000}
_CREDENTIAL_CODES = {106001, 36009004, 106013, 105005}
NOT_FOUND_CODES = {12019150, 12052032, 12052260, 12052048}
_STATUS = {
    "ACTIVATE": RemoteStatus.LIVE,
    "SELLER_DEACTIVATED": RemoteStatus.INACTIVE,
    "PLATFORM_DEACTIVATED": RemoteStatus.INACTIVE,
    "DRAFT": RemoteStatus.INACTIVE,
    "PENDING": RemoteStatus.PENDING_REVIEW,
    "FAILED": RemoteStatus.REJECTED,
    "FREEZE": RemoteStatus.REJECTED,
    "DELETED": RemoteStatus.MISSING,
}


class TikTokAdapter(Adapter):
    """TikTok Shop Vietnam via the Partner API, version 202309."""

    code = "tiktok"
    name = "TikTok Shop"
    auth_flow = "oauth"
    categories = CATEGORIES
    default_mapping = DEFAULT_MAPPING
    default_rate_limit = 10.0

    _warehouse: str | None = None

    # --- authorisation -------------------------------------------------------------------
    def _is_live(self) -> bool:
        return LIVE_API_HOST in self.account.base_url

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        """The seller's authorise page for our service (``service_id`` from the account)."""
        query = {"service_id": self.account.extra.get("service_id", self.account.app_key)}
        query["state"] = state
        if self._is_live():
            return f"{LIVE_AUTH_PAGE}?{urlencode(query)}"
        # production uses the redirect URL registered in Partner Center; a sandbox has none
        query["redirect_uri"] = redirect_uri
        return f"{self.account.base_url.rstrip('/')}/open/authorize?{urlencode(query)}"

    def exchange_code(self, params: dict[str, str], redirect_uri: str) -> tuple[str, Tokens]:
        """``/api/v2/token/get`` with the callback's code, then the shop and its cipher."""
        code = params.get("code", "")
        if not code:
            raise PermanentError("TikTok Shop không trả về mã cấp quyền; hãy kết nối lại kênh bán.")
        tokens = self._token("/api/v2/token/get", auth_code=code, grant_type="authorized_code")
        account, self.account = self.account, self.account.with_tokens(tokens)
        try:
            data = self._call("GET", "/authorization/202309/shops", shop=False)
        finally:
            self.account = account  # the caller stores the tokens; this adapter stays as given
        shops = data.get("shops") or []
        if not shops:
            raise PermanentError(
                "Tài khoản TikTok này chưa cấp quyền cho kênh bán nào: đăng nhập đúng tài khoản người bán "
                "TikTok Shop rồi kết nối lại.",
                raw=data,
            )
        shop = next((s for s in shops if s.get("region") == "VN"), shops[0])
        extra = {**tokens.extra, "shop_cipher": str(shop["cipher"])}
        return str(shop["id"]), replace(tokens, extra=extra)

    def refresh(self) -> Tokens:
        """``/api/v2/token/refresh``; the shop cipher carries over."""
        current = self.account.tokens
        if current is None or not current.refresh_token:
            raise PermanentError("Chưa có refresh token TikTok Shop; hãy kết nối lại kênh bán.")
        tokens = self._token(
            "/api/v2/token/refresh", refresh_token=current.refresh_token, grant_type="refresh_token"
        )
        return replace(tokens, extra={**current.extra, **tokens.extra})

    def _token(self, path: str, **params: str) -> Tokens:
        base = LIVE_TOKEN_API if self._is_live() else self.account.base_url.rstrip("/")
        query = {"app_key": self.account.app_key, "app_secret": self.account.app_secret, **params}
        # codes and refresh tokens are single-use: never repeat a token call blindly
        response = send(
            self.http, "GET", base + path, timeout=self.timeout, params=query, idempotent=False
        )
        body = _json_body(response)
        if body.get("code") != 0:
            raise PermanentError(
                "TikTok Shop không nhận mã cấp quyền hoặc refresh token; hãy kết nối lại kênh bán "
                f"({body.get('code')}: {body.get('message', '')}).",
                raw=body,
            )
        data = body["data"]
        # *_expire_in are absolute Unix timestamps despite their names
        return Tokens(
            access_token=str(data["access_token"]),
            expires_at=datetime.fromtimestamp(int(data["access_token_expire_in"]), UTC),
            refresh_token=str(data.get("refresh_token") or "") or None,
            refresh_expires_at=datetime.fromtimestamp(int(data["refresh_token_expire_in"]), UTC),
            extra={"open_id": str(data.get("open_id", ""))},
        )

    # --- listings --------------------------------------------------------------------------
    def validate(self, data: ListingData) -> list[FieldProblem]:
        """Every problem TikTok Shop would reject (see ``mapping.validate``)."""
        return mapping.validate(data)

    def create(self, data: ListingData) -> ListingResult:
        """Upload the photos, create the product, hide it if ``data.active`` is off."""
        body = mapping.product_body(data, self._upload_images(data), self._warehouse_id())
        created = self._call("POST", f"{V}/products", body=body)
        product_id = str(created["product_id"])
        sku_id = str((created.get("skus") or [{}])[0].get("id", "")) or None
        if not data.active:
            self._switch(product_id, active=False)
        status = RemoteStatus.LIVE if data.active else RemoteStatus.INACTIVE
        return self._result(product_id, status, sku_id)

    def update(self, result: ListingResult, data: ListingData) -> ListingResult:
        """Full edit (PUT), then activate or deactivate to match ``data.active``."""
        product = self._product(result.external_id)
        if product is None:
            raise PermanentError("Sản phẩm không còn trên TikTok Shop; hãy đăng lại.")
        sku_id = str(product["skus"][0]["id"])
        body = mapping.product_body(
            data, self._upload_images(data), self._warehouse_id(), sku_id=sku_id
        )
        self._call("PUT", f"{V}/products/{result.external_id}", body=body)
        live = product.get("product_status") == "ACTIVATE"
        if live != data.active:
            self._switch(result.external_id, active=data.active)
        status = RemoteStatus.LIVE if data.active else RemoteStatus.INACTIVE
        return self._result(result.external_id, status, sku_id)

    def update_price_stock(
        self, result: ListingResult, price_vnd: int, stock: int
    ) -> ListingResult:
        """``inventory/update`` then ``prices/update`` (no re-audit on either)."""
        sku_id = result.external_sku_id or self._sku_id(result.external_id)
        path = f"{V}/products/{result.external_id}"
        inventory = [{"warehouse_id": self._warehouse_id(), "quantity": stock}]
        self._call(
            "POST",
            f"{path}/inventory/update",
            body={"skus": [{"id": sku_id, "inventory": inventory}]},
        )
        price = {"amount": str(price_vnd), "currency": mapping.CURRENCY}
        self._call("POST", f"{path}/prices/update", body={"skus": [{"id": sku_id, "price": price}]})
        return self._result(result.external_id, result.status, sku_id)

    def delist(self, result: ListingResult) -> ListingResult:
        """``products/deactivate`` (the product can be activated again)."""
        if self._switch(result.external_id, active=False):
            return self._result(result.external_id, RemoteStatus.INACTIVE, result.external_sku_id)
        return self._result(result.external_id, RemoteStatus.MISSING)

    def status(self, result: ListingResult) -> ListingResult:
        """``GET /product/202309/products/{id}``: product_status -> RemoteStatus."""
        product = self._product(result.external_id)
        if product is None:
            return self._result(result.external_id, RemoteStatus.MISSING)
        status = _STATUS.get(str(product.get("product_status")), RemoteStatus.INACTIVE)
        sku_id = str((product.get("skus") or [{}])[0].get("id", "")) or None
        return self._result(result.external_id, status, sku_id)

    def find_by_sku(self, sku: str) -> ListingResult | None:
        """``products/search`` with ``seller_skus`` (matched on the SKU level)."""
        data = self._call(
            "POST", f"{V}/products/search", query={"page_size": "10"}, body={"seller_skus": [sku]}
        )
        for product in data.get("products") or []:
            for row in product.get("skus") or []:
                if row.get("seller_sku") == sku:
                    status = _STATUS.get(str(product.get("status")), RemoteStatus.INACTIVE)
                    return self._result(str(product["id"]), status, str(row.get("id")))
        return None

    # --- plumbing --------------------------------------------------------------------------
    def _result(
        self, product_id: str, status: RemoteStatus, sku_id: str | None = None
    ) -> ListingResult:
        return result_for(self.account, product_id, status, BUYER_URL, sku_id)

    def _product(self, product_id: str) -> dict[str, Any] | None:
        try:
            return self._call("GET", f"{V}/products/{product_id}")
        except PermanentError as exc:
            if _code(exc.raw) in NOT_FOUND_CODES:
                return None
            raise

    def _sku_id(self, product_id: str) -> str:
        product = self._product(product_id)
        if product is None:
            raise PermanentError("Sản phẩm không còn trên TikTok Shop; hãy đăng lại.")
        return str(product["skus"][0]["id"])

    def _switch(self, product_id: str, *, active: bool) -> bool:
        """Activate or deactivate; False when TikTok says the product does not exist."""
        path = f"{V}/products/activate" if active else f"{V}/products/deactivate"
        data = self._call("POST", path, body={"product_ids": [product_id]})
        for error in data.get("errors") or []:
            if int(error.get("code", 0)) in NOT_FOUND_CODES:
                return False
            raise PermanentError(f"TikTok Shop từ chối: {error.get('message', '')}", raw=data)
        return True

    def _warehouse_id(self) -> str:
        if self.account.extra.get("warehouse_id"):
            return self.account.extra["warehouse_id"]
        if self._warehouse is None:
            data = self._call("GET", "/logistics/202309/warehouses")
            rows = [w for w in data.get("warehouses") or [] if w.get("type") == "SALES_WAREHOUSE"]
            if not rows:
                raise PermanentError(
                    "Kênh bán TikTok Shop chưa có kho hàng bán; hãy tạo kho trong Seller Center.",
                    raw=data,
                )
            default = next((w for w in rows if w.get("is_default")), rows[0])
            self._warehouse = str(default["id"])
        return self._warehouse

    def _upload_images(self, data: ListingData) -> list[str]:
        uris = []
        for image in data.images[: mapping.IMAGE_SPEC.max_count]:
            jpeg = images.prepare(image, mapping.IMAGE_SPEC, self.image_cache)
            files = {"data": (f"{image.sha256[:16]}.jpg", jpeg, "image/jpeg")}
            # the upload takes no shop_cipher, and a multipart body is not signed
            uploaded = self._call(
                "POST",
                f"{V}/images/upload",
                shop=False,
                files=files,
                form={"use_case": "MAIN_IMAGE"},
            )
            uris.append(str(uploaded["uri"]))
        return uris

    def _call(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
        form: dict[str, str] | None = None,
        shop: bool = True,
    ) -> dict[str, Any]:
        """One signed call; returns ``data`` when ``code`` is 0, else raises a typed error."""
        tokens = self.account.tokens
        if tokens is None:
            raise AuthExpiredError("Chưa có access token TikTok Shop; cần cấp quyền lại.")
        signed = {"app_key": self.account.app_key, "timestamp": str(int(time.time()))}
        if shop:
            signed["shop_cipher"] = tokens.extra.get("shop_cipher", "")
        signed.update(query or {})
        headers = {"x-tts-access-token": tokens.access_token}
        text = None
        if files is None:
            text = json.dumps(body, ensure_ascii=False, separators=(",", ":")) if body else ""
            headers["content-type"] = "application/json"
        signed["sign"] = signing.sign(self.account.app_secret, path, signed, text)
        response = send(
            self.http,
            method,
            self.account.base_url.rstrip("/") + path,
            timeout=self.timeout,
            params=signed,
            headers=headers,
            data=text.encode("utf-8") if text else form,
            files=files,
            # creating a product must not be repeated blindly (a duplicate item)
            idempotent=not (method == "POST" and path == f"{V}/products"),
        )
        return _check(_json_body(response), response)


def _json_body(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise RetryableError(
            f"TikTok Shop trả về dữ liệu không đọc được (HTTP {response.status_code}).",
            raw=response.text[:2000],
        ) from exc
    return body if isinstance(body, dict) else {"code": -1, "message": str(body)}


def _code(raw: Any) -> int:
    try:
        return int(raw.get("code", 0)) if isinstance(raw, dict) else 0
    except (TypeError, ValueError):
        return -1


def _check(body: dict[str, Any], response: Any) -> dict[str, Any]:
    """Turn TikTok's error body into the matching typed error."""
    code, message = _code(body), str(body.get("message", ""))
    if code == 0:
        return body.get("data") or {}
    if code in _RATE_CODES:
        raise RateLimitedError(
            "TikTok Shop báo gọi quá nhanh; sẽ thử lại sau.",
            retry_after=retry_after_seconds(response, default=1.0),
            raw=body,
        )
    if code in _AUTH_CODES:
        raise AuthExpiredError("Access token TikTok Shop đã hết hạn hoặc không hợp lệ.", raw=body)
    if code in _TRANSIENT_CODES:
        raise RetryableError(f"TikTok Shop gặp lỗi tạm thời ({code}).", raw=body)
    if code in _CREDENTIAL_CODES:
        raise PermanentError(
            f"TikTok Shop từ chối yêu cầu ({code}: {message}). Kiểm tra App Key, App Secret, "
            "đồng hồ máy chủ và quyền của ứng dụng.",
            raw=body,
        )
    problem = mapping.problem_for(code, message)
    raise PermanentError(
        f"TikTok Shop từ chối ({code}): {message}",
        problems=[problem] if problem else [],
        raw=body,
    )
