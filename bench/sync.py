"""Listing sync benchmark: N listings on each of three API channels (Shopee, Lazada, TikTok
Shop) against their sandboxes, each sandbox enforcing a rate limit, synced by a pool of
workers sharing the database rate limiter.

``python -m bench.sync [--listings 5000] [--limit 40] [--workers 12] [--postgres URL]``

Reports, per channel, the achieved call rate as a ratio to the sandbox's limit (target ≥ 0.9)
and the calls it refused (target 0), and the worker process's peak memory (ru_maxrss).
"""

from __future__ import annotations

import argparse
import json
import queue
import resource
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, text, update

from marketplace.core.clock import today
from marketplace.core.crypto import vault_for
from marketplace.core.db import db
from marketplace.listings import connect
from marketplace.listings.models import ChannelListing
from marketplace.listings.sandboxes import SANDBOX_APPS
from marketplace.listings.tasks import syncer
from producers.models import Product, ProductImage
from producers.placeholders import placeholder_png
from sync_adapters.sandbox import Knobs, sandbox_class, start

from . import dataset, synth

CHANNELS = ("shopee", "lazada", "tiktok")


def _prepare(app: Any, n: int) -> None:
    """Make every product listable on every channel: one real photo, weight, package size."""
    media = Path(app.config["MEDIA_DIR"])
    (media / "bench").mkdir(parents=True, exist_ok=True)
    (media / "bench" / "photo.png").write_bytes(placeholder_png("Sản phẩm OCOP", "Thực phẩm", "1"))
    with app.app_context(), db.transaction() as session:
        session.execute(
            update(ProductImage).values(original_path="bench/photo.png", sha256="bench-photo")
        )
        session.execute(
            update(Product).values(
                weight_grams=600,
                length_cm=12,
                width_cm=10,
                height_cm=10,
                status="published",
                set_no=9,  # 1.4.1: a physical product every channel maps
            )
        )


def _accounts(app: Any, servers: dict[str, Any]) -> list[int]:
    """One shop per (producer, channel), tokens issued by the sandbox; returns listing ids."""
    vault = vault_for(app.config)
    listing_ids: list[int] = []
    with app.app_context(), db.transaction() as session:
        producers = session.execute(
            select(Product.producer_id, Product.id).order_by(Product.id)
        ).all()
        by_producer: dict[int, list[int]] = {}
        for producer_id, product_id in producers:
            by_producer.setdefault(producer_id, []).append(product_id)
        rows = []
        for code, server in servers.items():
            key, secret = SANDBOX_APPS[code]
            for producer_id in by_producer:
                shop = f"{code}-shop-{producer_id}"
                access, refresh = server.sandbox.issue_tokens(shop)
                account = connect.add_with_tokens(
                    session,
                    vault,
                    producer_id,
                    code,
                    base_url=server.url,
                    shop_id=shop,
                    app_key=key,
                    app_secret=secret,
                    access_token=access,
                    refresh_token=refresh,
                    expires_at=datetime.now(UTC) + timedelta(hours=4),
                    mode="sandbox",
                )
                account.rate_limit = server.sandbox.knobs.rate_limit * 0.97
                for product_id in by_producer[producer_id]:
                    rows.append({"product_id": product_id, "account_id": account.id})
        for row in rows:
            listing = ChannelListing(
                **row,
                wanted=True,
                desired_version=1,
                synced_version=0,
                synced_revision=0,
                attempts=0,
                problems=[],
                last_error="",
                create_sent=False,
                state="pending",
            )
            session.add(listing)
        session.flush()
        listing_ids = list(session.scalars(select(ChannelListing.id).order_by(ChannelListing.id)))
    return listing_ids


def run(listings: int, limit: float, workers: int, postgres: str | None) -> dict[str, Any]:
    """Build, sync, measure."""
    workdir = Path(tempfile.mkdtemp(prefix="ocop-bench-sync-"))
    url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    if postgres:
        pg = dataset.PostgresDatabase(postgres)
        url = pg.create("ocop_bench_sync")
    app = dataset.make_app(url, workdir)
    refs = dataset.migrate_fresh(app)
    cat = synth.synthesise(listings, refs, today())
    with app.app_context():
        dataset.load(db.engine, cat)
    _prepare(app, listings)
    servers = {}
    for code in CHANNELS:
        key, secret = SANDBOX_APPS[code]
        knobs = Knobs(rate_limit=limit, burst=1.0)
        servers[code] = start(sandbox_class(code)(knobs, apps={key: secret}))
    ids = _accounts(app, servers)
    app.config.update(LISTING_RETRY_BASE_S=0.5)
    todo: queue.Queue[int] = queue.Queue()
    for listing_id in ids:
        todo.put(listing_id)
    outcomes: dict[str, int] = {}
    lock = threading.Lock()

    def work() -> None:
        with app.app_context():
            worker = syncer()
            while True:
                try:
                    listing_id = todo.get_nowait()
                except queue.Empty:
                    return
                state = worker.sync(listing_id)
                with lock:
                    outcomes[state] = outcomes.get(state, 0) + 1

    started = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    result: dict[str, Any] = {
        "listings_per_channel": len(ids) // len(CHANNELS),
        "sandbox_limit_per_s": limit,
        "workers": workers,
        "database": "postgresql" if postgres else "sqlite",
        "elapsed_s": round(elapsed, 1),
        "outcomes": outcomes,
        "worker_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "channels": {},
    }
    for code, server in servers.items():
        stats = server.sandbox.stats
        accepted = stats.total - stats.rate_limited
        result["channels"][code] = {
            "calls": stats.total,
            "rate_limited": stats.rate_limited,
            "achieved_per_s": round(accepted / elapsed, 2),
            "ratio_to_limit": round(accepted / elapsed / limit, 3),
        }
        server.stop()
    with app.app_context():
        live = db.session.scalar(text("SELECT count(*) FROM channel_listings WHERE state = 'live'"))
    result["live"] = live
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sync", description=__doc__)
    parser.add_argument("--listings", type=int, default=5000, help="listings per channel")
    parser.add_argument("--limit", type=float, default=40.0, help="sandbox calls/s per channel")
    parser.add_argument("--workers", type=int, default=12)
    parser.add_argument("--postgres", default=None, help="admin URL of a PostgreSQL server")
    args = parser.parse_args()
    result = run(args.listings, args.limit, args.workers, args.postgres)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
