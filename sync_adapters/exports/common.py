"""What both export writers share: field checks, the workbook, the README and the ZIP (the
sheet's columns are in ``sheet.py``).

A pack is a ZIP of one XLSX (the portal's bulk-upload sheet, an "Hướng dẫn" sheet and a
"Danh mục" sheet), ``images/<SKU>-<n>.jpg`` (square JPEGs, n = 1 is the cover photo),
``certificates/<SKU>/<file>`` (the certificate scans, copied as given) and ``README.txt``.
The same items always give the same bytes: rows and entries are sorted, ZIP and workbook
timestamps are fixed, so a re-export that changes nothing is recognisably the same file.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from datetime import datetime
from typing import Any, ClassVar

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter

from .. import images
from ..base import ExportItem, ExportWriter, FieldProblem, ListingData, PermanentError
from .categories import attribute_value
from .sheet import Column, Row, put, text

FIXED_TIME = datetime(2025, 1, 1)  # in docProps/core.xml: packs must not depend on the clock
ZIP_TIME = (2025, 1, 1, 0, 0, 0)
PRICE_MAX_VND = 500_000_000
SKU_MAX = 50
STORED = (".jpg", ".jpeg", ".png", ".pdf", ".webp", ".zip")  # already compressed


def money(vnd: int) -> str:
    """150000 -> '150.000 ₫'."""
    return f"{vnd:,}".replace(",", ".") + " ₫"


def safe_sku(sku: str) -> str:
    """The SKU as a file-name stem (no spaces, accents or dots: nothing like "../" either)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", sku.strip())


