"""Export packs for Postmart and Vỏ Sò: validation, the ZIP's sheet, photos, scans, README."""

from __future__ import annotations

import hashlib
import importlib
import io
import time
import unicodedata
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from PIL import Image

from sync_adapters.base import (
    ChannelKind,
    ExportItem,
    ExportWriter,
    ImageFile,
    ListingData,
    PermanentError,
)
from sync_adapters.exports.common import ZIP_TIME, PortalWriter
from sync_adapters.exports.postmart import PostmartWriter
from sync_adapters.exports.voso import VosoWriter
from sync_adapters.registry import BUILTINS

WRITERS = [PostmartWriter, VosoWriter]
# fmt: off
SET_CODES = {
    "1.1.1", "1.1.2", "1.2.1", "1.2.2", "1.3.1", "1.3.2", "1.3.3", "1.3.4", "1.4.1", "1.4.2",
    "1.5.1", "1.5.2", "1.6.1", "2.1.1", "2.1.2", "2.2.1", "2.2.2", "3.1.1", "3.2.1", "3.3.1",
    "4.1.1", "4.2.1", "5.1.1", "5.2.1", "5.3.1",
}
# fmt: on
HEADERS = {
    "postmart": [
        "STT",
        "Mã sản phẩm (SKU) (*)",
        "Tên sản phẩm (*)",
        "Danh mục (*)",
        "Thương hiệu",
        "Xuất xứ (*)",
        "Đơn vị tính (*)",
        "Quy cách",
        "Giá bán (VNĐ) (*)",
        "Số lượng tồn kho (*)",
        "Khối lượng (gram) (*)",
        "Dài (cm)",
        "Rộng (cm)",
        "Cao (cm)",
        "Hạn sử dụng",
        "Mô tả sản phẩm (*)",
        "Ảnh đại diện (*)",
        "Ảnh chi tiết",
        "Hạng OCOP (sao)",
        "Giấy chứng nhận OCOP",
        "Tệp giấy chứng nhận",
        "Đơn vị sản xuất",
        "Thuộc tính khác",
        "Trạng thái",
    ],
    "voso": [
        "Mã SKU (*)",
        "Tên sản phẩm (*)",
        "Ngành hàng (*)",
        "Giá bán (đồng) (*)",
        "Tồn kho (*)",
        "Đơn vị (*)",
        "Khối lượng tịnh",
        "Trọng lượng đóng gói (gram) (*)",
        "Chiều dài (cm)",
        "Chiều rộng (cm)",
        "Chiều cao (cm)",
        "Thương hiệu (*)",
        "Nơi sản xuất (*)",
        "Nhà sản xuất",
        "Hạn sử dụng",
        "Mô tả chi tiết (*)",
        "Hình ảnh 1 (*)",
        *(f"Hình ảnh {n}" for n in range(2, 9)),
        "Sản phẩm OCOP (số sao)",
        "Chứng nhận",
        "Tệp chứng nhận",
        "Thuộc tính",
        "Trạng thái",
    ],
}
FISH_SAUCE = "Nước mắm nhĩ truyền thống Tư Tài"
DESCRIPTION = (
    "Nước mắm nhĩ ủ chượp 12 tháng trong thùng gỗ từ cá cơm tươi và muối biển Hội An; "
    "độ đạm 40N, không chất bảo quản. Bảo quản nơi khô ráo, tránh ánh nắng."
)


def _photo(folder: Path, name: str, size: tuple[int, int], color=(190, 30, 30)) -> ImageFile:
    path = folder / name
    Image.new("RGB", size, color).save(path)
    return ImageFile(path, hashlib.sha256(path.read_bytes()).hexdigest())


def _listing(writer: type[PortalWriter], folder: Path, **changes) -> ListingData:
    data = ListingData(
        sku="OCOP000101",
        name=FISH_SAUCE,
        description=DESCRIPTION,
        price_vnd=120_000,
        stock=40,
        category_id=writer.default_mapping["1.4.1"],
        images=(_photo(folder, "mam.jpg", (800, 600)),),
        weight_grams=850,
        length_cm=8,
        width_cm=8,
        height_cm=28,
        brand="Tư Tài",
        unit="chai",
        net_quantity="500 ml",
        origin="Đà Nẵng",
        producer_name="Cơ sở nước mắm Tư Tài",
        shelf_life="24 tháng",
        ocop_stars=3,
    )
    return replace(data, **changes)


