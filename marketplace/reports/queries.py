"""The dashboard's figures: one SQL aggregate each, the same on SQLite and PostgreSQL.

Every query is restricted by ``where`` (filters.producer_where: the person's scope, the place,
the kind) through the producer the rows belong to; dated rows also by the chosen dates. Sums
of BigInteger come back as Decimal on PostgreSQL, hence the int() on every sum.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, distinct, exists, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from marketplace.accounts.models import Role, User
from marketplace.listings.models import ChannelAccount, ChannelListing, ListingState
from marketplace.orders.models import Order
from marketplace.payments.models import BankTransaction, PaymentApplication, PaymentIntent
from marketplace.payments.models_extra import Fee
from producers.models import Commune, OcopGroup, OcopSet, Producer, Product, Province

from .filters import Filters, in_window, producer_where

Where = list[ColumnElement[bool]]

#: BankTransaction.provider of transfers a payee typed in by hand (payments/manual.py); every
#: other provider is a bank-notification service (SePay, Casso, payOS) that reported it
MANUAL_PROVIDER = "manual"


def ocop_valid(day: date) -> ColumnElement[bool]:
    """The product holds a certificate valid on ``day``: its stars count."""
    return and_(Product.cert_stars.is_not(None), Product.cert_valid_until >= day)


def live_somewhere() -> ColumnElement[bool]:
    """The product is live on at least one channel."""
    return exists().where(
        ChannelListing.product_id == Product.id, ChannelListing.state == ListingState.LIVE
    )


@dataclass
class Place:
    """One province or commune of the breakdown."""

    code: str
    name: str
    producers: dict[str, int] = field(default_factory=dict)
    ocop_products: int = 0
    listed_products: int = 0

    @property
    def total_producers(self) -> int:
        return sum(self.producers.values())


def places(session: Session, where: Where, day: date, by_commune: bool) -> list[Place]:
    """Producers by status per place, then OCOP products and those listed (two queries)."""
    if by_commune:
        unit: Any = Commune
        on = Commune.code == Producer.commune_code
        key = Producer.commune_code
    else:
        unit, on, key = Province, Province.code == Producer.province_code, Producer.province_code
    rows = session.execute(
        select(unit.code, unit.name, Producer.status, func.count(Producer.id))
        .select_from(Producer)
        .join(unit, on)
        .where(*where)
        .group_by(unit.code, unit.name, Producer.status)
    )
    out: dict[str, Place] = {}
    for code, name, status, n in rows:
        out.setdefault(code, Place(code, name)).producers[status] = int(n)
    products = session.execute(
        select(key, func.count(Product.id), func.count(case((live_somewhere(), Product.id))))
        .select_from(Product)
        .join(Producer, Producer.id == Product.producer_id)
        .where(*where, ocop_valid(day))
        .group_by(key)
    )
    for code, ocop, listed in products:
        if code in out:  # a product's producer is always counted above
            out[code].ocop_products, out[code].listed_products = int(ocop), int(listed)
    return sorted(out.values(), key=lambda p: (-p.total_producers, p.name))


@dataclass
class GroupStars:
    """Products of one OCOP group by current stars (0 = no valid certificate)."""

    code: str
    name_vi: str
    name_en: str
    stars: dict[int, int] = field(default_factory=dict)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_vi


def products_by_group(session: Session, where: Where, day: date) -> list[GroupStars]:
    """Every OCOP group with its products counted by current stars."""
    stars = case((ocop_valid(day), Product.cert_stars), else_=None)
    products = (
        select(Product.id, OcopSet.group_code, stars.label("stars"))
        .join(Producer, Producer.id == Product.producer_id)
        .join(OcopSet, OcopSet.set_no == Product.set_no)
        .where(*where)
        .subquery()
    )
    rows = session.execute(
        select(
            OcopGroup.code,
            OcopGroup.name_vi,
            OcopGroup.name_en,
            products.c.stars,
            func.count(products.c.id),
        )
        .select_from(OcopGroup)
        .outerjoin(products, products.c.group_code == OcopGroup.code)
        .group_by(OcopGroup.code, OcopGroup.name_vi, OcopGroup.name_en, products.c.stars)
        .order_by(OcopGroup.code)
    )
    out: dict[str, GroupStars] = {}
    for code, name_vi, name_en, n_stars, n in rows:
        group = out.setdefault(code, GroupStars(code, name_vi, name_en))
        if n:
            group.stars[int(n_stars or 0)] = group.stars.get(int(n_stars or 0), 0) + int(n)
    return list(out.values())


def listing_share(session: Session, where: Where, day: date) -> tuple[int, int]:
    """(OCOP products, those live on at least one channel)."""
    row = session.execute(
        select(func.count(Product.id), func.count(case((live_somewhere(), Product.id))))
        .select_from(Product)
        .join(Producer, Producer.id == Product.producer_id)
        .where(*where, ocop_valid(day))
    ).one()
    return int(row[0]), int(row[1])


def listed_by_channel(session: Session, where: Where, day: date) -> dict[str, int]:
    """Channel code -> OCOP products live on it."""
    rows = session.execute(
        select(ChannelAccount.channel, func.count(distinct(ChannelListing.product_id)))
        .select_from(ChannelListing)
        .join(ChannelAccount, ChannelAccount.id == ChannelListing.account_id)
        .join(Product, Product.id == ChannelListing.product_id)
        .join(Producer, Producer.id == Product.producer_id)
        .where(ChannelListing.state == ListingState.LIVE, ocop_valid(day), *where)
        .group_by(ChannelAccount.channel)
    )
    return {channel: int(n) for channel, n in rows}


def orders_by_status(
    session: Session, where: Where, filters: Filters
) -> dict[str, tuple[int, int]]:
    """Order status -> (orders, their value) for orders placed within the dates."""
    rows = session.execute(
        select(Order.status, func.count(Order.id), func.sum(Order.total_vnd))
        .join(Producer, Producer.id == Order.producer_id)
        .where(*where, in_window(Order.created_at, filters))
        .group_by(Order.status)
    )
    return {status: (int(n), int(total or 0)) for status, n, total in rows}


def order_money(where: Where, filters: Filters, *columns: Any) -> Select[Any]:
    """``columns`` over the money applied to orders of the producers ``where`` picks, by
    transfer date in the filters' window (group it as the caller needs)."""
    return (
        select(*columns)
        .select_from(PaymentApplication)
        .join(BankTransaction, BankTransaction.id == PaymentApplication.transaction_id)
        .join(PaymentIntent, PaymentIntent.id == PaymentApplication.intent_id)
        .join(Order, Order.id == PaymentIntent.order_id)
        .join(Producer, Producer.id == Order.producer_id)
        .where(
            PaymentIntent.purpose == "order",
            *where,
            in_window(BankTransaction.occurred_at, filters),
        )
    )


