"""The rows of the two downloadable reports: one per OCOP product, one per producer.

The main query streams (``yield_per``); what each row adds from other tables (live channels,
sales, money, fees) is read first by one grouped query per table, so there is no query per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.listings.models import ChannelAccount, ChannelListing, ListingState
from marketplace.orders.models import Order, OrderItem, OrderStatus
from marketplace.payments.models import BankTransaction, PaymentApplication
from marketplace.payments.models_extra import Fee
from producers.models import Commune, OcopGroup, OcopSet, Producer, Product, Province

from .filters import Filters, in_window
from .queries import MANUAL_PROVIDER, Where, live_somewhere, ocop_valid, order_money

BATCH = 500


def live_channels(session: Session, where: Where, key: Any) -> dict[int, set[str]]:
    """``key`` (product id or producer id) -> channel codes it is live on."""
    rows = session.execute(
        select(key, ChannelAccount.channel)
        .select_from(ChannelListing)
        .join(ChannelAccount, ChannelAccount.id == ChannelListing.account_id)
        .join(Product, Product.id == ChannelListing.product_id)
        .join(Producer, Producer.id == Product.producer_id)
        .where(ChannelListing.state == ListingState.LIVE, *where)
        .distinct()
    )
    out: dict[int, set[str]] = defaultdict(set)
    for ident, channel in rows:
        out[ident].add(channel)
    return out


def product_sales(session: Session, where: Where, filters: Filters) -> dict[int, tuple[int, ...]]:
    """Product id -> (paid orders, units, value) for paid orders placed within the dates."""
    rows = session.execute(
        select(
            OrderItem.product_id,
            func.count(distinct(Order.id)),
            func.sum(OrderItem.quantity),
            func.sum(OrderItem.price_vnd * OrderItem.quantity),
        )
        .join(Order, Order.id == OrderItem.order_id)
        .join(Producer, Producer.id == Order.producer_id)
        .where(Order.status == OrderStatus.PAID, *where, in_window(Order.created_at, filters))
        .group_by(OrderItem.product_id)
    )
    return {pid: (int(n), int(q or 0), int(v or 0)) for pid, n, q, v in rows}


def products(session: Session, where: Where) -> Iterator[Any]:
    """Every product of the chosen producers, with its place and classification (streamed)."""
    stmt = (
        select(
            Product.id,
            Product.name,
            Producer.name.label("producer"),
            Producer.kind,
            Province.code.label("province_code"),
            Province.name.label("province"),
            Commune.code.label("commune_code"),
            Commune.name.label("commune"),
            OcopGroup.name_vi.label("group_vi"),
            OcopGroup.name_en.label("group_en"),
            OcopSet.code.label("set_code"),
            OcopSet.name_vi.label("set_vi"),
            OcopSet.name_en.label("set_en"),
            Product.cert_stars,
            Product.cert_valid_until,
            Product.status,
            Product.price_vnd,
        )
        .join(Producer, Producer.id == Product.producer_id)
        .join(Commune, Commune.code == Producer.commune_code)
        .join(Province, Province.code == Producer.province_code)
        .join(OcopSet, OcopSet.set_no == Product.set_no)
        .join(OcopGroup, OcopGroup.code == OcopSet.group_code)
        .where(*where)
        .order_by(Province.name, Commune.name, Producer.name, Product.name, Product.id)
        .execution_options(yield_per=BATCH)
    )
    yield from session.execute(stmt)


def producer_products(session: Session, where: Where, day: date) -> dict[int, tuple[int, ...]]:
    """Producer id -> (products, OCOP products, 3★, 4★, 5★, OCOP products live somewhere)."""
    valid = ocop_valid(day)
    columns = [
        func.count(Product.id),
        func.count(case((valid, Product.id))),
        *(func.count(case((and_(valid, Product.cert_stars == s), Product.id))) for s in (3, 4, 5)),
        func.count(case((and_(valid, live_somewhere()), Product.id))),
    ]
    rows = session.execute(
        select(Product.producer_id, *columns)
        .join(Producer, Producer.id == Product.producer_id)
        .where(*where)
        .group_by(Product.producer_id)
    )
    return {row[0]: tuple(int(v) for v in row[1:]) for row in rows}


def producer_orders(session: Session, where: Where, filters: Filters) -> dict[int, tuple[int, int]]:
    """Producer id -> (paid orders, their value) placed within the dates."""
    rows = session.execute(
        select(Order.producer_id, func.count(Order.id), func.sum(Order.total_vnd))
        .join(Producer, Producer.id == Order.producer_id)
        .where(Order.status == OrderStatus.PAID, *where, in_window(Order.created_at, filters))
        .group_by(Order.producer_id)
    )
    return {pid: (int(n), int(v or 0)) for pid, n, v in rows}


def producer_money(session: Session, where: Where, filters: Filters) -> dict[int, list[int]]:
    """Producer id -> [reported by the bank, recorded by hand] money received for orders."""
    rows = session.execute(
        order_money(
            where,
            filters,
            Order.producer_id,
            BankTransaction.provider,
            func.sum(PaymentApplication.amount_vnd),
        ).group_by(Order.producer_id, BankTransaction.provider)
    )
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for pid, provider, amount in rows:
        out[pid][1 if provider == MANUAL_PROVIDER else 0] += int(amount or 0)
    return out


def producer_fees(session: Session, where: Where, filters: Filters) -> dict[int, dict[str, int]]:
    """Producer id -> fee status -> amount, for fees charged within the dates."""
    rows = session.execute(
        select(Fee.producer_id, Fee.status, func.sum(Fee.amount_vnd))
        .join(Producer, Producer.id == Fee.producer_id)
        .where(*where, in_window(Fee.created_at, filters))
        .group_by(Fee.producer_id, Fee.status)
    )
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for pid, status, amount in rows:
        out[pid][status] = int(amount or 0)
    return out


def producers(session: Session, where: Where) -> Iterator[Any]:
    """Every chosen producer with its place and onboarder (streamed)."""
    stmt = (
        select(
            Producer.id,
            Producer.name,
            Producer.kind,
            Producer.tax_code,
            Producer.status,
            Producer.representative,
            Producer.phone,
            Province.code.label("province_code"),
            Province.name.label("province"),
            Commune.code.label("commune_code"),
            Commune.name.label("commune"),
            User.name.label("onboarder"),
        )
        .join(Commune, Commune.code == Producer.commune_code)
        .join(Province, Province.code == Producer.province_code)
        .outerjoin(User, User.id == Producer.onboarder_user_id)
        .where(*where)
        .order_by(Province.name, Commune.name, Producer.name, Producer.id)
        .execution_options(yield_per=BATCH)
    )
    yield from session.execute(stmt)
