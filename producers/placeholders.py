"""Generated placeholder product images: clearly not photos (name and group on a coloured card)."""

from __future__ import annotations

import io
import textwrap
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from .refdata import data_file

# One calm colour per OCOP group, dark enough for white text (contrast > 4.5:1).
GROUP_COLOURS = {
    "1": (46, 125, 50),
    "2": (21, 101, 192),
    "3": (106, 27, 154),
    "4": (191, 54, 12),
    "5": (0, 105, 92),
    "6": (69, 90, 100),
}


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(data_file("DejaVuSans-Bold.ttf")), size)


def placeholder_png(name: str, group_name: str, group_code: str, size: int = 800) -> bytes:
    """A square PNG card with the product name, its OCOP group and 'Ảnh minh hoạ'."""
    colour = GROUP_COLOURS.get(group_code, (69, 90, 100))
    img = Image.new("RGB", (size, size), colour)
    draw = ImageDraw.Draw(img)
    margin = size // 12
    draw.rectangle(
        (margin // 2, margin // 2, size - margin // 2, size - margin // 2),
        outline=(255, 255, 255),
        width=max(2, size // 200),
    )
    title_font = _font(size // 14)
    lines = textwrap.wrap(name, width=18)[:5]
    y = size // 4
    for line in lines:
        draw.text((size // 2, y), line, font=title_font, fill=(255, 255, 255), anchor="ma")
        y += int(size / 14 * 1.3)
    small = _font(size // 26)
    group_lines = textwrap.wrap(group_name, width=34)[:2]
    y = size - margin * 2.6 - (len(group_lines) - 1) * size // 22
    for line in group_lines:
        draw.text((size // 2, y), line, font=small, fill=(255, 255, 255), anchor="ma")
        y += size // 22
    label = _font(size // 18)
    draw.text(
        (size // 2, size - margin * 1.6),
        "ẢNH MINH HOẠ",
        font=label,
        fill=(255, 255, 224),
        anchor="ma",
    )
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()
