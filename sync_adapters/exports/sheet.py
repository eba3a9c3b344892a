"""The portals' sheet, column by column: what a row holds, each shared field's column (value,
width, number format and how to fill it), and text cells written safely."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ..base import Category, ExportItem, ListingData
from .categories import EXPIRY, FIELD_ATTRIBUTES, attribute_value

Cell = str | int | None


def text(value: str) -> str:
    """NFC, without the control characters a worksheet cannot hold, trimmed."""
    return ILLEGAL_CHARACTERS_RE.sub("", unicodedata.normalize("NFC", value)).strip()


@dataclass(frozen=True)
class Row:
    """One product as the sheet sees it: its data plus the pack's file names for it."""

    index: int
    item: ExportItem
    category: Category
    images: tuple[str, ...]
    certificates: tuple[str, ...]

    @property
    def data(self) -> ListingData:
        """The listing data."""
        return self.item.data


@dataclass(frozen=True)
class Column:
    """One column of a portal's sheet."""

    header: str
    value: Callable[[Row], Cell]
    help: str
    required: bool = False
    width: int = 18
    number_format: str = "General"
    key: str = ""  # the shared field it shows ("category" gets the drop-down)

    @property
    def title(self) -> str:
        """The header cell: portals mark required columns with (*)."""
        return f"{self.header} (*)" if self.required else self.header


def _other_attributes(row: Row) -> str:
    own = set(FIELD_ATTRIBUTES)
    names = [a for a in row.category.required_attributes if a not in own]
    names += sorted(a for a in row.data.attributes if a not in own and a not in names)
    pairs = [(a, attribute_value(row.data, a)) for a in names]
    return "; ".join(f"{a}: {v}" for a, v in pairs if v)


def _nth_image(n: int) -> Callable[[Row], Cell]:
    return lambda r: r.images[n - 1] if len(r.images) >= n else None


# key -> (value, width, number format); HELP says how to fill it. The portals differ in
# headers, order and which columns are required, not in what a field holds.
FIELDS: dict[str, tuple[Callable[[Row], Cell], int, str]] = {
    "stt": (lambda r: r.index, 6, "0"),
    "sku": (lambda r: r.data.sku, 16, "@"),
    "name": (lambda r: r.data.name, 40, "@"),
    "category": (lambda r: r.category.name, 36, "@"),
    "brand": (lambda r: r.data.brand, 16, "@"),
    "origin": (lambda r: r.data.origin, 18, "@"),
    "unit": (lambda r: r.data.unit, 10, "@"),
    "net_quantity": (lambda r: r.data.net_quantity, 14, "@"),
    "price": (lambda r: r.data.price_vnd, 14, "#,##0"),
    "stock": (lambda r: r.data.stock, 10, "0"),
    "weight": (lambda r: r.data.weight_grams, 12, "0"),
    "length": (lambda r: r.data.length_cm, 10, "0"),
    "width": (lambda r: r.data.width_cm, 10, "0"),
    "height": (lambda r: r.data.height_cm, 10, "0"),
    "shelf_life": (lambda r: attribute_value(r.data, EXPIRY), 14, "@"),
    "description": (lambda r: r.data.description, 60, "@"),
    "main_image": (_nth_image(1), 22, "@"),
    "more_images": (lambda r: "; ".join(r.images[1:]) or None, 40, "@"),
    "ocop_stars": (lambda r: r.data.ocop_stars, 8, "0"),
    "certificate_text": (lambda r: r.item.certificate_text or None, 36, "@"),
    "certificate_files": (lambda r: "; ".join(r.certificates) or None, 40, "@"),
    "producer": (lambda r: r.data.producer_name, 28, "@"),
    "attributes": (lambda r: _other_attributes(r) or None, 36, "@"),
    "status": (lambda r: "Hiển thị" if r.data.active else "Ẩn", 10, "@"),
}
HELP: dict[str, str] = {
    "stt": "Số thứ tự dòng.",
    "sku": "Mã sản phẩm của người bán, không trùng nhau; tên ảnh bắt đầu bằng mã này.",
    "name": "Tên đầy đủ: loại sản phẩm, thương hiệu, quy cách.",
    "category": "Đường dẫn danh mục đúng như trên sàn; chọn trong sheet “Danh mục”.",
    "brand": "Thương hiệu; không có thì ghi No Brand.",
    "origin": "Tỉnh/thành nơi sản xuất.",
    "unit": "Đơn vị bán: chai, hộp, gói, kg…",
    "net_quantity": "Khối lượng hoặc thể tích tịnh: 500 ml, 200 g…",
    "price": "Số nguyên, đơn vị đồng; không ghi dấu chấm hay chữ đ.",
    "stock": "Số lượng đang có để bán, số nguyên (0 là tạm hết).",
    "weight": "Khối lượng cả bao bì, đơn vị gram, số nguyên (sàn dùng để tính cước).",
    "length": "Chiều dài hộp, cm.",
    "width": "Chiều rộng hộp, cm.",
    "height": "Chiều cao hộp, cm.",
    "shelf_life": "Hạn sử dụng: 12 tháng kể từ ngày sản xuất…",
    "description": "Mô tả chi tiết: nguồn gốc, thành phần, cách dùng, bảo quản.",
    "main_image": "Tên tệp ảnh đại diện trong thư mục images/.",
    "more_images": "Tên các tệp ảnh khác trong thư mục images/, cách nhau bởi dấu chấm phẩy.",
    "ocop_stars": "Hạng sao OCOP (3, 4 hoặc 5).",
    "certificate_text": "Giấy chứng nhận OCOP: số quyết định, ngày hết hiệu lực.",
    "certificate_files": "Bản chụp giấy chứng nhận trong thư mục certificates/.",
    "producer": "Cơ sở, hợp tác xã hoặc doanh nghiệp sản xuất.",
    "attributes": "Thuộc tính danh mục yêu cầu, dạng Tên: giá trị; cách nhau bởi dấu chấm phẩy.",
    "status": "Hiển thị: bán ngay. Ẩn: đăng nhưng tạm ẩn với người mua.",
}


def column(key: str, header: str, *, required: bool = False) -> Column:
    """A column of a shared field under the portal's own header."""
    value, width, number_format = FIELDS[key]
    return Column(header, value, HELP[key], required, width, number_format, key)


def image_column(n: int, header: str, *, required: bool = False) -> Column:
    """The n-th photo's file name in a column of its own (n from 1)."""
    note = "Tên tệp ảnh đại diện" if n == 1 else f"Tên tệp ảnh thứ {n}"
    return Column(header, _nth_image(n), f"{note} trong thư mục images/.", required, 20, "@")


def put(sheet: Any, row: int, col: int, value: Cell) -> Any:
    """Set a cell; text stays text even when it starts with "=" (no formula injection)."""
    cell = sheet.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = text(value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell
