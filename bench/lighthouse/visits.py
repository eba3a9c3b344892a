"""Walk the demo site over HTTP as each role would, to collect the pages to audit and the
session cookie each one needs (a buyer's cart and orders, the logins of the demo roles)."""

from __future__ import annotations

import re
import time
from typing import NamedTuple

import requests

from marketplace.accounts.demo import LOGINS

from .site import PRODUCT_WORDS

TIMEOUT = 30
#: SEO is gated on these only: the other pages are private (noindex) by design
PUBLIC = ("home", "search", "product", "producer", "cart")
#: page name -> path under /quan-ly/ho-tro ({id}: the producer being onboarded)
ONBOARDING_STEPS = {
    "onboarding-list": "",
    "onboarding-new": "/them",
    "onboarding-overview": "/{id}",
    "onboarding-identity": "/{id}/chu-the",
    "onboarding-address": "/{id}/dia-chi",
    "onboarding-bank": "/{id}/ngan-hang",
    "onboarding-consent": "/{id}/dieu-khoan",
    "onboarding-products": "/{id}/san-pham",
}


class Page(NamedTuple):
    name: str
    path: str
    #: the ``Cookie`` header to send, "" for none
    cookie: str
    public: bool


def _get(http: requests.Session, url: str) -> str:
    response = http.get(url, timeout=TIMEOUT)
    response.raise_for_status()
    return response.text


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def _first(pattern: str, html: str, what: str) -> str:
    match = re.search(pattern, html)
    assert match, f"no {what} on the page"
    return match.group(1)


def _post(http: requests.Session, url: str, form: dict[str, str]) -> requests.Response:
    response = http.post(url, data=form, timeout=TIMEOUT, allow_redirects=True)
    response.raise_for_status()
    return response


def _cookie(http: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


def _add_to_cart(http: requests.Session, base: str, product_path: str) -> None:
    html = _get(http, base + product_path)
    product_id = _first(r'name="product_id" value="(\d+)"', html, "product id")
    _post(
        http,
        base + "/gio-hang/them",
        {"csrf_token": _csrf(html), "product_id": product_id, "quantity": "1"},
    )


def _order(http: requests.Session, base: str, product_path: str, commune: str) -> str:
    """Check the product out; returns the order page's path."""
    _add_to_cart(http, base, product_path)
    html = _get(http, base + "/dat-hang")
    form = {"csrf_token": _csrf(html), "name": "Nguyễn Thị Lan", "phone": "0912 345 678"}
    form |= {"commune_code": commune, "address_line": "Xóm Nam Đồng", "note": ""}
    response = _post(http, base + "/dat-hang", form)
    assert "/don-hang/" in response.url, response.url
    return response.url.removeprefix(base)


def _wait_paid(http: requests.Session, base: str, intent: str) -> None:
    """The simulated transfer is matched by a job: wait until the intent has succeeded."""
    deadline = time.monotonic() + 60
    while (
        http.get(f"{base}/thanh-toan/{intent}/trang-thai", timeout=TIMEOUT).json()["status"]
        != "succeeded"
    ):
        assert time.monotonic() < deadline, f"payment {intent} was not matched within 60 s"
        time.sleep(0.5)


def buyer_pages(base: str, commune: str) -> list[Page]:
    """Home, search, product, producer, a cart holding the product, checkout, an unpaid
    order's payment page and a paid order's receipt."""
    http = requests.Session()
    search = "/tim-kiem?q=" + PRODUCT_WORDS.replace(" ", "+")
    product = _first(r'href="(/san-pham/[^"]+)"', _get(http, base + search), "product link")
    producer = _first(r'href="(/chu-the/[^"]+)"', _get(http, base + product), "producer link")
    payment = _order(http, base, product, commune)
    paid = _order(http, base, product, commune)
    html = _get(http, base + paid)
    intent = _first(r'action="/thanh-toan/([^/"]+)/gia-lap"', html, "simulate button")
    _post(http, f"{base}/thanh-toan/{intent}/gia-lap", {"csrf_token": _csrf(html)})
    _wait_paid(http, base, intent)
    receipt = _first(
        r'href="(/don-hang/[^"?]+/bien-nhan/[^"?]+)"', _get(http, base + paid), "receipt"
    )
    _add_to_cart(http, base, product)
    cart = _cookie(http)
    paths = {"home": "/", "search": search, "product": product, "producer": producer}
    paths |= {"cart": "/gio-hang", "checkout": "/dat-hang", "payment": payment, "receipt": receipt}
    return [Page(name, path, cart, name in PUBLIC) for name, path in paths.items()]


def login(base: str, role: str) -> requests.Session:
    """A session logged in as the demo login of ``role`` (admin, staff, onboarder, owner…)."""
    demo = next(d for d in LOGINS if d.label == role)
    http = requests.Session()
    token = _csrf(_get(http, base + "/dang-nhap"))
    form = {"csrf_token": token, "login": demo.email, "password": demo.password}
    response = _post(http, base + "/dang-nhap", form)
    assert "/dang-nhap" not in response.url, f"login as {role} failed"
    return http


def private_pages(base: str) -> list[Page]:
    """Login, every onboarding step (onboarder), the owner's listings, the staff's reports."""
    pages = [Page("login", "/dang-nhap", "", False)]
    onboarder = login(base, "onboarder")
    home = _get(onboarder, base + "/quan-ly/ho-tro")
    producer_id = _first(r'href="/quan-ly/ho-tro/(\d+)', home, "producer being onboarded")
    for name, step in ONBOARDING_STEPS.items():
        path = "/quan-ly/ho-tro" + step.format(id=producer_id)
        pages.append(Page(name, path, _cookie(onboarder), False))
    pages.append(Page("listings", "/quan-ly/kenh-ban", _cookie(login(base, "owner")), False))
    pages.append(Page("reports", "/quan-ly/bao-cao", _cookie(login(base, "staff")), False))
    return pages
