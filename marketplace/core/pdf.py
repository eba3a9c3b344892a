"""A minimal PDF writer: pages that each draw one RGB image at placements given in mm.

Written here rather than by Pillow, whose PDF plugin stores RGB pages as JPEG: lossy around QR
modules and text, and 2.8 MB for one A4 sheet of labels. Here the image is a lossless
Flate-compressed XObject embedded once however often it is placed, the MediaBox is the exact
paper size in points, and there are no timestamps, so equal input gives equal bytes.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from PIL import Image

MM_PER_INCH = 25.4
POINTS_PER_INCH = 72
A4_MM = (210.0, 297.0)
A5_MM = (148.0, 210.0)
A6_MM = (105.0, 148.0)

Placement = tuple[float, float, float, float]  # x, y from the top-left, width, height in mm


def points(mm: float) -> float:
    """Millimetres as PDF points (1/72 inch)."""
    return mm * POINTS_PER_INCH / MM_PER_INCH


def _num(value: float) -> bytes:
    return (f"{value:.4f}".rstrip("0").rstrip(".") or "0").encode()


def _text_string(text: str) -> bytes:
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def pdf_bytes(
    image: Image.Image,
    page_mm: tuple[float, float],
    pages: Sequence[Sequence[Placement]],
    title: str,
) -> bytes:
    """A PDF of ``page_mm`` pages that each draw one RGB image at the given placements."""
    width, height = points(page_mm[0]), points(page_mm[1])
    rgb = image.convert("RGB")
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, once the page numbers are known
        b"<< /Title " + _text_string(title) + b" >>",
        _stream(
            b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
            b"/BitsPerComponent 8 /Filter /FlateDecode" % rgb.size,
            zlib.compress(rgb.tobytes()),
        ),
    ]
    kids = []
    for placements in pages:
        content = b"".join(
            b"q %s 0 0 %s %s %s cm /Im0 Do Q\n"
            % (_num(points(w)), _num(points(h)), _num(points(x)), _num(height - points(y + h)))
            for x, y, w, h in placements
        )
        objects.append(_stream(b"", content))
        kids.append(b"%d 0 R" % (len(objects) + 1))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] "
            b"/Resources << /XObject << /Im0 4 0 R >> >> /Contents %d 0 R >>"
            % (_num(width), _num(height), len(objects))
        )
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 3 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _stream(entries: bytes, data: bytes) -> bytes:
    head = b"<< " + (entries + b" " if entries else b"") + b"/Length %d >>" % len(data)
    return head + b"\nstream\n" + data + b"\nendstream"
