"""What every sandbox marketplace shares: a thread-safe store, a token bucket, chaos knobs,
and a loopback server.

A sandbox is a small Flask app of its own (never our application) that answers like the real
marketplace: its paths, its signature checks, its token lifetimes, its error shapes. Each
channel module subclasses ``ChannelSandbox`` and implements ``routes``, ``rate_limited`` and
``server_error`` in that channel's own format. Knobs inject latency, 5xx, timeouts and a rate
limit so tests and benchmarks can make the marketplace misbehave on purpose.
"""

from __future__ import annotations

import io
import json
import os
import random
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any, ClassVar

from flask import Flask, Response, request
from PIL import Image
from werkzeug.serving import BaseWSGIServer, make_server


@dataclass
class Knobs:
    """How badly the sandbox behaves (all off by default)."""

    latency_s: float = 0.0  # added to every call
    error_rate: float = 0.0  # fraction of calls answered with the channel's 5xx
    timeout_rate: float = 0.0  # fraction of calls that hang for ``hang_s`` (client times out)
    hang_s: float = 3.0
    rate_limit: float | None = None  # calls per second per app key; None: unlimited
    burst: float = 1.0  # bucket size in calls (>= 1)
    access_ttl_s: int = 4 * 3600  # lifetime of issued access tokens
    refresh_ttl_s: int = 30 * 86400
    seed: int | None = None


class TokenBucket:
    """Classic token bucket; ``take`` returns 0 when allowed, else seconds to wait."""

    def __init__(self, rate: float, burst: float):
        self.rate = rate
        self.capacity = max(burst, 1.0)
        self.tokens = self.capacity
        self.stamp = time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> float:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return 0.0
            return (1.0 - self.tokens) / self.rate


@dataclass
class Stats:
    """What the sandbox saw: calls per endpoint, and how many it refused for each reason."""

    calls: dict[str, int] = field(default_factory=dict)
    rate_limited: int = 0
    injected_errors: int = 0
    injected_timeouts: int = 0
    rejected_signatures: int = 0
    expired_tokens: int = 0

    def count(self, endpoint: str) -> None:
        self.calls[endpoint] = self.calls.get(endpoint, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.calls.values())


