"""Listing pages and CLI: who may see what, export packs by hand, Tiki's review, the category
table, and `ocop sync` / `ocop channel add`.

Requests are made outside any app context (Flask would otherwise reuse the test's context and
its logged-in user between clients); database work runs inside ``with ctx:`` blocks."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from marketplace.accounts.models import AuditLog, User, UserScope
from marketplace.accounts.services import create_user
from marketplace.cli import main
from marketplace.core.crypto import vault_for
from marketplace.core.db import db
from marketplace.listings import connect, services
from marketplace.listings.models import CategoryMapping, ChannelAccount, ChannelListing
from marketplace.listings.sandboxes import SANDBOX_APPS
from producers.models import Producer
from sync_adapters.sandbox import Knobs, sandbox_class, start
from tests.integration.test_listings import _connect, _drain, _products

PASSWORD = "mat-khau-du-dai-1"


@pytest.fixture
def app(demo_app):
    demo_app.config.update(LISTING_RETRY_BASE_S=0.0, LISTING_HTTP_TIMEOUT_S=1.0)
    return demo_app


@pytest.fixture
def servers() -> Iterator[dict]:
    running: dict = {}
    yield running
    for server in running.values():
        server.stop()


@pytest.fixture
def people(app):
    with app.app_context():
        producer_a = _products(db.session, 1)[0].producer
        other = db.session.scalar(
            select(Producer).where(Producer.commune_code != producer_a.commune_code).limit(1)
        )
        for email, role, producer_id in (
            ("a@example.vn", "producer", producer_a.id),
            ("b@example.vn", "producer", other.id),
            ("admin@example.vn", "admin", None),
            ("helper@example.vn", "onboarder", None),
        ):
            create_user(
                db.session,
                email=email,
                name=email,
                password=PASSWORD,
                role=role,
                producer_id=producer_id,
            )
        helper = db.session.scalar(select(User).where(User.email == "helper@example.vn"))
        db.session.add(UserScope(user_id=helper.id, commune_code=producer_a.commune_code))
        db.commit()
        product_ids = [p.id for p in _products(db.session, 30) if p.producer_id == producer_a.id]
        return {"a": producer_a.id, "b": other.id, "products": product_ids}


def login(client, email):
    response = client.post("/dang-nhap", data={"email": email, "password": PASSWORD})
    assert response.status_code == 303


def _export_account(app, producer_id, channel="postmart") -> int:
    with app.app_context(), db.transaction() as session:
        return connect.new_account(
            session, vault_for(app.config), producer_id, channel, mode="export", base_url=""
        ).id


def _listing(app, listing_id) -> ChannelListing:
    with app.app_context():
        return db.session.get(ChannelListing, listing_id)


def test_a_producer_sees_only_its_own_shops(app, people):
    account_id = _export_account(app, people["a"])
    anonymous = app.test_client()
    assert anonymous.get("/quan-ly/kenh-ban").status_code == 302
    other = app.test_client()
    login(other, "b@example.vn")
    assert other.get(f"/quan-ly/kenh-ban/shop/{account_id}").status_code == 404
    assert other.get(f"/quan-ly/kenh-ban/san-pham/{people['products'][0]}").status_code == 404
    assert other.get("/quan-ly/kenh-ban").status_code == 200
    owner = app.test_client()
    login(owner, "a@example.vn")
    assert "Postmart" in owner.get(f"/quan-ly/kenh-ban/shop/{account_id}").get_data(as_text=True)
    helper = app.test_client()
    login(helper, "helper@example.vn")
    assert helper.get(f"/quan-ly/kenh-ban?producer={people['a']}").status_code == 200
    # an onboarder works in their communes only
    assert helper.get(f"/quan-ly/kenh-ban?producer={people['b']}").status_code == 404
    assert helper.get(f"/quan-ly/kenh-ban/shop/{account_id}").status_code == 200
    assert helper.get("/quan-ly/kenh-ban/nganh-hang").status_code == 403


def test_export_pack_then_listed_by_hand(app, people):
    account_id = _export_account(app, people["a"], "voso")
    with app.app_context():
        with db.transaction() as session:
            (listing_id, *_) = services.request_listings(session, people["products"], [account_id])
        _drain()
    assert _listing(app, listing_id).state == "export"
    client = app.test_client()
    login(client, "a@example.vn")
    response = client.get(f"/quan-ly/kenh-ban/shop/{account_id}/goi-xuat.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert any(n.endswith(".xlsx") for n in names)
    assert any(n.startswith("images/") for n in names)
    bad = client.post(f"/quan-ly/kenh-ban/tin/{listing_id}/da-dang", data={"url": "khong-phai-url"})
    assert bad.status_code == 400 and "https://" in bad.get_data(as_text=True)
    ok = client.post(
        f"/quan-ly/kenh-ban/tin/{listing_id}/da-dang", data={"url": "https://voso.vn/sp/123"}
    )
    assert ok.status_code == 303
    listing = _listing(app, listing_id)
    assert listing.state == "live" and listing.url == "https://voso.vn/sp/123"
    with app.app_context():
        row = db.session.scalar(select(AuditLog).where(AuditLog.action == "listing.da-dang"))
        assert row.actor == "a@example.vn" and row.on_behalf_of_producer_id == people["a"]
        assert row.object_id == str(listing_id)


def test_an_onboarder_lists_for_a_producer_and_the_log_says_so(app, people):
    account_id = _export_account(app, people["a"])
    client = app.test_client()
    login(client, "helper@example.vn")
    response = client.post(
        f"/quan-ly/kenh-ban/san-pham/{people['products'][0]}/dang", data={"account": account_id}
    )
    assert response.status_code == 303
    with app.app_context():
        row = db.session.scalar(select(AuditLog).where(AuditLog.action == "listing.request"))
        assert row.actor == "helper@example.vn"
        assert row.on_behalf_of_producer_id == people["a"]


def test_tiki_review_then_live_and_the_matrix_says_so(app, people, servers):
    with app.app_context():
        account = _connect(app, servers, "tiki", people["a"])
        servers["tiki"].sandbox.review_delay_s = 3600
        with db.transaction() as session:
            (listing_id,) = services.request_listings(session, people["products"][:1], [account.id])
        _drain()
    listing = _listing(app, listing_id)
    assert listing.state == "in_review" and listing.review_ref
    client = app.test_client()
    login(client, "a@example.vn")
    page = client.get(f"/quan-ly/kenh-ban/san-pham/{listing.product_id}").get_data(as_text=True)
    assert "Sàn đang duyệt" in page
    servers["tiki"].sandbox.review_all()
    with app.app_context():
        _drain()
    listing = _listing(app, listing_id)
    assert listing.state == "live", (listing.last_error, listing.problems)
    assert len(servers["tiki"].sandbox.live_items()) == 1
    page = client.get(f"/quan-ly/kenh-ban/san-pham/{listing.product_id}").get_data(as_text=True)
    assert "Đang bán" in page and listing.url in page


def test_admin_edits_the_category_table_and_listings_resync(app, people, servers):
    from sync_adapters.shopee.client import ShopeeAdapter

    with app.app_context():
        account = _connect(app, servers, "shopee", people["a"])
        with db.transaction() as session:
            (listing_id,) = services.request_listings(session, people["products"][:1], [account.id])
        _drain()
        set_code = db.session.get(ChannelListing, listing_id).product_id
        from producers.models import Product

        set_code = db.session.get(Product, set_code).ocop_set.code
    client = app.test_client()
    login(client, "admin@example.vn")
    assert client.get("/quan-ly/kenh-ban/nganh-hang").status_code == 200
    bad = client.post(
        "/quan-ly/kenh-ban/nganh-hang",
        data={"channel": "shopee", "set_code": set_code, "category_id": "khong-co"},
    )
    assert bad.status_code == 400 and "không có trong danh mục" in bad.get_data(as_text=True)
    current = ShopeeAdapter.default_mapping.get(set_code)
    other = next(c for c in ShopeeAdapter.categories if c != current)
    ok = client.post(
        "/quan-ly/kenh-ban/nganh-hang",
        data={"channel": "shopee", "set_code": set_code, "category_id": other},
    )
    assert ok.status_code == 200
    with app.app_context():
        row = db.session.scalar(select(CategoryMapping).where(CategoryMapping.set_code == set_code))
        assert row.category_id == other
        listing = db.session.get(ChannelListing, listing_id)
        assert listing.desired_version > listing.synced_version  # due again


def test_cli_channel_add_and_sync(app, people, servers):
    key, secret = SANDBOX_APPS["lazada"]
    servers["lazada"] = start(sandbox_class("lazada")(Knobs(), apps={key: secret}))
    access, refresh = servers["lazada"].sandbox.issue_tokens("cli-shop")
    runner = app.test_cli_runner()
    result = runner.invoke(
        main,
        [
            "channel",
            "add",
            "--producer",
            str(people["a"]),
            "--channel",
            "lazada",
            "--base-url",
            servers["lazada"].url,
            "--shop-id",
            "cli-shop",
            "--app-key",
            key,
            "--app-secret",
            secret,
            "--access-token",
            access,
            "--refresh-token",
            refresh,
            "--expires-at",
            "2099-01-01T00:00:00",
        ],
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        account = db.session.scalar(
            select(ChannelAccount).where(ChannelAccount.shop_id == "cli-shop")
        )
        assert account.secrets_encrypted and access not in account.secrets_encrypted
        with db.transaction() as session:
            services.request_listings(session, people["products"][:1], [account.id])
    result = runner.invoke(main, ["sync", "run", "--channel", "lazada"])
    assert result.exit_code == 0 and "live: 1" in result.output, result.output
    status = runner.invoke(main, ["sync", "status"])
    assert "Lazada" in status.output and "live" in status.output
    unknown = runner.invoke(main, ["channel", "add", "--producer", "1", "--channel", "ebay"])
    assert unknown.exit_code != 0 and "ebay" in unknown.output
