"""The shared adapter contract (``sync_adapters/base.py``), proven the same way for every API
channel: its real adapter (from the registry) against its real sandbox on a loopback port."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image

from sync_adapters import registry
from sync_adapters.base import (
    AccountConfig,
    Adapter,
    AuthExpiredError,
    ImageFile,
    ListingData,
    ListingResult,
    RateLimitedError,
    RemoteStatus,
    RetryableError,
    Tokens,
)
from sync_adapters.sandbox import SANDBOXES, Running, sandbox_class, start

APP_KEY, APP_SECRET = "2001887", "contract-secret-0123456789abcdef"
SHOP_ID = "70012345"
REDIRECT = "https://cho-ocop.example/kenh/callback"
STATE = "contract-state-42"  # Tiki (Hydra) wants 8+ characters
ITEM_URL = "{base_url}/_sandbox/items/{item_id}"  # what the engine sets for sandbox accounts
HONEY = "1.2.2"  # OCOP set: honey & other raw produce
REVIEWED = {"tiki"}  # channels whose create waits for a review

#: A value for every attribute key any channel's honey category requires (Shopee names its
#: attributes as sellers see them; the others by code). A new required key fails loudly below.
ATTRIBUTE_VALUES: dict[str, str] = {
    "Xuất xứ": "Việt Nam",
    "Hạn sử dụng": "24 tháng",
    "Khối lượng tịnh": "500 ml",
    "brand": "Trà My Honey",
    "brand_country": "Việt Nam",
    "origin": "Việt Nam",
    "shelf_life": "24 tháng",
    "net_content": "500 ml",
    "producer": "HTX Mật ong Trà My",
    "product_weight_kg": "0.7",
    "require_expiry_date": "1",
    "thuong_hieu": "Trà My Honey",
    "xuat_xu": "Việt Nam",
    "han_su_dung": "24 tháng",
}
_VIETNAMESE = re.compile(r"[À-ỹ]")  # Latin letters with Vietnamese diacritics


# --- helpers ---------------------------------------------------------------------------------
def _photo(path: Path, colour: tuple[int, int, int]) -> ImageFile:
    Image.new("RGB", (800, 800), colour).save(path, "JPEG", quality=90)
    return ImageFile(path=path, sha256=hashlib.sha256(path.read_bytes()).hexdigest())


def _listing(adapter: Adapter, tmp_path: Path) -> ListingData:
    """A honey listing every channel accepts, in the channel's default honey category."""
    category_id = adapter.default_mapping[HONEY]
    required = adapter.categories[category_id].required_attributes
    missing = set(required) - set(ATTRIBUTE_VALUES)
    assert not missing, f"{adapter.code}: no test value for required attributes {missing}"
    return ListingData(
        sku="OCOP000123",
        name="Mật ong rừng Trà My nguyên chất OCOP 4 sao chai 500ml",
        description=(
            "Mật ong rừng nguyên chất do đồng bào Ca Dong thu hoạch tại Bắc Trà My, Quảng Nam.\n"
            "Không pha đường, không chất bảo quản; bảo quản nơi khô ráo, tránh ánh nắng."
        ),
        price_vnd=185_000,
        stock=40,
        category_id=category_id,
        images=(
            _photo(tmp_path / "honey-1.jpg", (200, 140, 40)),
            _photo(tmp_path / "honey-2.jpg", (120, 80, 20)),
        ),
        weight_grams=700,
        length_cm=8,
        width_cm=8,
        height_cm=18,
        brand="Trà My Honey",
        unit="chai",
        net_quantity="500 ml",
        origin="Quảng Nam",
        producer_name="HTX Mật ong Trà My",
        shelf_life="24 tháng",
        ocop_stars=4,
        attributes={key: ATTRIBUTE_VALUES[key] for key in required},
    )


def _account(url: str) -> AccountConfig:
    return AccountConfig(url, "", APP_KEY, APP_SECRET, extra={"item_url": ITEM_URL})


