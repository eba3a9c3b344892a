"""The shared plumbing of the adapters: HTTP retries, the registry, channel images."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import requests
from flask import Flask
from PIL import Image
from werkzeug.serving import make_server

from sync_adapters import images, registry
from sync_adapters.base import ChannelKind, ImageFile, RateLimitedError, RetryableError
from sync_adapters.http import SAFE_RETRIES, send


@pytest.fixture
def flaky():
    """A server failing the first ``fail`` calls with 503 (then 200); counts calls."""
    state = {"calls": 0, "fail": 1, "status": 503}
    app = Flask("flaky")

    @app.route("/x", methods=["GET", "POST"])
    def x():  # type: ignore[no-untyped-def]
        state["calls"] += 1
        if state["calls"] <= state["fail"]:
            return {"error": "busy"}, state["status"], {"Retry-After": "7"}
        return {"ok": True}

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{server.server_port}/x"
    yield state
    server.shutdown()


def test_idempotent_calls_are_retried_at_once(flaky):
    response = send(requests.Session(), "GET", flaky["url"], timeout=2)
    assert response.json() == {"ok": True}
    assert flaky["calls"] == 2


def test_a_create_is_never_repeated_blindly(flaky):
    with pytest.raises(RetryableError):
        send(requests.Session(), "POST", flaky["url"], timeout=2, idempotent=False)
    assert flaky["calls"] == 1


def test_retries_are_bounded(flaky):
    flaky["fail"] = 100
    with pytest.raises(RetryableError, match="HTTP 503"):
        send(requests.Session(), "GET", flaky["url"], timeout=2)
    assert flaky["calls"] == 1 + SAFE_RETRIES


def test_rate_limit_is_not_retried_and_carries_retry_after(flaky):
    flaky["status"] = 429
    with pytest.raises(RateLimitedError) as caught:
        send(requests.Session(), "GET", flaky["url"], timeout=2)
    assert caught.value.retry_after == 7.0
    assert flaky["calls"] == 1


def test_unreachable_server_is_retryable():
    with pytest.raises(RetryableError, match="Không kết nối"):
        send(requests.Session(), "GET", "http://127.0.0.1:9/x", timeout=0.5, idempotent=False)


def test_registry_has_every_channel_with_its_kind():
    channels = registry.build()
    assert set(channels) == {"shopee", "lazada", "tiki", "tiktok", "sendo", "postmart", "voso"}
    assert {c for c, cls in channels.items() if cls.kind == ChannelKind.EXPORT} == {
        "postmart",
        "voso",
    }
    for code, cls in channels.items():
        assert cls.code == code
        assert cls.default_mapping, code  # every channel maps the OCOP sets somewhere
        assert set(cls.default_mapping.values()) <= set(cls.categories), code


def test_a_duplicate_channel_code_fails_at_start():
    with pytest.raises(registry.DuplicateChannelError):
        registry.build(extra={"shopee": "sync_adapters.shopee.client:ShopeeAdapter"})
    with pytest.raises(registry.DuplicateChannelError):
        registry.build(extra={"shopee2": "sync_adapters.shopee.client:ShopeeAdapter"})


def test_channel_images_are_square_jpeg_within_bounds_and_cached(tmp_path: Path):
    source = tmp_path / "tall.png"
    Image.new("RGB", (600, 1400), (200, 30, 30)).save(source)
    spec = images.ImageSpec(min_px=500, max_px=1000, max_bytes=300_000)
    image = ImageFile(source, "abc123")
    data = images.prepare(image, spec, tmp_path / "cache")
    out = tmp_path / "out.jpg"
    out.write_bytes(data)
    with Image.open(out) as im:
        assert im.format == "JPEG" and im.size == (1000, 1000)
    assert len(data) <= 300_000
    cached = list((tmp_path / "cache").iterdir())
    assert len(cached) == 1
    source.unlink()  # the cache answers without the original
    assert images.prepare(image, spec, tmp_path / "cache") == data


def test_too_small_or_missing_photos_are_explained(tmp_path: Path):
    small = tmp_path / "small.png"
    Image.new("RGB", (300, 300)).save(small)
    spec = images.ImageSpec(min_px=500)
    assert [p.field for p in images.check((), spec)] == ["images"]
    problems = images.check((ImageFile(small, "x"),), spec)
    assert "300 px" in problems[0].message and problems[0].fix
