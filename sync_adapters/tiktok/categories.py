"""A slice of TikTok Shop Vietnam's (v2) category tree covering OCOP product kinds.

Ids and names follow the shape of ``/product/202309/categories`` (leaf categories only).
``required_attributes`` are our keys for the product properties the category requires;
``ATTRIBUTE_IDS`` gives the TikTok property id each key is sent as in ``product_attributes``.
Brand is not a property on TikTok (``brand_id`` is optional), so it is never required.
"""

from __future__ import annotations

from ..base import Category

#: our attribute key -> TikTok product property id
ATTRIBUTE_IDS: dict[str, str] = {
    "origin": "100107",
    "shelf_life": "100110",
    "net_content": "101610",
    "alcohol_content": "101395",
    "material": "100157",
    "producer": "101620",
}
ATTRIBUTE_NAMES: dict[str, str] = {
    "origin": "Xuất xứ",
    "shelf_life": "Hạn sử dụng",
    "net_content": "Khối lượng tịnh",
    "alcohol_content": "Nồng độ cồn",
    "material": "Chất liệu",
    "producer": "Nhà sản xuất",
}

_FOOD = ("origin", "shelf_life", "net_content", "producer")
_FRESH = ("origin", "shelf_life")
_ALCOHOL = (*_FOOD, "alcohol_content")
_BEAUTY = ("origin", "shelf_life", "producer")
_CRAFT = ("material", "origin")
_LIVE = ("origin",)

CATEGORIES: dict[str, Category] = {
    category.id: category
    for category in (
        Category("700437", "Thực phẩm & Đồ uống > Rau củ tươi & trái cây", _FRESH),
        Category("700441", "Thực phẩm & Đồ uống > Thịt, hải sản & trứng tươi", _FRESH),
        Category("700449", "Thực phẩm & Đồ uống > Gạo, ngũ cốc & hạt", _FOOD),
        Category("700452", "Thực phẩm & Đồ uống > Mật ong & siro", _FOOD),
        Category("700458", "Thực phẩm & Đồ uống > Thực phẩm ăn liền", _FOOD),
        Category("700461", "Thực phẩm & Đồ uống > Bánh tráng, bún, phở khô", _FOOD),
        Category("700466", "Thực phẩm & Đồ uống > Trái cây sấy & đồ ăn vặt", _FOOD),
        Category("700470", "Thực phẩm & Đồ uống > Thực phẩm khô & đóng hộp", _FOOD),
        Category("700475", "Thực phẩm & Đồ uống > Nước mắm & nước chấm", _FOOD),
        Category("700478", "Thực phẩm & Đồ uống > Gia vị & muối", _FOOD),
        Category("700483", "Thực phẩm & Đồ uống > Trà", _FOOD),
        Category("700485", "Thực phẩm & Đồ uống > Trà thảo mộc", _FOOD),
        Category("700488", "Thực phẩm & Đồ uống > Cà phê", _FOOD),
        Category("700494", "Thực phẩm & Đồ uống > Rượu truyền thống", _ALCOHOL),
        Category("700496", "Thực phẩm & Đồ uống > Đồ uống có cồn khác", _ALCOHOL),
        Category("700499", "Thực phẩm & Đồ uống > Nước uống đóng chai", _FOOD),
        Category("700502", "Thực phẩm & Đồ uống > Nước giải khát", _FOOD),
        Category("700645", "Sức khỏe > Thực phẩm bổ sung & thảo dược", _BEAUTY),
        Category("601450", "Làm đẹp & Chăm sóc cá nhân > Chăm sóc da thiên nhiên", _BEAUTY),
        Category("601502", "Làm đẹp & Chăm sóc cá nhân > Tinh dầu", _BEAUTY),
        Category("600024", "Nhà cửa & Đời sống > Đồ trang trí thủ công", _CRAFT),
        Category("601152", "Thời trang > Vải & trang phục truyền thống", _CRAFT),
        Category("600113", "Nhà cửa & Đời sống > Hoa tươi", _LIVE),
        Category("600117", "Nhà cửa & Đời sống > Cây cảnh", _LIVE),
        Category("602030", "Thú cưng > Cá cảnh & sinh vật cảnh", _LIVE),
    )
}

#: OCOP product set code -> TikTok category id (admin-editable once seeded).
DEFAULT_MAPPING: dict[str, str] = {
    "1.1.1": "700437",
    "1.1.2": "700441",
    "1.2.1": "700449",
    "1.2.2": "700452",
    "1.3.1": "700458",
    "1.3.2": "700461",
    "1.3.3": "700466",
    "1.3.4": "700470",
    "1.4.1": "700475",
    "1.4.2": "700478",
    "1.5.1": "700483",
    "1.5.2": "700485",
    "1.6.1": "700488",
    "2.1.1": "700494",
    "2.1.2": "700496",
    "2.2.1": "700499",
    "2.2.2": "700502",
    "3.1.1": "700645",
    "3.2.1": "601450",
    "3.3.1": "601502",
    "4.1.1": "600024",
    "4.2.1": "601152",
    "5.1.1": "600113",
    "5.2.1": "600117",
    "5.3.1": "602030",
}