def _connect(code: str, box: Any, url: str, tmp_path: Path) -> Adapter:
    """The channel's adapter, granted access to SHOP_ID the way its seller would grant it."""
    adapter = registry.get(code)(_account(url), timeout=5.0, image_cache=tmp_path / "cache")
    assert isinstance(adapter, Adapter) and adapter.code == code
    link = adapter.authorize_url(REDIRECT, STATE)
    if adapter.auth_flow == "keys":  # Sendo: the seller pastes keys; refresh() logs in
        keys = box.approve(link, SHOP_ID)
        adapter.account = replace(
            adapter.account, app_key=keys["shop_key"], app_secret=keys["secret_key"]
        )
        shop_id, tokens = SHOP_ID, adapter.refresh()
    else:
        shop_id, tokens = adapter.exchange_code(box.approve(link, SHOP_ID), REDIRECT)
    assert shop_id == SHOP_ID
    _assert_fresh(tokens)
    adapter.account = replace(adapter.account, shop_id=shop_id, tokens=tokens)
    return adapter


def _assert_fresh(tokens: Tokens) -> None:
    assert tokens.access_token
    assert tokens.expires_at is not None and tokens.expires_at.utcoffset() == timedelta(0)
    assert tokens.expires_at > datetime.now(UTC)


def _refresh(adapter: Adapter) -> Tokens:
    """refresh() as the engine uses it: new tokens, stored on the account at once."""
    old = adapter.account.tokens
    tokens = adapter.refresh()
    _assert_fresh(tokens)
    assert old is not None and tokens.access_token != old.access_token
    adapter.account = adapter.account.with_tokens(tokens)
    return tokens


def _view(box: Any, external_id: str) -> dict[str, Any]:
    """The buyer's view of the item in the sandbox's own store."""
    with box.lock:
        return dict(box.public_view(box.items[external_id]))


def _settle(box: Any) -> None:
    """Finish the marketplace's pending reviews (Tiki); nothing elsewhere."""
    review_all = getattr(box, "review_all", None)
    if review_all is not None:
        review_all()


def _check_validate(adapter: Adapter, data: ListingData) -> None:
    assert adapter.validate(data) == []
    bad = replace(data, name="", price_vnd=0, images=(), category_id=None)
    problems = adapter.validate(bad)
    fields = {p.field for p in problems}
    assert {"name", "price_vnd", "images", "category_id"} <= fields, fields
    for problem in problems:
        assert _VIETNAMESE.search(problem.message), problem
        assert _VIETNAMESE.search(problem.fix), problem


def _create_live(code: str, adapter: Adapter, box: Any, data: ListingData) -> ListingResult:
    """create(), through the review where the channel has one; the LIVE result."""
    created = adapter.create(data)
    if code in REVIEWED:
        assert created.status == RemoteStatus.PENDING_REVIEW and created.review_ref
        assert adapter.status(created).status == RemoteStatus.PENDING_REVIEW
        _settle(box)
    else:
        assert created.status == RemoteStatus.LIVE
    live = adapter.status(created)
    assert live.status == RemoteStatus.LIVE
    assert live.url == ITEM_URL.format(base_url=adapter.account.base_url, item_id=live.external_id)
    view = _view(box, live.external_id)
    assert view["name"] == data.name and view["price_vnd"] == data.price_vnd
    assert view["stock"] == data.stock and view["status"] == RemoteStatus.LIVE
    assert len(set(view["image_ids"])) == len(data.images) == 2  # both photos, hosted there
    page = requests.get(live.url, timeout=5)
    assert page.status_code == 200 and data.name in page.text
    return live


def _restart(code: str, running: Running, state_dir: Path) -> Running:
    running.stop()
    return start(sandbox_class(code)(apps={APP_KEY: APP_SECRET}, state_dir=state_dir))


