"""TikTok Shop: the published signing vectors (requests and webhooks), and the adapter end to
end against its sandbox."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

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
from sync_adapters.sandbox.base import start
from sync_adapters.sandbox.tiktok import TikTokSandbox, shop_cipher, warehouse_id
from sync_adapters.tiktok import signing
from sync_adapters.tiktok.categories import ATTRIBUTE_IDS
from sync_adapters.tiktok.client import TikTokAdapter

VECTORS = json.loads((Path(__file__).parents[2] / "data" / "sign_vectors.json").read_text())
TIKTOK = [v for v in VECTORS["vectors"] if v["marketplace"] == "tiktok_shop"]
REQUESTS = [v for v in TIKTOK if "raw_body" not in v["inputs"]]
WEBHOOK = next(v for v in TIKTOK if v["id"] == "tiktok_webhook_authorization_official")
APP_KEY, SECRET, SHOP = "6abc123def", "sandbox-secret-tiktok", "7494000000000000001"


# --- signing vectors ------------------------------------------------------------------------
def test_every_tiktok_vector_is_pinned() -> None:
    assert {v["id"] for v in TIKTOK} == {
        "tiktok_get_authorized_shops_official",
        "tiktok_update_shop_webhook_body_signed",
        "tiktok_upload_image_multipart_body_excluded",
        "tiktok_webhook_authorization_official",
    }


@pytest.mark.parametrize("vector", REQUESTS, ids=lambda v: v["id"])
def test_request_vector(vector: dict) -> None:
    given = vector["inputs"]
    body = given.get("body")  # None for GET and for the multipart upload
    assert signing.base_string(given["path"], given["query"], body) == vector["base_string"]
    wrapped = signing.wrapped_string(given["app_secret"], given["path"], given["query"], body)
    assert wrapped == vector["wrapped_string"]
    sign = signing.sign(given["app_secret"], given["path"], given["query"], body)
    assert sign == vector["computed_sign"] and sign == sign.lower()
    if vector.get("expected_sign"):
        assert sign == vector["expected_sign"]
    # access_token in the query is never signed
    assert (
        signing.sign(
            given["app_secret"], given["path"], {**given["query"], "access_token": "t"}, body
        )
        == sign
    )


def test_webhook_vector() -> None:
    given = WEBHOOK["inputs"]
    signature = signing.webhook_signature(given["app_key"], given["app_secret"], given["raw_body"])
    assert signature == WEBHOOK["expected_sign"] == WEBHOOK["computed_sign"]
    assert given["app_key"] + given["raw_body"] == WEBHOOK["base_string"]
    assert signing.verify_webhook(
        given["app_key"], given["app_secret"], given["raw_body"], signature
    )
    tampered = given["raw_body"].replace("UNPAID", "PAID")
    assert not signing.verify_webhook(given["app_key"], given["app_secret"], tampered, signature)


@pytest.mark.parametrize("vector", REQUESTS, ids=lambda v: v["id"])
def test_sandbox_verifier_accepts_vector_and_rejects_tampering(vector: dict) -> None:
    given = vector["inputs"]
    sandbox = TikTokSandbox(apps={given["query"]["app_key"]: given["app_secret"]})
    query = {**given["query"], "sign": vector["computed_sign"]}
    body = given.get("body")
    assert sandbox.signature_ok(given["path"], query, body)
    assert not sandbox.signature_ok(given["path"], {**query, "timestamp": "1"}, body)
    assert not sandbox.signature_ok(given["path"], query, (body or "") + " ")


def test_official_request_over_http() -> None:
    """The official Get Authorized Shops request passes the sandbox's signature check as sent;
    one changed query value is refused with 106001."""
    vector = next(v for v in TIKTOK if v["id"] == "tiktok_get_authorized_shops_official")
    given = vector["inputs"]
    sandbox = TikTokSandbox(apps={"29a39d": "e59af819cc"})
    sandbox.clock = lambda: 1623812664.0
    sandbox.tokens["tok"] = {"shop": SHOP, "expires_at": 1623812664.0 + 60}
    running = start(sandbox)
    try:
        url = running.url + given["path"]
        headers = {"x-tts-access-token": "tok"}
        query = {**given["query"], "sign": vector["expected_sign"]}
        body = requests.get(url, params=query, headers=headers, timeout=5).json()
        assert body["code"] == 0 and body["data"]["shops"][0]["cipher"] == shop_cipher(SHOP)
        answer = requests.get(
            url, params={**query, "timestamp": "1623812665"}, headers=headers, timeout=5
        )
        assert answer.status_code == 401 and answer.json()["code"] == 106001
        assert sandbox.stats.rejected_signatures == 1
        sandbox.clock = lambda: 1623812664.0 + 301
        answer = requests.get(url, params=query, headers=headers, timeout=5)
        assert answer.json()["code"] == 36009004 and "timestamp" in answer.json()["message"]
    finally:
        running.stop()


# --- end to end --------------------------------------------------------------------------------
def _photo(tmp_path: Path, name: str, size: tuple[int, int]) -> ImageFile:
    path = tmp_path / name
    Image.new("RGB", size, (90, 140, 60)).save(path, "JPEG")
    return ImageFile(path, hashlib.sha256(path.read_bytes()).hexdigest())


@pytest.fixture
def listing(tmp_path: Path) -> ListingData:
    return ListingData(
        sku="OCOP000777",
        name="Nước mắm cá cơm Phú Quốc 40 độ đạm chai 500ml",
        description="Nước mắm truyền thống ủ chượp 12 tháng.\nSản phẩm OCOP 5 sao.",
        price_vnd=120_000,
        stock=25,
        category_id="700475",
        images=(_photo(tmp_path, "a.jpg", (900, 700)),),
        weight_grams=800,
        length_cm=7,
        width_cm=7,
        height_cm=28,
        net_quantity="500 ml",
        origin="Kiên Giang",
        producer_name="Cơ sở nước mắm Khải Hoàn",
        shelf_life="36 tháng",
    )


@pytest.fixture
def sandbox():
    box = TikTokSandbox(apps={APP_KEY: SECRET})
    running = start(box)
    box.url = running.url
    yield box
    running.stop()


@pytest.fixture
def adapter(sandbox, tmp_path: Path) -> TikTokAdapter:
    account = AccountConfig(
        base_url=sandbox.url,
        shop_id="",
        app_key=APP_KEY,
        app_secret=SECRET,
        extra={"item_url": "{base_url}/_sandbox/items/{item_id}"},
    )
    client = TikTokAdapter(account, timeout=2.0, image_cache=tmp_path / "cache")
    url = client.authorize_url("https://cho-ocop.test/cb", "xyz")
    shop_id, tokens = client.exchange_code(sandbox.approve(url, SHOP), "https://cho-ocop.test/cb")
    client.account = replace(account, shop_id=shop_id, tokens=tokens)
    yield client
    client.close()


def test_authorise_page_and_callback(sandbox) -> None:
    client = TikTokAdapter(AccountConfig(sandbox.url, "", APP_KEY, SECRET))
    url = client.authorize_url("https://cho-ocop.test/cb", "st4te")
    assert urlsplit(url).path == "/open/authorize" and "service_id=" + APP_KEY in url
    sandbox.knobs.error_rate = 1.0  # the seller-facing page is exempt from injected failures
    page = requests.get(url, timeout=5)
    assert "Cho phép Chợ OCOP quản lý shop?" in page.text and 'name="shop_id"' in page.text
    answer = requests.post(url, data={"shop_id": SHOP}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    params = {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}
    assert params["state"] == "st4te" and params["app_key"] == APP_KEY and params["code"]
    sandbox.knobs.error_rate = 0.0
    shop_id, tokens = client.exchange_code(params, "https://cho-ocop.test/cb")
    assert shop_id == SHOP and tokens.extra["shop_cipher"] == shop_cipher(SHOP)
    assert tokens.expires_at and tokens.expires_at.tzinfo is not None
    assert sandbox.tokens[tokens.access_token]["shop"] == SHOP
    with pytest.raises(PermanentError):  # the code is single-use
        client.exchange_code(params, "https://cho-ocop.test/cb")
    live = TikTokAdapter(AccountConfig("https://open-api.tiktokglobalshop.com", "", "k", "s"))
    assert live.authorize_url("x", "s").startswith(
        "https://services.tiktokshop.com/open/authorize?service_id=k"
    )


def test_listing_lifecycle(adapter: TikTokAdapter, sandbox, listing: ListingData) -> None:
    assert adapter.validate(listing) == []
    created = adapter.create(listing)
    assert created.status == RemoteStatus.LIVE and created.external_sku_id
    assert created.url == f"{sandbox.url}/_sandbox/items/{created.external_id}"
    item = sandbox.items[created.external_id]
    assert item["shop"] == SHOP and item["title"] == listing.name
    assert item["skus"][0]["inventory"] == [{"warehouse_id": warehouse_id(SHOP), "quantity": 25}]
    assert item["skus"][0]["price"] == {"amount": "120000", "currency": "VND"}
    properties = {a["id"]: a["values"][0]["name"] for a in item["product_attributes"]}
    assert properties[ATTRIBUTE_IDS["origin"]] == "Kiên Giang"
    view = sandbox.public_view(item)
    assert (view["price_vnd"], view["stock"], view["status"]) == (120_000, 25, "live")
    assert [bool(sandbox.get_image(i)) for i in view["image_ids"]] == [True]

    assert adapter.status(created).status == RemoteStatus.LIVE
    changed = replace(listing, name=listing.name + " mới", price_vnd=125_000, stock=20)
    updated = adapter.update(created, changed)
    view = sandbox.public_view(sandbox.items[created.external_id])
    assert (view["name"], view["price_vnd"], view["stock"]) == (changed.name, 125_000, 20)
    assert updated.external_sku_id == created.external_sku_id

    adapter.update_price_stock(updated, 119_000, 4)
    view = sandbox.public_view(sandbox.items[created.external_id])
    assert (view["price_vnd"], view["stock"]) == (119_000, 4)

    assert adapter.delist(updated).status == RemoteStatus.INACTIVE
    assert sandbox.items[created.external_id]["product_status"] == "SELLER_DEACTIVATED"
    assert adapter.status(updated).status == RemoteStatus.INACTIVE
    assert adapter.update(updated, changed).status == RemoteStatus.LIVE
    assert sandbox.items[created.external_id]["product_status"] == "ACTIVATE"
    assert adapter.update(updated, replace(changed, active=False)).status == RemoteStatus.INACTIVE
    assert sandbox.items[created.external_id]["product_status"] == "SELLER_DEACTIVATED"

    found = adapter.find_by_sku(listing.sku)
    assert found is not None and found.external_id == created.external_id
    assert found.status == RemoteStatus.INACTIVE
    assert adapter.find_by_sku("OCOP999999") is None
    gone = ListingResult("1729000000000000001", RemoteStatus.LIVE)
    assert adapter.status(gone).status == RemoteStatus.MISSING
    assert adapter.delist(gone).status == RemoteStatus.MISSING


def test_refresh_and_expiry(adapter: TikTokAdapter, sandbox) -> None:
    old = adapter.account.tokens
    sandbox.expire_all_tokens()
    with pytest.raises(AuthExpiredError) as caught:
        adapter.find_by_sku("A")
    assert caught.value.raw["code"] == 105002
    fresh = adapter.refresh()
    assert fresh.access_token != old.access_token
    assert fresh.extra["shop_cipher"] == old.extra["shop_cipher"]
    adapter.account = adapter.account.with_tokens(fresh)
    assert adapter.find_by_sku("A") is None
    sandbox.refresh_tokens.clear()
    with pytest.raises(PermanentError):
        adapter.refresh()


def test_rate_limit(adapter: TikTokAdapter, sandbox) -> None:
    sandbox.knobs.rate_limit, sandbox.knobs.burst = 1.0, 1.0
    adapter.find_by_sku("A")
    with pytest.raises(RateLimitedError) as caught:
        adapter.find_by_sku("A")
    assert caught.value.retry_after > 0 and caught.value.raw["code"] == 36009002


def test_server_error_and_timeout(adapter: TikTokAdapter, sandbox) -> None:
    sandbox.knobs.error_rate = 1.0
    with pytest.raises(RetryableError):
        adapter.find_by_sku("A")
    sandbox.knobs.error_rate, sandbox.knobs.timeout_rate, sandbox.knobs.hang_s = 0.0, 1.0, 1.5
    adapter.timeout = 0.3
    with pytest.raises(RetryableError) as caught:
        adapter.find_by_sku("A")
    assert not isinstance(caught.value, RateLimitedError)
    tries = 1 + SAFE_RETRIES  # reads are retried at once before the error surfaces
    assert sandbox.stats.injected_errors == tries and sandbox.stats.injected_timeouts == tries


def test_bad_signature(adapter: TikTokAdapter, sandbox) -> None:
    adapter.account = replace(adapter.account, app_secret="wrong-secret")
    with pytest.raises(PermanentError) as caught:
        adapter.find_by_sku("A")
    assert caught.value.raw["code"] == 106001
    assert sandbox.stats.rejected_signatures == 1


def test_missing_fields(adapter: TikTokAdapter, sandbox, listing: ListingData) -> None:
    bad = replace(listing, name="Nước mắm", weight_grams=None, origin="", category_id=None)
    assert {p.field for p in adapter.validate(bad)} == {"name", "weight_grams", "category_id"}
    bad = replace(listing, origin="")
    problems = adapter.validate(bad)
    assert [p.field for p in problems] == ["attributes.origin"] and problems[0].fix
    with pytest.raises(PermanentError) as caught:  # the sandbox refuses it on its own
        adapter.create(bad)
    assert [p.field for p in caught.value.problems] == ["attributes.origin"]
    with pytest.raises(PermanentError) as caught:
        adapter.create(replace(listing, name="Nước mắm"))
    assert [p.field for p in caught.value.problems] == ["name"]
    assert sandbox.items == {}


def test_state_survives_restart_and_item_page(tmp_path: Path, listing: ListingData) -> None:
    box = TikTokSandbox(apps={APP_KEY: SECRET}, state_dir=tmp_path / "state")
    running = start(box)
    account = AccountConfig(running.url, "", APP_KEY, SECRET)
    client = TikTokAdapter(account, image_cache=tmp_path / "cache")
    try:
        params = box.approve(client.authorize_url("https://cho-ocop.test/cb", "s"), SHOP)
        _, tokens = client.exchange_code(params, "https://cho-ocop.test/cb")
        client.account = replace(account, shop_id=SHOP, tokens=tokens)
        created = client.create(listing)
        page = requests.get(f"{running.url}/_sandbox/items/{created.external_id}", timeout=5)
        assert listing.name in page.text and "120,000" in page.text
    finally:
        running.stop()
    again = TikTokSandbox(apps={APP_KEY: SECRET}, state_dir=tmp_path / "state")
    running = start(again)
    try:
        assert set(again.items) == {created.external_id}
        client.account = replace(client.account, base_url=running.url)
        assert client.status(created).status == RemoteStatus.LIVE  # token and item kept
        uri = again.items[created.external_id]["main_images"][0]
        assert requests.get(f"{running.url}/obj/{uri}", timeout=5).content[:2] == b"\xff\xd8"
    finally:
        running.stop()
        client.close()
