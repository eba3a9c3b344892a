"""Stall posters and label sheets: page sizes, and every QR decoded back out of PNG and PDF.

The PDFs are read with a small parser here (the project ships no PDF library): it checks the
cross-reference offsets, so a hand-written file that a viewer would reject fails too.
"""

from __future__ import annotations

import io
import re
import zlib

import pytest
import zxingcpp
from PIL import Image

from marketplace.payments import printables
from marketplace.payments.printables import ProductLabel, StallPoster
from marketplace.payments.vietqr import STATIC, VietQRError, parse

POSTER = StallPoster("Cơ sở nước mắm Tư Tài", "970422", "741273872764", "CO SO NUOC MAM TU TAI")
LONG_POSTER = StallPoster(
    "Hợp tác xã Nông nghiệp và Dịch vụ Tổng hợp Sản xuất Kinh doanh Nông sản Sạch Ea Kao "
    "Thành phố Buôn Ma Thuột tỉnh Đắk Lắk",
    "970436",
    "0011001932418123456",
    "HOP TAC XA NONG NGHIEP VA DICH VU TONG HOP SAN XUAT KINH DOANH NONG SAN SACH EA KAO "
    "THANH PHO BUON MA THUOT",
)
LABEL = ProductLabel(
    name="Nước mắm nhĩ truyền thống Tư Tài",
    price_vnd=150_000,
    unit="chai",
    producer_name="Cơ sở nước mắm Tư Tài",
    url="https://cho-ocop.vn/san-pham/1-nuoc-mam-nhi-truyen-thong-tu-tai",
    code="OCOP000001",
    stars=4,
)
LONG_LABEL = ProductLabel(
    name="Thực phẩm bảo vệ sức khỏe SAPHRATON (sâm Ngọc Linh) hộp quà cao cấp " * 3,
    price_vnd=123_456_789_012,
    unit="hộp quà tết cao cấp đặc biệt",
    producer_name="Tổ hợp tác trà rừng Cù Lao Chàm (tên chủ thể chưa xác minh) " * 2,
    url="https://cho-ocop.vn/san-pham/123456-" + "thuc-pham-bao-ve-suc-khoe-" * 4 + "x" * 16,
    code="OCOP123456",
    stars=None,
)
A6_POINTS = (297.6378, 419.5276)
A4_POINTS = (595.2756, 841.8898)
LABEL_POINTS = (198.4252, 104.8819)


def decode_all(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def decode(image: Image.Image) -> str:
    texts = decode_all(image)
    assert len(texts) == 1, texts
    return texts[0]


# --- a minimal PDF reader -------------------------------------------------------------------

OBJ = re.compile(rb"(\d+) 0 obj\n")
STREAM = re.compile(rb"/Length (\d+) >>\nstream\n")
PLACE = re.compile(rb"q ([\d.]+) 0 0 ([\d.]+) ([\d.]+) ([\d.]+) cm /Im0 Do Q\n")


class Pdf:
    """Objects by number (dictionary text, stream bytes), checked against the xref table."""

    def __init__(self, data: bytes):
        assert data.startswith(b"%PDF-1.4\n")
        assert data.endswith(b"%%EOF\n")
        xref_at = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", data).group(1))
        assert data[xref_at:].startswith(b"xref\n0 ")
        count = int(re.match(rb"xref\n0 (\d+)\n", data[xref_at:]).group(1))
        table = data[xref_at:].split(b"\n")[2 : 2 + count]
        self.objects: dict[int, tuple[bytes, bytes | None]] = {}
        for number, row in enumerate(table[1:], start=1):
            offset = int(row[:10])
            head = OBJ.match(data, offset)
            assert head and int(head.group(1)) == number, f"xref offset of object {number}"
            body_at = head.end()
            stream = STREAM.search(data, body_at)
            end = data.index(b"\nendobj\n", body_at)
            if stream and stream.start() < end:
                length = int(stream.group(1))
                payload = data[stream.end() : stream.end() + length]
                assert data[stream.end() + length :].startswith(b"\nendstream\nendobj\n")
                self.objects[number] = (data[body_at : stream.end()], payload)
            else:
                self.objects[number] = (data[body_at:end], None)
        trailer = data[data.index(b"trailer", xref_at) :]
        assert b"/Size %d" % count in trailer and b"/Root 1 0 R" in trailer

    def pages(self) -> list[bytes]:
        kids = re.search(rb"/Kids \[([^\]]*)\]", self.objects[2][0]).group(1)
        return [self.objects[int(n)][0] for n in re.findall(rb"(\d+) 0 R", kids)]

    def media_boxes(self) -> list[tuple[float, float, float, float]]:
        boxes = [re.search(rb"/MediaBox \[([^\]]*)\]", page).group(1) for page in self.pages()]
        return [tuple(float(v) for v in box.split()) for box in boxes]

    def placements(self) -> list[list[tuple[float, ...]]]:
        """Per page: (width, height, x, y) in points of every drawing of the image."""
        result = []
        for page in self.pages():
            contents = int(re.search(rb"/Contents (\d+) 0 R", page).group(1))
            stream = self.objects[contents][1]
            found = [tuple(float(v) for v in m) for m in PLACE.findall(stream)]
            assert len(found) == stream.count(b"Do"), stream
            result.append(found)
        return result

    def image(self) -> Image.Image:
        (head, data), *others = [o for o in self.objects.values() if b"/Subtype /Image" in o[0]]
        assert not others, "one image, drawn as often as needed"
        assert b"/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode" in head
        size = tuple(int(v) for v in re.search(rb"/Width (\d+) /Height (\d+)", head).groups())
        return Image.frombytes("RGB", size, zlib.decompress(data))

    def title(self) -> str:
        info = next(o[0] for o in self.objects.values() if b"/Title" in o[0])
        return bytes.fromhex(re.search(rb"<FEFF([0-9A-F]*)>", info).group(1).decode()).decode(
            "utf-16-be"
        )


def assert_size(box: tuple[float, ...], expected: tuple[float, float]) -> None:
    assert box[:2] == (0, 0)
    assert box[2] == pytest.approx(expected[0], abs=0.01)
    assert box[3] == pytest.approx(expected[1], abs=0.01)


def png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)
    return image


