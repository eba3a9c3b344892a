"""Printables: a producer's stall poster (bảng QR tại quầy) and sheets of product labels.

Pure functions over plain dataclasses (no Flask, no database), drawn with Pillow at 300 dpi in
the one shipped font (DejaVu Sans Bold; sizes and greys make the hierarchy). Sizes are in
millimetres and every pixel box is derived from them.

PDFs come from ``core/pdf.py`` (lossless, exact paper sizes): a label sheet embeds its label
once and places it in each cell, so 96 labels come to a few tens of kB.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from PIL import Image, ImageDraw, ImageFont

from marketplace.core.money import format_vnd
from marketplace.core.pdf import A4_MM, A6_MM, MM_PER_INCH, Placement, pdf_bytes, points  # noqa: F401
from marketplace.core.text import clean_line

from . import qr_render, vietqr

DPI = 300
LABEL_MM = (70.0, 37.0)
MAX_LABELS = 96
POSTER_HEADING = "Quét mã để chuyển khoản"
POSTER_HINT = "Mở ứng dụng ngân hàng, quét mã rồi nhập số tiền cần trả."

RGB = tuple[int, int, int]
INK: RGB = (27, 27, 27)
MUTED: RGB = (95, 99, 104)
GREEN: RGB = (27, 94, 32)
PRICE: RGB = (183, 28, 28)
STARS: RGB = (122, 79, 0)
FRAME: RGB = (200, 214, 200)
WHITE: RGB = (255, 255, 255)


@dataclass(frozen=True)
class StallPoster:
    """The payee a stall poster shows; its QR is static (no amount, no purpose)."""

    producer_name: str
    bank_bin: str
    bank_account: str
    bank_account_name: str
    #: short bank name; looked up from the BIN (``vietqr.banks()``) when None
    bank_name: str | None = None


@dataclass(frozen=True)
class ProductLabel:
    """What one product label shows; ``url`` (the absolute product page URL) is its QR."""

    name: str
    price_vnd: int
    unit: str
    producer_name: str
    url: str
    code: str
    #: stars of an OCOP certificate valid today, else None
    stars: int | None = None


@dataclass(frozen=True)
class SheetLayout:
    """Equal labels in a grid centred on the page (default: A4, 3 x 8 labels of 70 x 37 mm)."""

    cols: int = 3
    rows: int = 8
    label_mm: tuple[float, float] = LABEL_MM
    page_mm: tuple[float, float] = A4_MM

    @property
    def per_page(self) -> int:
        return self.cols * self.rows

    def cells(self) -> list[tuple[float, float]]:
        """Top-left corner of every cell in millimetres from the page's top-left, row by row."""
        left = (self.page_mm[0] - self.cols * self.label_mm[0]) / 2
        top = (self.page_mm[1] - self.rows * self.label_mm[1]) / 2
        return [
            (left + col * self.label_mm[0], top + row * self.label_mm[1])
            for row in range(self.rows)
            for col in range(self.cols)
        ]


A4_LABELS = SheetLayout()


# --- geometry, fonts and text -------------------------------------------------------------


def px(mm: float) -> int:
    """Millimetres as whole pixels at 300 dpi."""
    return round(mm * DPI / MM_PER_INCH)


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    """The shipped Vietnamese-capable font at a pixel size.

    Read through ``importlib.resources`` like ``vietqr.banks()``: importing
    ``producers.refdata`` would pull in SQLAlchemy and Flask.
    """
    data = resources.files("producers").joinpath("data", "DejaVuSans-Bold.ttf").read_bytes()
    return ImageFont.truetype(io.BytesIO(data), size)


