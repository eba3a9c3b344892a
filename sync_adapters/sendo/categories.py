"""Sendo's level-4 categories (``cat_4_id``) for OCOP products, and the default OCOP set code ->
category.

Attribute codes are Sendo's (``GET /api/partner/category/attribute/{cat_4_id}``): every
category asks for ``thuong_hieu`` (brand) and ``xuat_xu`` (origin); food and drinks also for
``han_su_dung`` (shelf life). The ids are a curated snapshot of the level-4 tree; the admin
mapping table can point a set code at any other id.
"""

from __future__ import annotations

from ..base import Category

_GOODS = ("thuong_hieu", "xuat_xu")
_FOOD = (*_GOODS, "han_su_dung")

_THUC_PHAM = "Thực phẩm"
_DO_UONG = "Đồ uống"
_SUC_KHOE = "Sức khỏe - Làm đẹp"
_NHA_CUA = "Nhà cửa - Đời sống"

_TREE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("2501", f"{_THUC_PHAM} > Thực phẩm tươi sống > Rau củ quả", _FOOD),
    ("2502", f"{_THUC_PHAM} > Thực phẩm tươi sống > Thịt, cá, trứng, sữa", _FOOD),
    ("2511", f"{_THUC_PHAM} > Gạo - Ngũ cốc > Gạo đặc sản", _FOOD),
    ("2521", f"{_THUC_PHAM} > Đặc sản vùng miền > Mật ong - Sản phẩm từ ong", _FOOD),
    ("2531", f"{_THUC_PHAM} > Thực phẩm chế biến > Đồ ăn liền", _FOOD),
    ("2532", f"{_THUC_PHAM} > Thực phẩm chế biến > Bánh tráng - Bún - Miến", _FOOD),
    ("2533", f"{_THUC_PHAM} > Đặc sản vùng miền > Trái cây sấy - Các loại hạt", _FOOD),
    ("2534", f"{_THUC_PHAM} > Đặc sản vùng miền > Khô - Chả - Mắm", _FOOD),
    ("2541", f"{_THUC_PHAM} > Gia vị > Nước mắm - Nước chấm", _FOOD),
    ("2542", f"{_THUC_PHAM} > Gia vị > Muối - Tiêu - Gia vị khô", _FOOD),
    ("2601", f"{_DO_UONG} > Trà > Trà xanh - Trà búp", _FOOD),
    ("2602", f"{_DO_UONG} > Trà > Trà thảo mộc", _FOOD),
    ("2611", f"{_DO_UONG} > Cà phê - Ca cao > Cà phê bột - Cà phê hạt", _FOOD),
    ("2621", f"{_DO_UONG} > Đồ uống có cồn > Rượu truyền thống", _FOOD),
    ("2622", f"{_DO_UONG} > Đồ uống có cồn > Rượu vang - Rượu trái cây", _FOOD),
    ("2631", f"{_DO_UONG} > Nước uống > Nước khoáng - Nước tinh khiết", _FOOD),
    ("2632", f"{_DO_UONG} > Nước uống > Nước ép - Nước giải khát", _FOOD),
    ("2701", f"{_SUC_KHOE} > Thực phẩm chức năng > Thảo dược", _FOOD),
    ("2711", f"{_SUC_KHOE} > Mỹ phẩm > Mỹ phẩm thiên nhiên", _GOODS),
    ("2712", f"{_SUC_KHOE} > Tinh dầu > Tinh dầu thiên nhiên", _GOODS),
    ("2801", f"{_NHA_CUA} > Trang trí nhà cửa > Đồ thủ công mỹ nghệ", _GOODS),
    ("2802", f"{_NHA_CUA} > Vải - Chăn ga > Vải thổ cẩm", _GOODS),
    ("2811", f"{_NHA_CUA} > Cây cảnh - Hoa > Hoa tươi", _GOODS),
    ("2812", f"{_NHA_CUA} > Cây cảnh - Hoa > Cây cảnh - Bonsai", _GOODS),
    ("2813", f"{_NHA_CUA} > Thú cưng > Cá cảnh - Chim cảnh", _GOODS),
)

CATEGORIES: dict[str, Category] = {
    cid: Category(id=cid, name=name, required_attributes=attrs) for cid, name, attrs in _TREE
}

#: OCOP product set code -> Sendo cat_4_id (6.1.1 tourism services is never listed).
DEFAULT_MAPPING: dict[str, str] = {
    "1.1.1": "2501",
    "1.1.2": "2502",
    "1.2.1": "2511",
    "1.2.2": "2521",
    "1.3.1": "2531",
    "1.3.2": "2532",
    "1.3.3": "2533",
    "1.3.4": "2534",
    "1.4.1": "2541",
    "1.4.2": "2542",
    "1.5.1": "2601",
    "1.5.2": "2602",
    "1.6.1": "2611",
    "2.1.1": "2621",
    "2.1.2": "2622",
    "2.2.1": "2631",
    "2.2.2": "2632",
    "3.1.1": "2701",
    "3.2.1": "2711",
    "3.3.1": "2712",
    "4.1.1": "2801",
    "4.2.1": "2802",
    "5.1.1": "2811",
    "5.2.1": "2812",
    "5.3.1": "2813",
}
