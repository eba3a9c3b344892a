"""Shopee Open Platform v2: published sign vectors, and the adapter end to end against the
loopback sandbox (authorisation, listings, token rotation, errors)."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image

from sync_adapters.base import (
    AccountConfig,
    AuthExpiredError,
    ImageFile,
    ListingData,
    PermanentError,
    RateLimitedError,
    RemoteStatus,
    RetryableError,
)
from sync_adapters.http import SAFE_RETRIES
from sync_adapters.sandbox import sandbox_class, serve
from sync_adapters.sandbox.shopee import ShopeeError, ShopeeSandbox
from sync_adapters.shopee import client as shopee_client
from sync_adapters.shopee import mapping, signing
from sync_adapters.shopee.categories import ATTRIBUTE_IDS, CATEGORIES, DEFAULT_MAPPING
from sync_adapters.shopee.client import ShopeeAdapter

VECTORS = json.loads((Path(__file__).parents[2] / "data" / "sign_vectors.json").read_text())
SHOPEE = [v for v in VECTORS["vectors"] if v["marketplace"] == "shopee"]
SIGNED = [v for v in SHOPEE if "base_string" in v and "path" in v["inputs"]]
PARTNER_ID, PARTNER_KEY, SHOP_ID = "2001887", "k" * 64, "14701711"
REDIRECT = "https://cho-ocop.example/kenh/shopee/callback"


def _vector(vector_id: str) -> dict[str, Any]:
    return next(v for v in SHOPEE if v["id"] == vector_id)


def _vector_params(vector: dict[str, Any]) -> dict[str, str]:
    inputs = vector["inputs"]
    params = {
        "partner_id": str(inputs["partner_id"]),
        "timestamp": str(inputs["timestamp"]),
        "sign": vector["computed_sign"],
    }
    if "access_token" in inputs:
        key = "merchant_id" if "global_product" in inputs["path"] else "shop_id"
        params |= {"access_token": inputs["access_token"], key: str(inputs["shop_or_merchant_id"])}
    return params


# --- sign vectors ------------------------------------------------------------------------------
def test_every_shopee_vector_is_pinned() -> None:
    ids = {v["id"] for v in SHOPEE}
    assert len(SIGNED) == 11 and len(ids) == 13
    assert "shopee_v2_push_authorization_header" in ids


@pytest.mark.parametrize("vector", SIGNED, ids=lambda v: v["id"])
def test_sign_vector(vector: dict[str, Any]) -> None:
    inputs = vector["inputs"]
    args = (inputs["partner_id"], inputs["path"], inputs["timestamp"])
    extra = (inputs.get("access_token"), inputs.get("shop_or_merchant_id"))
    base = signing.base_string(*args, *extra)
    assert base == vector["base_string"]
    if "expected_base_string" in vector:
        assert base == vector["expected_base_string"]  # the guide's own worked example
    assert signing.sign(inputs["partner_key"], *args, *extra) == vector["computed_sign"]
    params = signing.signed_params(inputs["partner_key"], *args, *extra)
    assert params["sign"] == vector["computed_sign"]


def test_printed_example_sign_is_not_reproducible() -> None:
    """The guide's printed sign uses an unpublished key: no placeholder key reproduces it."""
    check = _vector("shopee_v2_printed_example_sign_reproducibility_check")
    base = _vector("shopee_v2_shop_api_base_string_official")["base_string"]
    for key in check["inputs"]["candidate_keys_tried"]:
        assert signing.hmac_hex(key, base) != check["expected_sign"]


def test_push_authorization_vector() -> None:
    vector = _vector("shopee_v2_push_authorization_header")
    inputs = vector["inputs"]
    assert signing.push_base_string(inputs["url"], inputs["raw_body"]) == vector["base_string"]
    header = signing.push_signature(inputs["url"], inputs["raw_body"], inputs["partner_key"])
    assert header == vector["computed_sign"]
    raw = inputs["raw_body"].encode()
    assert signing.verify_push(inputs["url"], raw, inputs["partner_key"], header)
    assert not signing.verify_push(inputs["url"], raw + b" ", inputs["partner_key"], header)


