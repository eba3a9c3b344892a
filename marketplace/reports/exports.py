"""The OCOP product report and the producer (cooperative) report as CSV and XLSX.

CSV is UTF-8 with a byte-order mark (Excel otherwise reads Vietnamese as Windows-1252) and is
produced row by row, so a large report streams. XLSX uses openpyxl's write-only mode (rows are
written as they come, not kept as cell objects). Text that a spreadsheet would take for a
formula (= + - @, tab, carriage return first) gets a leading apostrophe in both formats, so a
product or producer name can never run as a formula on the official's computer.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from marketplace.listings.accounts import channel_name
from producers.models import Producer, Product

from . import export_rows, labels
from .filters import Filters, producer_where

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_FLUSH_ROWS = 200
Value = str | int | date | None


@dataclass
class Table:
    """A report ready to write: file name stem, sheet title, header and (lazy) rows."""

    name: str
    title: str
    header: list[str]
    rows: Iterable[list[Value]]


def safe(value: Value) -> Value:
    """Neutralise text a spreadsheet would run as a formula (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_chunks(table: Table) -> Iterator[str]:
    """The CSV text in chunks: BOM, header, then rows flushed every few hundred."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe(h) for h in table.header])
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for i, row in enumerate(table.rows, 1):
        writer.writerow(
            [v.isoformat() if isinstance(v, date) else safe(v) for v in row]  # ISO: any locale
        )
        if i % CSV_FLUSH_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_file(table: Table) -> IO[bytes]:
    """The XLSX workbook (compressed, a few MB for the whole country), rewound for sending."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in table.header:
        cell = WriteOnlyCell(sheet, value=safe(text))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def _xlsx_cell(sheet: Any, value: Value) -> Any:
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD/MM/YYYY"
        return cell
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=safe(value))
        cell.data_type = "s"  # never a formula, whatever the text
        return cell
    return value


def _channels(codes: set[str]) -> str:
    return ", ".join(sorted(channel_name(c) for c in codes))


def product_table(session: Session, user: Any, filters: Filters, day: date, locale: str) -> Table:
    """One row per product of the chosen producers: place, class, stars, channels, sales."""
    where = producer_where(session, user, filters)
    channels = export_rows.live_channels(session, where, Product.id)
    sales = export_rows.product_sales(session, where, filters)
    en = locale == "en"
    header = [
        _("Mã sản phẩm"),
        _("Tên sản phẩm"),
        _("Chủ thể"),
        _("Loại chủ thể"),
        _("Mã tỉnh"),
        _("Tỉnh/thành"),
        _("Mã xã"),
        _("Xã/phường"),
        _("Nhóm OCOP"),
        _("Mã bộ sản phẩm"),
        _("Bộ sản phẩm"),
        _("Hạng sao"),
        _("Chứng nhận"),
        _("Hiệu lực đến"),
        _("Trạng thái sản phẩm"),
        _("Giá (₫)"),
        _("Kênh đang bán"),
        _("Số kênh đang bán"),
        _("Đơn đã thanh toán"),
        _("Số lượng đã bán"),
        _("Doanh thu (₫)"),
    ]

    def rows() -> Iterator[list[Value]]:
        for r in export_rows.products(session, where):
            valid = r.cert_stars is not None and r.cert_valid_until and r.cert_valid_until >= day
            state = "valid" if valid else ("expired" if r.cert_valid_until else "none")
            live = channels.get(r.id, set())
            orders, units, revenue = sales.get(r.id, (0, 0, 0))
            yield [
                f"OCOP{r.id:06d}",  # Product.code, without loading the product
                r.name,
                r.producer,
                labels.label(labels.KIND, r.kind),
                r.province_code,
                r.province,
                r.commune_code,
                r.commune,
                r.group_en if en else r.group_vi,
                r.set_code,
                r.set_en if en else r.set_vi,
                r.cert_stars if valid else None,
                labels.label(labels.CERT_STATE, state),
                r.cert_valid_until,
                labels.label(labels.PRODUCT_STATUS, r.status),
                r.price_vnd,
                _channels(live),
                len(live),
                orders,
                units,
                revenue,
            ]

    return Table("bao-cao-san-pham-ocop", _("Sản phẩm OCOP"), header, rows())


def producer_table(session: Session, user: Any, filters: Filters, day: date) -> Table:
    """One row per chosen producer: place, onboarder, products, channels, sales, money, fees."""
    where = producer_where(session, user, filters)
    counts = export_rows.producer_products(session, where, day)
    channels = export_rows.live_channels(session, where, Producer.id)
    orders = export_rows.producer_orders(session, where, filters)
    money = export_rows.producer_money(session, where, filters)
    fees = export_rows.producer_fees(session, where, filters)
    header = [
        _("Mã chủ thể"),
        _("Tên chủ thể"),
        _("Loại chủ thể"),
        _("Mã số thuế"),
        _("Trạng thái"),
        _("Người đại diện"),
        _("Điện thoại"),
        _("Mã tỉnh"),
        _("Tỉnh/thành"),
        _("Mã xã"),
        _("Xã/phường"),
        _("Người hỗ trợ"),
        _("Số sản phẩm"),
        _("Sản phẩm OCOP còn hiệu lực"),
        _("3 sao"),
        _("4 sao"),
        _("5 sao"),
        _("Sản phẩm OCOP đang bán trên sàn"),
        _("Kênh đang bán"),
        _("Đơn đã thanh toán"),
        _("Giá trị đơn đã thanh toán (₫)"),
        _("Tiền nhận: ngân hàng báo tự động (₫)"),
        _("Tiền nhận: chủ thể tự ghi (₫)"),
        _("Phí đã nộp (₫)"),
        _("Phí chưa nộp (₫)"),
    ]

    def rows() -> Iterator[list[Value]]:
        for r in export_rows.producers(session, where):
            total, ocop, s3, s4, s5, listed = counts.get(r.id, (0, 0, 0, 0, 0, 0))
            paid, paid_value = orders.get(r.id, (0, 0))
            notified, manual = money.get(r.id, [0, 0])
            fee = fees.get(r.id, {})
            yield [
                r.id,
                r.name,
                labels.label(labels.KIND, r.kind),
                r.tax_code,
                labels.label(labels.PRODUCER_STATUS, r.status),
                r.representative,
                r.phone,
                r.province_code,
                r.province,
                r.commune_code,
                r.commune,
                r.onboarder,
                total,
                ocop,
                s3,
                s4,
                s5,
                listed,
                _channels(channels.get(r.id, set())),
                paid,
                paid_value,
                notified,
                manual,
                fee.get("paid", 0),
                fee.get("unpaid", 0),
            ]

    return Table("bao-cao-chu-the", _("Chủ thể OCOP"), header, rows())
