"""Lazada: the published signing vectors, and the adapter end to end against its sandbox."""

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
from sync_adapters.lazada import signing
from sync_adapters.lazada.client import LazadaAdapter
from sync_adapters.sandbox.base import start
from sync_adapters.sandbox.lazada import LazadaSandbox

VECTORS = json.loads((Path(__file__).parents[2] / "data" / "sign_vectors.json").read_text())
LAZADA = [v for v in VECTORS["vectors"] if v["marketplace"] == "lazada"]
APP_KEY, SECRET, SHOP = "100234", "sandbox-secret-lazada", "200100300"


# --- signing vectors ------------------------------------------------------------------------
def test_every_lazada_vector_is_pinned() -> None:
    assert {v["id"] for v in LAZADA} == {
        "lazada_order_get_official",
        "lazada_doc_sorting_example",
        "lazada_product_create_payload_signed",
    }


@pytest.mark.parametrize("vector", LAZADA, ids=lambda v: v["id"])
def test_vector_base_string_and_sign(vector: dict) -> None:
    given = vector["inputs"]
    assert signing.base_string(given["api_path"], given["params"]) == vector["base_string"]
    sign = signing.sign(given["app_secret"], given["api_path"], given["params"])
    assert sign == vector["computed_sign"]
    if vector.get("expected_sign"):
        assert sign == vector["expected_sign"]  # the marketplace's own published value
    assert sign == sign.upper()


@pytest.mark.parametrize("vector", [v for v in LAZADA if "app_key" in v["inputs"]["params"]])
def test_sandbox_verifier_accepts_vector_and_rejects_tampering(vector: dict) -> None:
    given = vector["inputs"]
    sandbox = LazadaSandbox(apps={given["params"]["app_key"]: given["app_secret"]})
    params = {**given["params"], "sign": vector["computed_sign"]}
    assert sandbox.signature_ok(given["api_path"], params)
    assert not sandbox.signature_ok(given["api_path"], {**params, "timestamp": "1517820392001"})
    assert not sandbox.signature_ok("/order/get2", params)


def test_signed_payload_request_over_http() -> None:
    """The product_create vector's exact request passes the signature check; a byte changed
    in the payload does not."""
    vector = next(v for v in LAZADA if v["id"] == "lazada_product_create_payload_signed")
    given = vector["inputs"]
    sandbox = LazadaSandbox(apps={"123456": "helloworld"})
    sandbox.clock = lambda: 1517820392.0
    sandbox.tokens["test"] = {"shop": SHOP, "expires_at": 1517820392.0 + 3600}
    running = start(sandbox)
    try:
        form = {**given["params"], "sign": vector["computed_sign"]}
        body = requests.post(running.url + "/product/create", data=form, timeout=5).json()
        # past the signature: rejected for its content (the image is not hosted here)
        assert body["code"] == "500"
        assert {d["field"] for d in body["detail"]} >= {"Images", "PrimaryCategory"}
        assert sandbox.stats.rejected_signatures == 0
        form["payload"] = form["payload"].replace("Mat ong", "Mat ong!")
        body = requests.post(running.url + "/product/create", data=form, timeout=5).json()
        assert body == {**body, "code": "IncompleteSignature", "type": "ISV"}
        assert sandbox.stats.rejected_signatures == 1
        sandbox.clock = lambda: 1517820392.0 + 7201
        form["payload"] = given["params"]["payload"]
        body = requests.post(running.url + "/product/create", data=form, timeout=5).json()
        assert body["code"] == "InvalidTimestamp"
    finally:
        running.stop()


# --- end to end --------------------------------------------------------------------------------
def _photo(tmp_path: Path, name: str, size: tuple[int, int]) -> ImageFile:
    path = tmp_path / name
    Image.new("RGB", size, (200, 150, 40)).save(path, "JPEG")
    return ImageFile(path, hashlib.sha256(path.read_bytes()).hexdigest())


@pytest.fixture
def listing(tmp_path: Path) -> ListingData:
    return ListingData(
        sku="OCOP000123",
        name="Mật ong hoa cà phê Đắk Lắk chai 500ml",
        description="Mật ong nguyên chất từ hoa cà phê.\nSản phẩm OCOP 4 sao.",
        price_vnd=150_000,
        stock=10,
        category_id="10003318",
        images=(_photo(tmp_path, "a.jpg", (800, 600)), _photo(tmp_path, "b.jpg", (700, 700))),
        weight_grams=700,
        length_cm=8,
        width_cm=8,
        height_cm=20,
        net_quantity="500 ml",
        origin="Đắk Lắk",
        producer_name="HTX Ong mật Krông Năng",
        shelf_life="24 tháng",
    )