@pytest.mark.parametrize("vector", SIGNED, ids=lambda v: v["id"])
def test_sandbox_verifier_accepts_vector_and_rejects_tampering(vector: dict[str, Any]) -> None:
    inputs = vector["inputs"]
    sandbox = ShopeeSandbox(apps={str(inputs["partner_id"]): inputs["partner_key"]})
    sandbox.clock = lambda: inputs["timestamp"] + 60
    params = _vector_params(vector)
    sandbox.check_signature(inputs["path"], params)  # accepted: no exception
    tampered = [
        params | {"sign": params["sign"][:-1] + ("0" if params["sign"][-1] != "0" else "1")}
    ]
    tampered.append(params | {"timestamp": str(inputs["timestamp"] + 1)})
    if "access_token" in params:
        tampered.append(params | {"access_token": params["access_token"][::-1]})
    for bad in tampered:
        with pytest.raises(ShopeeError) as caught:
            sandbox.check_signature(inputs["path"], bad)
        assert (caught.value.error, caught.value.status) == ("error_sign", 403)
    assert sandbox.stats.rejected_signatures == len(tampered)


def test_sandbox_timestamp_window_is_five_minutes() -> None:
    vector = _vector("shopee_v2_shop_add_item")
    sandbox = ShopeeSandbox(apps={"2001887": vector["inputs"]["partner_key"]})
    stamp = vector["inputs"]["timestamp"]
    sandbox.clock = lambda: stamp + 300
    sandbox.check_signature("/api/v2/product/add_item", _vector_params(vector))
    sandbox.clock = lambda: stamp + 301
    with pytest.raises(ShopeeError) as caught:
        sandbox.check_signature("/api/v2/product/add_item", _vector_params(vector))
    assert caught.value.error == "error_param" and "timestamp" in caught.value.message


# --- fixtures ----------------------------------------------------------------------------------
@pytest.fixture
def sandbox() -> ShopeeSandbox:
    return ShopeeSandbox(apps={PARTNER_ID: PARTNER_KEY})


@pytest.fixture
def base_url(sandbox: ShopeeSandbox) -> Iterator[str]:
    with serve(sandbox) as url:
        yield url


def _account(base_url: str, **changes: Any) -> AccountConfig:
    extra = {"item_url": "{base_url}/_sandbox/items/{item_id}"}
    account = AccountConfig(base_url, "", PARTNER_ID, PARTNER_KEY, extra=extra)
    return replace(account, **changes)


@pytest.fixture
def adapter(sandbox: ShopeeSandbox, base_url: str, tmp_path: Path) -> Iterator[ShopeeAdapter]:
    guest = ShopeeAdapter(_account(base_url))
    params = sandbox.approve(guest.authorize_url(REDIRECT, "st-1"), SHOP_ID)
    shop_id, tokens = guest.exchange_code(params, REDIRECT)
    guest.close()
    account = _account(base_url, shop_id=shop_id, tokens=tokens)
    shop = ShopeeAdapter(account, timeout=3.0, image_cache=tmp_path / "cache")
    yield shop
    shop.close()


def _photo(tmp_path: Path, name: str = "a.jpg", size: tuple[int, int] = (900, 700)) -> ImageFile:
    path = tmp_path / name
    Image.new("RGB", size, (200, 150, 40)).save(path, "JPEG")
    return ImageFile(path, hashlib.sha256(path.read_bytes()).hexdigest())


def _data(tmp_path: Path, **changes: Any) -> ListingData:
    data = ListingData(
        sku="OCOP000123",
        name="Mật ong rừng U Minh Hạ nguyên chất",
        description=(
            "<p>Mật ong rừng khai thác tự nhiên ở vùng U Minh Hạ, Cà Mau.</p>"
            "<p>Màu vàng sậm, vị ngọt thanh, thơm mùi tràm; đóng chai thủy tinh.</p>"
        ),
        price_vnd=185_000,
        stock=40,
        category_id=DEFAULT_MAPPING["1.2.2"],
        images=(_photo(tmp_path),),
        weight_grams=750,
        length_cm=8,
        width_cm=8,
        height_cm=18,
        net_quantity="500 ml",
        origin="Cà Mau",
        producer_name="HTX Ong mật U Minh Hạ",
        shelf_life="24 tháng",
        ocop_stars=4,
    )
    return replace(data, **changes)


def _stored(sandbox: ShopeeSandbox, item_id: str) -> dict[str, Any]:
    return sandbox.items[item_id]


