"""What people ask of the listing engine: list these products on these shops, take one down,
retry, record an export-pack listing by hand, edit the category table. Flush only; the
request or job owns the transaction, and jobs are enqueued after commit by the caller."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from marketplace.core.errors import NotFound, ValidationError
from producers.models import Product
from sync_adapters import registry

from . import accounts
from .models import (
    CategoryMapping,
    ChannelAccount,
    ChannelListing,
    ListingEvent,
    ListingState,
)


def request_listings(session: Session, product_ids: list[int], account_ids: list[int]) -> list[int]:
    """Want each product on each account (same producer only); returns the listing ids to
    sync. Re-asking is harmless: an existing listing is only re-wanted."""
    if not product_ids or not account_ids:
        raise ValidationError("Chọn ít nhất một sản phẩm và một kênh bán.", param="products")
    products = session.scalars(select(Product).where(Product.id.in_(product_ids))).all()
    shops = session.scalars(select(ChannelAccount).where(ChannelAccount.id.in_(account_ids))).all()
    existing = {
        (row.product_id, row.account_id): row
        for row in session.scalars(
            select(ChannelListing).where(
                ChannelListing.product_id.in_(product_ids),
                ChannelListing.account_id.in_(account_ids),
            )
        )
    }
    touched: list[ChannelListing] = []
    for product in products:
        for shop in shops:
            if shop.producer_id != product.producer_id:
                continue  # a shop only sells its own producer's products
            row = existing.get((product.id, shop.id))
            if row is None:
                row = ChannelListing(
                    product_id=product.id,
                    account_id=shop.id,
                    wanted=True,
                    desired_version=1,
                    synced_version=0,
                    synced_revision=0,
                    attempts=0,
                    problems=[],
                    last_error="",
                    create_sent=False,
                    state=ListingState.PENDING,
                )
                session.add(row)
            elif not row.wanted or row.state == ListingState.ATTENTION:
                row.wanted = True
                row.desired_version += 1
                row.state = ListingState.PENDING
                row.attempts = 0
                row.next_attempt_at = None
            touched.append(row)
    if not touched:
        raise ValidationError(
            "Không có cặp sản phẩm – kênh nào hợp lệ (mỗi kênh bán chỉ bán sản phẩm của chủ thể "
            "mình). Chọn sản phẩm và kênh bán của cùng một chủ thể.",
            param="accounts",
        )
    session.flush()
    for row in touched:
        session.add(ListingEvent(listing_id=row.id, kind="requested", message="Yêu cầu đăng bán."))
    return [row.id for row in touched]


def withdraw(session: Session, listing_id: int) -> ChannelListing:
    """The seller no longer wants the product on this shop: it will be hidden there."""
    listing = get(session, listing_id)
    listing.wanted = False
    listing.desired_version += 1
    listing.attempts = 0
    listing.next_attempt_at = None
    if accounts.is_export(listing.account.channel):
        listing.state = ListingState.DELISTED
    session.add(ListingEvent(listing_id=listing.id, kind="withdrawn", message="Yêu cầu gỡ."))
    session.flush()
    return listing


def retry(session: Session, listing_id: int) -> ChannelListing:
    """Try again now (after fixing data, or once the marketplace is back)."""
    listing = get(session, listing_id)
    listing.desired_version += 1
    listing.attempts = 0
    listing.next_attempt_at = None
    if listing.state == ListingState.ATTENTION:
        listing.state = ListingState.PENDING
    session.add(ListingEvent(listing_id=listing.id, kind="retry", message="Thử lại."))
    session.flush()
    return listing


def mark_exported(session: Session, listing_id: int, url: str, now: datetime) -> ChannelListing:
    """Export channels: a person uploaded the pack and records where the product is now."""
    listing = get(session, listing_id)
    if not accounts.is_export(listing.account.channel):
        raise ValidationError(
            "Kênh này đồng bộ tự động qua API: không cần ghi địa chỉ; nếu tin đăng lỗi, bấm "
            "“Thử lại”.",
            param="listing",
        )
    url = url.strip()
    if not url.startswith(("https://", "http://")) or len(url) > 500:
        raise ValidationError(
            "Nhập địa chỉ trang sản phẩm trên sàn, bắt đầu bằng https://", param="url"
        )
    listing.url = url
    listing.state = ListingState.LIVE
    listing.synced_active = True
    listing.last_error = ""
    listing.live_at = listing.live_at or now
    session.add(ListingEvent(listing_id=listing.id, kind="live", message=f"Đã đăng tại {url}"))
    session.flush()
    return listing


def get(session: Session, listing_id: int) -> ChannelListing:
    """A listing by id, or NotFound."""
    listing = session.get(ChannelListing, listing_id)
    if listing is None:
        raise NotFound(
            "Không tìm thấy tin đăng. Tải lại trang sản phẩm trong Kênh bán.", param="listing"
        )
    return listing


@dataclass(frozen=True)
class Cell:
    """One channel account of a product's matrix: the listing if there is one."""

    account: ChannelAccount
    listing: ChannelListing | None


