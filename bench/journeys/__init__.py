"""The two journeys that matter most on a phone on weak 3G, driven in headless Chromium with the
network throttled by the DevTools protocol, and what each one costs.

- **onboarding**: a commune digital-team helper, already signed in, sets up a new cooperative
  from ``/quan-ly/ho-tro`` until it is listed (identity and place, bank account checked by
  its VietQR, consent, one product with photo and OCOP certificate).
- **checkout**: a buyer on a fresh phone searches from the home page without accents, opens a
  product, buys it now, fills the delivery form and gets the page with the VietQR to pay.

What is counted (``Journey``):

- *screens*: full HTML pages the browser loads (main-frame ``Document`` responses; a redirect
  after a form post is not a screen of its own, the page it leads to is);
- *fields*: inputs the person has to type, pick, tick or photograph for the journey to go
  through (the server refuses the step without them). Pre-filled values kept as they are
  (the helper's own commune, the producer kind, quantity 1) and optional fields are not counted;
  the buyer's search words are;
- *bytes*: bodies and headers received, as the network carried them (CDP
  ``Network.loadingFinished.encodedDataLength``, gzip included, redirects included), all of
  them and without images; and bytes sent in request bodies (the photos dominate);
- *seconds*: wall time from the first screen to the last one's ``load``.

``python -m bench.journeys`` (``__main__.py``) serves the demo app, runs both on the slow-3G
profile with a 360x740 phone and records the table in ``docs/BENCHMARKS.md``.
``tests/e2e/test_slow3g.py`` runs the same functions and checks the budgets.
"""

from __future__ import annotations

import io
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from playwright.sync_api import Locator, Page, expect

#: Chrome DevTools' "Slow 3G"-like profile the issue asks for: 400 ms round trip, 400 kbit/s
SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
#: the small phone of the browser tests
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "vi-VN",
}
#: a navigation on 3G may take many seconds: one step's time limit
STEP_TIMEOUT_MS = 60_000

#: the new producer set up by the onboarding journey (the helper's commune is Tân Cương)
NEW_PRODUCER = {
    "name": "HTX Chè Đồi Xanh",
    "tax_code": "4601239876",
    "representative": "Nguyễn Thị Hảo",
    "phone": "0912 345 678",
    "street": "Xóm Hồng Thái 2",
    "bank_bin": "970436",
    "bank_account": "0451000012345",
    "bank_account_name": "Nguyễn Thị Hảo",
}
NEW_PRODUCT = {
    "name": "Chè móc câu Tân Cương Đồi Xanh",
    "set_no": "11",
    "price_vnd": "150.000",
    "unit": "hộp",
    "weight_grams": "300",
    "stars": "4",
    "decision_number": "2150/QĐ-UBND",
    "issuing_authority": "UBND tỉnh Thái Nguyên",
}
#: what the buyer looks for (typed without accents) and orders
SEARCH_WORDS = "che dinh tan cuong"
PRODUCT = "Chè Đinh Tân Cương Hảo Đạt"
BUYER = {
    "name": "Nguyễn Thị Lan",
    "phone": "0912 345 678",
    "province": "19",  # Thái Nguyên
    "commune_code": "05503",  # Xã Tân Cương
    "address_line": "Xóm Nam Đồng",
}


@dataclass
class Journey:
    """What one journey cost."""

    name: str
    screens: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    bytes_received: int = 0
    bytes_images: int = 0
    bytes_sent: int = 0
    seconds: float = 0.0
    #: (CDP resource type, URL, bytes received) of every response, in order
    transfers: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def bytes_without_images(self) -> int:
        return self.bytes_received - self.bytes_images