# --- authorisation -----------------------------------------------------------------------------
def test_authorisation_code_flow(sandbox: ShopeeSandbox, base_url: str) -> None:
    guest = ShopeeAdapter(_account(base_url))
    url = guest.authorize_url(REDIRECT, "st-42")
    assert url.startswith(f"{base_url}/api/v2/shop/auth_partner?")
    params = sandbox.approve(url, SHOP_ID)
    assert params["shop_id"] == SHOP_ID and params["state"] == "st-42" and params["code"]
    shop_id, tokens = guest.exchange_code(params, REDIRECT)
    assert shop_id == SHOP_ID
    assert sandbox.tokens[tokens.access_token]["shop"] == SHOP_ID
    assert sandbox.refresh_tokens[tokens.refresh_token]["shop"] == SHOP_ID
    assert tokens.expires_at is not None and tokens.expires_at.tzinfo is not None
    assert 14_000 < tokens.expires_at.timestamp() - time.time() <= 14_400
    with pytest.raises(PermanentError):  # the code is single-use
        guest.exchange_code(params, REDIRECT)
    guest.close()


def test_authorise_page_form_redirects_with_code(sandbox: ShopeeSandbox, base_url: str) -> None:
    guest = ShopeeAdapter(_account(base_url))
    url = guest.authorize_url(REDIRECT + "?kenh=1", "st-7")
    page = requests.get(url, timeout=5)
    assert page.status_code == 200 and "Cho phép Chợ OCOP quản lý shop?" in page.text
    answer = requests.post(url, data={"shop_id": SHOP_ID}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT + "?kenh=1&state=st-7&code=")
    assert location.endswith(f"&shop_id={SHOP_ID}")
    bad = requests.get(url.replace("sign=", "sign=0"), timeout=5)
    assert bad.status_code == 403 and bad.json()["error"] == "error_sign"
    guest.close()


def test_refresh_rotates_and_old_refresh_token_is_refused(
    sandbox: ShopeeSandbox, adapter: ShopeeAdapter
) -> None:
    old = adapter.account.tokens
    assert old is not None
    new = adapter.refresh()
    assert new.access_token != old.access_token and new.refresh_token != old.refresh_token
    assert adapter.account.tokens == new
    assert old.refresh_token not in sandbox.refresh_tokens
    assert adapter.find_by_sku("OCOP-NONE") is None  # the new access token works
    stale = ShopeeAdapter(adapter.account.with_tokens(old))
    with pytest.raises(PermanentError, match="Hãy kết nối lại kênh bán"):
        stale.refresh()
    stale.close()


def test_expired_token_raises_auth_expired_then_refresh_recovers(
    sandbox: ShopeeSandbox, adapter: ShopeeAdapter
) -> None:
    sandbox.expire_all_tokens()
    with pytest.raises(AuthExpiredError) as caught:
        adapter.find_by_sku("OCOP000123")
    assert caught.value.raw["error"] == "invalid_acceess_token"
    assert sandbox.stats.expired_tokens >= 1
    adapter.refresh()
    assert adapter.find_by_sku("OCOP000123") is None


# --- listings ----------------------------------------------------------------------------------
def test_validate_accepts_a_complete_listing(tmp_path: Path) -> None:
    assert ShopeeAdapter.categories is CATEGORIES
    assert mapping.validate(_data(tmp_path)) == []


def test_validate_reports_every_problem(tmp_path: Path) -> None:
    small = _photo(tmp_path, "small.jpg", (300, 300))
    data = _data(
        tmp_path,
        name="Mật ong",
        net_quantity="",
        description="Ngon.",
        producer_name="",
        origin="",
        shelf_life="",
        ocop_stars=None,
        price_vnd=500,
        stock=-1,
        weight_grams=None,
        width_cm=None,
        images=(small,),
    )
    fields = [p.field for p in ShopeeAdapter(_account("http://x")).validate(data)]
    assert fields == [
        "name",
        "description",
        "price_vnd",
        "stock",
        "attributes",  # Hạn sử dụng
        "attributes",  # Khối lượng tịnh
        "weight_grams",
        "length_cm",
        "images",
    ]
    problems = mapping.validate(replace(_data(tmp_path), category_id="999"))
    assert [p.field for p in problems] == ["category_id"]
    assert all(p.message and p.fix for p in mapping.validate(data))


