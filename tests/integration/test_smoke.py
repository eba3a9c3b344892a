def test_home_lists_featured_products(client):
    r = client.get("/")
    assert r.status_code == 200
    assert "Sản phẩm 5 sao và 4 sao" in r.get_data(as_text=True)