# --- stall poster ---------------------------------------------------------------------------


def assert_static_qr_of(payload: str, poster: StallPoster) -> None:
    qr = parse(payload)
    assert (qr.bin, qr.account) == (poster.bank_bin, poster.bank_account)
    assert qr.amount is None and qr.purpose is None
    assert qr.point_of_initiation == STATIC
    assert payload[6:12] == "010211"  # tag 01 = 11: static, reusable


@pytest.mark.parametrize("poster", [POSTER, LONG_POSTER], ids=["short", "long-names"])
def test_poster_png_is_a6_at_300_dpi_with_the_static_vietqr(poster):
    image = png(printables.poster_png(poster))
    assert image.size == (1240, 1748)  # 105 x 148 mm at 300 dpi
    assert_static_qr_of(decode(image), poster)


@pytest.mark.parametrize("poster", [POSTER, LONG_POSTER], ids=["short", "long-names"])
def test_poster_pdf_is_one_exact_a6_page_with_the_static_vietqr(poster):
    pdf = Pdf(printables.poster_pdf(poster))
    (box,) = pdf.media_boxes()
    assert_size(box, A6_POINTS)
    (page,) = pdf.placements()
    assert page == [pytest.approx((*A6_POINTS, 0, 0), abs=0.01)]  # the image fills the page
    image = pdf.image()
    assert image.size == (1240, 1748)
    assert_static_qr_of(decode(image), poster)
    assert pdf.title().startswith("Bảng QR - ")


def test_poster_qr_is_large_and_centred():
    image = png(printables.poster_png(POSTER)).convert("L")
    (result,) = zxingcpp.read_barcodes(image)
    xs = [p.x for p in (result.position.top_left, result.position.bottom_left)]
    right = [p.x for p in (result.position.top_right, result.position.bottom_right)]
    side = max(right) - min(xs)
    assert side >= printables.px(55)  # at least 55 mm of modules across
    assert abs((min(xs) + max(right)) / 2 - image.width / 2) <= printables.px(1)


def test_poster_takes_the_bank_name_given_or_the_one_of_its_bin():
    from dataclasses import replace

    # the name is drawn, not encoded, so only the QR and the page must stay the same
    named = replace(POSTER, bank_name="Ngân hàng Quân đội")
    assert png(printables.poster_png(named)).size == (1240, 1748)
    assert printables.poster_png(named) != printables.poster_png(POSTER)