class PortalWriter(ExportWriter):
    """Validation and pack writing shared by the portals; subclasses state template and limits."""

    image_spec: ClassVar[images.ImageSpec]
    name_max: ClassVar[int]
    description_min: ClassVar[int]
    description_max: ClassVar[int]
    weight_max_grams: ClassVar[int]
    portal_url: ClassVar[str]  # where the seller logs in
    workbook_name: ClassVar[str]
    sheet_title: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    sheet_notes: ClassVar[tuple[str, ...]]  # top of the "Hướng dẫn" sheet
    upload_steps: ClassVar[tuple[str, ...]]  # README: how to upload on this portal
    url_example: ClassVar[str]  # README: what a product's address looks like there

    # --- validation ------------------------------------------------------------------
    def validate(self, data: ListingData) -> list[FieldProblem]:
        """Every problem the portal's import (or its review) would reject."""
        return [
            *self._check_fields(data),
            *self._check_category(data),
            *images.check(data.images, self.image_spec),
        ]

    def _check_fields(self, data: ListingData) -> list[FieldProblem]:
        out: list[FieldProblem] = []

        def add(field: str, message: str, fix: str) -> None:
            out.append(FieldProblem(field, message, fix))

        sku, name, desc = text(data.sku), text(data.name), text(data.description)
        if not sku or len(sku) > SKU_MAX:
            add("sku", f"Mã sản phẩm trống hoặc dài hơn {SKU_MAX} ký tự.", "Sửa mã sản phẩm.")
        if not name:
            add("name", "Chưa có tên sản phẩm.", "Nhập tên sản phẩm.")
        elif len(name) > self.name_max:
            msg = f"Tên dài {len(name)} ký tự, {self.name} nhận tối đa {self.name_max}."
            add("name", msg, "Rút gọn tên: giữ loại sản phẩm, thương hiệu và quy cách.")
        if len(desc) < self.description_min:
            msg = f"Mô tả quá ngắn ({len(desc)} ký tự, cần ít nhất {self.description_min})."
            add("description", msg, "Viết thêm về nguồn gốc, thành phần, cách dùng, bảo quản.")
        elif len(desc) > self.description_max:
            msg = f"Mô tả dài {len(desc)} ký tự, {self.name} nhận tối đa {self.description_max}."
            add("description", msg, "Rút gọn mô tả, bỏ phần lặp lại.")
        if not text(data.brand):
            add("brand", "Chưa có thương hiệu.", "Nhập thương hiệu, không có thì ghi No Brand.")
        if not text(data.unit):
            add("unit", "Chưa có đơn vị tính.", "Nhập đơn vị: chai, hộp, gói…")
        if not text(data.origin):
            add("origin", "Chưa có xuất xứ.", "Nhập tỉnh/thành nơi sản xuất.")
        if data.price_vnd <= 0:
            add("price_vnd", "Giá bán phải lớn hơn 0 đồng.", "Nhập giá bán, đơn vị đồng.")
        elif data.price_vnd > PRICE_MAX_VND:
            msg = f"Giá {money(data.price_vnd)} vượt mức {money(PRICE_MAX_VND)}."
            add("price_vnd", msg, "Kiểm tra lại giá: có thể thừa chữ số 0.")
        if data.stock < 0:
            add("stock", "Số lượng tồn kho bị âm.", "Nhập số lượng đang có (0 nếu tạm hết).")
        weight = data.weight_grams
        if weight is None or weight <= 0:
            fix = "Cân sản phẩm cả bao bì, nhập khối lượng theo gram."
            add("weight_grams", "Chưa có khối lượng đóng gói.", fix)
        elif weight > self.weight_max_grams:
            msg = f"Khối lượng {weight} g vượt mức {self.weight_max_grams} g {self.name} nhận."
            add("weight_grams", msg, "Kiểm tra đơn vị (gram) hoặc bán gói nhỏ hơn.")
        for field, label in (("length_cm", "dài"), ("width_cm", "rộng"), ("height_cm", "cao")):
            size = getattr(data, field)
            if size is not None and size <= 0:
                add(field, f"Chiều {label} phải lớn hơn 0 cm.", "Đo lại hộp hoặc để trống.")
        return out

    def _check_category(self, data: ListingData) -> list[FieldProblem]:
        category = self.categories.get(data.category_id or "")
        if category is None:
            what = f"“{data.category_id}” không có trên" if data.category_id else "chưa chọn cho"
            return [
                FieldProblem(
                    "category_id",
                    f"Danh mục {what} {self.name}.",
                    f"Chọn danh mục {self.name} cho bộ sản phẩm này trong bảng ánh xạ danh mục.",
                )
            ]
        return [
            FieldProblem(
                "attributes",
                f"Danh mục “{category.name}” cần thuộc tính “{name}”.",
                f"Nhập “{name}” cho sản phẩm hoặc trong bảng ánh xạ danh mục.",
            )
            for name in category.required_attributes
            if not attribute_value(data, name)
        ]

    def _check_pack(self, items: list[ExportItem]) -> None:
        if not items:
            raise PermanentError(f"Không có sản phẩm nào để xuất gói {self.name}.")
        found: list[FieldProblem] = []
        bad: dict[str, None] = {}  # the failing SKUs, in order, once each
        stems = Counter(safe_sku(item.data.sku) for item in items)
        for item in items:
            own = self.validate(item.data)
            if stems[safe_sku(item.data.sku)] > 1:
                own.append(FieldProblem("sku", "Mã trùng với sản phẩm khác trong gói.", "Bỏ bớt."))
            for path in item.certificate_files:
                if not path.is_file():
                    msg = f"Không tìm thấy tệp giấy chứng nhận “{path.name}”."
                    own.append(FieldProblem("certificate_files", msg, "Tải lại bản chụp."))
            found += [FieldProblem(p.field, f"{item.data.sku}: {p.message}", p.fix) for p in own]
            bad.update(dict.fromkeys([item.data.sku] if own else []))
        if found:
            skus = ", ".join(bad)
            raise PermanentError(
                f"Chưa tạo được gói {self.name}, còn sản phẩm bị lỗi: {skus}.", problems=found
            )

    # --- the pack ----------------------------------------------------------------------
    def write_pack(self, items: list[ExportItem], out: Any) -> None:
        """Write the ZIP: sheet, square images, certificate scans and README (same in, same out)."""
        self._check_pack(items)
        entries: dict[str, bytes] = {}
        rows: list[Row] = []
        ordered = sorted(items, key=lambda item: item.data.sku)
        for index, item in enumerate(ordered, start=1):
            stem = safe_sku(item.data.sku)
            names: list[str] = []
            for n, image in enumerate(item.data.images[: self.image_spec.max_count], start=1):
                names.append(f"{stem}-{n}.jpg")
                entries[f"images/{names[-1]}"] = images.prepare(
                    image, self.image_spec, self.image_cache
                )
            certs: list[str] = []
            for path in item.certificate_files:
                certs.append(_unique(f"certificates/{stem}/{_file_name(path.name)}", certs))
                entries[certs[-1]] = path.read_bytes()
            category = self.categories[item.data.category_id or ""]
            rows.append(Row(index, item, category, tuple(names), tuple(certs)))
        entries[self.workbook_name] = self._workbook(rows)
        entries["README.txt"] = self._readme(rows).encode("utf-8-sig")
        write_zip(sorted(entries.items()), out)

    def _workbook(self, rows: list[Row]) -> bytes:
        wb = Workbook()
        sheet = wb.active
        sheet.title = self.sheet_title
        header_fill = PatternFill("solid", fgColor="FFF2CC")
        for col, spec in enumerate(self.columns, start=1):
            cell = sheet.cell(row=1, column=col, value=spec.title)
            cell.font = Font(bold=True, color="C00000" if spec.required else "000000")
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            sheet.column_dimensions[cell.column_letter].width = spec.width
        for row in rows:
            for col, spec in enumerate(self.columns, start=1):
                cell = put(sheet, row.index + 1, col, spec.value(row))
                cell.number_format = spec.number_format
                if spec.width >= 40:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
        self._categories_sheet(wb, sheet)
        self._help_sheet(wb)
        return workbook_bytes(wb)

    def _categories_sheet(self, wb: Workbook, products: Any) -> None:
        sheet = wb.create_sheet("Danh mục")
        for col, title in enumerate(("Mã", "Danh mục"), start=1):
            sheet.cell(row=1, column=col, value=title).font = Font(bold=True)
        ordered = sorted(self.categories.values(), key=lambda c: c.name)
        for n, category in enumerate(ordered, start=2):
            put(sheet, n, 1, category.id)
            put(sheet, n, 2, category.name)
        sheet.column_dimensions["A"].width = 20
        sheet.column_dimensions["B"].width = 60
        target = next((i for i, c in enumerate(self.columns, 1) if c.key == "category"), 0)
        if not target:
            return
        letter = products.cell(row=1, column=target).column_letter
        # A drop-down of the portal's categories, so a hand edit cannot invent one.
        rule = DataValidation(
            type="list",
            formula1=f"'Danh mục'!$B$2:$B${len(ordered) + 1}",
            showErrorMessage=True,
            error="Chọn một danh mục có trong sheet “Danh mục”.",
        )
        rule.add(f"{letter}2:{letter}1000")
        products.add_data_validation(rule)

    def _help_sheet(self, wb: Workbook) -> None:
        sheet = wb.create_sheet("Hướng dẫn")
        sheet.cell(row=1, column=1, value=f"Mẫu đăng sản phẩm lên {self.name}").font = Font(
            bold=True, size=14
        )
        line = 2
        for note in self.sheet_notes:
            put(sheet, line, 1, note)
            line += 1
        line += 1
        for col, title in enumerate(("Cột", "Bắt buộc", "Cách điền"), start=1):
            sheet.cell(row=line, column=col, value=title).font = Font(bold=True)
        for spec in self.columns:
            line += 1
            put(sheet, line, 1, spec.title)
            put(sheet, line, 2, "Có" if spec.required else "Không")
            put(sheet, line, 3, spec.help)
        for letter, width in (("A", 32), ("B", 10), ("C", 80)):
            sheet.column_dimensions[letter].width = width

    def _readme(self, rows: list[Row]) -> str:
        lines = [
            f"GÓI ĐĂNG SẢN PHẨM LÊN {self.name.upper()}",
            f"Chợ OCOP tạo gói này: {len(rows)} sản phẩm. Trang người bán: {self.portal_url}",
            "",
            "TRONG GÓI",
            f"- {self.workbook_name}: sheet “{self.sheet_title}” (mỗi dòng một sản phẩm), "
            "sheet “Hướng dẫn” (cách điền từng cột, cột có dấu (*) là bắt buộc), "
            "sheet “Danh mục” (danh mục của sàn).",
            "- images/: ảnh vuông JPEG, tên theo mã sản phẩm và thứ tự; ảnh số 1 là ảnh đại diện.",
            "- certificates/: bản chụp giấy chứng nhận OCOP và giấy tờ khác, mỗi sản phẩm một "
            "thư mục theo mã. Sàn hỏi giấy tờ thì gửi các tệp này.",
            "",
            f"CÁCH ĐĂNG LÊN {self.name.upper()}",
            *(f"{n}. {step}" for n, step in enumerate(self.upload_steps, start=1)),
            "",
            "GHI KẾT QUẢ VỀ CHỢ OCOP",
            f"Khi sản phẩm đã hiện trên {self.name}, mở trang sản phẩm đó và chép địa chỉ "
            f"(dạng {self.url_example}). Trong Chợ OCOP, mở sản phẩm, ở dòng kênh {self.name} "
            "ghi kết quả: “đã đăng tại URL …” (dán địa chỉ vừa chép). Sản phẩm bị sàn từ chối "
            "thì ghi lý do sàn đưa ra để chủ thể sửa.",
            "Sản phẩm có trạng thái “Ẩn” vẫn đăng nhưng để ẩn với người mua.",
            "",
            "DANH SÁCH KIỂM TRA",
        ]
        for row in rows:
            data = row.data
            state = "" if data.active else " — Ẩn"
            lines.append(f"{row.index}. {data.sku} — {text(data.name)} — {money(data.price_vnd)}")
            lines.append(f"   {row.category.name}{state}")
            if row.item.product_url:
                lines.append(f"   Trang trên Chợ OCOP: {row.item.product_url}")
            lines.append("   Kết quả: đã đăng tại URL ……………………………………")
        return "\r\n".join(lines) + "\r\n"  # CRLF: Notepad on older Windows


