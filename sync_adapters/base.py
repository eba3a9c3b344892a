"""The adapter contract every marketplace client implements: dataclasses in and out, typed errors.

Adapters are pure library code (no Flask app, no SQLAlchemy). The listing engine
(``marketplace.listings``) owns state, retries and rate limiting; an adapter speaks one
marketplace's protocol for one shop and says, through its exception type, what to do next:

- ``RetryableError``: a timeout, a connection failure, a 5xx — try again later, unchanged.
- ``RateLimitedError``: the marketplace said "too many requests" — wait ``retry_after`` seconds.
- ``AuthExpiredError``: the access token is no longer accepted — refresh it, store it, retry.
- ``PermanentError``: the marketplace (or our own pre-flight check) rejected the data; retrying
  the same data cannot help. ``problems`` says, per field and in Vietnamese, what is wrong and
  how to fix it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

import requests


class ChannelKind(StrEnum):
    API = "api"  # listed through the marketplace's seller API
    EXPORT = "export"  # no public API: an export pack, status recorded by hand


class RemoteStatus(StrEnum):
    PENDING_REVIEW = "pending_review"  # accepted, waiting for the marketplace's review (Tiki)
    LIVE = "live"  # visible to buyers
    INACTIVE = "inactive"  # exists but hidden/unlisted (our delist)
    REJECTED = "rejected"  # the marketplace's review refused it
    MISSING = "missing"  # the marketplace has no such item (deleted there)


@dataclass(frozen=True)
class ImageFile:
    """One product photo, as a local file of the original (JPEG/PNG/WebP)."""

    path: Path
    sha256: str


@dataclass(frozen=True)
class ListingData:
    """What we want a marketplace to show for one product (integer đồng, grams, centimetres)."""

    sku: str  # our stable product code ("OCOP000123"): the seller SKU everywhere
    name: str
    description: str
    price_vnd: int
    stock: int
    category_id: str | None  # the channel's category, from the admin-editable mapping table
    images: tuple[ImageFile, ...]
    weight_grams: int | None = None
    length_cm: int | None = None
    width_cm: int | None = None
    height_cm: int | None = None
    brand: str = "No Brand"
    unit: str = ""
    net_quantity: str = ""
    origin: str = ""  # province name, for "xuất xứ"
    producer_name: str = ""
    shelf_life: str = ""
    ocop_stars: int | None = None
    attributes: dict[str, str] = field(default_factory=dict)  # channel attributes from mapping
    active: bool = True  # False: the listing should exist but be hidden


@dataclass(frozen=True)
class ListingResult:
    """What the marketplace holds for one listing after a call."""

    external_id: str  # item/product id; for Tiki while in review: the request track id
    status: RemoteStatus
    url: str | None = None  # the buyer-facing page, when known
    message: str = ""  # e.g. a review rejection reason, in Vietnamese
    external_sku_id: str | None = None  # model/sku id when the channel has one (stock/price calls)
    review_ref: str | None = None  # Tiki: the request track id


@dataclass(frozen=True)
class Tokens:
    """An account's current OAuth/login tokens (stored encrypted by the engine)."""

    access_token: str
    expires_at: datetime | None = None  # UTC
    refresh_token: str | None = None
    refresh_expires_at: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)  # e.g. TikTok's shop_cipher


@dataclass(frozen=True)
class AccountConfig:
    """Everything an adapter needs to speak for one shop."""

    base_url: str  # sandbox, live, or any compatible server
    shop_id: str
    app_key: str  # partner_id / app_key / client_id / shop_key
    app_secret: str  # partner_key / app_secret / client_secret / secret_key
    tokens: Tokens | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def with_tokens(self, tokens: Tokens) -> AccountConfig:
        """A copy using new tokens."""
        return replace(self, tokens=tokens)


@dataclass(frozen=True)
class Category:
    """One category of a channel's tree, with the attributes a listing in it must carry."""

    id: str
    name: str  # Vietnamese, as the channel shows it
    required_attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldProblem:
    """One reason a listing cannot be accepted, for people: what, and how to fix it."""

    field: str  # our field name: name, description, price_vnd, images, weight_grams, category_id…
    message: str  # Vietnamese: what is wrong
    fix: str  # Vietnamese: what to do

    def as_dict(self) -> dict[str, str]:
        """JSON-friendly form (stored on the listing as its last error)."""
        return {"field": self.field, "message": self.message, "fix": self.fix}


class AdapterError(Exception):
    """Base of every adapter error; ``message`` is Vietnamese and safe to show."""

    def __init__(self, message: str, *, raw: Any = None):
        super().__init__(message)
        self.message = message
        self.raw = raw  # the marketplace's error body, for logs and the detail view


class RetryableError(AdapterError):
    """Timeout, connection failure or 5xx: try again later."""


