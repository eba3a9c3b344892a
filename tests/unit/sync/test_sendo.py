"""Sendo: the documented key login, and the adapter end to end against the Sendo sandbox."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
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
from sync_adapters.sandbox.sendo import SendoSandbox
from sync_adapters.sendo.client import SendoAdapter

VECTORS = Path(__file__).resolve().parents[2] / "data" / "sign_vectors.json"
SHOP_KEY, SECRET_KEY = "b1d67039b0bc44fd875a44bc7eef3778", "47d0ebcf5bfc4b4eb32b14217377e7a2"
DESCRIPTION = (
    "Mật ong rừng nguyên chất được thu hoạch thủ công tại Bắc Trà My, Quảng Nam. "
    "Không pha đường, không chất bảo quản; đạt chứng nhận OCOP 4 sao."
)


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
        description=DESCRIPTION,
        price_vnd=185_000,
        stock=40,
        category_id="2521",
        images=(photo,),
        weight_grams=700,
        length_cm=8,
        width_cm=8,
        height_cm=18,
        brand="Trà My Honey",
        unit="Chai",
        origin="Quảng Nam",
        shelf_life="24 tháng",
        ocop_stars=4,
    )
    return replace(data, **changes)


@pytest.fixture
def sandbox() -> Iterator[tuple[SendoSandbox, str]]:
    running = start(SendoSandbox(apps={SHOP_KEY: SECRET_KEY}))
    try:
        yield running.sandbox, running.url  # type: ignore[misc]
    finally:
        running.stop()


def _adapter(url: str, secret: str = SECRET_KEY, tmp_path: Path | None = None) -> SendoAdapter:
    account = AccountConfig(base_url=url, shop_id=SHOP_KEY, app_key=SHOP_KEY, app_secret=secret)
    return SendoAdapter(account, image_cache=tmp_path)


@pytest.fixture
def connected(sandbox: tuple[SendoSandbox, str], tmp_path: Path) -> Iterator[SendoAdapter]:
    """An adapter logged in with the shop's keys."""
    _, url = sandbox
    adapter = _adapter(url, tmp_path=tmp_path)
    adapter.account = adapter.account.with_tokens(adapter.refresh())
    yield adapter
    adapter.close()


# --- login (Sendo signs nothing) ---------------------------------------------------------------
def test_documented_login_contract_is_what_the_sandbox_enforces(
    sandbox: tuple[SendoSandbox, str],
) -> None:
    box, url = sandbox
    note = json.loads(VECTORS.read_text(encoding="utf-8"))["marketplaces_without_request_signing"][
        "sendo"
    ]
    assert "POST https://open.sendo.vn/login {shop_key, secret_key}" in note and "(8 h)" in note
    answer = requests.post(
        f"{url}/login", json={"shop_key": SHOP_KEY, "secret_key": SECRET_KEY}, timeout=5
    )
    body = answer.json()
    assert body["success"] is True and body["statusCode"] == 200
    token, expires = body["result"]["token"], body["result"]["expires"]
    assert box.tokens[token]["shop"] == SHOP_KEY
    ttl = datetime.fromisoformat(expires.replace("Z", "+00:00")) - datetime.now(UTC)
    assert timedelta(hours=7, minutes=59) < ttl <= timedelta(hours=8)
    wrong = requests.post(f"{url}/login", json={"shop_key": SHOP_KEY, "secret_key": "x"}, timeout=5)
    assert wrong.status_code == 400 and wrong.json()["success"] is False
    assert box.stats.rejected_signatures == 1
    product = requests.get(
        f"{url}/api/partner/product",
        params={"id": "1"},
        headers={"Authorization": "bearer forged"},
        timeout=5,
    )
    assert product.status_code == 401 and product.json()["statusCode"] == 401


def test_refresh_logs_in_and_wrong_keys_are_permanent(sandbox: tuple[SendoSandbox, str]) -> None:
    box, url = sandbox
    adapter = _adapter(url)
    tokens = adapter.refresh()
    assert box.tokens[tokens.access_token]["shop"] == SHOP_KEY and tokens.refresh_token is None
    assert tokens.expires_at is not None
    assert (
        timedelta(hours=7, minutes=59) < tokens.expires_at - datetime.now(UTC) <= timedelta(hours=8)
    )
    bad = _adapter(url, secret="wrong")
    with pytest.raises(PermanentError, match="Shop key/Secret key"):
        bad.refresh()
    assert box.stats.rejected_signatures == 1
    adapter.close()
    bad.close()