class ChannelSandbox:
    """Base of one marketplace's simulator. Subclasses add routes and error shapes."""

    code: ClassVar[str]
    name: ClassVar[str]
    #: Path prefixes the chaos knobs never touch (the seller-facing authorisation page).
    chaos_exempt: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        knobs: Knobs | None = None,
        *,
        apps: dict[str, str] | None = None,
        state_dir: Path | None = None,
    ):
        self.knobs = knobs or Knobs()
        self.apps = dict(apps or {})  # app key / partner id -> secret it signs with
        self.state_dir = state_dir  # set: state survives restarts (demo mode)
        self.stats = Stats()
        self.lock = threading.RLock()
        self.rng = random.Random(self.knobs.seed)
        self.buckets: dict[str, TokenBucket] = {}
        self.items: dict[str, dict[str, Any]] = {}  # external id -> item (channel's own shape)
        self.tokens: dict[str, dict[str, Any]] = {}  # access token -> {shop, expires_at}
        self.refresh_tokens: dict[str, dict[str, Any]] = {}  # refresh token -> {shop, expires_at}
        self.codes: dict[str, str] = {}  # authorisation code -> shop id
        self.clock = time.time  # replaceable in tests
        self._images: dict[str, bytes] = {}
        self._load()

    # --- for subclasses ------------------------------------------------------------------
    def routes(self, app: Flask) -> None:
        """Register the channel's endpoints."""
        raise NotImplementedError

    def rate_limited(self, retry_after: float) -> Response:
        """The channel's own "too many requests" answer."""
        raise NotImplementedError

    def server_error(self) -> Response:
        """The channel's own 5xx answer."""
        raise NotImplementedError

    def rate_key(self) -> str:
        """Whose bucket a request draws from (the app key by default)."""
        return "app"

    def public_view(self, item: dict[str, Any]) -> dict[str, Any]:
        """The buyer's view of one stored item: name, price_vnd, stock, status, image_ids."""
        raise NotImplementedError

    def item_url(self, base_url: str, external_id: str) -> str:
        """The buyer-facing page of an item on this sandbox."""
        return f"{base_url.rstrip('/')}/_sandbox/items/{external_id}"

    # --- images ----------------------------------------------------------------------------
    def put_image(self, data: bytes) -> str:
        """Store uploaded image bytes; returns the new image id."""
        image_id = secrets.token_hex(10)
        with self.lock:
            self._images[image_id] = data
        if self.state_dir is not None:
            (self.state_dir / "images").mkdir(parents=True, exist_ok=True)
            (self.state_dir / "images" / f"{image_id}.jpg").write_bytes(data)
        return image_id

    def get_image(self, image_id: str) -> bytes | None:
        with self.lock:
            data = self._images.get(image_id)
        if data is None and self.state_dir is not None:
            path = self.state_dir / "images" / f"{image_id}.jpg"
            if path.is_file():
                return path.read_bytes()
        return data

    def host_photo(self, data: bytes) -> str | None:
        """Store image bytes served at ``/_sandbox/images/<id>``; their URL on this request's
        host, or None when the bytes are not a readable image."""
        try:
            with Image.open(io.BytesIO(data)) as im:
                im.verify()
        except (OSError, ValueError):
            return None
        return f"{request.host_url}_sandbox/images/{self.put_image(data)}"

    # --- tokens ----------------------------------------------------------------------------
    def issue_tokens(self, shop_id: str) -> tuple[str, str]:
        """New access + refresh token for a shop (the old refresh token stays as the caller
        decides: Shopee's is single-use, so its sandbox deletes it first)."""
        now = self.clock()
        access = secrets.token_hex(16)
        refresh = secrets.token_hex(16)
        with self.lock:
            self.tokens[access] = {"shop": shop_id, "expires_at": now + self.knobs.access_ttl_s}
            self.refresh_tokens[refresh] = {
                "shop": shop_id,
                "expires_at": now + self.knobs.refresh_ttl_s,
            }
        return access, refresh

    def shop_for_token(self, access_token: str) -> str | None:
        """The shop an unexpired access token belongs to, else None (counted)."""
        with self.lock:
            entry = self.tokens.get(access_token)
        if entry is None or entry["expires_at"] <= self.clock():
            self.stats.expired_tokens += 1
            return None
        return str(entry["shop"])

    def expire_all_tokens(self) -> None:
        """Make every issued access token expired now (token expiry mid-batch)."""
        with self.lock:
            for entry in self.tokens.values():
                entry["expires_at"] = 0

    def grant_code(self, shop_id: str) -> str:
        """An authorisation code the OAuth callback will carry."""
        code = secrets.token_hex(8)
        with self.lock:
            self.codes[code] = shop_id
        return code

    def take_refresh(self, token: str, *, spend: bool = False) -> dict[str, Any] | None:
        """The refresh token's entry while unexpired, else None; ``spend`` removes it whatever
        the outcome (servers that rotate refresh tokens burn the presented one)."""
        with self.lock:
            entry = (
                self.refresh_tokens.pop(token, None) if spend else self.refresh_tokens.get(token)
            )
        if entry is None or entry["expires_at"] <= self.clock():
            return None
        return entry

    def bearer_shop(self) -> str | None:
        """The shop of the request's ``Authorization: Bearer <token>`` while unexpired."""
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            return None
        return self.shop_for_token(header[7:].strip())

    # --- items -----------------------------------------------------------------------------
    def shop_item(self, shop: str, item_id: str) -> dict[str, Any] | None:
        """The stored item ``item_id`` when it belongs to ``shop`` (its ``shop`` field)."""
        with self.lock:
            item = self.items.get(item_id)
        return item if item is not None and item.get("shop") == shop else None

    def new_item_id(self, low: int, span: int) -> str:
        """A random item id in ``[low, low + span)`` not yet in the store."""
        while True:
            candidate = str(low + secrets.randbelow(span))
            if candidate not in self.items:
                return candidate

    # --- the server ------------------------------------------------------------------------
    def create_app(self) -> Flask:
        app = Flask(f"sandbox-{self.code}")
        app.before_request(self._chaos)
        app.after_request(self._after)
        app.add_url_rule("/_sandbox/items", "sandbox_items", self._items_json)
        app.add_url_rule("/_sandbox/items/<external_id>", "sandbox_item", self._item_page)
        app.add_url_rule("/_sandbox/images/<image_id>", "sandbox_image", self._image)
        self.routes(app)
        return app

    def _after(self, response: Response) -> Response:
        if self.state_dir is not None and request.method != "GET":
            self._save()
        return response

    def _state_file(self) -> Path | None:
        return self.state_dir / "state.json" if self.state_dir is not None else None

    def _save(self) -> None:
        path = self._state_file()
        if path is None:
            return
        with self.lock:
            state = {
                "items": self.items,
                "tokens": self.tokens,
                "refresh_tokens": self.refresh_tokens,
                "codes": self.codes,
                "extra": self.extra_state(),
            }
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".part")
            tmp.write_text(json.dumps(state, ensure_ascii=False, default=str), encoding="utf-8")
            os.replace(tmp, path)

    def _load(self) -> None:
        path = self._state_file()
        if path is None or not path.is_file():
            return
        state = json.loads(path.read_text(encoding="utf-8"))
        self.items = state["items"]
        self.tokens = state["tokens"]
        self.refresh_tokens = state["refresh_tokens"]
        self.codes = state["codes"]
        self.load_extra_state(state.get("extra") or {})

    def extra_state(self) -> dict[str, Any]:
        """Channel-specific state to persist (e.g. Tiki's review requests)."""
        return {}

    def load_extra_state(self, state: dict[str, Any]) -> None:
        """Restore what ``extra_state`` returned."""

    def _items_json(self) -> Response:
        with self.lock:
            items = {key: self.public_view(item) for key, item in self.items.items()}
        return Response(json.dumps(items, ensure_ascii=False), mimetype="application/json")

    def _item_page(self, external_id: str) -> Response:
        with self.lock:
            item = self.items.get(external_id)
            view = self.public_view(item) if item is not None else None
        if view is None:
            return Response("Không có sản phẩm này trên sàn thử nghiệm.", status=404)
        images = "".join(
            f'<img src="/_sandbox/images/{escape(str(i))}" width="240" height="240" alt="">'
            for i in view.get("image_ids", [])
        )
        body = (
            f"<!doctype html><html lang=vi><meta charset=utf-8><title>{escape(view['name'])}"
            f"</title><p>{escape(self.name)} (sàn thử nghiệm)</p><h1>{escape(view['name'])}</h1>"
            f"<p>Giá: {int(view['price_vnd']):,} đ · Kho: {view['stock']} · Trạng thái: "
            f"{escape(str(view['status']))}</p>{images}</html>"
        )
        return Response(body, mimetype="text/html")

    def _image(self, image_id: str) -> Response:
        data = self.get_image(image_id)
        if data is None:
            return Response(status=404)
        return Response(data, mimetype="image/jpeg")

    def _chaos(self) -> Response | None:
        knobs = self.knobs
        path = request.path
        if path.startswith("/_sandbox") or any(path.startswith(p) for p in self.chaos_exempt):
            return None
        self.stats.count(path)
        if knobs.latency_s:
            time.sleep(knobs.latency_s)
        if knobs.rate_limit:
            key = self.rate_key()
            with self.lock:
                bucket = self.buckets.get(key)
                if bucket is None:
                    bucket = self.buckets[key] = TokenBucket(knobs.rate_limit, knobs.burst)
            wait = bucket.take()
            if wait > 0:
                self.stats.rate_limited += 1
                return self.rate_limited(wait)
        with self.lock:
            roll = self.rng.random()
        if roll < knobs.timeout_rate:
            self.stats.injected_timeouts += 1
            time.sleep(knobs.hang_s)
            return self.server_error()
        if roll < knobs.timeout_rate + knobs.error_rate:
            self.stats.injected_errors += 1
            return self.server_error()
        return None

    def live_items(self) -> list[dict[str, Any]]:
        """Snapshot of the stored items."""
        with self.lock:
            return [dict(item) for item in self.items.values()]


class Running:
    """A sandbox served on a loopback port in a thread."""

    def __init__(self, sandbox: ChannelSandbox, server: BaseWSGIServer, thread: threading.Thread):
        self.sandbox = sandbox
        self.server = server
        self.thread = thread
        self.url = f"http://127.0.0.1:{server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start(sandbox: ChannelSandbox, port: int = 0, host: str = "127.0.0.1") -> Running:
    """Serve ``sandbox`` on ``host:port`` (0: a free port) in a daemon thread."""
    server = make_server(host, port, sandbox.create_app(), threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, daemon=True, name=f"sandbox-{sandbox.code}"
    )
    thread.start()
    return Running(sandbox, server, thread)


@contextmanager
def serve(sandbox: ChannelSandbox) -> Iterator[str]:
    """Run ``sandbox`` on a free loopback port for the ``with`` block; yields its base URL."""
    running = start(sandbox)
    try:
        yield running.url
    finally:
        running.stop()
