"""A slice of Lazada Vietnam's category tree covering OCOP product kinds.

Ids and names follow the shape of ``/category/tree/get`` (leaf categories only: a product
must sit on a leaf). ``required_attributes`` are the keys ``/product/create`` insists on for
the category (besides name, description and the SKU fields), as ``Attributes`` entries.
"""

from __future__ import annotations

from ..base import Category

_FOOD = ("brand", "origin", "shelf_life", "net_content")
_FRESH = ("brand", "origin")
_DRINK = ("brand", "origin", "shelf_life", "net_content")
_ALCOHOL = ("brand", "origin", "shelf_life", "net_content", "alcohol_content")
_BEAUTY = ("brand", "origin", "shelf_life")
_CRAFT = ("brand", "material")
_LIVE = ("brand", "origin")

CATEGORIES: dict[str, Category] = {
    category.id: category
    for category in (
        Category("10003301", "Bách hóa > Thực phẩm tươi > Rau củ quả", _FRESH),
        Category("10003305", "Bách hóa > Thực phẩm tươi > Thịt, cá, trứng & sữa", _FRESH),
        Category("10003312", "Bách hóa > Gạo & ngũ cốc > Gạo", _FOOD),
        Category("10003318", "Bách hóa > Nông sản > Mật ong & sản phẩm từ ong", _FOOD),
        Category("10003324", "Bách hóa > Thực phẩm ăn liền > Mì, cháo & món ăn liền", _FOOD),
        Category("10003327", "Bách hóa > Gạo & ngũ cốc > Bánh tráng, bún & miến", _FOOD),
        Category("10003331", "Bách hóa > Đồ ăn vặt > Trái cây sấy, mứt & hạt", _FOOD),
        Category("10003336", "Bách hóa > Thực phẩm chế biến > Chả, khô & đồ hộp", _FOOD),
        Category("10003342", "Bách hóa > Gia vị > Nước mắm & nước chấm", _FOOD),
        Category("10003344", "Bách hóa > Gia vị > Muối, tiêu & gia vị khô", _FOOD),
        Category("10003351", "Bách hóa > Đồ uống > Trà", _DRINK),
        Category("10003353", "Bách hóa > Đồ uống > Trà thảo mộc", _DRINK),
        Category("10003356", "Bách hóa > Đồ uống > Cà phê & ca cao", _DRINK),
        Category("10003362", "Bách hóa > Đồ uống có cồn > Rượu truyền thống", _ALCOHOL),
        Category(
            "10003364", "Bách hóa > Đồ uống có cồn > Rượu vang & đồ uống có cồn khác", _ALCOHOL
        ),
        Category("10003367", "Bách hóa > Đồ uống > Nước uống đóng chai", _DRINK),
        Category("10003369", "Bách hóa > Đồ uống > Nước giải khát", _DRINK),
        Category(
            "10004102", "Sức khỏe > Thực phẩm chức năng > Thảo dược", _BEAUTY + ("net_content",)
        ),
        Category("10004215", "Sắc đẹp > Chăm sóc da > Mỹ phẩm thiên nhiên", _BEAUTY),
        Category("10004231", "Sắc đẹp > Tinh dầu & liệu pháp hương thơm", _BEAUTY),
        Category("10005120", "Nhà cửa > Trang trí > Đồ thủ công mỹ nghệ", _CRAFT),
        Category("10005410", "Thời trang > Vải & trang phục truyền thống", _CRAFT),
        Category("10005630", "Nhà cửa > Làm vườn > Hoa tươi", _LIVE),
        Category("10005634", "Nhà cửa > Làm vườn > Cây cảnh & bonsai", _LIVE),
        Category("10005702", "Thú cưng > Cá cảnh & sinh vật cảnh", _LIVE),
    )
}

#: OCOP product set code -> Lazada category id (admin-editable once seeded).
DEFAULT_MAPPING: dict[str, str] = {
    "1.1.1": "10003301",
    "1.1.2": "10003305",
    "1.2.1": "10003312",
    "1.2.2": "10003318",
    "1.3.1": "10003324",
    "1.3.2": "10003327",
    "1.3.3": "10003331",
    "1.3.4": "10003336",
    "1.4.1": "10003342",
    "1.4.2": "10003344",
    "1.5.1": "10003351",
    "1.5.2": "10003353",
    "1.6.1": "10003356",
    "2.1.1": "10003362",
    "2.1.2": "10003364",
    "2.2.1": "10003367",
    "2.2.2": "10003369",
    "3.1.1": "10004102",
    "3.2.1": "10004215",
    "3.3.1": "10004231",
    "4.1.1": "10005120",
    "4.2.1": "10005410",
    "5.1.1": "10005630",
    "5.2.1": "10005634",
    "5.3.1": "10005702",
}
