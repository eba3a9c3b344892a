"""Tiki: the TikiNOW webhook vector, and the adapter end to end against the Tiki sandbox."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from PIL import Image

from sync_adapters.base import (
    AccountConfig,
    AuthExpiredError,
    ImageFile,
    ListingData,
    ListingResult,
    PermanentError,
    RateLimitedError,
    RemoteStatus,
    RetryableError,
)
from sync_adapters.http import SAFE_RETRIES
from sync_adapters.sandbox import start
from sync_adapters.sandbox.tiki import TikiSandbox
from sync_adapters.tiki import signing
from sync_adapters.tiki.client import TikiAdapter

VECTORS = Path(__file__).resolve().parents[2] / "data" / "sign_vectors.json"
CLIENT_ID, CLIENT_SECRET = "7590139168389961", "tfSl0c6VFv3fAB_z9F"
REDIRECT = "https://cho-ocop.example/oauth/tiki/callback"


def _vector(vector_id: str) -> dict:
    data = json.loads(VECTORS.read_text(encoding="utf-8"))
    return next(v for v in data["vectors"] if v["id"] == vector_id)


# --- signing ---------------------------------------------------------------------------------
def test_tikinow_webhook_vector_pinned():
    vector = _vector("tikinow_webhook_x_signature")
    secret, body = vector["inputs"]["secret_key"], vector["inputs"]["raw_body"]
    assert signing.webhook_signature(secret, body) == vector["computed_sign"]
    assert (
        signing.webhook_signature(secret, body) == "sha1=174bccc5c1ae437677bf1fd40e7af603fa62f2f7"
    )
    assert signing.verify_webhook(secret, body.encode(), vector["computed_sign"])
    # The doc's own example header used an unpublished secret: it must not verify with ours.
    assert not signing.verify_webhook(secret, body, vector["doc_example_header"])
    assert not vector["doc_example_reproduced"]


def test_sandbox_webhook_headers_verify_and_tampering_fails():
    vector = _vector("tikinow_webhook_x_signature")
    secret, body = vector["inputs"]["secret_key"], vector["inputs"]["raw_body"].encode()
    headers = TikiSandbox(apps={}).sign_webhook(secret, body)
    assert headers["x-signature"] == vector["computed_sign"]
    assert signing.verify_webhook(secret, body, headers["x-signature"])
    assert not signing.verify_webhook(
        secret, body.replace(b"canceled", b"completed"), headers["x-signature"]
    )
    assert not signing.verify_webhook("other-secret", body, headers["x-signature"])
    assert not signing.verify_webhook(secret, body, None)


# --- fixtures --------------------------------------------------------------------------------
def _jpeg(path: Path, size: tuple[int, int] = (800, 600)) -> ImageFile:
    Image.new("RGB", size, (200, 140, 40)).save(path, "JPEG")
    return ImageFile(path=path, sha256=hashlib.sha256(path.read_bytes()).hexdigest())


@pytest.fixture
def photo(tmp_path: Path) -> ImageFile:
    return _jpeg(tmp_path / "honey.jpg")


def _data(photo: ImageFile, **changes: object) -> ListingData:
    data = ListingData(
        sku="OCOP000123",
        name="Mật ong rừng Trà My OCOP 4 sao 500ml",
        description="Mật ong rừng nguyên chất thu hoạch tại Bắc Trà My.\nKhông pha đường.",
        price_vnd=185_000,
        stock=40,
        category_id="4419",
        images=(photo,),
        weight_grams=700,
        length_cm=8,
        width_cm=8,
        height_cm=18,
        brand="Trà My Honey",
        origin="Quảng Nam",
        producer_name="HTX Mật ong Trà My",
        shelf_life="24 tháng",
        ocop_stars=4,
    )
    return replace(data, **changes)


def _serve(sandbox: TikiSandbox) -> Iterator[tuple[TikiSandbox, str]]:
    running = start(sandbox)
    try:
        yield sandbox, running.url
    finally:
        running.stop()


@pytest.fixture
def sandbox() -> Iterator[tuple[TikiSandbox, str]]:
    yield from _serve(TikiSandbox(apps={CLIENT_ID: CLIENT_SECRET}))


def _adapter(url: str, tmp_path: Path | None = None, **kwargs: object) -> TikiAdapter:
    account = AccountConfig(base_url=url, shop_id="", app_key=CLIENT_ID, app_secret=CLIENT_SECRET)
    return TikiAdapter(account, image_cache=tmp_path, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def connected(sandbox: tuple[TikiSandbox, str], tmp_path: Path) -> Iterator[TikiAdapter]:
    """An adapter that went through the consent page and holds tokens for shop 5678."""
    box, url = sandbox
    adapter = _adapter(url, tmp_path)
    params = box.approve(adapter.authorize_url(REDIRECT, "state-123456"), "5678")
    shop_id, tokens = adapter.exchange_code(params, REDIRECT)
    adapter.account = replace(adapter.account, shop_id=shop_id, tokens=tokens)
    yield adapter
    adapter.close()


# --- authorisation ---------------------------------------------------------------------------
def test_consent_page_redirects_with_hydra_params(sandbox: tuple[TikiSandbox, str]) -> None:
    box, url = sandbox
    adapter = _adapter(url)
    link = adapter.authorize_url(REDIRECT, "state-123456")
    assert link.startswith(f"{url}/sc/oauth2/auth?response_type=code&client_id={CLIENT_ID}")
    with requests.Session() as http:
        page = http.get(link, timeout=5)
        assert page.status_code == 200 and "Cho phép Chợ OCOP quản lý shop?" in page.text
        fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text))
        answer = http.post(
            f"{url}/sc/oauth2/auth",
            data={**fields, "shop_id": "5678"},
            allow_redirects=False,
            timeout=5,
        )
        short = http.get(link.replace("state-123456", "short"), timeout=5)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT + "?code=") and "state=state-123456" in location
    code = re.search(r"code=(\w+)", location).group(1)  # type: ignore[union-attr]
    assert box.codes[code] == "5678"
    assert short.status_code == 400  # Tiki wants a state of 8+ characters
    adapter.close()


def test_exchange_code_and_refresh_rotation(sandbox: tuple[TikiSandbox, str]) -> None:
    box, url = sandbox
    adapter = _adapter(url)
    params = box.approve(adapter.authorize_url(REDIRECT, "state-123456"), "5678")
    assert set(params) == {"code", "scope", "state"}
    shop_id, tokens = adapter.exchange_code(params, REDIRECT)
    assert shop_id == "5678"
    assert box.tokens[tokens.access_token]["shop"] == "5678"
    assert tokens.expires_at is not None and tokens.expires_at > datetime.now(UTC)
    with pytest.raises(PermanentError):  # a code is single-use
        adapter.exchange_code(params, REDIRECT)
    adapter.account = adapter.account.with_tokens(tokens)
    fresh = adapter.refresh()
    assert fresh.refresh_token != tokens.refresh_token and fresh.access_token in box.tokens
    assert tokens.refresh_token not in box.refresh_tokens
    with pytest.raises(PermanentError):  # Hydra rotates: the old refresh token is spent
        adapter.refresh()
    adapter.account = adapter.account.with_tokens(fresh)
    assert adapter.refresh().access_token in box.tokens
    adapter.close()


def test_wrong_client_secret_is_permanent(sandbox: tuple[TikiSandbox, str]) -> None:
    box, url = sandbox
    good = _adapter(url)
    params = box.approve(good.authorize_url(REDIRECT, "state-123456"), "5678")
    bad = TikiAdapter(replace(good.account, app_secret="wrong"))
    with pytest.raises(PermanentError, match="Client ID/Client Secret"):
        bad.exchange_code(params, REDIRECT)
    assert box.stats.rejected_signatures == 1
    good.close()
    bad.close()


def test_denied_consent_is_permanent(connected: TikiAdapter) -> None:
    with pytest.raises(PermanentError, match="không cấp quyền"):
        connected.exchange_code({"error": "access_denied", "state": "x"}, REDIRECT)


# --- validation ------------------------------------------------------------------------------
def test_validate_accepts_good_data_and_names_every_problem(
    photo: ImageFile, tmp_path: Path
) -> None:
    adapter = _adapter("http://127.0.0.1:9")
    assert adapter.validate(_data(photo)) == []
    tiny = _jpeg(tmp_path / "tiny.jpg", (300, 300))
    bad = _data(
        photo, name="", description=" ", price_vnd=500, stock=-1, weight_grams=None, images=(tiny,)
    )
    fields = {p.field for p in adapter.validate(bad)}
    assert fields == {"name", "description", "price_vnd", "stock", "weight_grams", "images"}
    assert {p.field for p in adapter.validate(_data(photo, category_id=None))} == {"category_id"}
    assert {p.field for p in adapter.validate(_data(photo, category_id="999"))} == {"category_id"}
    assert all(p.message and p.fix for p in adapter.validate(bad))
    adapter.close()


# --- listings --------------------------------------------------------------------------------
def test_create_goes_to_review_then_live(
    connected: TikiAdapter, sandbox: tuple[TikiSandbox, str], photo: ImageFile
) -> None:
    box, url = sandbox
    result = connected.create(_data(photo))
    assert result.status == RemoteStatus.PENDING_REVIEW
    assert (
        re.fullmatch(r"[0-9a-f]{32}", result.external_id)
        and result.review_ref == result.external_id
    )
    request = box.requests[result.external_id]
    assert (
        request["state"] == "queuing" and request["payload"]["variants"][0]["sku"] == "OCOP000123"
    )
    assert request["payload"]["attributes"]["origin"] == "Việt Nam"
    assert len(box._images) == 1 and "/_sandbox/images/" in request["payload"]["image"]
    assert connected.status(result).status == RemoteStatus.PENDING_REVIEW
    with pytest.raises(RetryableError):  # nothing to price while Tiki reviews
        connected.update_price_stock(result, 190_000, 10)
    box.review_all()
    live = connected.status(result)
    assert live.status == RemoteStatus.LIVE and live.external_id.isdigit()
    assert (
        live.review_ref == result.external_id
        and live.url
        and live.url.endswith(f"-p{live.external_id}.html")
    )
    item = box.items[live.external_id]
    assert item["active"] == 1  # approved inactive at Tiki; the first status read turned it on
    assert box.public_view(item) == {
        "name": "Mật ong rừng Trà My OCOP 4 sao 500ml",
        "price_vnd": 185_000,
        "stock": 40,
        "status": "live",
        "image_ids": [next(iter(box._images))],
    }
    page = requests.get(f"{url}/_sandbox/items/{live.external_id}", timeout=5)
    assert "Mật ong rừng" in page.text and "185,000" in page.text


def test_update_price_stock_delist_relist_find(
    connected: TikiAdapter, sandbox: tuple[TikiSandbox, str], photo: ImageFile
) -> None:
    box, _ = sandbox
    box.review_delay_s = 0
    live = connected.status(connected.create(_data(photo)))
    item = box.items[live.external_id]
    cheap = connected.update_price_stock(live, 175_000, 12)
    assert cheap.status == RemoteStatus.LIVE
    assert (item["price"], item["inventory"]["quantity"]) == (175_000, 12)
    with pytest.raises(PermanentError) as caught:
        connected.update_price_stock(cheap, 10, -1)
    assert {p.field for p in caught.value.problems} == {"price_vnd", "stock"}
    hidden = connected.delist(live)
    assert hidden.status == RemoteStatus.INACTIVE and item["active"] == 0
    assert connected.status(hidden).status == RemoteStatus.INACTIVE
    changed = _data(
        photo,
        name="Mật ong rừng Trà My 500ml",
        description="Mô tả mới.",
        price_vnd=199_000,
        stock=7,
    )
    back = connected.update(hidden, changed)
    assert back.status == RemoteStatus.LIVE and item["active"] == 1
    assert (item["price"], item["inventory"]["quantity"]) == (199_000, 7)
    assert item["name"] == "Mật ong rừng Trà My 500ml" and "Mô tả mới." in item["description"]
    assert box.requests[back.review_ref]["kind"] == "update_product"  # content goes via review
    off = connected.update(back, replace(changed, active=False))
    assert off.status == RemoteStatus.INACTIVE and item["active"] == 0
    found = connected.find_by_sku("OCOP000123")
    assert (
        found is not None
        and found.external_id == live.external_id
        and found.status == RemoteStatus.INACTIVE
    )
    assert connected.find_by_sku("OCOP999999") is None
    gone = connected.status(ListingResult("270999999", RemoteStatus.LIVE))
    assert gone.status == RemoteStatus.MISSING


def test_review_rejection_and_resubmission(
    connected: TikiAdapter, sandbox: tuple[TikiSandbox, str], photo: ImageFile
) -> None:
    box, _ = sandbox
    result = connected.create(_data(photo, name="Mật ong TEST-REJECT"))
    box.review_all()
    rejected = connected.status(result)
    assert rejected.status == RemoteStatus.REJECTED and "chính sách nội dung" in rejected.message
    with pytest.raises(PermanentError):
        connected.update_price_stock(rejected, 190_000, 3)
    again = connected.update(rejected, _data(photo))  # a rejected request is resent, fixed
    assert again.status == RemoteStatus.PENDING_REVIEW and again.external_id != result.external_id
    box.review_all()
    assert connected.status(again).status == RemoteStatus.LIVE


def test_review_rejects_missing_attribute_and_foreign_images(
    connected: TikiAdapter, sandbox: tuple[TikiSandbox, str], photo: ImageFile
) -> None:
    box, url = sandbox
    box.review_delay_s = 0
    body = {
        "category_id": 4419,
        "name": "Mật ong",
        "description": "<p>Mật ong</p>",
        "attributes": {"brand": "X"},
        "image": "https://elsewhere.example/a.jpg",
        "images": [],
        "variants": [{"sku": "OCOP000777", "price": 100_000, "quantity": 1}],
    }
    track = connected._api("POST", "/integration/v2.1/requests", json=body)["track_id"]
    rejected = connected.status(ListingResult(track, RemoteStatus.PENDING_REVIEW, review_ref=track))
    assert rejected.status == RemoteStatus.REJECTED
    assert "attributes.origin" in rejected.message and "elsewhere.example" in rejected.message


def test_sandbox_rejection_names_the_field(
    connected: TikiAdapter, photo: ImageFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connected, "validate", lambda data: [])  # let bad data reach Tiki
    with pytest.raises(PermanentError) as caught:
        connected.create(_data(photo, name="", price_vnd=10))
    assert {p.field for p in caught.value.problems} == {"name", "price_vnd"}
    with pytest.raises(PermanentError) as caught:
        connected.create(_data(photo, category_id="1"))
    assert [p.field for p in caught.value.problems] == ["category_id"]


def test_duplicate_seller_sku_refused(
    connected: TikiAdapter, sandbox: tuple[TikiSandbox, str], photo: ImageFile
) -> None:
    box, _ = sandbox
    box.review_delay_s = 0
    connected.status(connected.create(_data(photo)))
    with pytest.raises(PermanentError) as caught:
        connected.create(_data(photo))
    assert caught.value.problems[0].field == "sku"


# --- failures --------------------------------------------------------------------------------
def test_expired_token_then_refresh(
    connected: TikiAdapter, sandbox: tuple[TikiSandbox, str]
) -> None:
    box, _ = sandbox
    box.expire_all_tokens()
    with pytest.raises(AuthExpiredError):
        connected.find_by_sku("OCOP000123")
    connected.account = connected.account.with_tokens(connected.refresh())
    assert connected.find_by_sku("OCOP000123") is None


def test_rate_limit_in_tikis_shape(
    connected: TikiAdapter, sandbox: tuple[TikiSandbox, str]
) -> None:
    box, _ = sandbox
    box.knobs.rate_limit, box.knobs.burst = 1.0, 1.0
    connected.find_by_sku("A")
    with pytest.raises(RateLimitedError) as caught:
        connected.find_by_sku("B")
    assert caught.value.retry_after > 0
    assert caught.value.raw == {"errors": ["You're requesting too many requests! Slow down!"]}
    assert box.stats.rate_limited == 1


def test_injected_server_error_is_retryable(
    connected: TikiAdapter, sandbox: tuple[TikiSandbox, str]
) -> None:
    box, url = sandbox
    box.knobs.error_rate = 1.0
    with pytest.raises(RetryableError) as caught:
        connected.find_by_sku("A")
    assert caught.value.raw == {"errors": ["Internal call/processing failures"]}
    page = requests.get(connected.authorize_url(REDIRECT, "state-123456"), timeout=5)
    assert page.status_code == 200  # the consent page is never broken on purpose


def test_timeout_is_retryable(sandbox: tuple[TikiSandbox, str], connected: TikiAdapter) -> None:
    box, _ = sandbox
    box.knobs.timeout_rate, box.knobs.hang_s = 1.0, 1.0
    connected.timeout = 0.2
    with pytest.raises(RetryableError, match="hết thời gian"):
        connected.find_by_sku("A")
    assert box.stats.injected_timeouts == 1 + SAFE_RETRIES  # reads are retried at once


def test_registry_names_the_adapter() -> None:
    from sync_adapters import registry
    from sync_adapters.sandbox import sandbox_class

    assert registry._load(registry.BUILTINS["tiki"]) is TikiAdapter
    assert sandbox_class("tiki") is TikiSandbox
    assert TikiAdapter.default_mapping["1.2.2"] in TikiAdapter.categories
    assert all(c in TikiAdapter.categories for c in TikiAdapter.default_mapping.values())


def test_review_finishes_after_the_delay(
    connected: TikiAdapter, sandbox: tuple[TikiSandbox, str], photo: ImageFile
) -> None:
    box, _ = sandbox
    now = [box.clock()]
    box.clock = lambda: now[0]
    result = connected.create(_data(photo))
    now[0] += 1.9
    assert connected.status(result).status == RemoteStatus.PENDING_REVIEW
    now[0] += 0.2  # past the default review_delay_s of 2 s
    assert connected.status(result).status == RemoteStatus.LIVE


def test_review_state_survives_a_restart(tmp_path: Path, photo: ImageFile) -> None:
    state = tmp_path / "state"
    first = start(TikiSandbox(apps={CLIENT_ID: CLIENT_SECRET}, state_dir=state))
    adapter = _adapter(first.url)
    params = first.sandbox.approve(adapter.authorize_url(REDIRECT, "state-123456"), "5678")  # type: ignore[attr-defined]
    adapter.account = adapter.account.with_tokens(adapter.exchange_code(params, REDIRECT)[1])
    result = adapter.create(_data(photo))
    first.stop()
    again = start(TikiSandbox(apps={CLIENT_ID: CLIENT_SECRET}, state_dir=state, review_delay_s=0))
    try:
        adapter.account = replace(adapter.account, base_url=again.url)
        live = adapter.status(result)  # the reloaded request is reviewed, its photo still hosted
        assert live.status == RemoteStatus.LIVE
        assert again.sandbox.items[live.external_id]["original_sku"] == "OCOP000123"
    finally:
        again.stop()
        adapter.close()