@contextmanager
def metered(page: Page, journey: Journey, profile: dict[str, Any] | None = None) -> Iterator[None]:
    """Throttle ``page`` to ``profile`` (slow 3G) with an empty cache and count, on ``journey``,
    the documents loaded and the bytes that cross the network while the block runs."""
    cdp = page.context.new_cdp_session(page)
    kinds: dict[str, tuple[str, str]] = {}

    def response(event: dict[str, Any]) -> None:
        kinds[event["requestId"]] = (event["type"], event["response"]["url"])
        if event["type"] == "Document":
            journey.screens.append(event["response"]["url"])

    def redirect(event: dict[str, Any]) -> None:
        if event.get("redirectResponse"):
            size = int(event["redirectResponse"].get("encodedDataLength", 0))
            journey.bytes_received += size
            journey.transfers.append(("Redirect", event["redirectResponse"]["url"], size))

    def finished(event: dict[str, Any]) -> None:
        size = int(event["encodedDataLength"])
        kind, url = kinds.get(event["requestId"], ("Other", ""))
        journey.bytes_received += size
        journey.transfers.append((kind, url, size))
        if kind == "Image":
            journey.bytes_images += size

    def sent(request: Any) -> None:
        if request.method == "POST":  # multipart bodies with files are not given to CDP
            journey.bytes_sent += int(request.header_value("content-length") or 0)

    cdp.on("Network.responseReceived", response)
    cdp.on("Network.requestWillBeSent", redirect)
    cdp.on("Network.loadingFinished", finished)
    page.on("requestfinished", sent)
    cdp.send("Network.enable")
    cdp.send("Network.clearBrowserCache")
    cdp.send("Network.emulateNetworkConditions", profile or SLOW_3G)
    page.set_default_timeout(STEP_TIMEOUT_MS)
    expect.set_options(timeout=STEP_TIMEOUT_MS)
    started = time.perf_counter()
    try:
        yield
        page.wait_for_load_state("load")
        journey.seconds = time.perf_counter() - started
        page.wait_for_load_state("networkidle")  # late images, then the last CDP events
    finally:
        page.remove_listener("requestfinished", sent)
        cdp.detach()
        expect.set_options(timeout=5_000)


def _filler(journey: Journey) -> Callable[[Locator, str], None]:
    """``fill(locator, value)``: type, pick, tick or attach, counting the field once."""

    def fill(locator: Locator, value: Any) -> None:
        locator.page.wait_for_load_state("load")  # a person reads the screen first
        kind = locator.evaluate("e => e.tagName === 'SELECT' ? 'select' : e.type")
        if kind == "select":
            locator.select_option(value=value)
        elif kind == "checkbox":
            locator.check()
        elif kind == "file":
            locator.set_input_files(value)
        else:
            locator.fill(value)
        journey.fields.append(locator.evaluate("e => e.name"))

    return fill


