"""What one sync works from: the lease on a listing, the plan read from the database (then the
transaction closes before any marketplace call), and which listings are due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from marketplace.core.clock import today
from sync_adapters.base import ListingData, ListingResult, RemoteStatus

from . import payload
from .models import ChannelAccount, ChannelListing, ListingState

LEASE = timedelta(minutes=3)


@dataclass(frozen=True)
class Plan:
    """Everything read from the database for one sync (then the transaction is closed)."""

    listing_id: int
    account_id: int
    channel: str
    data: ListingData
    active: bool
    reason_inactive: str | None
    desired_version: int
    revision: int
    external_id: str | None
    external_sku_id: str | None
    review_ref: str | None
    url: str | None
    state: str
    create_sent: bool
    synced_hash: str | None
    synced_price: int | None
    synced_stock: int | None
    synced_active: bool | None
    token_expires_at: datetime | None
    rate_limit: float
    app_key: str


def claim(
    session: Session, listing_id: int, token: str, now: datetime, lease: timedelta = LEASE
) -> bool:
    """Take the listing's lease if nobody holds it; True when we did."""
    result = session.execute(
        update(ChannelListing)
        .where(
            ChannelListing.id == listing_id,
            or_(ChannelListing.lease_until.is_(None), ChannelListing.lease_until < now),
        )
        .values(lease_until=now + lease, lease_token=token)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def build_plan(session: Session, listing: ChannelListing, media_dir: Path) -> Plan | None:
    """Read what the listing should be now; None when its product is gone."""
    product = payload.load_product(session, listing.product_id)
    if product is None:
        return None
    day = today()
    reason = payload.why_not_listable(product, day)
    active = listing.wanted and reason is None
    account = listing.account
    data = payload.listing_data(session, product, account.channel, media_dir, day, active)
    return Plan(
        listing_id=listing.id,
        account_id=account.id,
        channel=account.channel,
        data=data,
        active=active,
        reason_inactive=reason if listing.wanted else "Chủ thể đã chọn gỡ khỏi kênh này.",
        desired_version=listing.desired_version,
        revision=product.revision,
        external_id=listing.external_id,
        external_sku_id=listing.external_sku_id,
        review_ref=listing.review_ref,
        url=listing.url,
        state=listing.state,
        create_sent=listing.create_sent,
        synced_hash=listing.synced_hash,
        synced_price=listing.synced_price,
        synced_stock=listing.synced_stock,
        synced_active=listing.synced_active,
        token_expires_at=account.token_expires_at,
        rate_limit=account.rate_limit,
        app_key=account.app_key,
    )


def product_revision(session: Session, product_id: int) -> int:
    """The product's current revision (0 when it is gone)."""
    from producers.models import Product

    return int(session.scalar(select(Product.revision).where(Product.id == product_id)) or 0)


def current_result(plan: Plan) -> ListingResult | None:
    """What we last knew of the listing at the marketplace (None: never created)."""
    if plan.external_id is None or plan.state == ListingState.IN_REVIEW:
        return None if plan.external_id is None else review_result(plan)
    return ListingResult(
        external_id=plan.external_id,
        status=RemoteStatus.LIVE if plan.synced_active else RemoteStatus.INACTIVE,
        url=plan.url,
        external_sku_id=plan.external_sku_id,
        review_ref=plan.review_ref,
    )


def review_result(plan: Plan) -> ListingResult:
    """The listing as a request still under the marketplace's review (Tiki)."""
    return ListingResult(
        external_id=plan.external_id or plan.review_ref or "",
        status=RemoteStatus.PENDING_REVIEW,
        review_ref=plan.review_ref,
        url=plan.url,
    )


def lagging(now: datetime) -> Any:
    """SQL condition: listings whose sync is due (used by the sweep and `ocop sync run`)."""
    from producers.models import Product

    behind = or_(
        ChannelListing.synced_version < ChannelListing.desired_version,
        ChannelListing.synced_revision != Product.revision,
        ChannelListing.state.in_([ListingState.IN_REVIEW, ListingState.RETRYING]),
    )
    parked = (
        (ChannelListing.state == ListingState.ATTENTION)
        & (ChannelListing.stuck_version == ChannelListing.desired_version)
        & (ChannelListing.stuck_revision == Product.revision)
    )
    return (
        behind
        & ~parked
        & or_(ChannelListing.next_attempt_at.is_(None), ChannelListing.next_attempt_at <= now)
        & or_(ChannelListing.lease_until.is_(None), ChannelListing.lease_until < now)
        & (ChannelListing.state != ListingState.EXPORT)
    )


def due_ids(
    session: Session, now: datetime, channel: str | None = None, limit: int = 500
) -> list[int]:
    """Ids of listings due for a sync, oldest change first."""
    from producers.models import Product

    query = (
        select(ChannelListing.id)
        .join(Product, Product.id == ChannelListing.product_id)
        .join(ChannelAccount, ChannelAccount.id == ChannelListing.account_id)
        .where(lagging(now))
        .order_by(ChannelListing.updated_at, ChannelListing.id)
        .limit(limit)
    )
    if channel:
        query = query.where(ChannelAccount.channel == channel)
    return list(session.scalars(query))