@pytest.fixture
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The channel's sandbox on a loopback port, persisting to ``tmp_path/state``."""
    code = request.param
    state_dir = tmp_path / "state"
    box = sandbox_class(code)(apps={APP_KEY: APP_SECRET}, state_dir=state_dir)
    holder = {"code": code, "state_dir": state_dir, "running": start(box)}
    try:
        yield holder
    finally:
        holder["running"].stop()


# --- the contract ----------------------------------------------------------------------------
@pytest.mark.parametrize("served", sorted(SANDBOXES), indirect=True)
def test_adapter_contract(served: dict[str, Any], tmp_path: Path) -> None:
    code, running = served["code"], served["running"]
    box = running.sandbox
    adapter = _connect(code, box, running.url, tmp_path)
    assert HONEY in adapter.default_mapping and adapter.default_rate_limit > 0
    data = _listing(adapter, tmp_path)
    _check_validate(adapter, data)

    live = _create_live(code, adapter, box, data)
    item_id = live.external_id

    # price and stock only
    data = replace(data, price_vnd=199_000, stock=25)
    priced = adapter.update_price_stock(live, data.price_vnd, data.stock)
    assert priced.external_id == item_id
    view = _view(box, item_id)
    assert (view["price_vnd"], view["stock"]) == (199_000, 25)

    # full update with a new name (content is reviewed again where the channel reviews)
    data = replace(data, name=f"{data.name} vụ mùa xuân")
    updated = adapter.update(live, data)
    assert updated.external_id == item_id and updated.status == RemoteStatus.LIVE
    _settle(box)
    view = _view(box, item_id)
    assert view["name"] == data.name and view["status"] == RemoteStatus.LIVE
    assert (view["price_vnd"], view["stock"]) == (199_000, 25)

    # delist hides, relist through update(active=True) shows again
    delisted = adapter.delist(updated)
    assert delisted.status == RemoteStatus.INACTIVE
    assert _view(box, item_id)["status"] == RemoteStatus.INACTIVE
    assert adapter.status(delisted).status == RemoteStatus.INACTIVE
    relisted = adapter.update(delisted, replace(data, active=True))
    assert relisted.status == RemoteStatus.LIVE
    assert _view(box, item_id)["status"] == RemoteStatus.LIVE
    assert adapter.status(relisted).status == RemoteStatus.LIVE

    found = adapter.find_by_sku(data.sku)
    assert found is not None and found.external_id == item_id
    assert found.status == RemoteStatus.LIVE
    assert adapter.find_by_sku("OCOP999999") is None

    # persistence: a sandbox restarted on the same state_dir still has the item (and tokens)
    before = _view(box, item_id)
    running = served["running"] = _restart(code, running, served["state_dir"])
    box = running.sandbox
    assert _view(box, item_id) == before
    adapter.account = replace(adapter.account, base_url=running.url)
    assert adapter.status(relisted).status == RemoteStatus.LIVE

    # tokens: refresh, expiry -> AuthExpiredError, refresh again recovers
    _refresh(adapter)
    assert adapter.status(relisted).status == RemoteStatus.LIVE
    box.expire_all_tokens()
    with pytest.raises(AuthExpiredError):
        adapter.status(relisted)
    _refresh(adapter)
    assert adapter.status(relisted).status == RemoteStatus.LIVE

    # the marketplace's rate limit and its 5xx, as typed errors
    box.knobs.rate_limit, box.knobs.burst = 1.0, 1.0
    adapter.status(relisted)
    with pytest.raises(RateLimitedError) as limited:
        adapter.status(relisted)
    assert limited.value.retry_after > 0
    box.knobs.rate_limit = None
    box.knobs.error_rate = 1.0
    with pytest.raises(RetryableError) as failed:
        adapter.status(relisted)
    assert not isinstance(failed.value, RateLimitedError)
    box.knobs.error_rate = 0.0
    assert adapter.status(relisted).status == RemoteStatus.LIVE
    adapter.close()