def camera_photo(seed: int, size: tuple[int, int] = (1280, 960)) -> dict[str, Any]:
    """A JPEG with some texture, like a phone photo already shrunk (~160 KB); deterministic."""
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    small = Image.new("RGB", (size[0] // 16, size[1] // 16))
    small.putdata(
        [
            (rng.randrange(40, 220), rng.randrange(60, 200), rng.randrange(20, 160))
            for _ in range(small.width * small.height)
        ]
    )
    image = small.resize(size, Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(2))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=85)
    return {"name": f"photo{seed}.jpg", "mimeType": "image/jpeg", "buffer": buf.getvalue()}


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    """Sign in (not part of a journey: the helper's session outlives many producers)."""
    page.goto(base + "/dang-nhap")
    page.locator("input[name=login], input[name=email]").first.fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url(lambda url: "/dang-nhap" not in url)


def submit(form: Locator) -> None:
    """Press the form's own submit button (once the screen has loaded, as a person would)."""
    form.page.wait_for_load_state("load")
    form.locator("button[type=submit]").last.click()


def onboarding(page: Page, base: str, profile: dict[str, Any] | None = None) -> Journey:
    """A signed-in helper sets up a new producer until it is listed; ends on its checklist."""
    journey = Journey("onboarding")
    fill = _filler(journey)
    who, product = NEW_PRODUCER, NEW_PRODUCT
    with metered(page, journey, profile):
        page.goto(base + "/quan-ly/ho-tro")
        page.wait_for_load_state("load")
        page.get_by_test_id("new-producer").click()

        # identity and place: kind, province and commune are the helper's own, pre-filled
        form = page.get_by_test_id("identity-form")
        for name in ("name", "tax_code", "representative", "phone", "street"):
            fill(form.locator(f"[name={name}]"), who[name])
        submit(form)

        # bank account, then its VietQR scanned with a bank app and the holder's name ticked
        form = page.get_by_test_id("bank-form")
        for name in ("bank_bin", "bank_account", "bank_account_name"):
            fill(form.locator(f"[name={name}]"), who[name])
        submit(form)
        verify = page.get_by_test_id("bank-verify")
        fill(verify.locator("[name=verified]"), "1")
        submit(verify)

        # consent, given by the producer
        fill(page.locator("[name=agree]"), "1")
        submit(page.locator("form:has([name=agree])"))

        # one product with its photo and its certificate
        form = page.get_by_test_id("product-form")
        expect(form).to_be_visible()
        fill(form.locator("[name=photo]"), camera_photo(1))
        for name in ("name", "set_no", "price_vnd", "unit", "weight_grams", "stars"):
            fill(form.locator(f"[name={name}]"), product[name])
        fill(form.locator("[name=decision_number]"), product["decision_number"])
        decided = date.today() - timedelta(days=120)
        fill(form.locator("[name=decision_date]"), decided.isoformat())
        fill(form.locator("[name=issuing_authority]"), product["issuing_authority"])
        fill(form.locator("[name=scan]"), camera_photo(2))
        expect(form.locator("[data-resize=busy]")).to_have_count(0)
        submit(form)
        expect(page.get_by_test_id("active")).to_be_visible()
    return journey


def checkout(page: Page, base: str, profile: dict[str, Any] | None = None) -> Journey:
    """A buyer finds a product by accent-free search, buys it now and gets the VietQR page."""
    journey = Journey("checkout")
    fill = _filler(journey)
    with metered(page, journey, profile):
        page.goto(base + "/")
        box = page.locator("form[role=search] input[name=q]")
        fill(box, SEARCH_WORDS)
        box.press("Enter")
        page.wait_for_load_state("load")
        page.get_by_test_id("results").get_by_role("link", name=PRODUCT).click()
        page.wait_for_load_state("load")
        page.get_by_test_id("buy-now").click()

        form = page.get_by_test_id("checkout")
        for name in ("name", "phone", "province"):
            fill(form.locator(f"[name={name}]"), BUYER[name])
        commune = form.locator("[name=commune_code]")
        expect(commune.locator(f"option[value='{BUYER['commune_code']}']")).to_have_count(1)
        fill(commune, BUYER["commune_code"])
        fill(form.locator("[name=address_line]"), BUYER["address_line"])
        form.locator("button[type=submit]:not([name])").click()

        payment = page.get_by_test_id("payment")
        expect(payment).to_have_count(1)
        qr = payment.locator("img.qr")
        expect(qr).to_be_visible()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=qr.element_handle()
        )
    return journey


def kb(n: int) -> str:
    return f"{n / 1024:,.1f}"


def table(journeys: list[Journey], machine: str, when: str) -> str:
    """The Markdown table of the run."""
    rows = [
        "| journey | screens | fields | received KB | without images KB | sent KB | time (s) "
        "| date | machine |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for j in journeys:
        rows.append(
            f"| {j.name} | {len(j.screens)} | {len(j.fields)} | {kb(j.bytes_received)} "
            f"| {kb(j.bytes_without_images)} | {kb(j.bytes_sent)} | {j.seconds:.1f} "
            f"| {when} | {machine} |"
        )
    return "\n".join(rows)


HELPER = ("to-cns@tancuong.vn", "mat-khau-du-dai-1", "05503")


def add_helper(app: Any, email: str, password: str, commune: str) -> None:
    """An onboarder login scoped to one commune."""
    from marketplace.accounts.models import UserScope
    from marketplace.accounts.services import create_user
    from marketplace.core.db import db

    with app.app_context():
        user = create_user(
            db.session, email=email, name="Tổ công nghệ số", password=password, role="onboarder"
        )
        db.session.add(UserScope(user_id=user.id, commune_code=commune))
        db.commit()