def _items(writer: type[PortalWriter], folder: Path) -> list[ExportItem]:
    """Three products: photos of several shapes, certificate scans, one hidden listing."""
    scan = folder / "Giấy chứng nhận OCOP – Tư Tài.pdf"
    scan.write_bytes(b"%PDF-1.4 scan of the certificate\n")
    decision = folder / "QĐ 123-UBND.jpg"
    decision.write_bytes(b"\xff\xd8\xff decision scan")
    tea = _listing(
        writer,
        folder,
        sku="OCOP000007",
        name="Trà xanh Tân Cương Thái Nguyên",
        price_vnd=250_000,
        stock=0,
        category_id=writer.default_mapping["1.5.1"],
        images=(
            _photo(folder, "tra-1.png", (1600, 1200), (20, 120, 40)),
            _photo(folder, "tra-2.jpg", (600, 900), (240, 240, 200)),
        ),
        weight_grams=550,
        unit="hộp",
        origin="Thái Nguyên",
    )
    honey = _listing(
        writer,
        folder,
        sku="OCOP000050",
        name="Mật ong rừng Bắc Trà My",
        price_vnd=320_000,
        category_id=writer.default_mapping["1.2.2"],
        images=(_photo(folder, "mat-ong.jpg", (700, 700), (200, 150, 20)),),
        active=False,
    )
    return [
        ExportItem(_listing(writer, folder), (scan, decision), "OCOP 3★, QĐ 123/QĐ-UBND"),
        ExportItem(tea, product_url="https://cho-ocop.vn/san-pham/OCOP000007"),
        ExportItem(honey),
    ]


def _pack(writer: PortalWriter, items: list[ExportItem]) -> bytes:
    out = io.BytesIO()
    writer.write_pack(items, out)
    return out.getvalue()


def _sheet(pack: bytes, writer: type[PortalWriter]):
    with zipfile.ZipFile(io.BytesIO(pack)) as archive:
        book = openpyxl.load_workbook(io.BytesIO(archive.read(writer.workbook_name)))
    return book, book[writer.sheet_title]


def _records(sheet) -> list[dict[str, object]]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("code", ["postmart", "voso"])
def test_registry_names_the_writers(code):
    module, _, name = BUILTINS[code].partition(":")
    cls = getattr(importlib.import_module(module), name)
    assert issubclass(cls, ExportWriter) and cls.code == code and cls.kind is ChannelKind.EXPORT
    assert cls.name == {"postmart": "Postmart", "voso": "Vỏ Sò"}[code]


@pytest.mark.parametrize("writer", WRITERS)
def test_default_mapping_covers_every_listed_ocop_set(writer):
    assert set(writer.default_mapping) == SET_CODES  # 6.1.1 (tourism) is never listed
    assert set(writer.default_mapping.values()) <= set(writer.categories)
    assert all(cid == cat.id and " > " in cat.name for cid, cat in writer.categories.items())


@pytest.mark.parametrize("writer", WRITERS)
def test_a_complete_listing_has_no_problems(writer, tmp_path):
    assert writer().validate(_listing(writer, tmp_path)) == []


@pytest.mark.parametrize("writer", WRITERS)
def test_validate_names_every_bad_field_in_vietnamese(writer, tmp_path):
    bad = _listing(
        writer,
        tmp_path,
        name="Mắm " * writer.name_max,
        description="Ngon.",
        price_vnd=0,
        stock=-1,
        weight_grams=None,
        category_id=None,
        images=(),
        unit="",
        origin=" ",
        brand="",
        height_cm=0,
    )
    problems = writer().validate(bad)
    assert {p.field for p in problems} == {
        "name",
        "description",
        "price_vnd",
        "stock",
        "weight_grams",
        "category_id",
        "images",
        "unit",
        "origin",
        "brand",
        "height_cm",
    }
    assert all(p.message and p.fix for p in problems)
    by_field = {p.field: p for p in problems}
    assert f"tối đa {writer.name_max}" in by_field["name"].message
    assert "5 ký tự" in by_field["description"].message
    assert "gram" in by_field["weight_grams"].fix
    assert writer.name in by_field["category_id"].message
    assert "ít nhất 1 ảnh" in by_field["images"].message