def test_listing_lifecycle(
    sandbox: ShopeeSandbox, base_url: str, adapter: ShopeeAdapter, tmp_path: Path
) -> None:
    data = _data(tmp_path)
    result = adapter.create(data)
    assert result.status is RemoteStatus.LIVE
    assert result.url == f"{base_url}/_sandbox/items/{result.external_id}"
    item = _stored(sandbox, result.external_id)
    assert item["shop_id"] == SHOP_ID and item["item_sku"] == "OCOP000123"
    assert item["item_name"] == data.name and item["original_price"] == 185_000
    assert item["stock"] == 40 and item["weight"] == 0.75 and item["category_id"] == 101860
    assert "<p>" not in item["description"] and "Sản phẩm OCOP 4 sao." in item["description"]
    image_ids = item["image"]["image_id_list"]
    assert len(image_ids) == 1 and sandbox.get_image(image_ids[0]) is not None
    attrs = {
        a["attribute_id"]: a["attribute_value_list"][0]["original_value_name"]
        for a in item["attribute_list"]
    }
    assert attrs == {
        ATTRIBUTE_IDS["Xuất xứ"]: "Việt Nam",
        ATTRIBUTE_IDS["Hạn sử dụng"]: "24 tháng",
        ATTRIBUTE_IDS["Khối lượng tịnh"]: "500 ml",
    }
    assert item["logistic_info"] and all(c["enabled"] for c in item["logistic_info"])
    assert sandbox.public_view(item)["status"] == "live"
    assert adapter.status(result).status is RemoteStatus.LIVE

    changed = replace(data, name="Mật ong rừng U Minh Hạ chai 500 ml", price_vnd=199_000, stock=12)
    result = adapter.update(result, changed)
    item = _stored(sandbox, result.external_id)
    assert (item["item_name"], item["original_price"], item["stock"]) == (changed.name, 199_000, 12)
    assert item["image"]["image_id_list"] == image_ids  # same photo: not uploaded again
    assert sandbox.stats.calls["/api/v2/media_space/upload_image"] == 1

    result = adapter.update_price_stock(result, 210_000, 5)
    assert (item["original_price"], item["stock"]) == (210_000, 5)

    result = adapter.delist(result)
    assert result.status is RemoteStatus.INACTIVE and item["item_status"] == "UNLIST"
    assert adapter.status(result).status is RemoteStatus.INACTIVE

    found = adapter.find_by_sku("OCOP000123")  # unlisted items are found too
    assert found is not None and found.external_id == result.external_id
    assert found.status is RemoteStatus.INACTIVE

    result = adapter.update(result, replace(changed, active=True))
    assert result.status is RemoteStatus.LIVE and item["item_status"] == "NORMAL"
    hidden = adapter.update(result, replace(changed, active=False))
    assert hidden.status is RemoteStatus.INACTIVE and item["item_status"] == "UNLIST"

    assert adapter.find_by_sku("OCOP00012") is None  # a keyword match is not our SKU
    del sandbox.items[result.external_id]
    assert adapter.status(result).status is RemoteStatus.MISSING


def test_create_hidden_listing_and_item_url_default(
    sandbox: ShopeeSandbox, base_url: str, adapter: ShopeeAdapter, tmp_path: Path
) -> None:
    adapter.account = replace(adapter.account, extra={})
    result = adapter.create(_data(tmp_path, active=False))
    assert result.status is RemoteStatus.INACTIVE
    assert result.url == f"https://shopee.vn/product/{SHOP_ID}/{result.external_id}"
    assert _stored(sandbox, result.external_id)["item_status"] == "UNLIST"


def test_sandbox_rejections_map_to_fields(
    sandbox: ShopeeSandbox, adapter: ShopeeAdapter, tmp_path: Path
) -> None:
    cases = {
        "weight_grams": _data(tmp_path, weight_grams=None),
        "name": _data(tmp_path, name="Mật ong", net_quantity=""),
        "attributes": _data(tmp_path, shelf_life=""),
        "price_vnd": _data(tmp_path, price_vnd=500),
        "category_id": _data(tmp_path, category_id="4242"),
    }
    for field, data in cases.items():
        assert field in {p.field for p in mapping.validate(data)}
        with pytest.raises(PermanentError) as caught:
            adapter.create(data)
        assert [p.field for p in caught.value.problems] == [field], caught.value.raw
        assert caught.value.raw["error"] == "error_param"
    assert sandbox.items == {}


