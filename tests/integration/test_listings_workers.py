"""The listing engine in real, separate processes, killed with SIGKILL in the crash window.

The Shopee sandbox runs in the test process and can *hold* ``add_item`` answers: the item is
created, but the worker does not hear back (so cannot record the id) until the test has
killed it. The restarted ``ocop sync run`` / the surviving ``ocop worker`` must then find the
item by SKU instead of creating it twice. Leases are set to a few seconds
(``OCOP_LISTING_LEASE_S``) so a killed worker's listings free up quickly.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask, Response, request
from sqlalchemy import select

from marketplace import config as cfg
from marketplace.core import jobs
from marketplace.core.db import db, utcnow
from marketplace.core.jobs import huey
from marketplace.listings import services
from marketplace.listings.models import ChannelListing, ListingEvent, ListingState
from marketplace.listings.sandboxes import SANDBOX_APPS
from marketplace.listings.tasks import listings_sweep, sync_listing
from sync_adapters.sandbox import Knobs, Running, start
from sync_adapters.sandbox.shopee import ShopeeSandbox
from tests.integration.test_listings import _connect, _products

MAIN = "from marketplace.cli import main; main()"
SEARCH = "/api/v2/product/search_item"
LEASE_S = 2.5


class _HoldingShopee(ShopeeSandbox):
    """Shopee whose ``add_item`` answers, after the first ``hold_after`` creates, are held
    (item already stored) for the next ``hold_count`` creates until ``release`` is set.
    ``app_wide_limit``: the sandbox's rate limit counts per partner app (the engine's limiter
    bucket), not per shop, so spreading over shops cannot hide an excess."""

    def __init__(self, knobs: Knobs, *, hold_after: int, hold_count: int, app_wide_limit: bool):
        key, secret = SANDBOX_APPS["shopee"]
        super().__init__(knobs, apps={key: secret})
        self.hold_after = hold_after
        self.hold_count = hold_count
        self.app_wide_limit = app_wide_limit
        self.created = 0
        self.held = 0
        self.release = threading.Event()

    def add_item(self) -> Response:
        response = super().add_item()
        with self.lock:
            self.created += 1
            hold = self.created > self.hold_after and self.held < self.hold_count
            if hold:
                self.held += 1
        if hold:
            self.release.wait(timeout=60)
        return response

    def rate_key(self) -> str:
        if self.app_wide_limit:
            return request.args.get("partner_id", "")
        return super().rate_key()


class _Proc:
    """``ocop …`` in a child process, output to a log file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path):
        self.log = log
        self._out = log.open("wb")
        self.popen = subprocess.Popen(
            [sys.executable, "-c", MAIN, *args],
            cwd=cfg.PROJECT_DIR,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def sigkill(self) -> None:
        if self.popen.poll() is None:
            os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)
        self._out.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def _env(app: Flask, jobs_url: str | None = None) -> dict[str, str]:
    """The app's settings as the environment of an ``ocop`` process (same database, media,
    instance folder, and SECRET_KEY: the vault key is derived from it)."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith("OCOP_")}
    for key in ("DATABASE_URL", "JOBS_URL", "SECRET_KEY"):
        keep.pop(key, None)
    keep.update(
        DATABASE_URL=app.config["DATABASE_URL"],
        SECRET_KEY=app.config["SECRET_KEY"],
        OCOP_MEDIA_DIR=app.config["MEDIA_DIR"],
        OCOP_INSTANCE_PATH=app.instance_path,
        OCOP_LISTING_LEASE_S=str(LEASE_S),
        OCOP_LISTING_RETRY_BASE_S="0.2",
        PYTHONUNBUFFERED="1",
    )
    if app.config.get("ENCRYPTION_KEYS"):
        keep["OCOP_ENCRYPTION_KEYS"] = app.config["ENCRYPTION_KEYS"]
    if jobs_url:
        keep["JOBS_URL"] = jobs_url
    return keep


@pytest.fixture
def cleanup() -> Iterator[list[Callable[[], None]]]:
    """Callbacks run at teardown, newest first (kill children, stop the sandbox)."""
    actions: list[Callable[[], None]] = []
    yield actions
    for action in reversed(actions):
        action()


def _sandbox(cleanup: list, knobs: Knobs, **hold: int | bool) -> tuple[_HoldingShopee, Running]:
    sandbox = _HoldingShopee(knobs, **hold)  # type: ignore[arg-type]
    server = start(sandbox)

    def stop() -> None:
        sandbox.release.set()
        server.stop()

    cleanup.append(stop)
    return sandbox, server


def _spawn(cleanup: list, args: list[str], env: dict[str, str], log: Path) -> _Proc:
    proc = _Proc(args, env, log)
    cleanup.append(proc.sigkill)
    return proc


def _request_batch(app: Flask, server: Running, rate: float) -> list[int]:
    """Every listable demo product on Shopee: one shop per producer, all on ``server``."""
    with app.app_context():
        products = _products(db.session, 100)
        by_producer: dict[int, list[int]] = {}
        for product in products:
            by_producer.setdefault(product.producer_id, []).append(product.id)
        ids: list[int] = []
        for producer_id, product_ids in by_producer.items():
            account = _connect(app, {"shopee": server}, "shopee", producer_id, rate=rate)
            with db.transaction() as session:
                ids += services.request_listings(session, product_ids, [account.id])
    assert len(ids) >= 12
    return ids


def _rows(app: Flask) -> list[ChannelListing]:
    with app.app_context(), db.transaction() as session:
        return list(session.scalars(select(ChannelListing).order_by(ChannelListing.id)))


def _found(app: Flask) -> set[int]:
    """Listings whose id was recovered from the marketplace by SKU."""
    with app.app_context(), db.transaction() as session:
        query = select(ListingEvent.listing_id).where(ListingEvent.kind == "found")
        return set(session.scalars(query))


def _in_crash_window(rows: list[ChannelListing]) -> list[ChannelListing]:
    return [r for r in rows if r.create_sent and r.external_id is None]


def _no_lease(app: Flask) -> bool:
    now = utcnow()
    return all(r.lease_until is None or r.lease_until < now for r in _rows(app))


def _wait(
    app: Flask, what: str, check: Callable[[], bool], procs: list[_Proc], timeout: float = 30
) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        for proc in procs:
            if proc.popen.poll() is not None:
                raise AssertionError(
                    f"{what}: child exited ({proc.popen.returncode})\n{proc.output()}"
                )
        if time.monotonic() > deadline:
            logs = "\n".join(p.output() for p in procs)
            rows = [(r.id, r.state, r.external_id, r.lease_until, r.last_error) for r in _rows(app)]
            raise AssertionError(f"timed out waiting for {what}\n{logs}\n{rows}")
        time.sleep(0.1)


def _assert_each_live_once(app: Flask, sandbox: _HoldingShopee, ids: list[int]) -> None:
    rows = _rows(app)
    assert [r.id for r in rows] == sorted(ids)
    assert {r.state for r in rows} == {ListingState.LIVE}, [
        (r.id, r.state, r.last_error) for r in rows
    ]
    items = sandbox.live_items()
    assert len(items) == len(rows)
    skus = Counter(item["item_sku"] for item in items)
    assert len(skus) == len(rows) and set(skus.values()) == {1}, skus
    assert {r.external_id for r in rows} == {str(item["item_id"]) for item in items}


def test_sync_run_killed_between_create_and_record_then_rerun_lists_each_once(
    demo_app, tmp_path, cleanup
):
    sandbox, server = _sandbox(
        cleanup, Knobs(latency_s=0.05), hold_after=6, hold_count=1, app_wide_limit=False
    )
    ids = _request_batch(demo_app, server, rate=50.0)
    env = _env(demo_app)
    first = _spawn(cleanup, ["sync", "run"], env, tmp_path / "run-1.log")
    _wait(demo_app, "the 7th create", lambda: sandbox.held == 1, [first])
    first.sigkill()  # the 7th item exists on Shopee, its id is not recorded yet
    sandbox.release.set()

    rows = _rows(demo_app)
    crashed = _in_crash_window(rows)
    assert len(crashed) == 1
    assert sum(r.state == ListingState.LIVE for r in rows) == 6
    assert len(sandbox.live_items()) == 7
    assert sandbox.stats.calls.get(SEARCH, 0) == 0

    _wait(demo_app, "the killed run's lease to expire", lambda: _no_lease(demo_app), [])
    second = subprocess.run(
        [sys.executable, "-c", MAIN, "sync", "run"],
        cwd=cfg.PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 0, second.stdout + second.stderr
    assert f"live: {len(ids) - 6}" in second.stdout, second.stdout

    _assert_each_live_once(demo_app, sandbox, ids)
    assert _found(demo_app) == {crashed[0].id}
    assert sandbox.stats.calls.get(SEARCH, 0) >= 1
    assert sandbox.created == len(ids)


def _queue(monkeypatch: pytest.MonkeyPatch, app: Flask, url: str | None):  # type: ignore[no-untyped-def]
    """The queue the workers will read, as their environment selects it."""
    monkeypatch.setenv("OCOP_INSTANCE_PATH", app.instance_path)
    monkeypatch.delenv("OCOP_JOBS_IMMEDIATE", raising=False)
    if url:
        monkeypatch.setenv("JOBS_URL", url)
    else:
        monkeypatch.delenv("JOBS_URL", raising=False)
    queue = jobs.make_huey()
    assert type(queue).__name__ == ("RedisHuey" if url else "Huey")
    if url:
        queue.storage.conn.flushdb()
    return queue


def _enqueue(queue, task) -> None:  # type: ignore[no-untyped-def]
    queue.storage.enqueue(huey.serialize_task(task))


@pytest.mark.parametrize("queue_kind", ["sqlite", "redis"])
def test_two_workers_one_killed_mid_batch_list_each_once_within_the_rate_limit(
    demo_app, tmp_path, cleanup, monkeypatch, queue_kind
):
    url = None
    if queue_kind == "redis":
        url = os.environ.get("OCOP_TEST_REDIS_URL")
        if not url:
            if os.environ.get("CI"):
                pytest.fail("CI must provide OCOP_TEST_REDIS_URL")
            pytest.skip("set OCOP_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15) to test Redis")
    rate = 20.0
    sandbox, server = _sandbox(
        cleanup,
        Knobs(latency_s=0.02, rate_limit=rate * 1.25, burst=4.0),
        hold_after=4,
        hold_count=4,  # both threads of both workers
        app_wide_limit=True,
    )
    ids = _request_batch(demo_app, server, rate=rate)
    queue = _queue(monkeypatch, demo_app, url)
    if url:
        cleanup.append(queue.storage.conn.flushdb)
    for listing_id in ids:
        _enqueue(queue, sync_listing.s(listing_id))
    assert queue.pending_count() == len(ids)

    env = _env(demo_app, url)
    args = ["worker", "--workers", "2", "--no-periodic"]
    workers = [_spawn(cleanup, args, env, tmp_path / f"worker-{n}.log") for n in (1, 2)]
    _wait(
        demo_app,
        "every worker thread to be in the crash window",
        lambda: sandbox.held == 4,
        workers,
    )
    killed, survivor = workers
    killed.sigkill()
    assert sandbox.stats.rate_limited == 0  # the limiter is shared by both processes
    assert len(_in_crash_window(_rows(demo_app))) == 4
    assert len(sandbox.live_items()) == 8
    sandbox.release.set()

    # The killed worker's two messages are gone; the sweep re-derives them once its leases
    # expire and the survivor is idle.
    _wait(
        demo_app,
        "the queue to drain and the leases to expire",
        lambda: queue.pending_count() == 0 and _no_lease(demo_app),
        [survivor],
    )
    _enqueue(queue, listings_sweep.s())
    _wait(
        demo_app,
        "every listing live",
        lambda: all(r.state == ListingState.LIVE for r in _rows(demo_app)),
        [survivor],
    )

    _assert_each_live_once(demo_app, sandbox, ids)
    assert len(_found(demo_app)) >= 2
    assert sandbox.stats.calls.get(SEARCH, 0) >= 2
    assert sandbox.stats.rate_limited == 0
    assert sandbox.created == len(ids)