def _cut(word: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """A word wider than the line, in pieces that fit (long account names, codes)."""
    pieces, piece = [], ""
    for ch in word:
        if piece and face.getlength(piece + ch) > width:
            pieces.append(piece)
            piece = ch
        else:
            piece += ch
    return [*pieces, piece]


def wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap to ``width`` pixels; words longer than a line are cut."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if face.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        *full, line = _cut(word, face, width)
        lines.extend(full)
    return [*lines, line] if line else lines


def fit(
    text: str, width: int, steps: Sequence[tuple[int, int]]
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The first ``(size, max_lines)`` step the wrapped text fits; past the last, cut with …"""
    for size, max_lines in steps:
        face = font(size)
        lines = wrap(text, face, width)
        if len(lines) <= max_lines:
            return face, lines
    kept = lines[:max_lines]
    while kept[-1] and face.getlength(kept[-1] + "…") > width:
        kept[-1] = kept[-1][:-1].rstrip()
    kept[-1] += "…"
    return face, kept


def sizes(*sizes: int, lines: int = 1) -> list[tuple[int, int]]:
    """Steps for :func:`fit`: these sizes, largest first, each allowed ``lines`` lines."""
    return [(size, lines) for size in sizes]


def line_height(face: ImageFont.FreeTypeFont) -> int:
    """Baseline-to-baseline distance, with room for stacked Vietnamese marks (Ấ, Ễ, Ợ)."""
    return round(face.size * 1.3)


def draw_lines(
    draw: ImageDraw.ImageDraw,
    lines: Sequence[str],
    face: ImageFont.FreeTypeFont,
    xy: tuple[int, int],
    fill: RGB,
    anchor: str = "ms",
) -> int:
    """Draw lines from the top ``xy[1]`` down and return their bottom.

    ``anchor`` is Pillow's: ``ms`` centres each line on ``xy[0]``, ``ls`` starts it there.
    """
    x, top = xy
    step = line_height(face)
    baseline = top + step - face.getmetrics()[1]
    for line in lines:
        draw.text((x, baseline), line, font=face, fill=fill, anchor=anchor)
        baseline += step
    return top + step * len(lines)


def qr_image(payload: str, max_side: int) -> tuple[Image.Image, int]:
    """The payload's QR, 4-module quiet zone included, at the largest whole-pixel module size
    that fits ``max_side``, and that module size; drawn by ``qr_render`` like the screen QR."""
    modules = Image.open(io.BytesIO(qr_render.render_png(payload, box_size=1))).width
    box = min(qr_render.MAX_BOX_SIZE, max_side // modules)
    if box < 1:
        raise ValueError(f"{max_side} px is too small for a {modules}-module QR code")
    png = qr_render.render_png(payload, box_size=box)
    return Image.open(io.BytesIO(png)).convert("RGB"), box


# --- output ---------------------------------------------------------------------------------


def png_bytes(image: Image.Image) -> bytes:
    """PNG bytes that tell printing software the image is 300 dpi."""
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(DPI, DPI))
    return out.getvalue()


# --- stall poster ---------------------------------------------------------------------------


def poster_payload(poster: StallPoster) -> str:
    """The static VietQR (01=11): the buyer types the amount in the banking app."""
    return vietqr.build(poster.bank_bin, poster.bank_account)


def poster_image(poster: StallPoster) -> Image.Image:
    """The A6 portrait poster (105 x 148 mm at 300 dpi)."""
    payload = poster_payload(poster)  # validates BIN and account before anything is drawn
    width, height = px(A6_MM[0]), px(A6_MM[1])
    image = Image.new("RGB", (width, height), WHITE)
    draw = ImageDraw.Draw(image)
    frame = px(5)
    box = (frame, frame, width - frame, height - frame)
    draw.rounded_rectangle(box, radius=px(4), outline=FRAME, width=px(0.6))
    margin, centre = px(10), width // 2
    inner = width - 2 * margin

    # head: the producer's name (two lines if at all possible), then the heading
    name = fit(
        clean_line(poster.producer_name), inner, sizes(68, 60, 52, lines=2) + sizes(46, 40, lines=3)
    )
    heading = fit(POSTER_HEADING, inner, sizes(54, 48, 42))
    top = draw_lines(draw, name[1], name[0], (centre, margin), INK)
    top = draw_lines(draw, heading[1], heading[0], (centre, top + px(2)), GREEN)

    # foot, measured first and drawn up to the bottom margin: what to type in by hand
    bank = poster.bank_name or vietqr.banks().get(poster.bank_bin) or poster.bank_bin
    rows = [
        ("Ngân hàng", fit(clean_line(bank), inner, sizes(50, 44, 38))),
        ("Số tài khoản", fit(poster.bank_account, inner, sizes(72, 64, 56, 48))),
        (
            "Chủ tài khoản",
            fit(
                clean_line(poster.bank_account_name), inner, sizes(46, 40, 34, lines=2) + [(30, 3)]
            ),
        ),
    ]
    caption, gap = font(30), px(1.5)
    hint = fit(POSTER_HINT, inner, sizes(28, 26, 24, lines=2))
    foot = sum(line_height(caption) + line_height(f) * len(ls) + gap for _, (f, ls) in rows)
    foot_top = y = height - margin - foot - line_height(hint[0]) * len(hint[1])
    for label, (face, lines) in rows:
        y = draw_lines(draw, [label], caption, (centre, y), MUTED)
        y = draw_lines(draw, lines, face, (centre, y), INK) + gap
    draw_lines(draw, hint[1], hint[0], (centre, y), MUTED)

    # the QR takes what is left, centred between head and foot
    qr, _ = qr_image(payload, min(inner, foot_top - top))
    image.paste(qr, (centre - qr.width // 2, top + (foot_top - top - qr.height) // 2))
    return image


def poster_png(poster: StallPoster) -> bytes:
    """The poster as a 300 dpi PNG."""
    return png_bytes(poster_image(poster))


def poster_pdf(poster: StallPoster) -> bytes:
    """The poster as a one-page PDF whose page is exactly A6 portrait."""
    title = f"Bảng QR - {clean_line(poster.producer_name)}"
    return pdf_bytes(poster_image(poster), A6_MM, [[(0, 0, *A6_MM)]], title)


# --- product labels -------------------------------------------------------------------------


def price_text(price_vnd: int, unit: str) -> str:
    """``150.000 ₫ / chai``."""
    unit = clean_line(unit)
    return f"{format_vnd(price_vnd)} / {unit}" if unit else format_vnd(price_vnd)


def stars_text(stars: int | None) -> str:
    """``★★★★ OCOP 4 sao``, or empty without a valid certificate."""
    return f"{'★' * stars} OCOP {stars} sao" if stars else ""


def label_image(label: ProductLabel, size_mm: tuple[float, float] = LABEL_MM) -> Image.Image:
    """One label (70 x 37 mm at 300 dpi by default): text left; QR with the code under it right."""
    width, height = px(size_mm[0]), px(size_mm[1])
    image = Image.new("RGB", (width, height), WHITE)
    draw = ImageDraw.Draw(image)
    # home printers cannot print the outer 3-4 mm, and the sheet has no margin of its own
    pad_x, pad_y = px(4), px(3.5)

    # bottom row: the producer on the left and the code on the right share the bottom margin
    code_face = font(22)
    bottom = height - pad_y
    code_top = bottom - line_height(code_face)
    # the QR's own quiet zone is its margin to the text and code; ~26 mm scans at arm's length
    qr, _ = qr_image(label.url, min(px(27), code_top - px(1)))
    qr_left = width - px(2) - qr.width
    image.paste(qr, (qr_left, code_top - qr.height))
    draw_lines(draw, [label.code], code_face, (qr_left + qr.width // 2, code_top), MUTED)
    text_width = qr_left - pad_x
    maker_face, maker = fit(clean_line(label.producer_name), text_width, sizes(23, 21, 19, lines=2))
    maker_top = bottom - line_height(maker_face) * len(maker)
    draw_lines(draw, maker, maker_face, (pad_x, maker_top), MUTED, anchor="ls")

    # top: name, stars when certified, price
    name_face, name = fit(clean_line(label.name), text_width, sizes(36, 32, 29, 26, lines=3))
    y = draw_lines(draw, name, name_face, (pad_x, pad_y - px(0.5)), INK, anchor="ls")
    if label.stars:
        face, lines = fit(stars_text(label.stars), text_width, sizes(26, 24, 22))
        y = draw_lines(draw, lines, face, (pad_x, y + px(0.5)), STARS, anchor="ls")
    face, lines = fit(
        price_text(label.price_vnd, label.unit), text_width, sizes(44, 40, 36, 32, 28) + [(28, 2)]
    )
    draw_lines(draw, lines, face, (pad_x, y + px(0.8)), PRICE, anchor="ls")
    return image


def label_png(label: ProductLabel) -> bytes:
    """One label as a 300 dpi PNG."""
    return png_bytes(label_image(label))


def sheet_pages(count: int, layout: SheetLayout = A4_LABELS) -> list[list[Placement]]:
    """Cells for ``count`` labels, page by page, filled row by row (the last page may be partial)."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be a positive whole number, found {count!r}")
    cells = [(x, y, *layout.label_mm) for x, y in layout.cells()]
    return [
        cells[: min(layout.per_page, count - start)] for start in range(0, count, layout.per_page)
    ]


def label_sheet_pdf(label: ProductLabel, count: int, layout: SheetLayout = A4_LABELS) -> bytes:
    """``count`` identical labels as a PDF of A4 pages (24 a page by default)."""
    pages = sheet_pages(count, layout)
    title = f"Nhãn - {clean_line(label.name)}"
    return pdf_bytes(label_image(label, layout.label_mm), layout.page_mm, pages, title)


def sheet_preview(label: ProductLabel, count: int, layout: SheetLayout = A4_LABELS) -> Image.Image:
    """The first page of a label sheet as one 300 dpi image (for checking a layout by eye)."""
    one = label_image(label, layout.label_mm)
    page = Image.new("RGB", (px(layout.page_mm[0]), px(layout.page_mm[1])), WHITE)
    for x, y, _, _ in sheet_pages(count, layout)[0]:
        page.paste(one, (px(x), px(y)))
    return page
