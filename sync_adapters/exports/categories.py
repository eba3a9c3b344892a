"""Category lists of the two export portals and the default OCOP product set -> category map.

Neither Postmart nor Vỏ Sò publishes its category tree or an import template; the names below
follow the "Ngành hàng > Danh mục" paths their storefronts show for the OCOP product kinds, and
are what the pack's category column carries (the helper picks the same path on the portal).
Required attributes name values a listing must carry: taken from ``ListingData.attributes``
first, then from the matching ``ListingData`` field (``attribute_value``).
"""

from __future__ import annotations

from collections.abc import Callable

from ..base import Category, ListingData

# Attribute names shared by both portals (the sheet's "Thuộc tính" column carries them).
EXPIRY = "Hạn sử dụng"
ALCOHOL = "Nồng độ cồn"
DECLARATION = "Số công bố sản phẩm"
COSMETIC_DECLARATION = "Số phiếu công bố mỹ phẩm"
MATERIAL = "Chất liệu"
STORAGE = "Cách bảo quản"

# Attributes that also live in a ListingData field (used when the mapping table leaves them out).
FIELD_ATTRIBUTES: dict[str, Callable[[ListingData], str]] = {
    "Thương hiệu": lambda d: d.brand,
    "Xuất xứ": lambda d: d.origin,
    EXPIRY: lambda d: d.shelf_life,
}


def attribute_value(data: ListingData, name: str) -> str:
    """An attribute's value: the mapping table's first, else the listing field it mirrors."""
    value = data.attributes.get(name, "").strip()
    if not value and name in FIELD_ATTRIBUTES:
        value = FIELD_ATTRIBUTES[name](data).strip()
    return value


def _tree(rows: list[tuple[str, str, tuple[str, ...]]]) -> dict[str, Category]:
    return {cid: Category(cid, name, attrs) for cid, name, attrs in rows}


POSTMART_CATEGORIES: dict[str, Category] = _tree(
    [
        ("pm-rau-cu", "Nông sản tươi > Rau, củ, quả", ()),
        ("pm-trai-cay", "Nông sản tươi > Trái cây", ()),
        ("pm-thit-trung-sua", "Thực phẩm tươi sống > Thịt, cá, trứng, sữa", (EXPIRY, STORAGE)),
        ("pm-gao", "Gạo, ngũ cốc > Gạo các loại", (EXPIRY,)),
        ("pm-mat-ong", "Đặc sản vùng miền > Mật ong, sản phẩm từ ong", (EXPIRY,)),
        ("pm-do-an-lien", "Thực phẩm chế biến > Đồ ăn nhanh, ăn liền", (EXPIRY,)),
        ("pm-bun-banh", "Thực phẩm chế biến > Bún, miến, bánh tráng, bánh gạo", (EXPIRY,)),
        ("pm-mut-kho", "Thực phẩm chế biến > Mứt, đồ khô, hạt sấy", (EXPIRY,)),
        ("pm-gio-cha", "Thực phẩm chế biến > Giò chả, thịt cá chế biến", (EXPIRY, STORAGE)),
        ("pm-nuoc-mam", "Gia vị > Nước mắm, nước chấm", (EXPIRY,)),
        ("pm-gia-vi", "Gia vị > Muối, tiêu, gia vị khô", (EXPIRY,)),
        ("pm-tra", "Trà, cà phê > Trà", (EXPIRY,)),
        ("pm-tra-thao-moc", "Trà, cà phê > Trà thảo mộc", (EXPIRY,)),
        ("pm-ca-phe", "Trà, cà phê > Cà phê, ca cao", (EXPIRY,)),
        ("pm-ruou", "Đồ uống > Rượu", (EXPIRY, ALCOHOL)),
        ("pm-nuoc-dong-chai", "Đồ uống > Nước uống đóng chai", (EXPIRY,)),
        ("pm-nuoc-giai-khat", "Đồ uống > Nước giải khát", (EXPIRY,)),
        ("pm-suc-khoe", "Sức khỏe > Thực phẩm chức năng, dược liệu", (EXPIRY, DECLARATION)),
        ("pm-my-pham", "Sức khỏe > Mỹ phẩm thiên nhiên", (COSMETIC_DECLARATION,)),
        ("pm-tinh-dau", "Sức khỏe > Tinh dầu, thảo dược", ()),
        ("pm-thu-cong", "Thủ công mỹ nghệ > Đồ gia dụng, trang trí", (MATERIAL,)),
        ("pm-vai-may-mac", "Thủ công mỹ nghệ > Vải, thổ cẩm, may mặc", (MATERIAL,)),
        ("pm-hoa", "Hoa, cây cảnh > Hoa", ()),
        ("pm-cay-canh", "Hoa, cây cảnh > Cây cảnh", ()),
        ("pm-sinh-vat-canh", "Hoa, cây cảnh > Sinh vật cảnh", ()),
    ]
)

