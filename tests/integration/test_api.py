import pytest
from openapi_spec_validator import validate


def test_products_list_shape(client):
    body = client.get("/api/v1/products?q=che+dinh").get_json()
    assert body["object"] == "list" and body["has_more"] is False
    [product] = body["data"]
    assert product["name"] == "Chè Đinh Tân Cương Hảo Đạt"
    assert product["price_vnd"] == 2500000 and product["stars"] == 5
    assert product["certificate"]["valid_until"] == "2028-01-16"
    assert product["producer"] == {
        "id": product["producer"]["id"],
        "name": "HTX chè Hảo Đạt",
        "kind": "cooperative",
        "slug": "htx-che-hao-dat",
    }
    assert product["province"]["code"] == "19" and product["commune"] == {
        "code": "05503",
        "name": "Xã Tân Cương",
        "short_name": "Tân Cương",
        "type": "xã",
    }
    assert product["url"].startswith("http://localhost/san-pham/")


def test_expired_certificate_gives_null_stars(client):
    [product] = client.get("/api/v1/products?q=nuoc+mam+tu+tai").get_json()["data"]
    assert product["stars"] is None and product["certificate"] is None
    detail = client.get(f"/api/v1/products/{product['id']}").get_json()
    assert detail["stars"] is None and detail["certificate"] is None
    assert detail["certificates"][0]["valid"] is False
    assert detail["certificates"][0]["decision_date_estimated"] is True


def test_cursor_pagination(client):
    seen, cursor = [], ""
    for _ in range(20):
        body = client.get(f"/api/v1/products?limit=7&starting_after={cursor}").get_json()
        seen += [p["id"] for p in body["data"]]
        if not body["has_more"]:
            break
        cursor = body["data"][-1]["id"]
    assert len(seen) == len(set(seen)) == 30


def test_filters(client):
    data = client.get("/api/v1/products?province=48&min_stars=5&limit=100").get_json()["data"]
    assert {p["name"] for p in data} == {
        "Bánh dừa nướng Quý Thu",
        "Thực phẩm bảo vệ sức khỏe SAPHRATON (sâm Ngọc Linh)",
    }
    assert all(p["province"]["code"] == "48" for p in data)
    communes = client.get("/api/v1/products?commune=05503&group=1&limit=100").get_json()["data"]
    assert communes and all(p["commune"]["code"] == "05503" for p in communes)


def test_product_and_producer_detail(client):
    [item] = client.get("/api/v1/products?q=che+dinh").get_json()["data"]
    detail = client.get(f"/api/v1/products/{item['id']}").get_json()
    assert detail["certificate"]["decision_date"] == "2025-01-16"
    assert detail["images"][0]["placeholder"] is True
    producer = client.get(f"/api/v1/producers/{item['producer']['id']}").get_json()
    assert producer["object"] == "producer"
    assert {p["name"] for p in producer["products"]} == {
        "Chè Tôm Nõn Hảo Đạt",
        "Chè Đinh Tân Cương Hảo Đạt",
    }


@pytest.mark.parametrize(
    ("url", "status", "param"),
    [
        ("/api/v1/products?limit=0", 400, "limit"),
        ("/api/v1/products?limit=101", 400, "limit"),
        ("/api/v1/products?limit=abc", 400, "limit"),
        ("/api/v1/products?starting_after=x", 400, "starting_after"),
        ("/api/v1/products?starting_after=999999", 400, "starting_after"),
        ("/api/v1/products?min_stars=2", 400, "min_stars"),
        ("/api/v1/products?q=" + "a" * 300, 400, "q"),
        ("/api/v1/products/999999", 404, "id"),
        ("/api/v1/producers/999999", 404, "id"),
        ("/api/v1/provinces/99/communes", 404, "code"),
        ("/api/v1/nothing", 404, None),
    ],
)
def test_errors_are_typed_json(client, url, status, param):
    response = client.get(url)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert set(error) == {"type", "code", "message", "param"}
    assert error["type"] == "invalid_request_error" and error["param"] == param and error["message"]


def test_method_not_allowed_is_json(client):
    response = client.post("/api/v1/products")
    assert (
        response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"
    )


def test_communes_for_pickers(client):
    all_da_nang = client.get("/api/v1/provinces/48/communes").get_json()["data"]
    assert (
        len(all_da_nang) > 90
        and {"code": "20410", "name": "Phường Hội An", "short_name": "Hội An", "type": "phường"}
        in all_da_nang
    )
    with_products = client.get("/api/v1/provinces/48/communes?with_products=1").get_json()["data"]
    assert 0 < len(with_products) < len(all_da_nang)
    assert len(client.get("/api/v1/provinces").get_json()["data"]) == 34
    groups = client.get("/api/v1/ocop/groups").get_json()["data"]
    assert len(groups) == 6 and sum(len(s["sets"]) for g in groups for s in g["subgroups"]) == 26


def test_openapi_document_is_valid_and_complete(client, demo_app):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    for rule in demo_app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            generic = (
                rule.rule.replace("<int:producer_id>", "{id}")
                .replace("<int:product_id>", "{id}")
                .replace("<public_id>", "{id}")
                .replace("<code>", "{code}")
            )
            assert generic.removeprefix("/api/v1") in spec["paths"], rule.rule
