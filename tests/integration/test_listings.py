"""The listing engine end to end against the sandbox marketplaces (real HTTP on loopback)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.core.clock import today
from marketplace.core.crypto import vault_for
from marketplace.core.db import db, utcnow
from marketplace.listings import connect, services
from marketplace.listings.models import ChannelAccount, ChannelListing, ListingState
from marketplace.listings.sandboxes import SANDBOX_APPS
from marketplace.listings.sync import due_ids
from marketplace.listings.tasks import syncer
from producers.models import Product
from sync_adapters.sandbox import Knobs, sandbox_class, start


@pytest.fixture
def app(demo_app):
    demo_app.config.update(LISTING_RETRY_BASE_S=0.0, LISTING_HTTP_TIMEOUT_S=1.0)
    with demo_app.app_context():
        yield demo_app


def _sandbox(code: str, **knobs) -> object:
    key, secret = SANDBOX_APPS[code]
    apps = {key: secret} if key else {"demo-sendo-shop": "demo-sendo-secret"}
    return start(sandbox_class(code)(Knobs(**knobs), apps=apps))


@pytest.fixture
def running() -> Iterator[dict]:
    servers: dict = {}
    yield servers
    for server in servers.values():
        server.stop()


def _connect(
    app, running: dict, code: str, producer_id: int, rate: float = 50.0, **knobs
) -> ChannelAccount:
    if code not in running:
        running[code] = _sandbox(code, **knobs)
    server = running[code]
    vault = vault_for(app.config)
    key, secret = SANDBOX_APPS[code]
    if code == "sendo":
        key, secret = "demo-sendo-shop", "demo-sendo-secret"
    with db.transaction() as session:
        account = connect.new_account(
            session,
            vault,
            producer_id,
            code,
            mode="sandbox",
            base_url=server.url,
            app_key=key,
            app_secret=secret,
        )
        account.rate_limit = rate
        params: dict[str, str] = {}
        if code != "sendo":
            url = connect.start_oauth(account, vault, "http://localhost/cb")
            params = server.sandbox.approve(url, f"shop-{producer_id}")
        connect.finish(session, vault, account.id, params, "http://localhost/cb")
        return account


def _products(session, n: int) -> list[Product]:
    return list(
        session.scalars(
            select(Product)
            .where(
                Product.set_no != 26,
                Product.status == "published",
                Product.cert_valid_until >= today(),
            )
            .order_by(Product.id)
        )
    )[:n]


def _drain(limit: int = 50) -> dict[str, int]:
    """Run every due sync (like the sweep would), until none is due."""
    outcomes: dict[str, int] = {}
    for _ in range(limit):
        with db.transaction() as session:
            ids = due_ids(session, utcnow() + timedelta(seconds=5))
            session.execute(ChannelListing.__table__.update().values(next_attempt_at=None))
        if not ids:
            return outcomes
        states = [syncer().sync(listing_id) for listing_id in ids]
        for state in states:
            outcomes[state] = outcomes.get(state, 0) + 1
        if set(states) == {ListingState.IN_REVIEW}:
            return outcomes  # only the marketplace's review is left to wait for
    raise AssertionError(f"sync never settled: {outcomes}")


def _states(session) -> list[str]:
    return [
        row.state for row in session.scalars(select(ChannelListing).order_by(ChannelListing.id))
    ]


def test_list_on_shopee_goes_live_with_our_data(app, running):
    session = db.session
    product = _products(session, 1)[0]
    account = _connect(app, running, "shopee", product.producer_id)
    with db.transaction() as s:
        ids = services.request_listings(s, [product.id], [account.id])
    _drain()
    listing = session.get(ChannelListing, ids[0])
    assert listing.state == ListingState.LIVE, (listing.last_error, listing.problems)
    items = running["shopee"].sandbox.live_items()
    assert len(items) == 1
    view = running["shopee"].sandbox.public_view(items[0])
    assert view["name"] == product.name
    assert view["price_vnd"] == product.price_vnd
    assert view["stock"] == product.stock
    assert listing.url and listing.url.startswith(running["shopee"].url)


def test_price_and_stock_changes_propagate_with_the_cheap_calls(app, running):
    session = db.session
    product = _products(session, 1)[0]
    account = _connect(app, running, "shopee", product.producer_id)
    with db.transaction() as s:
        services.request_listings(s, [product.id], [account.id])
    _drain()
    stats = running["shopee"].sandbox.stats
    before = dict(stats.calls)
    with db.transaction() as s:
        p = s.get(Product, product.id)
        p.price_vnd += 5000
        p.stock = 3
        new_price = p.price_vnd
    _drain()  # the after-commit hook already synced inline; nothing may be left
    item = running["shopee"].sandbox.live_items()[0]
    view = running["shopee"].sandbox.public_view(item)
    assert (view["price_vnd"], view["stock"]) == (new_price, 3)
    new_calls = {k: v - before.get(k, 0) for k, v in stats.calls.items() if v != before.get(k, 0)}
    assert "/api/v2/product/add_item" not in new_calls
    assert "/api/v2/product/update_item" not in new_calls
    assert new_calls.get("/api/v2/product/update_price") == 1


def test_expired_certificate_delists_and_renewal_relists(app, running):
    session = db.session
    product = _products(session, 1)[0]
    account = _connect(app, running, "shopee", product.producer_id)
    with db.transaction() as s:
        (listing_id,) = services.request_listings(s, [product.id], [account.id])
    _drain()
    from producers.services import CertificateInput, add_certificate, refresh_certificate_cache

    with db.transaction() as s:
        p = s.get(Product, product.id)
        for cert in p.certificates:
            cert.decision_date = today() - timedelta(days=2000)
            cert.valid_until = today() - timedelta(days=1)
        refresh_certificate_cache(p, today())
    _drain()
    listing = session.get(ChannelListing, listing_id)
    session.refresh(listing)
    assert listing.state == ListingState.DELISTED
    assert "hết hiệu lực" in listing.last_error and "gia hạn" in listing.last_error
    view = running["shopee"].sandbox.public_view(running["shopee"].sandbox.live_items()[0])
    assert view["status"] != "NORMAL"
    with db.transaction() as s:
        p = s.get(Product, product.id)
        add_certificate(
            s,
            p,
            CertificateInput(
                stars=4,
                decision_number="99/QĐ-UBND",
                decision_date=today(),
                issuing_authority="UBND tỉnh",
            ),
            today(),
        )
    _drain()
    session.refresh(listing)
    assert listing.state == ListingState.LIVE
    assert len(running["shopee"].sandbox.live_items()) == 1  # the same item came back


def test_injected_failures_and_token_expiry_still_end_live_exactly_once(app, running):
    session = db.session
    products = _products(session, 8)
    by_producer: dict[int, list[int]] = {}
    for p in products:
        by_producer.setdefault(p.producer_id, []).append(p.id)
    all_ids = []
    for code in ("shopee", "lazada"):
        for producer_id, product_ids in by_producer.items():
            account = _connect(app, running, code, producer_id)
            with db.transaction() as s:
                all_ids += services.request_listings(s, product_ids, [account.id])
    for server in running.values():
        server.sandbox.knobs.error_rate = 0.2
        server.sandbox.knobs.timeout_rate = 0.05
        server.sandbox.knobs.hang_s = 1.5
    first = syncer().sync(all_ids[0])
    for server in running.values():
        server.sandbox.expire_all_tokens()  # mid-batch
    _drain(limit=200)
    assert first
    rows = session.scalars(select(ChannelListing)).all()
    for row in rows:
        session.refresh(row)
    assert {r.state for r in rows} == {ListingState.LIVE}, [
        (r.account.channel, r.state, r.last_error) for r in rows
    ]
    for code, server in running.items():
        assert len(server.sandbox.live_items()) == len(products), code
        assert server.sandbox.stats.injected_errors > 0


def test_missing_data_is_explained_per_field_and_parked(app, running):
    session = db.session
    product = _products(session, 1)[0]
    account = _connect(app, running, "shopee", product.producer_id)
    with db.transaction() as s:
        p = s.get(Product, product.id)
        p.weight_grams = None
        (listing_id,) = services.request_listings(s, [product.id], [account.id])
    _drain()
    listing = session.get(ChannelListing, listing_id)
    session.refresh(listing)
    assert listing.state == ListingState.ATTENTION
    assert any(p["field"] == "weight_grams" for p in listing.problems)
    assert running["shopee"].sandbox.stats.calls.get("/api/v2/product/add_item", 0) == 0
    with db.transaction() as s:
        assert due_ids(s, utcnow()) == []  # parked: not retried until something changes
        s.get(Product, product.id).weight_grams = 600
    _drain()
    session.refresh(listing)
    assert listing.state == ListingState.LIVE


def test_rate_limit_is_never_exceeded(app, running):
    session = db.session
    products = _products(session, 30)
    producer_id = products[0].producer_id
    mine = [p.id for p in products if p.producer_id == producer_id]
    account = _connect(app, running, "shopee", producer_id, rate=5.0, rate_limit=6.0, burst=1.0)
    with db.transaction() as s:
        services.request_listings(s, mine, [account.id])
    _drain()
    stats = running["shopee"].sandbox.stats
    assert stats.total >= 3
    assert stats.rate_limited == 0


def test_a_worker_that_lost_its_lease_does_not_create(app, running, monkeypatch):
    session = db.session
    product = _products(session, 1)[0]
    account = _connect(app, running, "shopee", product.producer_id)
    with db.transaction() as s:
        (listing_id,) = services.request_listings(s, [product.id], [account.id])
    worker = syncer()
    validate = worker._validate

    def slow_validate(plan):  # the lease runs out and another worker takes the listing
        problems = validate(plan)
        with db.transaction() as s:
            s.execute(
                ChannelListing.__table__.update()
                .where(ChannelListing.id == listing_id)
                .values(lease_token="other-worker", lease_until=utcnow() + timedelta(minutes=3))
            )
        return problems

    monkeypatch.setattr(worker, "_validate", slow_validate)
    assert worker.sync(listing_id) == "busy"
    assert running["shopee"].sandbox.stats.calls.get("/api/v2/product/add_item", 0) == 0
    listing = session.get(ChannelListing, listing_id, populate_existing=True)
    assert listing.lease_token == "other-worker" and not listing.create_sent
