import gzip
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def _html(response):
    return response.get_data(as_text=True)


def _product_url(client, name):
    body = _html(client.get("/tim-kiem", query_string={"q": name}))
    match = re.search(r'href="(/san-pham/[^"]+)"', body)
    assert match, name
    return match.group(1)


def test_search_page_finds_without_accents(client):
    body = _html(client.get("/tim-kiem?q=dau+phong"))
    assert "Dầu đậu phộng nguyên chất Bảo Tâm" in body
    assert "120.000 ₫" in body
    assert 'loading="lazy"' in body


def test_product_page_shows_valid_certificate_and_sharing_tags(client):
    response = client.get(_product_url(client, "Chè Đinh Tân Cương"))
    body = _html(response)
    assert response.status_code == 200
    assert "2.500.000 ₫" in body
    assert "OCOP 5 sao" in body
    assert "16/01/2025" in body and "16/01/2028" in body
    assert "Bộ Nông nghiệp và Phát triển nông thôn" in body
    assert 'property="og:title" content="Chè Đinh Tân Cương Hảo Đạt"' in body
    assert re.search(
        r'property="og:image" content="http://localhost/media/products/\d+/\w+-800\.webp"', body
    )
    ld = json.loads(
        re.search(r'<script type="application/ld\+json">(.+?)</script>', body, re.S).group(1)
    )
    assert (
        ld["@type"] == "Product"
        and ld["offers"]["price"] == "2500000"
        and ld["offers"]["priceCurrency"] == "VND"
    )
    assert ld["award"] == "OCOP 5 sao"
    assert "HTX chè Hảo Đạt" in body  # producer card


def test_expired_certificate_shows_no_badge(client):
    body = _html(client.get(_product_url(client, "Nước mắm nhĩ truyền thống Tư Tài")))
    assert "đã hết hiệu lực" in body
    product_part = body.split('data-testid="product"', 1)[1].split("</article>")[0]
    assert 'class="badge' not in product_part
    assert "(ước tính)" in body


def test_product_slug_redirects_to_canonical(client):
    url = _product_url(client, "Mật ong Phúc Thành")
    product_id = url.split("/")[2].split("-")[0]
    response = client.get(f"/san-pham/{product_id}-wrong")
    assert response.status_code == 301 and response.headers["Location"].endswith(url)


def test_producer_page(client):
    body = _html(client.get(_product_url(client, "Chè Đinh Tân Cương")))
    producer_url = re.search(r'href="(/chu-the/[^"]+)"', body).group(1)
    page = _html(client.get(producer_url))
    assert "Xóm Nam Đồng, Xã Tân Cương, Tỉnh Thái Nguyên" in page
    assert "Chè Tôm Nõn Hảo Đạt" in page and "Hợp tác xã" in page


def test_home_has_groups_featured_and_provinces(client):
    body = _html(client.get("/"))
    assert "Dịch vụ du lịch cộng đồng" in body
    assert "Chè Đinh Tân Cương Hảo Đạt" in body  # featured 5★
    assert "Nước mắm nhĩ truyền thống Tư Tài" not in body  # expired: not featured
    assert "Thái Nguyên" in body and "Đà Nẵng" in body


def test_unknown_product_is_a_vietnamese_404(client):
    response = client.get("/san-pham/999999-khong-co")
    assert response.status_code == 404
    assert "Không tìm thấy" in _html(response) and 'lang="vi"' in _html(response)
    assert client.get("/khong-co-trang-nay").status_code == 404


def test_json_clients_get_json_errors_on_pages(client):
    response = client.get("/san-pham/999999", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "resource_missing"


@pytest.mark.parametrize(
    "query",
    [
        {"q": "x" * 10_000},
        {"q": "\x00\x01\x7f trà"},
        {"q": "' OR 1=1; DROP TABLE products; --"},
        {"q": '"unbalanced'},
        {"min_stars": "100"},
        {"province": "xx"},
        {"page": "-1"},
        {"price_min": "1e9"},
        {"sort": "id; DELETE"},
    ],
)
def test_absurd_input_is_a_page_or_a_clear_400(client, query):
    response = client.get("/tim-kiem", query_string=query)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "Yêu cầu chưa hợp lệ" in _html(response)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=st.text(max_size=300), page=st.one_of(st.none(), st.text(max_size=6)))
def test_search_never_fails(client, q, page):
    args = {"q": q} if page is None else {"q": q, "page": page}
    assert client.get("/tim-kiem", query_string=args).status_code in (200, 400)


def test_search_page_weight_under_60kb_gzip(client):
    page = client.get("/tim-kiem?q=tra", headers={"Accept-Encoding": "gzip"})
    assert page.headers.get("Content-Encoding") == "gzip"
    total = len(page.data)
    assert len(gzip.decompress(page.data)) > total
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', gzip.decompress(page.data).decode()):
        with client.get(asset, headers={"Accept-Encoding": "gzip"}) as response:
            total += len(response.data)
    assert total <= 60 * 1024


def test_english_switch_remembers_choice(client):
    response = client.get("/?lang=en")
    assert 'lang="en"' in _html(response)
    assert "lang=en" in response.headers.get("Set-Cookie", "")
    assert 'lang="en"' in _html(client.get("/tim-kiem"))
    assert 'lang="vi"' in _html(client.get("/?lang=vi"))


def test_healthz_and_robots(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert "Disallow: /api/" in _html(client.get("/robots.txt"))


def test_english_pages_are_translated(client):
    body = _html(client.get("/tim-kiem?q=che+dinh&lang=en"))
    assert "Results for" in body and "OCOP 5 stars" in body and "Filters and sorting" in body
    assert "Kết quả cho" not in body


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # only behind TLS
    assert "Strict-Transport-Security" in client.get("/", base_url="https://localhost").headers


def test_typo_page_says_what_it_searched_for(client):
    body = _html(client.get("/tim-kiem?q=dau+phng"))
    assert 'data-testid="corrections"' in body and "phong" in body and "phng" in body
    assert "Dầu đậu phộng nguyên chất Bảo Tâm" in body