def matrix(session: Session, product: Product) -> list[Cell]:
    """Every shop of the product's producer, with the product's listing there (if any)."""
    shops = session.scalars(
        select(ChannelAccount)
        .where(ChannelAccount.producer_id == product.producer_id)
        .order_by(ChannelAccount.channel, ChannelAccount.id)
    ).all()
    listings = {
        row.account_id: row
        for row in session.scalars(
            select(ChannelListing).where(ChannelListing.product_id == product.id)
        )
    }
    return [Cell(shop, listings.get(shop.id)) for shop in shops]


def progress(session: Session, listing_ids: list[int]) -> dict[str, int]:
    """How many of these listings are in each state (the bulk page's progress bar)."""
    if not listing_ids:
        return {}
    rows = session.execute(
        select(ChannelListing.state, func.count())
        .where(ChannelListing.id.in_(listing_ids))
        .group_by(ChannelListing.state)
    ).all()
    return {state: count for state, count in rows}


def account_summary(session: Session, account_ids: list[int]) -> dict[int, Counter[str]]:
    """Per account: listings per state."""
    out: dict[int, Counter[str]] = {i: Counter() for i in account_ids}
    rows = session.execute(
        select(ChannelListing.account_id, ChannelListing.state, func.count())
        .where(ChannelListing.account_id.in_(account_ids))
        .group_by(ChannelListing.account_id, ChannelListing.state)
    ).all()
    for account_id, state, count in rows:
        out[account_id][state] = count
    return out


def set_mapping(
    session: Session,
    channel: str,
    set_code: str,
    category_id: str,
    attributes: dict[str, str],
    user_id: int | None,
) -> CategoryMapping:
    """Point an OCOP set at a channel category (checked against the channel's tree), and
    make every listing of that set on that channel sync again."""
    try:
        cls = registry.get(channel)
    except KeyError:
        raise ValidationError(
            "Kênh bán không tồn tại. Chọn kênh trong danh sách.", param="channel"
        ) from None
    category_id = category_id.strip()
    if cls.categories and category_id not in cls.categories:
        raise ValidationError(
            f"Ngành hàng “{category_id}” không có trong danh mục của {cls.name}. Kiểm tra mã ngành "
            "hàng trên cổng người bán của sàn.",
            param="category_id",
        )
    row = session.scalar(
        select(CategoryMapping).where(
            CategoryMapping.channel == channel, CategoryMapping.set_code == set_code
        )
    )
    if row is None:
        row = CategoryMapping(channel=channel, set_code=set_code)
        session.add(row)
    row.category_id = category_id
    row.attributes = {
        k.strip(): v.strip() for k, v in attributes.items() if k.strip() and v.strip()
    }
    row.updated_by_user_id = user_id
    from producers.models import OcopSet

    session.execute(
        update(ChannelListing)
        .where(
            ChannelListing.account_id.in_(
                select(ChannelAccount.id).where(ChannelAccount.channel == channel)
            ),
            ChannelListing.product_id.in_(
                select(Product.id)
                .join(OcopSet, OcopSet.set_no == Product.set_no)
                .where(OcopSet.code == set_code)
            ),
        )
        .values(desired_version=ChannelListing.desired_version + 1)
    )
    session.flush()
    return row


def listing_ids_for_products(session: Session, product_ids: set[int]) -> list[int]:
    """Every listing of these products (a product change concerns all of them)."""
    if not product_ids:
        return []
    return list(
        session.scalars(
            select(ChannelListing.id).where(ChannelListing.product_id.in_(sorted(product_ids)))
        )
    )