@pytest.mark.parametrize("writer", WRITERS)
def test_validate_limits_categories_and_photos(writer, tmp_path):
    check = writer().validate
    too_heavy = _listing(writer, tmp_path, weight_grams=writer.weight_max_grams + 1)
    assert [p.field for p in check(too_heavy)] == ["weight_grams"]
    too_dear = _listing(writer, tmp_path, price_vnd=5_000_000_000)
    assert "5.000.000.000 ₫" in check(too_dear)[0].message
    unknown = check(_listing(writer, tmp_path, category_id="khong-co"))
    assert [(p.field, "“khong-co”" in p.message) for p in unknown] == [("category_id", True)]
    small = _listing(writer, tmp_path, images=(_photo(tmp_path, "nho.jpg", (400, 300)),))
    assert [p.field for p in check(small)] == ["images"]
    assert "300 px" in check(small)[0].message
    # Rice liquor needs its alcohol content; expiry falls back to the listing's shelf life.
    liquor = _listing(writer, tmp_path, category_id=writer.default_mapping["2.1.1"])
    missing = check(liquor)
    assert [p.field for p in missing] == ["attributes"] and "Nồng độ cồn" in missing[0].message
    assert check(replace(liquor, attributes={"Nồng độ cồn": "29%"})) == []
    no_expiry = replace(liquor, attributes={"Nồng độ cồn": "29%"}, shelf_life="")
    assert "Hạn sử dụng" in check(no_expiry)[0].message


