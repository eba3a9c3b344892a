"""What every page's <head> carries for Lighthouse (bench/lighthouse): the Vietnamese language,
a description on public pages, the icon; and which search pages may be indexed."""

from __future__ import annotations

import re

import pytest


def _html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@pytest.fixture
def public_pages(client) -> list[str]:
    search = "/tim-kiem?q=che+dinh"
    product = re.search(r'href="(/san-pham/[^"]+)"', _html(client, search)).group(1)
    producer = re.search(r'href="(/chu-the/[^"]+)"', _html(client, product)).group(1)
    product_id = re.search(r'name="product_id" value="(\d+)"', _html(client, product)).group(1)
    client.post("/gio-hang/them", data={"product_id": product_id, "quantity": "1"})
    return ["/", search, product, producer, "/gio-hang"]


def test_every_page_is_vietnamese_described_and_has_an_icon(client, public_pages):
    for url in [*public_pages, "/dat-hang", "/dang-nhap"]:
        html = _html(client, url)
        assert '<html lang="vi">' in html, url
        assert re.search(r'<link rel="icon" href="/static/favicon\.svg"', html), url
        description = re.search(r'<meta name="description" content="([^"]*)"', html)
        assert description and len(description.group(1)) > 50, url
    for url in public_pages:
        assert "noindex" not in _html(client, url), url
    with client.get("/favicon.ico") as icon:  # closes the served file
        assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO
    with client.get("/static/favicon.svg") as svg:
        assert svg.status_code == 200 and svg.data.startswith(b"<svg")


@pytest.mark.parametrize(
    "query",
    ["q=che+dinh&page=2", "q=zzqqxx", "q=che+dinh&sort=price_asc", "q=che&province=19", ""],
)
def test_only_page_one_of_a_plain_query_with_matches_is_indexed(client, query):
    html = _html(client, "/tim-kiem?" + query)
    assert '<meta name="robots" content="noindex,follow">' in html
    assert 'rel="canonical"' not in html


def test_an_indexed_search_names_its_canonical_url(client):
    html = _html(client, "/tim-kiem?q=che+dinh&sort=relevance&lang=vi")
    assert "noindex" not in html
    assert '<link rel="canonical" href="http://localhost/tim-kiem?q=che+dinh">' in html