def money_received(session: Session, where: Where, filters: Filters) -> dict[str, tuple[int, int]]:
    """Provider -> (transfers applied, money) received for orders, by transfer date."""
    rows = session.execute(
        order_money(
            where,
            filters,
            BankTransaction.provider,
            func.count(PaymentApplication.id),
            func.sum(PaymentApplication.amount_vnd),
        ).group_by(BankTransaction.provider)
    )
    return {provider: (int(n), int(total or 0)) for provider, n, total in rows}


def fees(
    session: Session, where: Where, filters: Filters
) -> dict[tuple[str, str], tuple[int, int]]:
    """(kind, status) -> (fees, amount) for fees charged within the dates."""
    rows = session.execute(
        select(Fee.kind, Fee.status, func.count(Fee.id), func.sum(Fee.amount_vnd))
        .join(Producer, Producer.id == Fee.producer_id)
        .where(*where, in_window(Fee.created_at, filters))
        .group_by(Fee.kind, Fee.status)
    )
    return {(kind, status): (int(n), int(total or 0)) for kind, status, n, total in rows}


@dataclass
class Onboarder:
    """Producers one person onboards, by status (user_id None: nobody assigned yet)."""

    user_id: int | None
    name: str
    producers: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.producers.values())


def onboarders(session: Session, where: Where) -> list[Onboarder]:
    """Producers per onboarder and status; producers nobody onboards come last."""
    rows = session.execute(
        select(User.id, User.name, Producer.status, func.count(Producer.id))
        .select_from(Producer)
        .outerjoin(User, User.id == Producer.onboarder_user_id)
        .where(*where)
        .group_by(User.id, User.name, Producer.status)
    )
    out: dict[int | None, Onboarder] = {}
    for user_id, name, status, n in rows:
        out.setdefault(user_id, Onboarder(user_id, name or "")).producers[status] = int(n)
    return sorted(out.values(), key=lambda o: (o.user_id is None, -o.total, o.name))


def idle_onboarders(session: Session) -> list[str]:
    """Names of active onboarders who onboard no producer yet (platform-wide)."""
    busy = exists().where(Producer.onboarder_user_id == User.id)
    return list(
        session.scalars(
            select(User.name)
            .where(User.role == Role.ONBOARDER, User.active.is_(True), ~busy)
            .order_by(User.name)
        )
    )


@dataclass
class Dashboard:
    """Every figure of the report page, for one person, place, kind and date range."""

    filters: Filters
    day: date
    places: list[Place]
    groups: list[GroupStars]
    ocop_products: int
    listed_products: int
    channels: dict[str, int]
    orders: dict[str, tuple[int, int]]
    money: dict[str, tuple[int, int]]
    fees: dict[tuple[str, str], tuple[int, int]]
    onboarders: list[Onboarder]
    idle_onboarders: list[str]


def dashboard(session: Session, user: Any, filters: Filters, day: date) -> Dashboard:
    """All figures of the report page, each restricted to what ``user`` may see."""
    where = producer_where(session, user, filters)
    ocop, listed = listing_share(session, where, day)
    whole_platform = user.role == Role.ADMIN and not filters.by_commune and not filters.kind
    return Dashboard(
        filters=filters,
        day=day,
        places=places(session, where, day, filters.by_commune),
        groups=products_by_group(session, where, day),
        ocop_products=ocop,
        listed_products=listed,
        channels=listed_by_channel(session, where, day),
        orders=orders_by_status(session, where, filters),
        money=money_received(session, where, filters),
        fees=fees(session, where, filters),
        onboarders=onboarders(session, where),
        idle_onboarders=idle_onboarders(session) if whole_platform else [],
    )
