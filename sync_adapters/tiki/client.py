"""Tiki Open API client: OAuth2 (Ory Hydra) bearer tokens, reviewed product requests.

A new product is a *request*: ``POST /integration/v2.1/requests`` answers a ``track_id``;
``GET /integration/v2/tracking/{track_id}`` follows the review; once ``approved`` the request
(``GET /integration/v2/requests/{request_id}``) names the product id. Until then the listing's
``external_id`` is the track id. Price, stock and visibility go through
``PUT /integration/v2/products/updateSku`` (no review); content changes are an update request.

Images: Tiki downloads the URLs a request names. The adapter uploads each prepared photo to
``account.extra["image_upload_url"]`` (default ``{base_url}/_sandbox/images``: the sandbox's
image host) and sends the URLs it answers; a live account must set an upload URL that serves
the photos publicly.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from ..base import (
    Adapter,
    AuthExpiredError,
    FieldProblem,
    ListingData,
    ListingResult,
    PermanentError,
    RemoteStatus,
    RetryableError,
    Tokens,
)
from ..common import item_url, response_body, slug, upload_once
from ..http import send
from . import mapping
from .categories import CATEGORIES, DEFAULT_MAPPING

SCOPE = "offline product inventory"  # offline: Hydra issues a refresh token
_TRACK_ID = re.compile(r"^[0-9a-f]{32}$")
_PENDING_STATES = {
    "queuing",
    "processing",
    "drafted",
    "md_awaiting_approve",
    "bot_awaiting_approve",
    "awaiting_approve",
}


class TikiAdapter(Adapter):
    """One Tiki seller, through the Open API."""

    code = "tiki"
    name = "Tiki"
    auth_flow = "oauth"
    categories = CATEGORIES
    default_mapping = DEFAULT_MAPPING
    default_rate_limit = 200.0  # Tiki: "200 request / per second / per seller"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._uploaded: dict[str, str] = {}  # prepared photo hash -> URL already uploaded

    # --- authorisation -------------------------------------------------------------------
    def authorize_url(self, redirect_uri: str, state: str) -> str:
        """Tiki's consent page (Hydra ``/sc/oauth2/auth``); ``state`` needs 8+ characters."""
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.account.app_key,
                "redirect_uri": redirect_uri,
                "scope": SCOPE,
                "state": state,
            }
        )
        return f"{self._base}/sc/oauth2/auth?{query}"

    def exchange_code(self, params: dict[str, str], redirect_uri: str) -> tuple[str, Tokens]:
        """Trade ``code`` for tokens, then ask ``/sellers/me`` which shop granted them."""
        if params.get("error"):
            reason = params.get("error_description") or params["error"]
            raise PermanentError(f"Tiki không cấp quyền: {reason}", raw=params)
        if not params.get("code"):
            raise PermanentError("Tiki không gửi mã uỷ quyền; hãy kết nối lại.", raw=params)
        tokens = self._token(
            {
                "grant_type": "authorization_code",
                "code": params["code"],
                "redirect_uri": redirect_uri,
            }
        )
        seller = self._api("GET", "/integration/v2/sellers/me", token=tokens.access_token)
        return str(seller["id"]), tokens

    def refresh(self) -> Tokens:
        """New tokens; Hydra rotates the refresh token, so store the returned one at once."""
        current = self.account.tokens
        if current is None or not current.refresh_token:
            raise PermanentError("Chưa có refresh token Tiki; hãy kết nối lại shop với Tiki.")
        return self._token({"grant_type": "refresh_token", "refresh_token": current.refresh_token})

    # --- listings --------------------------------------------------------------------------
    def validate(self, data: ListingData) -> list[FieldProblem]:
        """Every problem Tiki would refuse (see ``mapping.validate``)."""
        return mapping.validate(data, self.categories)

    def create(self, data: ListingData) -> ListingResult:
        """Send a product request; the result waits for Tiki's review (PENDING_REVIEW)."""
        self._require_valid(data)
        urls = self._image_urls(data)
        category = self.categories.get(data.category_id or "")
        body = mapping.request_payload(data, category, urls, self.account.extra)
        answer = self._api("POST", "/integration/v2.1/requests", json=body)
        track = str(answer["track_id"])
        return ListingResult(
            external_id=track,
            status=RemoteStatus.PENDING_REVIEW,
            review_ref=track,
            message="Tiki đang duyệt yêu cầu tạo sản phẩm.",
        )

    def update(self, result: ListingResult, data: ListingData) -> ListingResult:
        """Content through a reviewed update request, then price/stock/visibility at once.

        A rejected request cannot be edited at Tiki: a fixed listing is sent as a new request."""
        self._require_valid(data)
        if not _is_product_id(result.external_id):
            current = self.status(result)
            if current.status in (RemoteStatus.REJECTED, RemoteStatus.MISSING):
                return self.create(data)
            if current.status == RemoteStatus.PENDING_REVIEW:
                raise RetryableError("Tiki đang duyệt sản phẩm; sẽ cập nhật khi duyệt xong.")
            result = current
        product_id = int(result.external_id)
        urls = self._image_urls(data)
        category = self.categories.get(data.category_id or "")
        info = self._api(
            "POST",
            "/integration/v2/requests/updateProductInfo",
            json=mapping.update_info_payload(product_id, data, category, urls),
        )
        self._update_sku(
            mapping.update_sku_payload(
                product_id, price=data.price_vnd, stock=data.stock, active=data.active
            )
        )
        return ListingResult(
            external_id=str(product_id),
            status=RemoteStatus.LIVE if data.active else RemoteStatus.INACTIVE,
            url=self._url(str(product_id), data.name),
            review_ref=str(info.get("track_id") or result.review_ref or "") or None,
            external_sku_id=result.external_sku_id,
            message="Giá, tồn kho đã cập nhật; phần nội dung mới chờ Tiki duyệt.",
        )

    def update_price_stock(
        self, result: ListingResult, price_vnd: int, stock: int
    ) -> ListingResult:
        """``updateSku`` with price and quantity (Tiki applies it without review)."""
        problems = mapping.price_stock_problems(price_vnd, stock)
        if problems:
            raise PermanentError("Giá hoặc tồn kho không hợp lệ cho Tiki.", problems=problems)
        result = self._approved(result)
        self._update_sku(
            mapping.update_sku_payload(int(result.external_id), price=price_vnd, stock=stock)
        )
        return result

    def delist(self, result: ListingResult) -> ListingResult:
        """Set the product inactive (``active: 0``); it stays at Tiki and can come back."""
        result = self._approved(result)
        if result.status == RemoteStatus.MISSING:
            return result
        self._update_sku(mapping.update_sku_payload(int(result.external_id), active=False))
        return replace(result, status=RemoteStatus.INACTIVE, message="")

    def status(self, result: ListingResult) -> ListingResult:
        """The review's outcome while in review, else the product's active flag.

        Tiki leaves an approved product inactive; the listing was created to be sold, so the
        first status read after approval switches it on (delist/update hide it again)."""
        if _is_product_id(result.external_id):
            return self._product_result(result.external_id, result.review_ref)
        track = result.review_ref or result.external_id
        tracking = self._api("GET", f"/integration/v2/tracking/{track}", allow_404=True)
        if tracking is None:
            return replace(
                result,
                status=RemoteStatus.MISSING,
                message="Tiki không còn yêu cầu này (mã theo dõi hết hạn sau 30 ngày).",
            )
        state = str(tracking.get("state", ""))
        if state in _PENDING_STATES:
            return replace(result, status=RemoteStatus.PENDING_REVIEW, review_ref=track)
        if state == "rejected":
            reason = tracking.get("reason") or "không nêu lý do"
            return replace(
                result,
                status=RemoteStatus.REJECTED,
                review_ref=track,
                message=f"Tiki từ chối yêu cầu: {reason}",
            )
        if state == "approved":
            detail = self._api("GET", f"/integration/v2/requests/{tracking['request_id']}")
            product = (detail.get("products") or [{}])[0]
            product_id = str(product.get("product_id") or product.get("id") or "")
            if not product_id:
                return replace(result, status=RemoteStatus.PENDING_REVIEW, review_ref=track)
            if not product.get("active"):
                self._update_sku(mapping.update_sku_payload(int(product_id), active=True))
            return ListingResult(
                external_id=product_id,
                status=RemoteStatus.LIVE,
                url=self._url(product_id, str(product.get("name", ""))),
                review_ref=track,
                external_sku_id=str(product.get("sku") or "") or None,
            )
        return replace(
            result, status=RemoteStatus.MISSING, message=f"Yêu cầu ở trạng thái {state}."
        )

    def find_by_sku(self, sku: str) -> ListingResult | None:
        """``GET /integration/v2/products/findBy?original_sku=`` (approved products only)."""
        product = self._api(
            "GET", "/integration/v2/products/findBy", params={"original_sku": sku}, allow_404=True
        )
        if not product:
            return None
        return self._from_product(product, None)

    # --- helpers ---------------------------------------------------------------------------
    @property
    def _base(self) -> str:
        return self.account.base_url.rstrip("/")

    def _require_valid(self, data: ListingData) -> None:
        problems = self.validate(data)
        if problems:
            raise PermanentError("Dữ liệu chưa đủ để đăng lên Tiki.", problems=problems)

    def _approved(self, result: ListingResult) -> ListingResult:
        """The listing as an approved product (reads the review outcome when still a track id)."""
        if _is_product_id(result.external_id):
            return result
        current = self.status(result)
        if current.status == RemoteStatus.PENDING_REVIEW:
            raise RetryableError("Tiki đang duyệt sản phẩm; sẽ thử lại khi duyệt xong.")
        if current.status == RemoteStatus.REJECTED:
            raise PermanentError(current.message or "Tiki đã từ chối sản phẩm này.")
        return current

    def _product_result(self, product_id: str, review_ref: str | None) -> ListingResult:
        product = self._api("GET", f"/integration/v2/products/{product_id}", allow_404=True)
        if not product:
            return ListingResult(product_id, RemoteStatus.MISSING, review_ref=review_ref)
        return self._from_product(product, review_ref)

    def _from_product(self, product: dict[str, Any], review_ref: str | None) -> ListingResult:
        product_id = str(product.get("id") or product.get("product_id"))
        active = str(product.get("active", "0")) in ("1", "True", "true")
        return ListingResult(
            external_id=product_id,
            status=RemoteStatus.LIVE if active else RemoteStatus.INACTIVE,
            url=self._url(product_id, str(product.get("name", ""))),
            review_ref=review_ref,
            external_sku_id=str(product.get("sku") or "") or None,
        )

    def _url(self, product_id: str, name: str) -> str:
        own = f"https://tiki.vn/{slug(name)}-p{product_id}.html"
        return item_url(self.account, product_id) or own

    def _update_sku(self, body: dict[str, Any]) -> None:
        self._api("PUT", "/integration/v2/products/updateSku", json=body)

    def _image_urls(self, data: ListingData) -> list[str]:
        """Upload each prepared photo once to the image host Tiki downloads from."""
        return upload_once(
            data.images, mapping.SPEC, self.image_cache, self._uploaded, self._upload
        )

    def _upload(self, jpeg: bytes, file_name: str) -> str:
        """One photo to the image host; the URL Tiki will download it from."""
        target = self.account.extra.get("image_upload_url") or f"{self._base}/_sandbox/images"
        response = send(
            self.http,
            "POST",
            target,
            timeout=self.timeout,
            files={"image": (file_name, jpeg, "image/jpeg")},
        )
        if response.status_code >= 400:
            raise PermanentError(
                "Không tải được ảnh lên nơi Tiki lấy ảnh; kiểm tra image_upload_url.",
                raw=response_body(response),
            )
        return str(response.json()["url"])

    def _token(self, form: dict[str, str]) -> Tokens:
        """``POST /sc/oauth2/token`` with client_secret_basic; every refusal is permanent."""
        response = send(
            self.http,
            "POST",
            f"{self._base}/sc/oauth2/token",
            timeout=self.timeout,
            data=form,
            auth=(self.account.app_key, self.account.app_secret),
            idempotent=False,  # codes and refresh tokens are single-use
        )
        body = response_body(response)
        if response.status_code >= 400 or not isinstance(body, dict) or "access_token" not in body:
            error = body.get("error") if isinstance(body, dict) else None
            if error == "invalid_client":
                message = "Tiki không nhận Client ID/Client Secret; kiểm tra lại khoá ứng dụng."
            else:
                message = "Tiki không cấp token (mã hoặc refresh token hết hạn); hãy kết nối lại."
            raise PermanentError(message, raw=body)
        now = datetime.now(UTC)
        return Tokens(
            access_token=str(body["access_token"]),
            expires_at=now + timedelta(seconds=int(body.get("expires_in") or 3600)),
            refresh_token=body.get("refresh_token") or form.get("refresh_token"),
            extra={"scope": str(body.get("scope", ""))},
        )

    def _api(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        allow_404: bool = False,
        **kwargs: Any,
    ) -> Any:
        """One Open API call with Tiki's error shapes turned into typed errors."""
        if token is None:
            if self.account.tokens is None:
                raise AuthExpiredError("Chưa có token Tiki; cần làm mới.")
            token = self.account.tokens.access_token
        response = send(
            self.http,
            method,
            f"{self._base}{path}",
            timeout=self.timeout,
            headers={"Authorization": f"Bearer {token}"},
            # a new product request must not be sent twice (a duplicate request)
            idempotent=not (method == "POST" and path.startswith("/integration/v2.1/requests")),
            **kwargs,
        )
        body = response_body(response)
        if response.status_code == 404 and allow_404:
            return None
        if response.status_code == 401:
            raise AuthExpiredError("Token Tiki đã hết hạn hoặc bị thu hồi.", raw=body)
        if response.status_code == 403:
            raise PermanentError(
                "Tiki từ chối quyền: shop chưa cấp đủ quyền (scope) hoặc shop chưa hoạt động.",
                raw=body,
            )
        if response.status_code >= 400:
            errors = _errors(body)
            raise PermanentError(
                "Tiki từ chối dữ liệu: " + "; ".join(str(e) for e in errors),
                problems=mapping.problems_from_errors(errors),
                raw=body,
            )
        return body


def _is_product_id(external_id: str) -> bool:
    return external_id.isdigit() and not _TRACK_ID.match(external_id)


def _errors(body: Any) -> list[Any]:
    if isinstance(body, dict):
        if isinstance(body.get("errors"), list):
            return list(body["errors"])
        for key in ("error_description", "message", "error"):
            if body.get(key):
                return [body[key]]
    return [str(body)[:300]]