@pytest.mark.parametrize(
    "bank_bin, account", [("999999", "741273872764"), ("970422", ""), ("970422", "12 34")]
)
def test_poster_refuses_an_account_a_bank_app_would_reject(bank_bin, account):
    from dataclasses import replace

    with pytest.raises(VietQRError):
        printables.poster_png(replace(POSTER, bank_bin=bank_bin, bank_account=account))


def test_pdfs_are_deterministic():
    assert printables.poster_pdf(POSTER) == printables.poster_pdf(POSTER)
    assert printables.label_sheet_pdf(LABEL, 30) == printables.label_sheet_pdf(LABEL, 30)


# --- product labels -------------------------------------------------------------------------


@pytest.mark.parametrize("label", [LABEL, LONG_LABEL], ids=["short", "long-text-and-url"])
def test_label_png_is_70_by_37_mm_at_300_dpi_with_the_product_url(label):
    image = png(printables.label_png(label))
    assert image.size == (827, 437)
    assert decode(image) == label.url


def test_label_text_helpers():
    assert printables.price_text(150_000, "chai") == "150.000 ₫ / chai"
    assert printables.price_text(1_200_000, "") == "1.200.000 ₫"
    assert printables.stars_text(4) == "★★★★ OCOP 4 sao"
    assert printables.stars_text(None) == ""


@pytest.mark.parametrize("count, per_page", [(1, [1]), (24, [24]), (25, [24, 1]), (96, [24] * 4)])
def test_label_sheet_pdf_has_exact_a4_pages_of_placed_labels(count, per_page):
    pdf = Pdf(printables.label_sheet_pdf(LABEL, count))
    boxes = pdf.media_boxes()
    assert len(boxes) == len(per_page)
    for box in boxes:
        assert_size(box, A4_POINTS)
    pages = pdf.placements()
    assert [len(page) for page in pages] == per_page
    for page in pages:
        cells = set()
        for width, height, x, y in page:
            assert (width, height) == pytest.approx(LABEL_POINTS, abs=0.01)
            assert x >= 0 and x + width <= A4_POINTS[0] + 0.01
            assert y >= 0 and y + height <= A4_POINTS[1] + 0.01
            cells.add((round(x, 2), round(y, 2)))
        assert len(cells) == len(page), "no two labels on one spot"
    first = pages[0][0]
    assert first[2] == pytest.approx(0, abs=0.01)  # 3 x 70 mm fill the width
    assert A4_POINTS[1] - (first[3] + first[1]) == pytest.approx(printables.points(0.5), abs=0.01)
    image = pdf.image()
    assert image.size == (827, 437)
    assert decode(image) == LABEL.url
    assert pdf.title() == f"Nhãn - {LABEL.name}"


def test_a_printed_sheet_scans_label_by_label():
    page = printables.sheet_preview(LABEL, 24)
    assert page.size == (2480, 3508)  # A4 at 300 dpi
    assert decode_all(page) == [LABEL.url] * 24


def test_sheet_pages_fill_row_by_row():
    (page,) = printables.sheet_pages(4)
    corners = [(x, y) for x, y, _, _ in page]  # mm; the 8 rows leave 0.5 mm top and bottom
    assert corners == [(0, 0.5), (70, 0.5), (140, 0.5), (0, 37.5)]


@pytest.mark.parametrize("count", [0, -1, True, 1.5, "3", None])
def test_label_sheet_needs_a_positive_whole_count(count):
    with pytest.raises(ValueError):
        printables.label_sheet_pdf(LABEL, count)


# --- text fitting ---------------------------------------------------------------------------


def test_fit_wraps_within_the_width_and_cuts_what_cannot_fit():
    text = "Hợp tác xã Nông nghiệp và Dịch vụ Tổng hợp " * 4
    face, lines = printables.fit(text, 400, printables.sizes(40, 30, lines=2))
    assert face.size == 30 and len(lines) == 2
    assert lines[-1].endswith("…")
    assert all(face.getlength(line) <= 400 for line in lines)


def test_fit_keeps_the_largest_size_that_fits():
    face, lines = printables.fit("Tư Tài", 400, printables.sizes(40, 30))
    assert (face.size, lines) == (40, ["Tư Tài"])


def test_wrap_cuts_a_word_longer_than_the_line():
    face = printables.font(30)
    lines = printables.wrap("X" * 60, face, 300)
    assert "".join(lines) == "X" * 60
    assert len(lines) > 1 and all(face.getlength(line) <= 300 for line in lines)
