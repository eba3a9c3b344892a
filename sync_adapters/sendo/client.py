"""Sendo Open API client: shop key + secret key, no OAuth.

``POST /login {shop_key, secret_key}`` answers ``{"result": {"token", "expires"}}``; the token
lasts 8 hours and goes in ``Authorization: bearer <token>``. There is no refresh token:
``refresh()`` logs in again with the account's keys (``app_key`` = shop key, ``app_secret`` =
secret key). ``authorize_url`` therefore points at the seller-centre page where a shop finds
its keys (Sendo's ``ban.sendo.vn/cau-hinh/api``; on a sandbox, the sandbox's copy of it), and
``exchange_code`` refuses: there is no code to exchange.

Products: ``POST /api/partner/product`` creates (``id`` 0) or replaces (``id`` = product id);
``GET /api/partner/product?id=|sku=`` reads; ``PUT /api/partner/product/config/variant-price``
changes price and stock. "Stop selling" is ``stock_availability: false``. Photos are uploaded
first (``POST /api/partner/upload-image``): Sendo shows only images it hosts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from ..base import (
    Adapter,
    AuthExpiredError,
    FieldProblem,
    ListingData,
    ListingResult,
    PermanentError,
    RateLimitedError,
    RemoteStatus,
    Tokens,
)
from ..common import item_url, response_body, slug, upload_once
from ..http import send
from . import mapping
from .categories import CATEGORIES, DEFAULT_MAPPING

TOKEN_LIFETIME = timedelta(hours=8)
KEYS_PAGE = "https://ban.sendo.vn/cau-hinh/api"
#: Sendo product status: 1 chờ duyệt, 2 đã duyệt (on sale), 3 từ chối, 4 huỷ, 5 đã xoá.
_STATUS = {
    1: RemoteStatus.PENDING_REVIEW,
    3: RemoteStatus.REJECTED,
    4: RemoteStatus.INACTIVE,
    5: RemoteStatus.MISSING,
}


class SendoAdapter(Adapter):
    """One Sendo shop, through the Open API."""

    code = "sendo"
    name = "Sendo"
    auth_flow = "keys"
    categories = CATEGORIES
    default_mapping = DEFAULT_MAPPING
    default_rate_limit = 5.0  # Sendo publishes 5 req/s for login; we keep all calls below it

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._uploaded: dict[str, str] = {}  # prepared photo hash -> Sendo-hosted URL

    # --- authorisation -------------------------------------------------------------------
    def authorize_url(self, redirect_uri: str, state: str) -> str:
        """Where the seller finds the shop key and secret key to paste (no OAuth at Sendo)."""
        host = urlparse(self.account.base_url).hostname or ""
        if host.endswith("sendo.vn"):
            return KEYS_PAGE
        return f"{self._base}/cau-hinh/api"

    def exchange_code(self, params: dict[str, str], redirect_uri: str) -> tuple[str, Tokens]:
        """Sendo has no authorisation code: the shop's keys are pasted and ``refresh`` logs in."""
        raise PermanentError(
            "Sendo không dùng OAuth: hãy dán Shop key và Secret key (lấy ở ban.sendo.vn > "
            "Cấu hình > Kết nối API) vào tài khoản kênh, hệ thống sẽ tự đăng nhập."
        )

    def refresh(self) -> Tokens:
        """Log in again with the shop key and secret key (a token lasts 8 hours)."""
        response = send(
            self.http,
            "POST",
            f"{self._base}/login",
            timeout=self.timeout,
            json={"shop_key": self.account.app_key, "secret_key": self.account.app_secret},
        )
        body = response_body(response)
        result = body.get("result") if isinstance(body, dict) else None
        if response.status_code >= 400 or not isinstance(result, dict) or not result.get("token"):
            raise PermanentError(
                "Sendo không nhận Shop key/Secret key; kiểm tra lại ở ban.sendo.vn > Kết nối API.",
                raw=body,
            )
        return Tokens(access_token=str(result["token"]), expires_at=_expiry(result.get("expires")))

    # --- listings --------------------------------------------------------------------------
    def validate(self, data: ListingData) -> list[FieldProblem]:
        """Every problem Sendo would refuse (see ``mapping.validate``)."""
        return mapping.validate(data, self.categories)

    def create(self, data: ListingData) -> ListingResult:
        """Upload the photos, then ``POST /api/partner/product`` with ``id`` 0."""
        return self._save(0, data)

    def update(self, result: ListingResult, data: ListingData) -> ListingResult:
        """Replace the product (content, price, stock; hidden when ``data.active`` is False)."""
        return self._save(int(result.external_id), data)

    def update_price_stock(
        self, result: ListingResult, price_vnd: int, stock: int
    ) -> ListingResult:
        """``variant-price`` only; a hidden listing stays hidden."""
        problems = mapping.price_stock_problems(price_vnd, stock)
        if problems:
            raise PermanentError("Giá hoặc tồn kho không hợp lệ cho Sendo.", problems=problems)
        visible = result.status != RemoteStatus.INACTIVE
        self._price_stock(
            int(result.external_id), price_vnd, stock, mapping.available(visible, stock)
        )
        return result

    def delist(self, result: ListingResult) -> ListingResult:
        """Stop selling: ``stock_availability: false`` with price and stock kept."""
        product = self._product(id=result.external_id)
        if product is None:
            return ListingResult(result.external_id, RemoteStatus.MISSING)
        self._price_stock(
            int(product["id"]), int(product["price"]), int(product["stock_quantity"]), False
        )
        return ListingResult(
            str(product["id"]), RemoteStatus.INACTIVE, url=self._url(product), message=""
        )

    def status(self, result: ListingResult) -> ListingResult:
        """The product's state at Sendo (MISSING when it is gone)."""
        product = self._product(id=result.external_id)
        if product is None:
            return ListingResult(result.external_id, RemoteStatus.MISSING)
        return self._result(product)

    def find_by_sku(self, sku: str) -> ListingResult | None:
        """``GET /api/partner/product?sku=`` (the seller SKU is unique per shop)."""
        product = self._product(sku=sku)
        return self._result(product) if product else None

    # --- helpers ---------------------------------------------------------------------------
    @property
    def _base(self) -> str:
        return self.account.base_url.rstrip("/")

    def _save(self, product_id: int, data: ListingData) -> ListingResult:
        problems = self.validate(data)
        if problems:
            raise PermanentError("Dữ liệu chưa đủ để đăng lên Sendo.", problems=problems)
        urls = self._image_urls(data)
        saved = self._api(
            "POST", "/api/partner/product", json=mapping.product_payload(product_id, data, urls)
        )
        new_id = str(saved or product_id)
        return ListingResult(
            external_id=new_id,
            status=RemoteStatus.LIVE
            if mapping.available(data.active, data.stock)
            else RemoteStatus.INACTIVE,
            url=self._url({"id": new_id, "name": data.name}),
        )

    def _price_stock(self, product_id: int, price: int, stock: int, is_available: bool) -> None:
        entry = mapping.price_stock_entry(product_id, price, stock, is_available)
        answer = self._api("PUT", "/api/partner/product/config/variant-price", json=[entry])
        failures = (answer or {}).get("error_list") if isinstance(answer, dict) else None
        if failures:
            raise PermanentError(
                "Sendo từ chối giá/tồn kho: " + "; ".join(str(f.get("message")) for f in failures),
                problems=[
                    FieldProblem("price_vnd", str(f.get("message")), "Sửa giá hoặc tồn kho.")
                    for f in failures
                ],
                raw=answer,
            )

    def _product(self, **query: str) -> dict[str, Any] | None:
        product = self._api("GET", "/api/partner/product", params=query, allow_404=True)
        return product if isinstance(product, dict) and product.get("id") else None

    def _result(self, product: dict[str, Any]) -> ListingResult:
        status = _STATUS.get(int(product.get("status", 2)))
        if status is None:
            status = (
                RemoteStatus.LIVE if product.get("stock_availability") else RemoteStatus.INACTIVE
            )
        return ListingResult(str(product["id"]), status, url=self._url(product))

    def _url(self, product: dict[str, Any]) -> str:
        path = (
            product.get("url_path") or f"{slug(str(product.get('name', '')))}-{product['id']}.html"
        )
        return item_url(self.account, product["id"]) or f"https://www.sendo.vn/{path}"

    def _image_urls(self, data: ListingData) -> list[str]:
        """Upload each prepared photo once; Sendo answers the URL it hosts."""
        return upload_once(
            data.images, mapping.SPEC, self.image_cache, self._uploaded, self._upload
        )

    def _upload(self, jpeg: bytes, file_name: str) -> str:
        """One photo to Sendo; the URL it hosts the photo at."""
        files = {"file": (file_name, jpeg, "image/jpeg")}
        return str(self._api("POST", "/api/partner/upload-image", files=files))

    def _api(self, method: str, path: str, *, allow_404: bool = False, **kwargs: Any) -> Any:
        """One call in Sendo's envelope ``{result, success, statusCode, error}``; returns result."""
        if self.account.tokens is None:
            raise AuthExpiredError("Chưa đăng nhập Sendo; cần đăng nhập bằng Shop key.")
        response = send(
            self.http,
            method,
            f"{self._base}{path}",
            timeout=self.timeout,
            headers={"Authorization": f"bearer {self.account.tokens.access_token}"},
            # id=0 creates a product: never repeat that blindly (a duplicate item)
            idempotent=not (method == "POST" and (kwargs.get("json") or {}).get("id") in (0, "0")),
            **kwargs,
        )
        body = response_body(response)
        envelope = body if isinstance(body, dict) else {}
        code = envelope.get("statusCode") or envelope.get("status_code") or response.status_code
        if response.status_code == 401 or code == 401:
            raise AuthExpiredError("Token Sendo đã hết hạn (8 giờ); cần đăng nhập lại.", raw=body)
        if code == 429:  # the gateway answers 429; an envelope saying so is treated alike
            raise RateLimitedError(
                "Sendo báo gọi quá nhanh; sẽ thử lại sau.", retry_after=1.0, raw=body
            )
        if (response.status_code == 404 or code == 404) and allow_404:
            return None
        if response.status_code >= 400 or not envelope.get("success"):
            error = envelope.get("error") if isinstance(envelope.get("error"), dict) else {}
            message = str(error.get("message") or f"HTTP {response.status_code}")
            raise PermanentError(
                f"Sendo từ chối: {message}", problems=mapping.problems_from_error(body), raw=body
            )
        return envelope.get("result")


def _expiry(value: Any) -> datetime:
    """Sendo's ``expires`` (ISO time) as aware UTC; 8 hours from now when absent or odd."""
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except ValueError:
            pass
    return datetime.now(UTC) + TOKEN_LIFETIME