def test_items_must_reference_hosted_images(adapter: ShopeeAdapter, tmp_path: Path) -> None:
    body = mapping.item_payload(_data(tmp_path), ["vn-11134207-notuploaded"], [50011])
    with pytest.raises(PermanentError) as caught:
        adapter._shop("POST", shopee_client.ADD_ITEM, json=body)
    assert [p.field for p in caught.value.problems] == ["images"]


def test_price_stock_rejection_names_the_field(adapter: ShopeeAdapter, tmp_path: Path) -> None:
    result = adapter.create(_data(tmp_path))
    with pytest.raises(PermanentError) as caught:
        adapter.update_price_stock(result, 500, 3)
    assert [p.field for p in caught.value.problems] == ["price_vnd"]


# --- failures ----------------------------------------------------------------------------------
def test_rate_limit(sandbox: ShopeeSandbox, adapter: ShopeeAdapter) -> None:
    sandbox.knobs.rate_limit, sandbox.knobs.burst = 1.0, 1.0
    adapter.find_by_sku("A")
    with pytest.raises(RateLimitedError) as caught:
        adapter.find_by_sku("A")
    assert caught.value.retry_after > 0
    assert caught.value.raw["error"] == "error_too_many_request"
    assert sandbox.stats.rate_limited == 1


def test_injected_server_error_is_retryable(sandbox: ShopeeSandbox, adapter: ShopeeAdapter) -> None:
    sandbox.knobs.error_rate = 1.0
    with pytest.raises(RetryableError) as caught:
        adapter.find_by_sku("A")
    assert not isinstance(caught.value, RateLimitedError)
    assert caught.value.raw["error"] == "error_server"


def test_timeout_is_retryable(sandbox: ShopeeSandbox, adapter: ShopeeAdapter) -> None:
    sandbox.knobs.timeout_rate, sandbox.knobs.hang_s = 1.0, 1.5
    adapter.timeout = 0.3
    with pytest.raises(RetryableError, match="hết thời gian"):
        adapter.find_by_sku("A")
    assert sandbox.stats.injected_timeouts == 1 + SAFE_RETRIES  # reads are retried at once


def test_bad_partner_key_is_permanent(sandbox: ShopeeSandbox, adapter: ShopeeAdapter) -> None:
    wrong = ShopeeAdapter(replace(adapter.account, app_secret="not-the-key"))
    with pytest.raises(PermanentError, match="chữ ký") as caught:
        wrong.find_by_sku("A")
    assert caught.value.raw["error"] == "error_sign"
    assert sandbox.stats.rejected_signatures == 1
    wrong.close()


def test_clock_skew_is_permanent(adapter: ShopeeAdapter) -> None:
    adapter.clock = lambda: time.time() - 600
    with pytest.raises(PermanentError, match="đồng hồ"):
        adapter.find_by_sku("A")


# --- mapping and registry ----------------------------------------------------------------------
def test_mapping_helpers(tmp_path: Path) -> None:
    assert (
        mapping.plain_text("<p>Trà&nbsp;shan tuyết</p><p>Hà Giang</p>")
        == "Trà shan tuyết\nHà Giang"
    )
    assert mapping.title(_data(tmp_path, name="Mật ong rừng")) == "Mật ong rừng 500 ml"
    body = mapping.item_payload(_data(tmp_path, attributes={"brand_id": "1234"}), ["i"], [1])
    assert body["brand"] == {"brand_id": 1234, "original_brand_name": "No Brand"}
    assert mapping.item_payload(_data(tmp_path), ["i"], [1])["brand"]["brand_id"] == 0
    update = mapping.update_payload(7, _data(tmp_path), ["i"], [1])
    assert update["item_id"] == 7 and "original_price" not in update
    assert set(DEFAULT_MAPPING.values()) <= set(CATEGORIES)
    assert "5.3.1" not in DEFAULT_MAPPING and "6.1.1" not in DEFAULT_MAPPING


def test_sandbox_is_registered() -> None:
    assert sandbox_class("shopee") is ShopeeSandbox
    assert ShopeeAdapter.code == "shopee" and ShopeeAdapter.name == "Shopee"
