"""Export packs for channels without an API (Postmart, Vỏ Sò), and the category table view."""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.core.clock import today
from marketplace.core.errors import ValidationError
from sync_adapters import registry
from sync_adapters.base import ExportItem, ExportWriter, FieldProblem

from . import payload
from .models import CategoryMapping, ChannelAccount, ChannelListing, ListingState


def write_pack(
    session: Session, account: ChannelAccount, out: BinaryIO, config: dict[str, Any], site: str
) -> int:
    """Write the pack of the shop's wanted, listable products; the number of products in it.
    Listings whose data the portal would refuse are marked with their problems instead."""
    writer_cls = registry.get(account.channel)
    media_dir = Path(config["MEDIA_DIR"])
    writer: ExportWriter = writer_cls(image_cache=media_dir / "channel-images")  # type: ignore[call-arg]
    listings = session.scalars(
        select(ChannelListing).where(
            ChannelListing.account_id == account.id, ChannelListing.wanted.is_(True)
        )
    ).all()
    items: list[ExportItem] = []
    day = today()
    for listing in listings:
        product = payload.load_product(session, listing.product_id)
        if product is None or payload.why_not_listable(product, day):
            continue
        data = payload.listing_data(session, product, account.channel, media_dir, day, True)
        problems: list[FieldProblem] = writer.validate(data)
        if problems:
            listing.state = ListingState.ATTENTION
            listing.problems = [p.as_dict() for p in problems]
            listing.last_error = "Thiếu hoặc sai thông tin; sửa rồi xuất lại gói."
            continue
        cert = product.current_certificate(day)
        scans = tuple(media_dir / c.document_path for c in product.certificates if c.document_path)
        items.append(
            ExportItem(
                data=data,
                certificate_files=tuple(p for p in scans if p.is_file()),
                certificate_text=(
                    f"OCOP {cert.stars} sao, QĐ {cert.decision_number}, hiệu lực đến "
                    f"{cert.valid_until:%d/%m/%Y}"
                    if cert
                    else ""
                ),
                product_url=f"{site.rstrip('/')}/san-pham/{product.id}-{product.slug}",
            )
        )
    if not items:
        raise ValidationError(
            "Chưa có sản phẩm nào sẵn sàng để xuất: chọn sản phẩm cho kênh này và sửa các lỗi.",
            param="account",
        )
    writer.write_pack(items, out)
    return len(items)


def mapping_table(session: Session, sets: list[Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(channel, set code) -> {category_id, name, attributes, custom} for the admin page."""
    rows = {(r.channel, r.set_code): r for r in session.scalars(select(CategoryMapping))}
    table: dict[tuple[str, str], dict[str, Any]] = {}
    for code, cls in registry.channels().items():
        for ocop_set in sets:
            row = rows.get((code, ocop_set.code))
            category_id = row.category_id if row else cls.default_mapping.get(ocop_set.code)
            category = cls.categories.get(category_id or "")
            table[(code, ocop_set.code)] = {
                "category_id": category_id or "",
                "name": category.name if category else "",
                "attributes": dict(row.attributes) if row else {},
                "custom": row is not None,
            }
    return table
