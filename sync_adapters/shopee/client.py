"""Shopee Open Platform v2 client for one shop: authorisation, media space, product calls.

Every call carries ``partner_id``, ``timestamp`` and ``sign`` in its query (shop calls also
``access_token`` and ``shop_id``); bodies are JSON and never signed. Errors come back as
``{"error": "...", "message": "...", "request_id": "..."}`` and are mapped to our typed errors.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

import requests

from ..base import (
    AccountConfig,
    Adapter,
    AuthExpiredError,
    Category,
    FieldProblem,
    ListingData,
    ListingResult,
    PermanentError,
    RateLimitedError,
    RemoteStatus,
    RetryableError,
    Tokens,
)
from ..common import item_url, upload_once
from ..http import send
from . import mapping, signing
from .categories import CATEGORIES, DEFAULT_MAPPING

AUTH_PARTNER = "/api/v2/shop/auth_partner"
TOKEN_GET = "/api/v2/auth/token/get"
REFRESH = "/api/v2/auth/access_token/get"
UPLOAD_IMAGE = "/api/v2/media_space/upload_image"
CHANNEL_LIST = "/api/v2/logistics/get_channel_list"
ADD_ITEM = "/api/v2/product/add_item"
UPDATE_ITEM = "/api/v2/product/update_item"
UNLIST_ITEM = "/api/v2/product/unlist_item"
UPDATE_PRICE = "/api/v2/product/update_price"
UPDATE_STOCK = "/api/v2/product/update_stock"
BASE_INFO = "/api/v2/product/get_item_base_info"
SEARCH_ITEM = "/api/v2/product/search_item"

REFRESH_TOKEN_TTL = timedelta(days=30)  # Shopee: a refresh token lives 30 days
TOKEN_ERRORS = {"invalid_acceess_token", "invalid_access_token", "error_auth"}
RETRY_ERRORS = {"error_server", "error_inner", "error_busy", "error_network"}
RATE_ERRORS = {"error_too_many_request", "error_rate_limit"}

STATUSES = {
    "NORMAL": RemoteStatus.LIVE,
    "UNLIST": RemoteStatus.INACTIVE,
    "REVIEWING": RemoteStatus.PENDING_REVIEW,
    "BANNED": RemoteStatus.REJECTED,
    "SELLER_DELETE": RemoteStatus.MISSING,
    "SHOPEE_DELETE": RemoteStatus.MISSING,
}


class ShopeeAdapter(Adapter):
    """Shopee Việt Nam through Open Platform v2 (partner_id / partner_key, shop OAuth)."""

    code = "shopee"
    name = "Shopee"
    auth_flow = "oauth"
    categories: ClassVar[dict[str, Category]] = CATEGORIES
    default_mapping: ClassVar[dict[str, str]] = DEFAULT_MAPPING
    default_rate_limit = 10.0

    def __init__(
        self,
        account: AccountConfig,
        *,
        http: requests.Session | None = None,
        timeout: float = 10.0,
        image_cache: Path | None = None,
    ):
        super().__init__(account, http=http, timeout=timeout, image_cache=image_cache)
        self.clock = time.time  # replaceable in tests (Shopee allows 5 minutes of skew)
        self._image_ids: dict[str, str] = {}  # prepared photo hash -> media space image id
        self._logistics: list[int] | None = None

    # --- authorisation -------------------------------------------------------------------
    def authorize_url(self, redirect_uri: str, state: str) -> str:
        """Shopee's shop authorisation page; ``state`` rides in the redirect (Shopee keeps the
        redirect's own query and appends ``code`` and ``shop_id``)."""
        joiner = "&" if urlsplit(redirect_uri).query else "?"
        redirect = f"{redirect_uri}{joiner}{urlencode({'state': state})}" if state else redirect_uri
        params = self._public_params(AUTH_PARTNER)
        params["redirect"] = redirect
        return f"{self._url(AUTH_PARTNER)}?{urlencode(params)}"

    def exchange_code(self, params: dict[str, str], redirect_uri: str) -> tuple[str, Tokens]:
        """Trade the callback's ``code`` and ``shop_id`` for the shop's tokens."""
        code, shop_id = params.get("code", ""), params.get("shop_id", "")
        if not code or not shop_id:
            raise PermanentError(
                "Shopee không trả về mã cấp quyền của kênh bán (cần đăng nhập bằng tài khoản shop, "
                "không phải tài khoản chính). Hãy kết nối lại kênh bán.",
                raw=params,
            )
        body = {"code": code, "shop_id": _num(shop_id), "partner_id": _num(self.account.app_key)}
        now = self.clock()
        try:
            answer = self._request("POST", TOKEN_GET, self._public_params(TOKEN_GET), json=body)
        except AuthExpiredError as exc:  # a used or expired code: the seller must start over
            raise PermanentError(
                "Mã cấp quyền Shopee đã dùng hoặc đã hết hạn (10 phút). Hãy kết nối lại kênh bán.",
                raw=exc.raw,
            ) from exc
        return shop_id, self._tokens(answer, now)

    def refresh(self) -> Tokens:
        """New tokens; Shopee's refresh token is single-use, so store the result at once."""
        tokens = self.account.tokens
        if tokens is None or not tokens.refresh_token:
            raise PermanentError(
                "Kênh bán chưa được cấp quyền trên Shopee. Hãy kết nối lại kênh bán."
            )
        body = {
            "refresh_token": tokens.refresh_token,
            "shop_id": _num(self.account.shop_id),
            "partner_id": _num(self.account.app_key),
        }
        now = self.clock()
        try:
            answer = self._request("POST", REFRESH, self._public_params(REFRESH), json=body)
        except AuthExpiredError as exc:
            # A used, expired or revoked refresh token: only a new authorisation helps.
            raise PermanentError(
                "Shopee không nhận mã làm mới quyền (đã dùng, hết hạn hoặc bị thu hồi). "
                "Hãy kết nối lại kênh bán.",
                raw=exc.raw,
            ) from exc
        new = self._tokens(answer, now, extra=tokens.extra)
        self.account = self.account.with_tokens(new)
        return new

    # --- listings --------------------------------------------------------------------------
    def validate(self, data: ListingData) -> list[FieldProblem]:
        """Every rule Shopee VN would reject (limits, category, attributes, weight, images)."""
        return mapping.validate(data)

    def create(self, data: ListingData) -> ListingResult:
        """Upload the photos to the media space, then ``add_item``."""
        image_ids = self._upload_images(data)
        body = mapping.item_payload(data, image_ids, self._logistic_ids())
        answer = self._shop("POST", ADD_ITEM, json=body)
        item_id = str(answer["response"]["item_id"])
        status = RemoteStatus.LIVE if data.active else RemoteStatus.INACTIVE
        return ListingResult(item_id, status, url=self._item_url(item_id))

    def update(self, result: ListingResult, data: ListingData) -> ListingResult:
        """``update_item`` (content and NORMAL/UNLIST), then price and stock."""
        image_ids = self._upload_images(data)
        item_id = int(result.external_id)
        body = mapping.update_payload(item_id, data, image_ids, self._logistic_ids())
        self._shop("POST", UPDATE_ITEM, json=body)
        self._price_stock(item_id, data.price_vnd, data.stock)
        status = RemoteStatus.LIVE if data.active else RemoteStatus.INACTIVE
        return replace(result, status=status, url=self._item_url(result.external_id))

    def update_price_stock(
        self, result: ListingResult, price_vnd: int, stock: int
    ) -> ListingResult:
        """``update_price`` and ``update_stock`` only."""
        self._price_stock(int(result.external_id), price_vnd, stock)
        return replace(result, url=result.url or self._item_url(result.external_id))

    def delist(self, result: ListingResult) -> ListingResult:
        """``unlist_item`` with ``unlist: true`` (the item stays and can be listed again)."""
        body = {"item_list": [{"item_id": int(result.external_id), "unlist": True}]}
        answer = self._shop("POST", UNLIST_ITEM, json=body)
        self._raise_failures(answer)
        return replace(result, status=RemoteStatus.INACTIVE)

    def status(self, result: ListingResult) -> ListingResult:
        """The item's ``item_status`` from ``get_item_base_info`` (absent: MISSING)."""
        items = self._base_info([result.external_id])
        if not items:
            return replace(result, status=RemoteStatus.MISSING)
        return self._result(items[0])

    def find_by_sku(self, sku: str) -> ListingResult | None:
        """``search_item`` by ``item_sku`` (a keyword match), then the exact SKU among them."""
        params = {"item_sku": sku, "page_size": "50", "offset": "0"}
        params_list = [*params.items(), ("item_status", "NORMAL"), ("item_status", "UNLIST")]
        answer = self._shop("GET", SEARCH_ITEM, params=params_list)
        ids = [str(i) for i in (answer.get("response") or {}).get("item_id_list") or []]
        if not ids:
            return None
        matches = [item for item in self._base_info(ids) if item.get("item_sku") == sku]
        if not matches:
            return None
        matches.sort(key=lambda item: (item.get("item_status") != "NORMAL", -item["item_id"]))
        return self._result(matches[0])

    # --- helpers ---------------------------------------------------------------------------
    def _price_stock(self, item_id: int, price_vnd: int, stock: int) -> None:
        price = {"item_id": item_id, "price_list": [{"model_id": 0, "original_price": price_vnd}]}
        self._raise_failures(self._shop("POST", UPDATE_PRICE, json=price))
        stock_body = {
            "item_id": item_id,
            "stock_list": [{"model_id": 0, "seller_stock": [{"stock": stock}]}],
        }
        self._raise_failures(self._shop("POST", UPDATE_STOCK, json=stock_body))

    def _base_info(self, item_ids: list[str]) -> list[dict[str, Any]]:
        params = {"item_id_list": ",".join(item_ids[:50])}
        answer = self._shop("GET", BASE_INFO, params=params)
        return list((answer.get("response") or {}).get("item_list") or [])

    def _result(self, item: dict[str, Any]) -> ListingResult:
        item_id = str(item["item_id"])
        status = STATUSES.get(str(item.get("item_status")), RemoteStatus.MISSING)
        return ListingResult(item_id, status, url=self._item_url(item_id))

    def _upload_images(self, data: ListingData) -> list[str]:
        return upload_once(
            data.images, mapping.IMAGE_SPEC, self.image_cache, self._image_ids, self._upload
        )

    def _upload(self, jpeg: bytes, file_name: str) -> str:
        """One photo into the media space; its image id."""
        answer = self._request(
            "POST",
            UPLOAD_IMAGE,
            self._public_params(UPLOAD_IMAGE),
            files={"image": (file_name, jpeg, "image/jpeg")},
            data={"scene": "normal"},
        )
        info = (answer.get("response") or {}).get("image_info") or {}
        if not info.get("image_id"):
            raise PermanentError("Shopee không nhận ảnh sản phẩm.", raw=answer)
        return str(info["image_id"])

    def _logistic_ids(self) -> list[int]:
        # The shop's enabled shipping channels; an admin may pin them in account.extra.
        if self._logistics is None:
            pinned = self.account.extra.get("logistic_ids", "")
            if pinned.strip():
                self._logistics = [int(x) for x in pinned.split(",") if x.strip().isdigit()]
            else:
                answer = self._shop("GET", CHANNEL_LIST)
                channels = (answer.get("response") or {}).get("logistics_channel_list") or []
                self._logistics = [
                    int(c["logistics_channel_id"]) for c in channels if c.get("enabled")
                ]
        if not self._logistics:
            raise PermanentError(
                "Kênh bán chưa bật đơn vị vận chuyển nào trên Shopee.",
                problems=[
                    FieldProblem(
                        "logistic_info",
                        "Kênh bán chưa bật đơn vị vận chuyển nào.",
                        mapping.FIXES["logistic_info"],
                    )
                ],
            )
        return self._logistics

    def _item_url(self, item_id: str) -> str:
        own = f"https://shopee.vn/product/{self.account.shop_id}/{item_id}"
        return item_url(self.account, item_id) or own

    def _url(self, path: str) -> str:
        return self.account.base_url.rstrip("/") + path

    def _public_params(self, path: str) -> dict[str, str]:
        return signing.signed_params(
            self.account.app_secret, self.account.app_key, path, int(self.clock())
        )

    def _shop(self, method: str, path: str, *, params: Any = None, json: Any = None) -> dict:
        tokens = self.account.tokens
        if tokens is None:
            raise PermanentError(
                "Kênh bán chưa được cấp quyền trên Shopee. Hãy kết nối kênh bán trước."
            )
        common = signing.signed_params(
            self.account.app_secret,
            self.account.app_key,
            path,
            int(self.clock()),
            tokens.access_token,
            self.account.shop_id,
        )
        extra = list(params.items()) if isinstance(params, dict) else list(params or [])
        return self._request(method, path, [*common.items(), *extra], json=json)

    def _request(self, method: str, path: str, params: Any, **kwargs: Any) -> dict:
        response = send(
            self.http,
            method,
            self._url(path),
            timeout=self.timeout,
            params=params,
            idempotent=path not in (ADD_ITEM, TOKEN_GET, REFRESH),
            **kwargs,
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise PermanentError(
                f"Shopee trả lời không đọc được (HTTP {response.status_code}).",
                raw=response.text[:2000],
            )
        raise_for_error(body)
        return body

    def _raise_failures(self, answer: dict) -> None:
        failures = (answer.get("response") or {}).get("failure_list") or []
        if failures:
            reason = str(failures[0].get("failed_reason", ""))
            raise PermanentError(
                f"Shopee từ chối: {reason}", problems=mapping.problems_from(reason), raw=answer
            )

    def _tokens(self, answer: dict, now: float, extra: dict[str, str] | None = None) -> Tokens:
        expires = datetime.fromtimestamp(now + int(answer.get("expire_in", 14400)), UTC)
        return Tokens(
            access_token=str(answer["access_token"]),
            expires_at=expires,
            refresh_token=str(answer["refresh_token"]),
            refresh_expires_at=datetime.fromtimestamp(now, UTC) + REFRESH_TOKEN_TTL,
            extra=dict(extra or {}),
        )


def _num(value: str) -> int | str:
    # Shopee's ids are integers in JSON bodies.
    return int(value) if value.isdigit() else value


def raise_for_error(body: dict) -> None:
    """Raise the typed error a Shopee answer's ``error`` field stands for (none: return)."""
    error = str(body.get("error") or "")
    if not error:
        return
    message = str(body.get("message") or body.get("msg") or "")
    if error in TOKEN_ERRORS:
        raise AuthExpiredError("Quyền truy cập Shopee đã hết hạn; cần làm mới.", raw=body)
    if error in RATE_ERRORS:
        raise RateLimitedError(
            "Shopee báo gọi quá nhanh; sẽ thử lại sau.", retry_after=1.0, raw=body
        )
    if error in RETRY_ERRORS:
        raise RetryableError("Shopee gặp lỗi tạm thời; sẽ thử lại sau.", raw=body)
    if error == "error_sign":
        raise PermanentError(
            "Shopee từ chối chữ ký: kiểm tra Partner ID và Partner Key của ứng dụng.", raw=body
        )
    if "timestamp" in message.lower():
        raise PermanentError(
            "Shopee từ chối thời điểm gửi: đồng hồ máy chủ lệch quá 5 phút, cần đồng bộ giờ.",
            raw=body,
        )
    if error in {"error_partner", "error_permission", "error_shop"}:
        raise PermanentError(
            f"Ứng dụng không có quyền với kênh bán này trên Shopee ({message}). Hãy kết nối lại "
            "kênh bán.",
            raw=body,
        )
    raise PermanentError(
        f"Shopee từ chối: {message or error}", problems=mapping.problems_from(message), raw=body
    )