def test_keys_page_instead_of_oauth(sandbox: tuple[SendoSandbox, str], photo: ImageFile) -> None:
    box, url = sandbox
    adapter = _adapter(url)
    link = adapter.authorize_url("https://cho-ocop.example/cb", "state-123456")
    assert link == f"{url}/cau-hinh/api"
    live = SendoAdapter(replace(adapter.account, base_url="https://open.sendo.vn"))
    assert (
        live.authorize_url("https://cho-ocop.example/cb", "s")
        == "https://ban.sendo.vn/cau-hinh/api"
    )
    page = requests.get(link, timeout=5)
    assert "Cho phép Chợ OCOP quản lý shop?" in page.text
    shown = requests.post(link, data={"shop_id": "986070"}, timeout=5)
    assert "shop_key" in shown.text and "secret_key" in shown.text
    keys = box.approve(link, "986070")
    with pytest.raises(PermanentError, match="không dùng OAuth"):
        adapter.exchange_code(keys, "https://cho-ocop.example/cb")
    shop = SendoAdapter(
        replace(adapter.account, app_key=keys["shop_key"], app_secret=keys["secret_key"])
    )
    tokens = shop.refresh()
    assert box.tokens[tokens.access_token]["shop"] == "986070"
    for a in (adapter, live, shop):
        a.close()


# --- validation ------------------------------------------------------------------------------
def test_validate_accepts_good_data_and_names_every_problem(
    photo: ImageFile, tmp_path: Path
) -> None:
    adapter = _adapter("http://127.0.0.1:9")
    assert adapter.validate(_data(photo)) == []
    tiny = _jpeg(tmp_path / "tiny.jpg", (300, 300))
    bad = _data(
        photo,
        name="",
        description="Ngắn quá.",
        price_vnd=0,
        stock=-2,
        weight_grams=None,
        height_cm=None,
        images=(tiny,),
    )
    fields = {p.field for p in adapter.validate(bad)}
    assert fields == {
        "name",
        "description",
        "price_vnd",
        "stock",
        "weight_grams",
        "height_cm",
        "images",
    }
    assert {p.field for p in adapter.validate(_data(photo, shelf_life=""))} == {"shelf_life"}
    assert {p.field for p in adapter.validate(_data(photo, category_id="1"))} == {"category_id"}
    adapter.close()


# --- listings --------------------------------------------------------------------------------
def test_create_uploads_images_and_lists(
    connected: SendoAdapter, sandbox: tuple[SendoSandbox, str], photo: ImageFile
) -> None:
    box, url = sandbox
    result = connected.create(_data(photo))
    assert result.status == RemoteStatus.LIVE and result.external_id.isdigit()
    assert (
        result.url
        == f"https://www.sendo.vn/mat-ong-rung-tra-my-ocop-4-sao-500ml-{result.external_id}.html"
    )
    item = box.items[result.external_id]
    assert (item["sku"], item["price"], item["stock_quantity"], item["weight"]) == (
        "OCOP000123",
        185_000,
        40,
        700,
    )
    assert item["status"] == 2 and item["stock_availability"] is True and item["unit_id"] == 7
    assert {a["attribute_code"] for a in item["attributes"]} >= {
        "thuong_hieu",
        "xuat_xu",
        "han_su_dung",
    }
    assert box.public_view(item) == {
        "name": "Mật ong rừng Trà My OCOP 4 sao 500ml",
        "price_vnd": 185_000,
        "stock": 40,
        "status": "live",
        "image_ids": [next(iter(box._images))],
    }
    image = requests.get(item["product_image"], timeout=5)
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/jpeg"
    templated = SendoAdapter(
        replace(connected.account, extra={"item_url": "{base_url}/_sandbox/items/{item_id}"})
    )
    assert templated.status(result).url == f"{url}/_sandbox/items/{result.external_id}"
    templated.close()


def test_update_price_stock_delist_relist_find(
    connected: SendoAdapter, sandbox: tuple[SendoSandbox, str], photo: ImageFile
) -> None:
    box, _ = sandbox
    result = connected.create(_data(photo))
    item = box.items[result.external_id]
    assert connected.status(result).status == RemoteStatus.LIVE
    changed = _data(photo, name="Mật ong rừng Trà My 500ml", price_vnd=199_000, stock=9)
    updated = connected.update(result, changed)
    assert updated.external_id == result.external_id
    assert (item["name"], item["price"], item["stock_quantity"]) == (
        "Mật ong rừng Trà My 500ml",
        199_000,
        9,
    )
    assert len(box._images) == 1  # the same photo is not uploaded twice
    cheap = connected.update_price_stock(updated, 175_000, 12)
    assert cheap.status == RemoteStatus.LIVE and (item["price"], item["stock_quantity"]) == (
        175_000,
        12,
    )
    with pytest.raises(PermanentError) as caught:
        connected.update_price_stock(cheap, 10, -1)
    assert {p.field for p in caught.value.problems} == {"price_vnd", "stock"}
    hidden = connected.delist(cheap)
    assert hidden.status == RemoteStatus.INACTIVE and item["stock_availability"] is False
    assert item["stock_quantity"] == 12 and connected.status(hidden).status == RemoteStatus.INACTIVE
    connected.update_price_stock(hidden, 170_000, 5)  # a hidden listing stays hidden
    assert item["stock_availability"] is False and item["price"] == 170_000
    back = connected.update(hidden, changed)
    assert back.status == RemoteStatus.LIVE and item["stock_availability"] is True
    off = connected.update(back, replace(changed, active=False))
    assert off.status == RemoteStatus.INACTIVE and item["stock_availability"] is False
    found = connected.find_by_sku("OCOP000123")
    assert (
        found is not None
        and found.external_id == result.external_id
        and found.status == RemoteStatus.INACTIVE
    )
    assert connected.find_by_sku("OCOP999999") is None
    assert (
        connected.status(ListingResult("39999999", RemoteStatus.LIVE)).status
        == RemoteStatus.MISSING
    )
    assert (
        connected.delist(ListingResult("39999999", RemoteStatus.LIVE)).status
        == RemoteStatus.MISSING
    )