def _file_name(name: str) -> str:
    return text(name).replace("/", "_").replace("\\", "_") or "tep"


def _unique(path: str, taken: list[str]) -> str:
    stem, dot, ext = path.rpartition(".")
    if not dot or "/" in ext:
        stem, ext = path, ""
    candidate, n = path, 2
    while candidate in taken:
        candidate = f"{stem} ({n}).{ext}" if ext else f"{stem} ({n})"
        n += 1
    return candidate


def workbook_bytes(wb: Workbook) -> bytes:
    """The XLSX with fixed document dates and ZIP timestamps (``Workbook.save`` stamps now)."""
    wb.properties.creator = "Chợ OCOP"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    with zipfile.ZipFile(raw) as source:
        parts = [(info.filename, source.read(info)) for info in source.infolist()]
    fixed = io.BytesIO()
    write_zip(parts, fixed)  # openpyxl's own part order, our fixed timestamps
    return fixed.getvalue()


def write_zip(entries: list[tuple[str, bytes]], out: Any) -> None:
    """A ZIP of ``entries`` in the given order, with fixed dates and attributes."""
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.create_system = 3  # the same bytes whichever OS writes the pack
            info.external_attr = 0o644 << 16
            stored = name.lower().endswith(STORED)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=None if stored else 6)