POSTMART_DEFAULT_MAPPING: dict[str, str] = {
    "1.1.1": "pm-rau-cu",
    "1.1.2": "pm-thit-trung-sua",
    "1.2.1": "pm-gao",
    "1.2.2": "pm-mat-ong",
    "1.3.1": "pm-do-an-lien",
    "1.3.2": "pm-bun-banh",
    "1.3.3": "pm-mut-kho",
    "1.3.4": "pm-gio-cha",
    "1.4.1": "pm-nuoc-mam",
    "1.4.2": "pm-gia-vi",
    "1.5.1": "pm-tra",
    "1.5.2": "pm-tra-thao-moc",
    "1.6.1": "pm-ca-phe",
    "2.1.1": "pm-ruou",
    "2.1.2": "pm-ruou",
    "2.2.1": "pm-nuoc-dong-chai",
    "2.2.2": "pm-nuoc-giai-khat",
    "3.1.1": "pm-suc-khoe",
    "3.2.1": "pm-my-pham",
    "3.3.1": "pm-tinh-dau",
    "4.1.1": "pm-thu-cong",
    "4.2.1": "pm-vai-may-mac",
    "5.1.1": "pm-hoa",
    "5.2.1": "pm-cay-canh",
    "5.3.1": "pm-sinh-vat-canh",
}

VOSO_CATEGORIES: dict[str, Category] = _tree(
    [
        ("vs-rau-cu-qua", "Nông sản > Rau củ quả tươi", ()),
        ("vs-thit-ca-trung", "Thực phẩm tươi > Thịt, cá, trứng, sữa", (EXPIRY, STORAGE)),
        ("vs-gao-ngu-coc", "Nông sản > Gạo, ngũ cốc", (EXPIRY,)),
        ("vs-mat-ong", "Đặc sản > Mật ong, nông sản sơ chế", (EXPIRY,)),
        ("vs-an-lien", "Thực phẩm khô > Đồ ăn liền", (EXPIRY,)),
        ("vs-bun-mien", "Thực phẩm khô > Bún, miến, phở, bánh đa", (EXPIRY,)),
        ("vs-banh-mut", "Đặc sản > Bánh mứt, hoa quả sấy, hạt", (EXPIRY,)),
        ("vs-che-bien-man", "Đặc sản > Thịt, cá chế biến", (EXPIRY, STORAGE)),
        ("vs-nuoc-mam", "Gia vị > Nước mắm, nước tương", (EXPIRY,)),
        ("vs-gia-vi", "Gia vị > Muối, tiêu, gia vị khác", (EXPIRY,)),
        ("vs-tra", "Đồ uống > Trà", (EXPIRY,)),
        ("vs-tra-thao-duoc", "Đồ uống > Trà thảo dược", (EXPIRY,)),
        ("vs-ca-phe", "Đồ uống > Cà phê, ca cao", (EXPIRY,)),
        ("vs-ruou", "Đồ uống > Rượu, đồ uống có cồn", (EXPIRY, ALCOHOL)),
        ("vs-nuoc-uong", "Đồ uống > Nước khoáng, nước tinh khiết", (EXPIRY,)),
        ("vs-giai-khat", "Đồ uống > Nước giải khát, nước ép", (EXPIRY,)),
        ("vs-suc-khoe", "Sức khỏe > Thực phẩm bảo vệ sức khỏe", (EXPIRY, DECLARATION)),
        ("vs-lam-dep", "Làm đẹp > Mỹ phẩm thảo dược", (COSMETIC_DECLARATION,)),
        ("vs-tinh-dau", "Làm đẹp > Tinh dầu", ()),
        ("vs-thu-cong", "Nhà cửa > Đồ thủ công, trang trí", (MATERIAL,)),
        ("vs-det-may", "Thời trang > Vải, thổ cẩm, trang phục", (MATERIAL,)),
        ("vs-hoa-cay", "Nhà cửa > Hoa, cây cảnh", ()),
        ("vs-vat-nuoi", "Nhà cửa > Sinh vật cảnh", ()),
    ]
)

VOSO_DEFAULT_MAPPING: dict[str, str] = {
    "1.1.1": "vs-rau-cu-qua",
    "1.1.2": "vs-thit-ca-trung",
    "1.2.1": "vs-gao-ngu-coc",
    "1.2.2": "vs-mat-ong",
    "1.3.1": "vs-an-lien",
    "1.3.2": "vs-bun-mien",
    "1.3.3": "vs-banh-mut",
    "1.3.4": "vs-che-bien-man",
    "1.4.1": "vs-nuoc-mam",
    "1.4.2": "vs-gia-vi",
    "1.5.1": "vs-tra",
    "1.5.2": "vs-tra-thao-duoc",
    "1.6.1": "vs-ca-phe",
    "2.1.1": "vs-ruou",
    "2.1.2": "vs-ruou",
    "2.2.1": "vs-nuoc-uong",
    "2.2.2": "vs-giai-khat",
    "3.1.1": "vs-suc-khoe",
    "3.2.1": "vs-lam-dep",
    "3.3.1": "vs-tinh-dau",
    "4.1.1": "vs-thu-cong",
    "4.2.1": "vs-det-may",
    "5.1.1": "vs-hoa-cay",
    "5.2.1": "vs-hoa-cay",
    "5.3.1": "vs-vat-nuoi",
}