def test_sold_out_is_not_available(
    connected: SendoAdapter, sandbox: tuple[SendoSandbox, str], photo: ImageFile
) -> None:
    box, _ = sandbox
    result = connected.create(_data(photo, stock=0))  # Sendo: stock 0 must be "hết hàng"
    assert result.status == RemoteStatus.INACTIVE
    assert box.items[result.external_id]["stock_availability"] is False


def test_sandbox_rejections_name_the_field(
    connected: SendoAdapter, photo: ImageFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    connected.create(_data(photo))
    with pytest.raises(PermanentError) as caught:
        connected.create(_data(photo))  # the seller SKU is unique per shop
    assert [p.field for p in caught.value.problems] == ["sku"]
    monkeypatch.setattr(connected, "validate", lambda data: [])  # let bad data reach Sendo
    with pytest.raises(PermanentError) as caught:
        connected.create(
            _data(photo, sku="OCOP000124", description="Ngắn.", weight_grams=None, shelf_life="")
        )
    assert {p.field for p in caught.value.problems} == {"description", "weight_grams", "shelf_life"}
    assert all(p.message.startswith("Sendo từ chối") for p in caught.value.problems)


def test_review_rejection_reads_as_rejected(connected: SendoAdapter, photo: ImageFile) -> None:
    result = connected.create(_data(photo, name="Mật ong TEST-REJECT"))
    assert connected.status(result).status == RemoteStatus.REJECTED


# --- failures --------------------------------------------------------------------------------
def test_expired_token_then_login_again(
    connected: SendoAdapter, sandbox: tuple[SendoSandbox, str]
) -> None:
    box, _ = sandbox
    box.expire_all_tokens()
    with pytest.raises(AuthExpiredError):
        connected.find_by_sku("OCOP000123")
    connected.account = connected.account.with_tokens(connected.refresh())
    assert connected.find_by_sku("OCOP000123") is None
    tokenless = SendoAdapter(replace(connected.account, tokens=None))
    with pytest.raises(AuthExpiredError):
        tokenless.find_by_sku("OCOP000123")
    tokenless.close()


def test_rate_limit_in_sendos_shape(
    connected: SendoAdapter, sandbox: tuple[SendoSandbox, str]
) -> None:
    box, _ = sandbox
    box.knobs.rate_limit, box.knobs.burst = 1.0, 1.0
    connected.find_by_sku("A")
    with pytest.raises(RateLimitedError) as caught:
        connected.find_by_sku("B")
    assert caught.value.retry_after > 0
    assert caught.value.raw["statusCode"] == 429 and caught.value.raw["success"] is False


def test_injected_server_error_is_retryable(
    connected: SendoAdapter, sandbox: tuple[SendoSandbox, str]
) -> None:
    box, url = sandbox
    box.knobs.error_rate = 1.0
    with pytest.raises(RetryableError) as caught:
        connected.find_by_sku("A")
    assert caught.value.raw["statusCode"] == 500
    assert requests.get(f"{url}/cau-hinh/api", timeout=5).status_code == 200  # never broken


def test_timeout_is_retryable(connected: SendoAdapter, sandbox: tuple[SendoSandbox, str]) -> None:
    box, _ = sandbox
    box.knobs.timeout_rate, box.knobs.hang_s = 1.0, 1.0
    connected.timeout = 0.2
    with pytest.raises(RetryableError, match="hết thời gian"):
        connected.find_by_sku("A")
    assert box.stats.injected_timeouts == 1 + SAFE_RETRIES  # reads are retried at once


def test_state_survives_a_restart(tmp_path: Path, photo: ImageFile) -> None:
    first = start(SendoSandbox(apps={SHOP_KEY: SECRET_KEY}, state_dir=tmp_path / "state"))
    adapter = _adapter(first.url)
    adapter.account = adapter.account.with_tokens(adapter.refresh())
    result = adapter.create(_data(photo))
    first.stop()
    again = start(SendoSandbox(apps={SHOP_KEY: SECRET_KEY}, state_dir=tmp_path / "state"))
    try:
        adapter.account = replace(adapter.account, base_url=again.url)
        assert adapter.status(result).status == RemoteStatus.LIVE  # token and product kept
        assert again.sandbox.next_product_id == int(result.external_id) + 1  # type: ignore[attr-defined]
    finally:
        again.stop()
        adapter.close()


def test_registry_names_the_adapter() -> None:
    from sync_adapters import registry
    from sync_adapters.sandbox import sandbox_class

    assert registry._load(registry.BUILTINS["sendo"]) is SendoAdapter
    assert sandbox_class("sendo") is SendoSandbox
    assert SendoAdapter.auth_flow == "keys"
    assert all(c in SendoAdapter.categories for c in SendoAdapter.default_mapping.values())
