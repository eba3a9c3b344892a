"""Shopee Việt Nam leaf categories for OCOP product kinds, their required attributes, and the
default OCOP product set code -> category mapping.

Shopee only accepts leaf categories (``v2.product.get_category``: ``has_children`` false) and
names attributes by numeric id (``v2.product.get_attribute_tree``). The ids below form the
tree our sandbox serves; a live shop's ids come from those two calls and are entered by the
admin in the mapping table, which this module only seeds.
"""

from __future__ import annotations

from ..base import Category

# Attribute names as Shopee shows them to Vietnamese sellers -> Shopee attribute id.
ORIGIN = "Xuất xứ"
EXPIRY = "Hạn sử dụng"
MATERIAL = "Chất liệu"
ALCOHOL = "Nồng độ cồn"
NET_WEIGHT = "Khối lượng tịnh"

ATTRIBUTE_IDS: dict[str, int] = {
    ORIGIN: 100037,
    EXPIRY: 100095,
    MATERIAL: 100134,
    ALCOHOL: 100422,
    NET_WEIGHT: 100999,
}

_FOOD = (ORIGIN, EXPIRY)
_PACKED_FOOD = (ORIGIN, EXPIRY, NET_WEIGHT)

_TREE: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (101842, "Bách Hóa Online > Thực phẩm tươi sống > Rau củ & trái cây", (ORIGIN,)),
    (101843, "Bách Hóa Online > Thực phẩm tươi sống > Thịt, cá, trứng & sữa", _FOOD),
    (101851, "Bách Hóa Online > Gạo & ngũ cốc > Gạo", _PACKED_FOOD),
    (101852, "Bách Hóa Online > Gạo & ngũ cốc > Ngũ cốc & đậu hạt", _PACKED_FOOD),
    (101860, "Bách Hóa Online > Nông sản khô > Mật ong & sản phẩm từ ong", _PACKED_FOOD),
    (101871, "Bách Hóa Online > Đồ ăn vặt > Thực phẩm ăn liền", _PACKED_FOOD),
    (101872, "Bách Hóa Online > Đồ ăn vặt > Bánh kẹo truyền thống", _PACKED_FOOD),
    (101873, "Bách Hóa Online > Đồ ăn vặt > Trái cây sấy & các loại hạt", _PACKED_FOOD),
    (101874, "Bách Hóa Online > Đồ ăn vặt > Khô, chà bông & đặc sản chế biến", _PACKED_FOOD),
    (101881, "Bách Hóa Online > Nguyên liệu nấu ăn > Nước mắm & nước chấm", _PACKED_FOOD),
    (101882, "Bách Hóa Online > Nguyên liệu nấu ăn > Gia vị, muối & tiêu", _PACKED_FOOD),
    (101891, "Bách Hóa Online > Đồ uống > Trà", _PACKED_FOOD),
    (101892, "Bách Hóa Online > Đồ uống > Trà thảo mộc", _PACKED_FOOD),
    (101893, "Bách Hóa Online > Đồ uống > Cà phê & ca cao", _PACKED_FOOD),
    (101894, "Bách Hóa Online > Đồ uống > Nước khoáng & nước tinh khiết", _FOOD),
    (101895, "Bách Hóa Online > Đồ uống > Nước ép & nước giải khát", _FOOD),
    (101901, "Bách Hóa Online > Đồ uống có cồn > Rượu truyền thống", (*_FOOD, ALCOHOL)),
    (
        101902,
        "Bách Hóa Online > Đồ uống có cồn > Rượu vang & đồ uống có cồn khác",
        (*_FOOD, ALCOHOL),
    ),
    (102011, "Sức Khỏe > Thực phẩm chức năng > Thực phẩm bảo vệ sức khỏe", _PACKED_FOOD),
    (102021, "Sức Khỏe > Thảo dược & tinh dầu > Tinh dầu thiên nhiên", _FOOD),
    (102131, "Sắc Đẹp > Chăm sóc da > Mỹ phẩm thiên nhiên", _FOOD),
    (103211, "Nhà Cửa & Đời Sống > Trang trí nhà cửa > Đồ thủ công mỹ nghệ", (ORIGIN, MATERIAL)),
    (103221, "Nhà Cửa & Đời Sống > Dụng cụ gia đình > Đồ dùng thủ công", (ORIGIN, MATERIAL)),
    (103311, "Thời Trang Nữ > Trang phục truyền thống > Vải & đồ dệt thủ công", (ORIGIN, MATERIAL)),
    (103411, "Nhà Cửa & Đời Sống > Làm vườn > Hoa & cây giống", (ORIGIN,)),
    (103412, "Nhà Cửa & Đời Sống > Làm vườn > Cây cảnh & bonsai", (ORIGIN,)),
)

CATEGORIES: dict[str, Category] = {
    str(cid): Category(id=str(cid), name=name, required_attributes=attrs)
    for cid, name, attrs in _TREE
}

#: OCOP product set code -> Shopee category id. 5.3.1 (ornamental animals) is absent: Shopee
#: prohibits live animals; 6.1.1 (tourism services) is never listed.
DEFAULT_MAPPING: dict[str, str] = {
    "1.1.1": "101842",
    "1.1.2": "101843",
    "1.2.1": "101851",
    "1.2.2": "101860",
    "1.3.1": "101871",
    "1.3.2": "101872",
    "1.3.3": "101873",
    "1.3.4": "101874",
    "1.4.1": "101881",
    "1.4.2": "101882",
    "1.5.1": "101891",
    "1.5.2": "101892",
    "1.6.1": "101893",
    "2.1.1": "101901",
    "2.1.2": "101902",
    "2.2.1": "101894",
    "2.2.2": "101895",
    "3.1.1": "102011",
    "3.2.1": "102131",
    "3.3.1": "102021",
    "4.1.1": "103211",
    "4.2.1": "103311",
    "5.1.1": "103411",
    "5.2.1": "103412",
}