@pytest.mark.parametrize("writer", WRITERS)
def test_pack_holds_sheet_photos_scans_and_readme(writer, tmp_path):
    items = _items(writer, tmp_path)
    pack = _pack(writer(), items)
    archive = zipfile.ZipFile(io.BytesIO(pack))
    names = archive.namelist()
    assert names == sorted(names)
    scans = [
        "certificates/OCOP000101/Giấy chứng nhận OCOP – Tư Tài.pdf",
        "certificates/OCOP000101/QĐ 123-UBND.jpg",
    ]
    photos = ["OCOP000007-1.jpg", "OCOP000007-2.jpg", "OCOP000050-1.jpg", "OCOP000101-1.jpg"]
    assert set(names) == {
        "README.txt",
        writer.workbook_name,
        *scans,
        *(f"images/{p}" for p in photos),
    }

    book, sheet = _sheet(pack, writer)
    assert book.sheetnames == [writer.sheet_title, "Danh mục", "Hướng dẫn"]
    assert [c.value for c in sheet[1]] == HEADERS[writer.code]
    records = _records(sheet)
    assert len(records) == 3
    h = {c.key: c.title for c in writer.columns}
    assert [r[h["sku"]] for r in records] == ["OCOP000007", "OCOP000050", "OCOP000101"]
    fish = records[2]
    assert fish[h["name"]] == FISH_SAUCE  # diacritics intact
    assert fish[h["category"]] == writer.categories[writer.default_mapping["1.4.1"]].name
    assert [type(r[h["price"]]) for r in records] == [int, int, int]
    assert [r[h["price"]] for r in records] == [250_000, 320_000, 120_000]
    assert [r[h["stock"]] for r in records] == [0, 40, 40]
    assert "(gram)" in h["weight"] and [r[h["weight"]] for r in records] == [550, 850, 850]
    assert [r[h["status"]] for r in records] == ["Hiển thị", "Ẩn", "Hiển thị"]
    assert fish[h["certificate_files"]] == "; ".join(scans)
    assert fish[h["certificate_text"]] == "OCOP 3★, QĐ 123/QĐ-UBND"

    # Every photo named in the sheet is in the pack, a square JPEG within the portal's bounds.
    named = []
    for record in records:
        for title, value in record.items():
            if value and ("Ảnh" in title or "Hình ảnh" in title):
                named += str(value).split("; ")
    assert sorted(named) == photos
    for name in photos:
        with Image.open(io.BytesIO(archive.read(f"images/{name}"))) as im:
            assert im.format == "JPEG" and im.width == im.height <= writer.image_spec.max_px
    with Image.open(io.BytesIO(archive.read("images/OCOP000007-1.jpg"))) as im:
        assert im.size == (writer.image_spec.max_px,) * 2  # 1600 px wide: scaled down
        assert im.convert("RGB").getpixel((im.width // 2, im.height // 2))[1] > 100

    for name, source in zip(scans, items[0].certificate_files, strict=True):
        assert archive.read(name) == source.read_bytes()
        assert archive.getinfo(name).flag_bits & 0x800  # UTF-8 file name
    readme = archive.read("README.txt").decode("utf-8-sig")
    assert "đã đăng tại URL" in readme and writer.portal_url in readme
    assert all(sku in readme for sku in ("OCOP000007", "OCOP000050", "OCOP000101"))
    assert "https://cho-ocop.vn/san-pham/OCOP000007" in readme

    guide = [row[0] for row in book["Hướng dẫn"].iter_rows(values_only=True)]
    assert set(HEADERS[writer.code]) <= set(guide)
    listed = [row[1] for row in book["Danh mục"].iter_rows(min_row=2, values_only=True)]
    assert sorted(listed) == sorted(c.name for c in writer.categories.values())
    (rule,) = sheet.data_validations.dataValidation
    letter = sheet.cell(row=1, column=list(h).index("category") + 1).column_letter
    assert rule.type == "list" and str(rule.sqref) == f"{letter}2:{letter}1000"


@pytest.mark.parametrize("writer", WRITERS)
def test_same_items_give_byte_identical_packs(writer, tmp_path, monkeypatch):
    items = _items(writer, tmp_path)
    first = _pack(writer(), items)
    # A year later, items in another order: the same bytes (no clock, no input order inside).
    later = time.time() + 365 * 86400
    monkeypatch.setattr(time, "time", lambda: later)
    assert _pack(writer(), list(reversed(items))) == first
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert {info.date_time for info in archive.infolist()} == {ZIP_TIME}
    inner = zipfile.ZipFile(io.BytesIO(archive.read(writer.workbook_name)))
    assert {info.date_time for info in inner.infolist()} == {ZIP_TIME}
    assert b"2025-01-01T00:00:00Z" in inner.read("docProps/core.xml")


@pytest.mark.parametrize("writer", WRITERS)
def test_text_that_looks_like_a_formula_stays_text(writer, tmp_path):
    name = '=HYPERLINK("http://x.invalid","Bấm vào")'
    item = ExportItem(_listing(writer, tmp_path, name=name))
    pack = _pack(writer(), [item])
    _, sheet = _sheet(pack, writer)
    column = next(i for i, c in enumerate(writer.columns, 1) if c.key == "name")
    cell = sheet.cell(row=2, column=column)
    assert (cell.value, cell.data_type) == (name, "s")
    inner = zipfile.ZipFile(
        io.BytesIO(zipfile.ZipFile(io.BytesIO(pack)).read(writer.workbook_name))
    )
    assert b"<f>" not in inner.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("writer", WRITERS)
def test_write_pack_refuses_items_the_portal_would_reject(writer, tmp_path):
    good = ExportItem(_listing(writer, tmp_path))
    bad = ExportItem(_listing(writer, tmp_path, sku="OCOP000102", price_vnd=0))
    out = io.BytesIO()
    with pytest.raises(PermanentError) as caught:
        writer().write_pack([good, bad], out)
    assert "OCOP000102" in caught.value.message and "OCOP000101" not in caught.value.message
    assert [(p.field, p.message.split(":")[0]) for p in caught.value.problems] == [
        ("price_vnd", "OCOP000102")
    ]
    assert out.getvalue() == b""  # nothing half-written

    with pytest.raises(PermanentError) as caught:
        writer().write_pack([good, good], io.BytesIO())
    assert {p.field for p in caught.value.problems} == {"sku"}
    gone = ExportItem(good.data, (tmp_path / "khong-co.pdf",))
    with pytest.raises(PermanentError) as caught:
        writer().write_pack([gone], io.BytesIO())
    assert [p.field for p in caught.value.problems] == ["certificate_files"]
    with pytest.raises(PermanentError, match="Không có sản phẩm"):
        writer().write_pack([], io.BytesIO())


def test_photos_beyond_the_portal_limit_are_left_out(tmp_path):
    photos = tuple(_photo(tmp_path, f"p{n}.jpg", (500, 500), (n * 20, 0, 0)) for n in range(10))
    pack = _pack(VosoWriter(), [ExportItem(_listing(VosoWriter, tmp_path, images=photos))])
    names = zipfile.ZipFile(io.BytesIO(pack)).namelist()
    assert [n for n in names if n.startswith("images/")] == [
        f"images/OCOP000101-{n}.jpg" for n in range(1, 9)
    ]
    (record,) = _records(_sheet(pack, VosoWriter)[1])
    assert record["Hình ảnh 8"] == "OCOP000101-8.jpg"


def test_scan_names_are_nfc_and_kept_apart(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    decomposed = unicodedata.normalize("NFD", "Quyết định.pdf")
    first, second = tmp_path / "a" / decomposed, tmp_path / "b" / decomposed
    first.write_bytes(b"first")
    second.write_bytes(b"second")
    item = ExportItem(_listing(PostmartWriter, tmp_path), (first, second))
    archive = zipfile.ZipFile(io.BytesIO(_pack(PostmartWriter(), [item])))
    assert archive.read("certificates/OCOP000101/Quyết định.pdf") == b"first"
    assert archive.read("certificates/OCOP000101/Quyết định (2).pdf") == b"second"


def test_prepared_photos_are_cached(tmp_path):
    cache = tmp_path / "cache"
    item = ExportItem(_listing(PostmartWriter, tmp_path))
    first = _pack(PostmartWriter(image_cache=cache), [item])
    assert len(list(cache.glob("*.jpg"))) == 1
    assert _pack(PostmartWriter(image_cache=cache), [item]) == first
