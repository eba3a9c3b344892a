"""Listing sync benchmark: N listings on each of three API channels (Shopee, Lazada, TikTok
Shop) against their sandboxes, each sandbox enforcing a rate limit, synced by a pool of
workers sharing the database rate limiter.

``python -m bench.sync [--listings 5000] [--limit 40] [--workers 24] [--postgres URL]``

Reports, per channel, the achieved call rate as a ratio to the sandbox's limit (target ≥ 0.9)
and the calls it refused (target 0), and the worker process's peak memory (ru_maxrss).
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import multiprocessing
import os
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
from marketplace.listings import accounts, connect
from marketplace.listings.models import ChannelListing
from marketplace.listings.sandboxes import SANDBOX_APPS
from marketplace.listings.tasks import syncer
from producers.models import Certificate, Producer, Product, ProductImage
from producers.placeholders import placeholder_png
from sync_adapters.sandbox import Knobs, sandbox_class, start
from sync_adapters.sandbox.tiktok import shop_cipher

from . import dataset, report, synth

CHANNELS = ("shopee", "lazada", "tiktok")
TARGET_RATIO = 0.9
#: the share of the marketplace's limit we allow ourselves (jitter margin)
RATE_SHARE = 0.98


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
                shelf_life="24 tháng",
                # TikTok Shop wants 25+ characters; synthetic names are shorter
                name=Product.name + " – đặc sản OCOP chính gốc",
                cert_stars=4,
                cert_valid_until=today() + timedelta(days=700),
            )
        )
        session.execute(update(Producer).values(status="active"))
        session.execute(
            update(Certificate).values(
                decision_date=today() - timedelta(days=30),
                valid_until=today() + timedelta(days=700),
            )
        )


class Sandboxes:
    """The three sandboxes in a child process of their own, so the worker's memory is the
    worker's alone; commands go over a pipe."""

    def __init__(self, limit: float):
        parent, child = multiprocessing.Pipe()
        self.conn = parent
        self.process = multiprocessing.Process(target=_serve, args=(child, limit), daemon=True)
        self.process.start()
        self.urls: dict[str, str] = self.conn.recv()
        self.limit = limit

    def ask(self, *command: Any) -> Any:
        self.conn.send(command)
        return self.conn.recv()

    def stop(self) -> None:
        self.ask("stop")
        self.process.join(timeout=10)


