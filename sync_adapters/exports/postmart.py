"""Postmart (postmart.vn, Vietnam Post): the pack its supplier portal takes by hand.

Postmart has no public seller API and publishes no bulk-import template. Its supplier guide
(tintuc.postmart.vn, "Hướng dẫn sử dụng hệ thống quản trị Postmart dành cho nhà cung cấp")
says sellers ("nhà cung cấp", NCC) manage products at ncc.postmart.vn after registering
through "Bán hàng cùng Postmart". The sheet below is therefore a template we designed after
the fields of that portal's product form: one header row with (*) on required columns, the
category as the portal's category path, price in whole đồng, weight in grams (what Vietnam
Post's shipping rates use), photos referenced by file name, plus "Hướng dẫn" and "Danh mục"
sheets. The limits (name 150, description 30-5,000 characters, 30 kg, 1-9 photos of at least
500 px) are conservative choices, not published numbers.
"""

from __future__ import annotations

from ..images import ImageSpec
from .categories import POSTMART_CATEGORIES, POSTMART_DEFAULT_MAPPING
from .common import PortalWriter
from .sheet import column


class PostmartWriter(PortalWriter):
    """Writes the Postmart pack: sheet, square photos, certificate scans, README."""

    code = "postmart"
    name = "Postmart"
    categories = POSTMART_CATEGORIES
    default_mapping = POSTMART_DEFAULT_MAPPING
    image_spec = ImageSpec(min_px=500, max_px=1200, max_bytes=1_000_000, max_count=9)
    name_max = 150
    description_min = 30
    description_max = 5000
    weight_max_grams = 30_000
    portal_url = "https://ncc.postmart.vn"
    workbook_name = "postmart_san_pham.xlsx"
    sheet_title = "Danh sách sản phẩm"
    url_example = "https://postmart.vn/…"
    columns = (
        column("stt", "STT"),
        column("sku", "Mã sản phẩm (SKU)", required=True),
        column("name", "Tên sản phẩm", required=True),
        column("category", "Danh mục", required=True),
        column("brand", "Thương hiệu"),
        column("origin", "Xuất xứ", required=True),
        column("unit", "Đơn vị tính", required=True),
        column("net_quantity", "Quy cách"),
        column("price", "Giá bán (VNĐ)", required=True),
        column("stock", "Số lượng tồn kho", required=True),
        column("weight", "Khối lượng (gram)", required=True),
        column("length", "Dài (cm)"),
        column("width", "Rộng (cm)"),
        column("height", "Cao (cm)"),
        column("shelf_life", "Hạn sử dụng"),
        column("description", "Mô tả sản phẩm", required=True),
        column("main_image", "Ảnh đại diện", required=True),
        column("more_images", "Ảnh chi tiết"),
        column("ocop_stars", "Hạng OCOP (sao)"),
        column("certificate_text", "Giấy chứng nhận OCOP"),
        column("certificate_files", "Tệp giấy chứng nhận"),
        column("producer", "Đơn vị sản xuất"),
        column("attributes", "Thuộc tính khác"),
        column("status", "Trạng thái"),
    )
    sheet_notes = (
        "Bảng theo các trường của trang thêm sản phẩm trên ncc.postmart.vn "
        "(Postmart chưa công bố mẫu nhập hàng loạt).",
        "Mỗi dòng một sản phẩm; cột có dấu (*) là bắt buộc.",
        "Giá bán là số nguyên, đơn vị đồng; khối lượng tính bằng gram, cả bao bì.",
        "Ảnh vuông JPEG trong thư mục images/, tối đa 9 ảnh; ảnh số 1 là ảnh đại diện.",
    )
    upload_steps = (
        "Giải nén gói này vào một thư mục trên máy tính.",
        "Đăng nhập https://ncc.postmart.vn bằng tài khoản nhà cung cấp của người bán "
        "(chưa có thì bấm “Bán hàng cùng Postmart” trên postmart.vn để đăng ký).",
        "Nếu trang quản lý sản phẩm có chức năng nhập từ tệp Excel: tải lên "
        "postmart_san_pham.xlsx, rồi tải các ảnh trong images/ đúng tên ghi trong bảng.",
        "Nếu không: vào quản lý sản phẩm, chọn thêm sản phẩm và điền theo từng dòng của bảng "
        "(tên, danh mục, giá, tồn kho, khối lượng, mô tả); ảnh <mã>-1.jpg là ảnh đại diện.",
        "Khi sàn hỏi giấy tờ, đính kèm các tệp trong certificates/<mã>/.",
        "Lưu và gửi duyệt; ban quản trị sàn duyệt xong thì sản phẩm hiện trên postmart.vn.",
    )
