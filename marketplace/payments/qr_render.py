"""Render a QR payload as PNG bytes or SVG text, with an optional centred logo.

``qrcode`` only computes the module matrix here; pixels and SVG markup are drawn from it so
the output is byte-for-byte deterministic and PNG and SVG share one geometry (the SVG viewBox is
in pixels: ``0 0 S S`` with ``S = (modules + 2 * border) * box_size``). Error correction is M,
or Q when a logo (at most 20% of the symbol width) hides the centre. Renders are kept in a
bounded LRU keyed by (payload, format, box size, logo content), so repeats cost nothing.
"""

from __future__ import annotations

import base64
import hashlib
import io
from dataclasses import dataclass, field
from functools import lru_cache
from typing import cast

import qrcode
from PIL import Image

BORDER = 4  # quiet zone in modules, as the QR standard asks
DEFAULT_BOX_SIZE = 8
MAX_BOX_SIZE = 64
LOGO_MAX_RATIO = 0.2
CACHE_SIZE = 256


@dataclass(frozen=True)
class _Logo:
    """A logo keyed by its pixels, so equal logos in different Image objects share renders."""

    digest: str
    image: Image.Image = field(compare=False, hash=False, repr=False)

    @classmethod
    def of(cls, logo: Image.Image | None) -> _Logo | None:
        if logo is None:
            return None
        if not isinstance(logo, Image.Image):
            raise TypeError(f"logo must be a PIL image, not {type(logo).__name__}")
        rgba = logo.convert("RGBA")
        digest = hashlib.sha256(f"{rgba.size}".encode() + rgba.tobytes()).hexdigest()
        return cls(digest, rgba)


def _check(payload: str, box_size: int) -> None:
    if not isinstance(payload, str) or not payload:
        raise ValueError("payload must be non-empty text")
    if isinstance(box_size, bool) or not isinstance(box_size, int):
        raise TypeError("box_size must be an integer")
    if not 1 <= box_size <= MAX_BOX_SIZE:
        raise ValueError(f"box_size must be between 1 and {MAX_BOX_SIZE}, found {box_size}")


def render_png(
    payload: str, *, box_size: int = DEFAULT_BOX_SIZE, logo: Image.Image | None = None
) -> bytes:
    """PNG bytes of the payload's QR code; the same arguments return the same cached object."""
    _check(payload, box_size)
    return cast(bytes, _render(payload, "png", box_size, _Logo.of(logo)))


def render_svg(
    payload: str, *, box_size: int = DEFAULT_BOX_SIZE, logo: Image.Image | None = None
) -> str:
    """SVG text of the payload's QR code; the same arguments return the same cached object."""
    _check(payload, box_size)
    return cast(str, _render(payload, "svg", box_size, _Logo.of(logo)))


def cache_clear() -> None:
    """Forget every cached render."""
    _render.cache_clear()


def cache_info() -> tuple[int, int, int | None, int]:
    """``(hits, misses, maxsize, currsize)`` of the render cache."""
    hits, misses, maxsize, size = _render.cache_info()
    return hits, misses, maxsize, size


def _matrix(payload: str, with_logo: bool) -> list[list[bool]]:
    level = qrcode.ERROR_CORRECT_Q if with_logo else qrcode.ERROR_CORRECT_M
    code = qrcode.QRCode(error_correction=level, border=0)
    code.add_data(payload)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def _logo_layout(logo: Image.Image, modules: int, box: int) -> tuple[Image.Image, int, int, int]:
    """The resized logo, its top-left position and the side of its white backing square."""
    side = int(modules * box * LOGO_MAX_RATIO)  # backing square, at most 20% of the symbol
    pad = max(1, box // 2)
    inner = max(1, side - 2 * pad)
    scale = min(1.0, inner / max(logo.size))
    size = (max(1, round(logo.width * scale)), max(1, round(logo.height * scale)))
    resized = logo if size == logo.size else logo.resize(size, Image.Resampling.LANCZOS)
    backing = max(size) + 2 * pad
    total = (modules + 2 * BORDER) * box
    return resized, (total - size[0]) // 2, (total - size[1]) // 2, backing


@lru_cache(maxsize=CACHE_SIZE)
def _render(payload: str, fmt: str, box: int, logo: _Logo | None) -> bytes | str:
    matrix = _matrix(payload, logo is not None)
    layout = None if logo is None else _logo_layout(logo.image, len(matrix), box)
    if fmt == "png":
        return _png(matrix, box, layout)
    return _svg(matrix, box, layout)


def _png(
    matrix: list[list[bool]], box: int, layout: tuple[Image.Image, int, int, int] | None
) -> bytes:
    width = len(matrix) + 2 * BORDER
    small = Image.new("1", (width, width), 1)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                small.putpixel((x + BORDER, y + BORDER), 0)
    image = small.resize((width * box, width * box), Image.Resampling.NEAREST)
    if layout is not None:
        resized, left, top, backing = layout
        image = image.convert("RGB")
        total = width * box
        corner = (total - backing) // 2
        image.paste((255, 255, 255), (corner, corner, corner + backing, corner + backing))
        flat = Image.new("RGBA", resized.size, (255, 255, 255, 255))
        image.paste(Image.alpha_composite(flat, resized).convert("RGB"), (left, top))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _svg(
    matrix: list[list[bool]], box: int, layout: tuple[Image.Image, int, int, int] | None
) -> str:
    total = (len(matrix) + 2 * BORDER) * box
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            left, top, length = (start + BORDER) * box, (y + BORDER) * box, (x - start) * box
            runs.append(f"M{left} {top}h{length}v{box}h-{length}z")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{total}" '
        f'height="{total}" viewBox="0 0 {total} {total}" shape-rendering="crispEdges">',
        f'<rect width="{total}" height="{total}" fill="#ffffff"/>',
        f'<path fill="#000000" d="{"".join(runs)}"/>',
    ]
    if layout is not None:
        resized, left, top, backing = layout
        corner = (total - backing) // 2
        png = io.BytesIO()
        resized.save(png, format="PNG")
        data = base64.b64encode(png.getvalue()).decode("ascii")
        parts.append(
            f'<rect x="{corner}" y="{corner}" width="{backing}" height="{backing}" fill="#ffffff"/>'
        )
        parts.append(
            f'<image x="{left}" y="{top}" width="{resized.width}" height="{resized.height}" '
            f'href="data:image/png;base64,{data}"/>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