def _serve(conn: Any, limit: float) -> None:
    """Child process: run the sandboxes and answer the parent's commands."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    running = {}
    for code in CHANNELS:
        key, secret = SANDBOX_APPS[code]
        # "N calls per second" as marketplaces state it: a bucket holding one second of calls
        knobs = Knobs(rate_limit=limit, burst=limit)
        running[code] = start(sandbox_class(code)(knobs, apps={key: secret}))
    conn.send({code: r.url for code, r in running.items()})
    while True:
        command = conn.recv()
        if command[0] == "issue":
            conn.send(running[command[1]].sandbox.issue_tokens(command[2]))
        elif command[0] == "stats":
            stats = running[command[1]].sandbox.stats
            conn.send({"total": stats.total, "rate_limited": stats.rate_limited})
        elif command[0] == "items":
            conn.send(len(running[command[1]].sandbox.items))
        else:
            for r in running.values():
                r.stop()
            conn.send(None)
            return


def _accounts(app: Any, servers: Sandboxes) -> list[tuple[int, str]]:
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
        rows: list[dict[str, int]] = []
        channel_of: list[str] = []
        for code in CHANNELS:
            key, secret = SANDBOX_APPS[code]
            for producer_id in by_producer:
                shop = f"{code}-shop-{producer_id}"
                access, refresh = servers.ask("issue", code, shop)
                account = connect.add_with_tokens(
                    session,
                    vault,
                    producer_id,
                    code,
                    base_url=servers.urls[code],
                    shop_id=shop,
                    app_key=key,
                    app_secret=secret,
                    access_token=access,
                    refresh_token=refresh,
                    expires_at=datetime.now(UTC) + timedelta(hours=4),
                    mode="sandbox",
                )
                account.rate_limit = servers.limit * RATE_SHARE
                if code == "tiktok":  # what /authorization/202309/shops would have told us
                    accounts.store_secrets(
                        account, vault, token_extra={"shop_cipher": shop_cipher(shop)}
                    )
                for product_id in by_producer[producer_id]:
                    rows.append({"product_id": product_id, "account_id": account.id})
                    channel_of.append(code)
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
    # interleave the channels, as a real queue mixes them
    by_channel: dict[str, list[int]] = {}
    for listing_id, code in zip(listing_ids, channel_of, strict=True):
        by_channel.setdefault(code, []).append(listing_id)
    mixed = [x for group in itertools.zip_longest(*by_channel.values()) for x in group if x]
    return [(i, channel_of[listing_ids.index(i)]) for i in mixed]


def run(listings: int, limit: float, workers: int, postgres: str | None) -> dict[str, Any]:
    """Build, sync, measure."""
    servers = Sandboxes(limit)  # forked first, while this process is still small
    workdir = Path(tempfile.mkdtemp(prefix="ocop-bench-sync-"))
    url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    pg = dataset.PostgresDatabase(postgres) if postgres else None
    if pg is not None:
        url = pg.url
    app = dataset.make_app(url, workdir)
    refs = dataset.migrate_fresh(app)
    cat = synth.synthesise(listings, refs, today())
    with app.app_context():
        dataset.load(db.engine, cat)
    _prepare(app, listings)
    ids = _accounts(app, servers)
    app.config.update(LISTING_RETRY_BASE_S=0.5)
    # one queue per channel, threads shared out evenly: each channel's rate is then bound by its
    # own limit, not by waiting behind another channel's slots
    todo: dict[str, queue.Queue[tuple[int, str]]] = {code: queue.Queue() for code in CHANNELS}
    for item in ids:
        todo[item[1]].put(item)
    outcomes: dict[str, int] = {}
    windows: dict[str, list[float]] = {}  # channel -> [first start, last end]
    lock = threading.Lock()

    def work(channel: str) -> None:
        while True:
            try:
                listing_id, code = todo[channel].get_nowait()
            except queue.Empty:
                return
            begun = time.perf_counter()
            with app.app_context():  # like a Huey task: a fresh session per job
                state = syncer().sync(listing_id)
            ended = time.perf_counter()
            with lock:
                outcomes[state] = outcomes.get(state, 0) + 1
                window = windows.setdefault(code, [begun, ended])
                window[0], window[1] = min(window[0], begun), max(window[1], ended)

    started = time.perf_counter()
    threads = [
        threading.Thread(target=work, args=(CHANNELS[i % len(CHANNELS)],)) for i in range(workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    result: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="minutes"),
        "machine": report.machine(None),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "listings_per_channel": len(ids) // len(CHANNELS),
        "sandbox_limit_per_s": limit,
        "workers": workers,
        "database": "postgresql" if postgres else "sqlite",
        "elapsed_s": round(elapsed, 1),
        "outcomes": outcomes,
        "worker_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "channels": {},
    }
    for code in CHANNELS:
        stats = servers.ask("stats", code)
        accepted = stats["total"] - stats["rate_limited"]
        busy = windows[code][1] - windows[code][0]
        result["channels"][code] = {
            "calls": stats["total"],
            "rate_limited": stats["rate_limited"],
            "items_on_sandbox": servers.ask("items", code),
            "busy_s": round(busy, 1),
            "achieved_per_s": round(accepted / busy, 2),
            "ratio_to_limit": round(accepted / busy / limit, 3),
        }
    servers.stop()
    app.extensions["ocop_db"].dispose()
    with app.app_context():
        live = db.session.scalar(text("SELECT count(*) FROM channel_listings WHERE state = 'live'"))
        result["sample_problems"] = sorted(
            {
                f"{row[0]}: {row[1]} {row[2]}"
                for row in db.session.execute(
                    text(
                        "SELECT a.channel, l.last_error, l.problems FROM channel_listings l "
                        "JOIN channel_accounts a ON a.id = l.account_id WHERE l.state != 'live' "
                        "LIMIT 200"
                    )
                )
            }
        )[:10]
    result["live"] = live
    app.extensions["ocop_db"].dispose()
    if pg is not None:
        pg.drop()
    return result


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per sandbox call otherwise
    parser = argparse.ArgumentParser(prog="python -m bench.sync", description=__doc__)
    parser.add_argument("--listings", type=int, default=5000, help="listings per channel")
    parser.add_argument("--limit", type=float, default=40.0, help="sandbox calls/s per channel")
    parser.add_argument("--workers", type=int, default=24)
    parser.add_argument("--postgres", default=None, help="admin URL of a PostgreSQL server")
    args = parser.parse_args()
    result = run(args.listings, args.limit, args.workers, args.postgres)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    met = all(
        c["ratio_to_limit"] >= TARGET_RATIO and c["rate_limited"] == 0
        for c in result["channels"].values()
    ) and result["live"] == result["listings_per_channel"] * len(CHANNELS)
    print(f"target (ratio >= {TARGET_RATIO}, 0 refused, all live): {'met' if met else 'MISSED'}")
    raise SystemExit(0 if met else 1)


if __name__ == "__main__":
    main()
