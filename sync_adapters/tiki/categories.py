"""Tiki's primary categories for OCOP products, and the default OCOP set code -> category.

Only *primary* categories (``"primary": 1`` in ``GET /integration/v2/categories``) accept a
product request. Attribute codes are Tiki's (``GET /integration/v2/categories/{id}/attributes``):
every category needs ``brand``, ``brand_country``, ``origin`` and ``product_weight_kg``; food
and drinks also ``require_expiry_date``. The ids below are a curated snapshot; the admin
mapping table can point a set code at any other id the live tree offers.
"""

from __future__ import annotations

from ..base import Category

_GOODS = ("brand", "brand_country", "origin", "product_weight_kg")
_FOOD = (*_GOODS, "require_expiry_date")

_BACH_HOA = "Bách Hóa Online"
_LAM_DEP = "Làm Đẹp - Sức Khỏe"
_NHA_CUA = "Nhà Cửa - Đời Sống"

_TREE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("8273", f"{_BACH_HOA} > Rau - Củ - Trái cây tươi", _FOOD),
    ("8274", f"{_BACH_HOA} > Thịt - Cá - Trứng - Sữa tươi", _FOOD),
    ("4422", f"{_BACH_HOA} > Gạo - Ngũ cốc", _FOOD),
    ("4419", f"{_BACH_HOA} > Mật ong - Sản phẩm từ ong", _FOOD),
    ("4406", f"{_BACH_HOA} > Mì - Phở - Cháo ăn liền", _FOOD),
    ("4407", f"{_BACH_HOA} > Bánh - Bún - Phở khô từ gạo", _FOOD),
    ("4411", f"{_BACH_HOA} > Trái cây sấy - Hạt dinh dưỡng", _FOOD),
    ("4412", f"{_BACH_HOA} > Khô - Đồ chế biến từ thịt, cá", _FOOD),
    ("4416", f"{_BACH_HOA} > Gia vị > Nước mắm - Nước chấm", _FOOD),
    ("4417", f"{_BACH_HOA} > Gia vị > Muối - Tiêu - Gia vị khô", _FOOD),
    ("4402", f"{_BACH_HOA} > Đồ uống > Trà", _FOOD),
    ("4403", f"{_BACH_HOA} > Đồ uống > Trà thảo mộc", _FOOD),
    ("4404", f"{_BACH_HOA} > Đồ uống > Cà phê - Ca cao", _FOOD),
    ("4425", f"{_BACH_HOA} > Đồ uống có cồn > Rượu truyền thống", _FOOD),
    ("4426", f"{_BACH_HOA} > Đồ uống có cồn > Rượu vang - Đồ uống có cồn khác", _FOOD),
    ("4400", f"{_BACH_HOA} > Đồ uống > Nước khoáng - Nước tinh khiết", _FOOD),
    ("4401", f"{_BACH_HOA} > Đồ uống > Nước giải khát", _FOOD),
    ("8314", f"{_LAM_DEP} > Thực phẩm chức năng", _FOOD),
    ("8315", f"{_LAM_DEP} > Mỹ phẩm thiên nhiên", _GOODS),
    ("8316", f"{_LAM_DEP} > Tinh dầu - Thảo dược", _GOODS),
    ("1951", f"{_NHA_CUA} > Đồ thủ công mỹ nghệ - Trang trí", _GOODS),
    ("1952", f"{_NHA_CUA} > Vải - Thổ cẩm - Dệt may thủ công", _GOODS),
    ("1953", f"{_NHA_CUA} > Hoa tươi", _GOODS),
    ("1954", f"{_NHA_CUA} > Cây cảnh - Bonsai", _GOODS),
)

CATEGORIES: dict[str, Category] = {
    cid: Category(id=cid, name=name, required_attributes=attrs) for cid, name, attrs in _TREE
}

#: OCOP product set code -> Tiki category id. 5.3.1 (ornamental animals) is absent on purpose:
#: Tiki does not sell live animals. 6.1.1 (tourism services) is never listed.
DEFAULT_MAPPING: dict[str, str] = {
    "1.1.1": "8273",
    "1.1.2": "8274",
    "1.2.1": "4422",
    "1.2.2": "4419",
    "1.3.1": "4406",
    "1.3.2": "4407",
    "1.3.3": "4411",
    "1.3.4": "4412",
    "1.4.1": "4416",
    "1.4.2": "4417",
    "1.5.1": "4402",
    "1.5.2": "4403",
    "1.6.1": "4404",
    "2.1.1": "4425",
    "2.1.2": "4426",
    "2.2.1": "4400",
    "2.2.2": "4401",
    "3.1.1": "8314",
    "3.2.1": "8315",
    "3.3.1": "8316",
    "4.1.1": "1951",
    "4.2.1": "1952",
    "5.1.1": "1953",
    "5.2.1": "1954",
}
