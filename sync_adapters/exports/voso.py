"""Vỏ Sò (voso.vn, Viettel Post): the pack its seller centre takes by hand.

Vỏ Sò has no public seller API and publishes no bulk-import template. Its seller guides
(tintuc.voso.vn) send sellers ("nhà cung cấp", NCC) to the seller centre at
https://mc.voso.vn/site/login, where products, flash sales and orders are managed. The sheet
below is therefore a template we designed after that portal's product form: one header row
with (*) on required columns, the category as the portal's "ngành hàng" path, price in whole
đồng, packed weight in grams (what Viettel Post's rates use), one column per photo (up to 8)
referenced by file name, plus "Hướng dẫn" and "Danh mục" sheets. The limits (name 120,
description 50-3,000 characters, 50 kg, 1-8 photos of at least 500 px) are conservative
choices, not published numbers.
"""

from __future__ import annotations

from ..images import ImageSpec
from .categories import VOSO_CATEGORIES, VOSO_DEFAULT_MAPPING
from .common import PortalWriter
from .sheet import column, image_column

MAX_PHOTOS = 8


class VosoWriter(PortalWriter):
    """Writes the Vỏ Sò pack: sheet, square photos, certificate scans, README."""

    code = "voso"
    name = "Vỏ Sò"
    categories = VOSO_CATEGORIES
    default_mapping = VOSO_DEFAULT_MAPPING
    image_spec = ImageSpec(min_px=500, max_px=1000, max_bytes=1_000_000, max_count=MAX_PHOTOS)
    name_max = 120
    description_min = 50
    description_max = 3000
    weight_max_grams = 50_000
    portal_url = "https://mc.voso.vn/site/login"
    workbook_name = "voso_san_pham.xlsx"
    sheet_title = "Sản phẩm"
    url_example = "https://voso.vn/…"
    columns = (
        column("sku", "Mã SKU", required=True),
        column("name", "Tên sản phẩm", required=True),
        column("category", "Ngành hàng", required=True),
        column("price", "Giá bán (đồng)", required=True),
        column("stock", "Tồn kho", required=True),
        column("unit", "Đơn vị", required=True),
        column("net_quantity", "Khối lượng tịnh"),
        column("weight", "Trọng lượng đóng gói (gram)", required=True),
        column("length", "Chiều dài (cm)"),
        column("width", "Chiều rộng (cm)"),
        column("height", "Chiều cao (cm)"),
        column("brand", "Thương hiệu", required=True),
        column("origin", "Nơi sản xuất", required=True),
        column("producer", "Nhà sản xuất"),
        column("shelf_life", "Hạn sử dụng"),
        column("description", "Mô tả chi tiết", required=True),
        *(image_column(n, f"Hình ảnh {n}", required=n == 1) for n in range(1, MAX_PHOTOS + 1)),
        column("ocop_stars", "Sản phẩm OCOP (số sao)"),
        column("certificate_text", "Chứng nhận"),
        column("certificate_files", "Tệp chứng nhận"),
        column("attributes", "Thuộc tính"),
        column("status", "Trạng thái"),
    )
    sheet_notes = (
        "Bảng theo các trường của trang thêm sản phẩm trên mc.voso.vn "
        "(Vỏ Sò chưa công bố mẫu nhập hàng loạt).",
        "Mỗi dòng một sản phẩm; cột có dấu (*) là bắt buộc.",
        "Giá bán là số nguyên, đơn vị đồng; trọng lượng đóng gói tính bằng gram.",
        "Mỗi cột “Hình ảnh” là tên một ảnh vuông JPEG trong thư mục images/, tối đa 8 ảnh.",
    )
    upload_steps = (
        "Giải nén gói này vào một thư mục trên máy tính.",
        "Đăng nhập https://mc.voso.vn/site/login bằng tài khoản nhà cung cấp của người bán.",
        "Nếu mục quản lý sản phẩm có chức năng nhập từ tệp Excel: tải lên voso_san_pham.xlsx, "
        "rồi tải các ảnh trong images/ đúng tên ghi ở các cột Hình ảnh.",
        "Nếu không: vào quản lý sản phẩm, chọn thêm mới và điền theo từng dòng của bảng "
        "(tên, ngành hàng, giá, tồn kho, trọng lượng, mô tả); Hình ảnh 1 là ảnh đại diện.",
        "Khi sàn hỏi giấy tờ, đính kèm các tệp trong certificates/<mã>/.",
        "Lưu và gửi duyệt; sàn duyệt xong thì sản phẩm hiện trên voso.vn.",
    )
