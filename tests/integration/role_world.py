"""A small world for access tests: producer A (the demo cooperative) with one of everything
(product, API keys, fee, webhook endpoint and delivery, shop and listing, review item, paid
order, invitation, reset link), producer B elsewhere, and one logged-in client per role.

Roles: ``anon``; ``other`` (B's owner); ``staff_out``/``onb_out`` (scoped to B's province /
commune); ``member`` (A's member); ``staff_in``/``onb_in`` (scoped to A's province / commune);
``owner`` (A's owner); ``admin``. The API is used with A's key by A's people, with B's key by
``other``, and without a key by everyone else.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import MetaData, select, text

from marketplace.accounts import invitations, resets
from marketplace.accounts.demo import LOGINS
from marketplace.accounts.models import User
from marketplace.accounts.services import add_scopes, create_api_key, create_user
from marketplace.core.crypto import vault_for
from marketplace.core.db import db, utcnow
from marketplace.listings import connect
from marketplace.listings import services as listing_services
from marketplace.orders.models import Order
from marketplace.payments import fees, outbound
from marketplace.payments.models import NotificationConnection, PaymentIntent, ReviewItem
from marketplace.payments.models_extra import WebhookDelivery
from marketplace.payments.providers import sandbox
from producers.models import Producer, Product, ProductImage

PASSWORD = "mat-khau-vai-tro-1"
ROLES = ("anon", "other", "staff_out", "onb_out", "member", "staff_in", "onb_in", "owner", "admin")
#: roles that may not see producer A at all
OUTSIDERS = ("anon", "other", "staff_out", "onb_out")
DEMO = {"admin": "admin", "staff_in": "staff", "onb_in": "onboarder", "owner": "owner"}
BUYER = {
    "name": "Nguyễn Thị Lan",
    "phone": "0912 345 678",
    "province": "19",
    "commune_code": "05503",
    "address_line": "Xóm Nam Đồng",
}
#: tables whose rows never change on their own (reference data), left out of digests
REFERENCE_TABLES = {
    "provinces",
    "communes",
    "commune_lineage",
    "ocop_groups",
    "ocop_subgroups",
    "ocop_sets",
    "banks",
    "reference_files",
    "search_vocabulary",
    "alembic_version",
}
#: columns that legitimately change on reads (a key's last use, a login's time)
VOLATILE_COLUMNS = {"last_used_at", "last_login_at"}


@dataclass
class World:
    app: Flask
    a: int
    b: int
    ids: dict[str, Any] = field(default_factory=dict)
    #: private strings of A: no page or API answer may show them to OUTSIDERS
    markers: dict[str, str] = field(default_factory=dict)
    clients: dict[str, FlaskClient] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    logins: dict[str, tuple[str, str]] = field(default_factory=dict)
    _tables: list[Any] | None = field(default=None, repr=False)

    def login(self, role: str) -> FlaskClient:
        """A fresh client logged in as ``role``."""
        client = self.app.test_client()
        if role in self.logins:
            name, password = self.logins[role]
            response = client.post("/dang-nhap", data={"login": name, "password": password})
            assert response.status_code == 303, (role, response.status_code)
        return client

    def api_headers(self, role: str) -> dict[str, str]:
        key = {"owner": "a", "member": "a", "other": "b"}.get(role)
        return {"Authorization": f"Bearer {self.keys[key]}"} if key else {}

    def digest(self, skip: tuple[str, ...] = ()) -> str:
        """A hash of every non-reference row: equal before and after = nothing was written."""
        with self.app.app_context():
            engine = db.engine
            if self._tables is None:
                meta = MetaData()
                meta.reflect(engine)
                self._tables = sorted(meta.tables.values(), key=lambda t: t.name)
            h = hashlib.sha256()
            with engine.connect() as conn:
                for table in self._tables:
                    if (
                        table.name in REFERENCE_TABLES
                        or table.name in skip
                        or table.name.startswith("products_fts")
                    ):
                        continue
                    cols = [c for c in table.columns if c.name not in VOLATILE_COLUMNS]
                    rows = conn.execute(select(*cols).order_by(*table.primary_key.columns))
                    h.update(table.name.encode())
                    for row in rows:
                        h.update(json.dumps(list(row), default=str).encode())
            return h.hexdigest()


def _user(session, email, role, **kw) -> User:
    return create_user(session, email=email, name=email, password=PASSWORD, role=role, **kw)


def build_world(app: Flask) -> World:
    """Producer A with one of everything, producer B, a client per role."""
    app.config.update(WEBHOOK_ALLOW_PRIVATE_URLS=True)
    demo = {d.label: d for d in LOGINS}
    with app.app_context():
        session = db.session
        owner = session.scalar(select(User).where(User.email == demo["owner"].email))
        a = session.get(Producer, owner.producer_id)
        b = session.scalar(
            select(Producer)
            .where(Producer.province_code != a.province_code, Producer.bank_account.is_not(None))
            .order_by(Producer.id)
            .limit(1)
        )
        world = World(app, a.id, b.id)
        admin = session.scalar(select(User).where(User.email == demo["admin"].email))
        _user(session, "other@example.vn", "producer", producer_id=b.id, producer_role="owner")
        add_scopes(
            session,
            _user(session, "staff-out@example.vn", "staff"),
            [{"province_code": b.province_code}],
        )
        add_scopes(
            session,
            _user(session, "onb-out@example.vn", "onboarder"),
            [{"commune_code": b.commune_code}],
        )
        m2 = _user(
            session, "m2-rieng-a@example.vn", "producer", producer_id=a.id, producer_role="member"
        )
        key_a, world.keys["a"] = create_api_key(session, a.id, "KHOA-RIENG-A")
        key_a2, _ = create_api_key(session, a.id, "KHOA-RIENG-A-2")
        _, world.keys["b"] = create_api_key(session, b.id, "khoa b")
        fee = fees.create_fees(
            session,
            producer_ids=[a.id],
            kind="other",
            description="PHI-RIENG-A",
            amount="50000",
            due_date=None,
            created_by=admin.id,
        )[0]
        vault = vault_for(app.config)
        endpoint, _ = outbound.create_endpoint(
            session, vault, a.id, "http://127.0.0.1:9/hook-rieng-a"
        )
        shop = connect.new_account(
            session, vault, a.id, "postmart", mode="export", base_url="", label="SHOP-RIENG-A"
        )
        product = session.scalar(
            select(Product).where(Product.producer_id == a.id).order_by(Product.id).limit(1)
        )
        (listing_id,) = listing_services.request_listings(session, [product.id], [shop.id])
        media_path = session.scalar(
            select(ProductImage.original_path).where(ProductImage.product_id == product.id)
        )
        invitation, invitation_token = invitations.create_invitation(
            session,
            admin,
            invitations.InvitationRequest(role="admin", note="LOI-MOI-RIENG-A"),
            utcnow(),
            timedelta(days=1),
        )
        _, reset_token = resets.create_reset(session, m2, utcnow(), created_by=admin)
        connection = session.scalar(
            select(NotificationConnection).where(NotificationConnection.producer_id == a.id)
        )
        secret = vault.decrypt(connection.secrets_encrypted)[0]
        db.commit()
        world.ids.update(
            producer_id=a.id,
            product_id=product.id,
            slug=product.slug,
            key_id=key_a2.id,
            fee_id=fee.id,
            endpoint_id=endpoint.id,
            account_id=shop.id,
            listing_id=listing_id,
            user_id=m2.id,
            invitation_id=invitation.id,
            invitation_token=invitation_token,
            reset_token=reset_token,
            connection_token=connection.token,
            provider=connection.provider,
            code=a.province_code,
            path=media_path or "khong-co.webp",
            filename="css/site.css",
        )
        account, province = a.bank_account, a.province_code
        world.markers.update(
            key=key_a.prefix,
            fee="PHI-RIENG-A",
            hook="hook-rieng-a",
            shop="SHOP-RIENG-A",
            member="m2-rieng-a@example.vn",
            intent="DON-RIENG-A",
            review="chuyen tien rieng A",
            connection=connection.token,
        )
    world.logins.update(
        {role: (demo[label].email, demo[label].password) for role, label in DEMO.items()}
    )
    world.logins.update(
        member=(demo["member"].phone, demo["member"].password),
        other=("other@example.vn", PASSWORD),
        staff_out=("staff-out@example.vn", PASSWORD),
        onb_out=("onb-out@example.vn", PASSWORD),
    )
    _payments(world, secret, account)
    world.ids["code"] = province
    world.clients = {role: world.login(role) for role in ROLES}
    return world


def _signed(world: World, secret: str, account: str, amount: int, memo: str, txid: str) -> None:
    client = world.app.test_client()
    provider, token = world.ids["provider"], world.ids["connection_token"]
    req = sandbox.signed_webhook(provider, secret, account, amount, memo, txid, utcnow())
    response = client.post(f"/webhooks/{provider}/{token}", data=req.body, headers=req.headers)
    assert response.status_code == 200, response.get_data(as_text=True)


def _payments(world: World, secret: str, account: str) -> None:
    """A's payment intent (API), a canceled one (a webhook delivery), a review item, a paid
    order."""
    client = world.app.test_client()
    headers = {"Authorization": f"Bearer {world.keys['a']}"}
    intent = client.post(
        "/api/v1/payment_intents",
        json={"amount": 120000, "description": "DON-RIENG-A"},
        headers=headers,
    ).get_json()
    world.ids["public_id"] = intent["id"]
    doomed = client.post("/api/v1/payment_intents", json={"amount": 5000}, headers=headers)
    client.post(f"/api/v1/payment_intents/{doomed.get_json()['id']}/cancel", headers=headers)
    _signed(world, secret, account, 77000, "chuyen tien rieng A", "880001")
    buyer = world.app.test_client()
    buyer.post("/gio-hang/them", data={"product_id": world.ids["product_id"], "quantity": 1})
    placed = buyer.post("/dat-hang", data=BUYER)
    assert placed.status_code == 303, placed.get_data(as_text=True)[:300]
    world.ids["token"] = placed.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    with world.app.app_context():
        order = db.session.scalar(select(Order).where(Order.checkout_token == world.ids["token"]))
        paying = db.session.scalar(select(PaymentIntent).where(PaymentIntent.order_id == order.id))
        world.ids["number"] = order.number
        amount, code = paying.amount_vnd, paying.reference_code
    _signed(world, secret, account, amount, f"thanh toan {code}", "880002")
    with world.app.app_context():
        session = db.session
        world.ids["item_id"] = session.scalar(select(ReviewItem.id).order_by(ReviewItem.id))
        world.ids["delivery_id"] = session.scalar(
            select(WebhookDelivery.id).where(
                WebhookDelivery.endpoint_id == world.ids["endpoint_id"]
            )
        )
        assert session.scalar(select(Order.status).where(Order.id == order.id)) == "paid"
        assert world.ids["item_id"] and world.ids["delivery_id"]
        assert session.execute(text("select 1")).scalar() == 1