@pytest.fixture
def sandbox():
    box = LazadaSandbox(apps={APP_KEY: SECRET})
    running = start(box)
    box.url = running.url
    yield box
    running.stop()


@pytest.fixture
def adapter(sandbox, tmp_path: Path) -> LazadaAdapter:
    account = AccountConfig(
        base_url=sandbox.url,
        shop_id="",
        app_key=APP_KEY,
        app_secret=SECRET,
        extra={"item_url": "{base_url}/_sandbox/items/{item_id}"},
    )
    client = LazadaAdapter(account, timeout=2.0, image_cache=tmp_path / "cache")
    url = client.authorize_url("https://cho-ocop.test/cb", "xyz")
    shop_id, tokens = client.exchange_code(sandbox.approve(url, SHOP), "https://cho-ocop.test/cb")
    client.account = replace(account, shop_id=shop_id, tokens=tokens)
    yield client
    client.close()


def test_authorise_page_and_callback(sandbox) -> None:
    client = LazadaAdapter(AccountConfig(sandbox.url, "", APP_KEY, SECRET))
    url = client.authorize_url("https://cho-ocop.test/cb?x=1", "st4te")
    assert urlsplit(url).path == "/oauth/authorize"
    sandbox.knobs.error_rate = 1.0  # the seller-facing page is exempt from injected failures
    page = requests.get(url, timeout=5)
    assert "Cho phép Chợ OCOP quản lý shop?" in page.text and 'name="shop_id"' in page.text
    answer = requests.post(url, data={"shop_id": SHOP}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    callback = urlsplit(answer.headers["Location"])
    params = {k: v[0] for k, v in parse_qs(callback.query).items()}
    assert callback.netloc == "cho-ocop.test" and params["state"] == "st4te"
    sandbox.knobs.error_rate = 0.0
    shop_id, tokens = client.exchange_code(params, "https://cho-ocop.test/cb")
    assert shop_id == SHOP and sandbox.tokens[tokens.access_token]["shop"] == SHOP
    assert tokens.expires_at and tokens.expires_at.tzinfo is not None
    with pytest.raises(PermanentError):  # the code is single-use
        client.exchange_code(params, "https://cho-ocop.test/cb")


def test_listing_lifecycle(adapter: LazadaAdapter, sandbox, listing: ListingData) -> None:
    assert adapter.validate(listing) == []
    created = adapter.create(listing)
    assert created.status == RemoteStatus.LIVE
    assert created.url == f"{sandbox.url}/_sandbox/items/{created.external_id}"
    item = sandbox.items[created.external_id]
    assert item["shop"] == SHOP and item["attributes"]["name"] == listing.name
    assert item["attributes"]["origin"] == "Đắk Lắk" and item["primary_category"] == "10003318"
    assert [url.startswith(f"{sandbox.url}/p/") for url in item["images"]] == [True, True]
    view = sandbox.public_view(item)
    assert view["price_vnd"] == 150_000 and view["stock"] == 10 and view["status"] == "live"
    assert all(sandbox.get_image(image_id) for image_id in view["image_ids"])
    assert item["skus"][0]["package_weight"] == "0.70"

    assert adapter.status(created).status == RemoteStatus.LIVE
    changed = replace(listing, name=listing.name + " (mới)", price_vnd=160_000, stock=7)
    updated = adapter.update(created, changed)
    assert updated.external_sku_id == created.external_sku_id
    view = sandbox.public_view(sandbox.items[created.external_id])
    assert (view["name"], view["price_vnd"], view["stock"]) == (changed.name, 160_000, 7)

    adapter.update_price_stock(updated, 155_000, 3)
    view = sandbox.public_view(sandbox.items[created.external_id])
    assert (view["price_vnd"], view["stock"]) == (155_000, 3)

    assert adapter.delist(updated).status == RemoteStatus.INACTIVE
    assert sandbox.items[created.external_id]["status"] == "InActive"
    assert adapter.status(updated).status == RemoteStatus.INACTIVE

    relisted = adapter.update(updated, changed)
    assert relisted.status == RemoteStatus.LIVE
    assert sandbox.items[created.external_id]["status"] == "Active"
    hidden = adapter.update(relisted, replace(changed, active=False))
    assert hidden.status == RemoteStatus.INACTIVE
    assert sandbox.items[created.external_id]["status"] == "InActive"

    found = adapter.find_by_sku("OCOP000123")
    assert found is not None and found.external_id == created.external_id
    assert found.status == RemoteStatus.INACTIVE
    assert adapter.find_by_sku("OCOP999999") is None
    gone = ListingResult("999", RemoteStatus.LIVE)
    assert adapter.status(gone).status == RemoteStatus.MISSING
    assert adapter.delist(gone).status == RemoteStatus.MISSING


def test_duplicate_seller_sku_is_refused(adapter: LazadaAdapter, listing: ListingData) -> None:
    adapter.create(listing)
    with pytest.raises(PermanentError) as caught:
        adapter.create(listing)
    assert [p.field for p in caught.value.problems] == ["sku"]


def test_refresh_and_expiry(adapter: LazadaAdapter, sandbox, listing: ListingData) -> None:
    old = adapter.account.tokens
    sandbox.expire_all_tokens()
    with pytest.raises(AuthExpiredError):
        adapter.find_by_sku(listing.sku)
    assert sandbox.stats.expired_tokens >= 1
    fresh = adapter.refresh()
    assert fresh.access_token != old.access_token and fresh.refresh_token != old.refresh_token
    assert fresh.expires_at >= old.expires_at
    adapter.account = adapter.account.with_tokens(fresh)
    assert adapter.find_by_sku(listing.sku) is None
    sandbox.refresh_tokens.clear()
    with pytest.raises(PermanentError):
        adapter.refresh()


def test_rate_limit(adapter: LazadaAdapter, sandbox) -> None:
    sandbox.knobs.rate_limit, sandbox.knobs.burst = 1.0, 1.0
    adapter.find_by_sku("A")
    with pytest.raises(RateLimitedError) as caught:
        adapter.find_by_sku("A")
    assert caught.value.retry_after > 0 and caught.value.raw["code"] == "ApiCallLimit"
    assert sandbox.stats.rate_limited == 1


def test_server_error_and_timeout(adapter: LazadaAdapter, sandbox) -> None:
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


def test_bad_signature(adapter: LazadaAdapter, sandbox) -> None:
    adapter.account = replace(adapter.account, app_secret="wrong-secret")
    with pytest.raises(PermanentError) as caught:
        adapter.find_by_sku("A")
    assert caught.value.raw["code"] == "IncompleteSignature"
    assert sandbox.stats.rejected_signatures == 1


def test_missing_fields(adapter: LazadaAdapter, sandbox, listing: ListingData) -> None:
    bad = replace(listing, weight_grams=None, shelf_life="", description="", category_id="1")
    assert {p.field for p in adapter.validate(bad)} == {
        "weight_grams",
        "description",
        "category_id",
    }
    bad = replace(listing, weight_grams=None, shelf_life="", images=listing.images[:1])
    problems = adapter.validate(bad)
    assert {p.field for p in problems} == {"weight_grams", "attributes.shelf_life"}
    assert all(p.message and p.fix for p in problems)
    tiny = replace(listing, images=(_photo(listing.images[0].path.parent, "t.jpg", (200, 200)),))
    assert [p.field for p in adapter.validate(tiny)] == ["images"]
    # the sandbox refuses the same data on its own, naming the fields
    with pytest.raises(PermanentError) as caught:
        adapter.create(bad)
    assert {p.field for p in caught.value.problems} == {"weight_grams", "attributes.shelf_life"}
    assert sandbox.items == {}


def test_state_survives_restart_and_item_page(tmp_path: Path, listing: ListingData) -> None:
    box = LazadaSandbox(apps={APP_KEY: SECRET}, state_dir=tmp_path / "state")
    running = start(box)
    account = AccountConfig(running.url, "", APP_KEY, SECRET)
    client = LazadaAdapter(account, image_cache=tmp_path / "cache")
    try:
        params = box.approve(client.authorize_url("https://cho-ocop.test/cb", "s"), SHOP)
        _, tokens = client.exchange_code(params, "https://cho-ocop.test/cb")
        client.account = replace(account, shop_id=SHOP, tokens=tokens)
        created = client.create(listing)
        page = requests.get(f"{running.url}/_sandbox/items/{created.external_id}", timeout=5)
        assert listing.name in page.text and "150,000" in page.text
    finally:
        running.stop()
    again = LazadaSandbox(apps={APP_KEY: SECRET}, state_dir=tmp_path / "state")
    running = start(again)
    try:
        assert set(again.items) == {created.external_id}
        client.account = replace(client.account, base_url=running.url)
        assert client.status(created).status == RemoteStatus.LIVE  # token and item kept
        image_id = again.public_view(again.items[created.external_id])["image_ids"][0]
        assert requests.get(f"{running.url}/p/{image_id}.jpg", timeout=5).content[:2] == b"\xff\xd8"
    finally:
        running.stop()
        client.close()
