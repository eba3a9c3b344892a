"""Channel accounts (a producer's shop on a marketplace), listings (product x account, the
desired and the synced version), the category mapping table, and the shared rate slots."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import Base, UTCDateTime, utcnow
from producers.models import Producer, Product


class AccountStatus(StrEnum):
    CONNECTED = "connected"
    PENDING = "pending"  # OAuth code received, exchange job queued
    RECONNECT = "reconnect"  # tokens refused for good: the seller must authorise again
    DISABLED = "disabled"


class ListingState(StrEnum):
    PENDING = "pending"  # a change waits to be synced
    LIVE = "live"  # synced and visible to buyers
    IN_REVIEW = "in_review"  # accepted, the marketplace reviews it (Tiki)
    DELISTED = "delisted"  # synced and hidden (seller's choice or expired certificate)
    RETRYING = "retrying"  # a retryable failure; next_attempt_at says when
    ATTENTION = "attention"  # needs a person: data problems, rejection, retries exhausted
    EXPORT = "export"  # export channel: waiting for the pack to be uploaded by hand


class ChannelAccount(Base):
    """A producer's shop on one channel, with its credentials encrypted at rest."""

    __tablename__ = "channel_accounts"
    __table_args__ = (UniqueConstraint("channel", "shop_id", name="uq_channel_shop"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    #: channel code of the adapter registry ("shopee", "tiki", "postmart"…)
    channel: Mapped[str] = mapped_column(String(20), index=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    #: the shop's id at the channel (None until the OAuth exchange finishes)
    shop_id: Mapped[str | None] = mapped_column(String(80))
    base_url: Mapped[str] = mapped_column(String(300), default="")
    #: "sandbox" (our loopback simulators), "live", or "custom"
    mode: Mapped[str] = mapped_column(String(10), default="sandbox")
    app_key: Mapped[str] = mapped_column(String(120), default="")
    #: Vault token of {"app_secret", "access_token", "refresh_token", "extra"}
    secrets_encrypted: Mapped[str | None] = mapped_column(Text)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default=AccountStatus.CONNECTED)
    #: requests per second we allow ourselves (below the channel's limit)
    rate_limit: Mapped[float] = mapped_column(Float, default=5.0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    producer: Mapped[Producer] = relationship(lazy="joined")


class ChannelListing(Base):
    """One product on one account: level-triggered (desired vs synced version)."""

    __tablename__ = "channel_listings"
    __table_args__ = (
        UniqueConstraint("product_id", "account_id", name="uq_listing_product_account"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("channel_accounts.id", ondelete="CASCADE"), index=True
    )
    #: the seller wants it on this channel (False: keep it hidden there)
    wanted: Mapped[bool] = mapped_column(default=True)
    #: bumped when the seller changes what they want here (list/unlist/retry); synced_version
    #: catches up. The product's own changes are tracked by Product.revision: a listing lags
    #: when synced_version < desired_version or synced_revision != the product's revision.
    desired_version: Mapped[int] = mapped_column(Integer, default=1)
    synced_version: Mapped[int] = mapped_column(Integer, default=0)
    synced_revision: Mapped[int] = mapped_column(Integer, default=0)
    #: the (desired_version, product revision) that ended in "attention": not retried until
    #: one of them moves (an edit, or the seller pressing "Thử lại")
    stuck_version: Mapped[int | None]
    stuck_revision: Mapped[int | None]
    state: Mapped[str] = mapped_column(String(12), default=ListingState.PENDING, index=True)
    external_id: Mapped[str | None] = mapped_column(String(80))
    external_sku_id: Mapped[str | None] = mapped_column(String(80))
    review_ref: Mapped[str | None] = mapped_column(String(80))
    url: Mapped[str | None] = mapped_column(String(500))
    #: True once a create was sent: a retry looks the SKU up before creating again
    create_sent: Mapped[bool] = mapped_column(default=False)
    #: what the channel holds: fingerprint of content, and price/stock/active as last sent
    synced_hash: Mapped[str | None] = mapped_column(String(64))
    synced_price: Mapped[int | None]
    synced_stock: Mapped[int | None]
    synced_active: Mapped[bool | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    #: [{"field", "message", "fix"}] from validation or the channel's rejection
    problems: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_token: Mapped[str | None] = mapped_column(String(32))
    live_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    product: Mapped[Product] = relationship(lazy="raise")
    account: Mapped[ChannelAccount] = relationship(lazy="joined")


class CategoryMapping(Base):
    """Which channel category an OCOP product set goes to, with fixed attributes (admins edit)."""

    __tablename__ = "channel_category_mappings"
    __table_args__ = (UniqueConstraint("channel", "set_code", name="uq_mapping_channel_set"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    #: OCOP product set code ("1.2.2")
    set_code: Mapped[str] = mapped_column(String(10))
    category_id: Mapped[str] = mapped_column(String(40))
    #: attribute name -> value added to every listing of the set ({"brand": "No Brand"})
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    updated_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class RateSlot(Base):
    """The next free call time of one rate bucket, shared by every worker (see ratelimit.py)."""

    __tablename__ = "channel_rate_slots"

    key: Mapped[str] = mapped_column(String(140), primary_key=True)
    #: seconds since the epoch (float: sub-millisecond spacing)
    next_at: Mapped[float] = mapped_column(Float, default=0.0)


class ListingEvent(Base):
    """What happened to a listing, newest last (the product page's history)."""

    __tablename__ = "channel_listing_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("channel_listings.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