class RateLimitedError(RetryableError):
    """The marketplace refused the call for rate; wait ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: float, raw: Any = None):
        super().__init__(message, raw=raw)
        self.retry_after = retry_after


class AuthExpiredError(AdapterError):
    """The access token expired or was revoked: refresh, store, retry."""


class PermanentError(AdapterError):
    """The data was rejected; the same call cannot succeed until a person fixes something."""

    def __init__(
        self, message: str, *, problems: list[FieldProblem] | None = None, raw: Any = None
    ):
        super().__init__(message, raw=raw)
        self.problems = problems or []


class Adapter(ABC):
    """One marketplace's seller API, for one shop. Subclasses set ``code``, ``name``, ``kind``."""

    code: ClassVar[str]
    name: ClassVar[str]
    kind: ClassVar[ChannelKind] = ChannelKind.API
    #: "oauth": the seller grants access on the marketplace's page (authorize_url ->
    #: exchange_code); "keys": the seller pastes keys and ``refresh`` logs in with them (Sendo).
    auth_flow: ClassVar[str] = "oauth"
    #: The channel's categories (id -> Category) and the default OCOP set code -> category id.
    categories: ClassVar[dict[str, Category]] = {}
    default_mapping: ClassVar[dict[str, str]] = {}
    #: Requests per second the channel allows one shop (the engine schedules below it).
    default_rate_limit: ClassVar[float] = 10.0

    def __init__(
        self,
        account: AccountConfig,
        *,
        http: requests.Session | None = None,
        timeout: float = 10.0,
        image_cache: Path | None = None,
    ):
        self.account = account
        self.http = http or requests.Session()
        self.timeout = timeout
        self.image_cache = image_cache

    # --- authorisation -------------------------------------------------------------------
    @abstractmethod
    def authorize_url(self, redirect_uri: str, state: str) -> str:
        """Where to send the seller to grant us access to their shop."""

    @abstractmethod
    def exchange_code(self, params: dict[str, str], redirect_uri: str) -> tuple[str, Tokens]:
        """Trade the callback's query parameters for tokens; returns (shop_id, tokens)."""

    @abstractmethod
    def refresh(self) -> Tokens:
        """New tokens from the current ones (Shopee's refresh token is single-use: store the
        returned one before making any other call)."""

    # --- listings --------------------------------------------------------------------------
    @abstractmethod
    def validate(self, data: ListingData) -> list[FieldProblem]:
        """Every problem the channel would reject, found before any call (empty: go ahead)."""

    @abstractmethod
    def create(self, data: ListingData) -> ListingResult:
        """Create the listing (images uploaded first where the channel hosts them)."""

    @abstractmethod
    def update(self, result: ListingResult, data: ListingData) -> ListingResult:
        """Bring an existing listing in line with ``data`` (content, price, stock, active)."""

    @abstractmethod
    def update_price_stock(
        self, result: ListingResult, price_vnd: int, stock: int
    ) -> ListingResult:
        """Change only price and stock (the cheap call most changes need)."""

    @abstractmethod
    def delist(self, result: ListingResult) -> ListingResult:
        """Hide the listing from buyers (unlist, not delete: it can come back)."""

    @abstractmethod
    def status(self, result: ListingResult) -> ListingResult:
        """Read the listing's state at the marketplace (Tiki: the review's outcome)."""

    @abstractmethod
    def find_by_sku(self, sku: str) -> ListingResult | None:
        """The listing carrying our SKU, if the marketplace has one: after a crash between the
        marketplace's create and our commit, this finds it instead of creating a duplicate."""

    def close(self) -> None:
        """Release the HTTP connections."""
        self.http.close()


@dataclass(frozen=True)
class ExportItem:
    """One product in an export pack: its listing data and its certificate scans."""

    data: ListingData
    certificate_files: tuple[Path, ...] = ()
    certificate_text: str = ""  # e.g. "OCOP 4★, QĐ 123/QĐ-UBND, hiệu lực đến 31/12/2027"
    product_url: str = ""  # the product's page on our storefront


class ExportWriter(ABC):
    """A channel without a public seller API: we write the pack its seller portal imports."""

    code: ClassVar[str]
    name: ClassVar[str]
    kind: ClassVar[ChannelKind] = ChannelKind.EXPORT
    categories: ClassVar[dict[str, Category]] = {}
    default_mapping: ClassVar[dict[str, str]] = {}

    def __init__(self, *, image_cache: Path | None = None):
        self.image_cache = image_cache

    @abstractmethod
    def validate(self, data: ListingData) -> list[FieldProblem]:
        """Every problem the portal's import would reject."""

    @abstractmethod
    def write_pack(self, items: list[ExportItem], out: Any) -> None:
        """Write the ZIP (spreadsheet + square images + certificate scans) to a binary file."""
