"""Product images: every upload goes through Pillow once.

Verify the file, bound its size and pixel count (decompression bombs), apply the EXIF
orientation, drop all metadata (GPS, camera), keep a clean original and derive WebP thumbnails.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session

from marketplace.core.errors import ValidationError
from marketplace.core.storage import MediaStorage

from .models import Product, ProductImage

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


@dataclass
class ProcessedImage:
    """A cleaned original and its thumbnails, ready to store."""

    original: bytes
    extension: str
    width: int
    height: int
    sha256: str
    thumbs: dict[int, bytes]


def process_image(
    data: bytes, *, max_bytes: int, max_pixels: int, thumb_sizes: tuple[int, ...]
) -> ProcessedImage:
    """Validate and clean an uploaded image; raises ValidationError with a Vietnamese message."""
    if not data:
        raise ValidationError("Tệp ảnh trống. Chụp hoặc chọn lại ảnh.", param="image")
    if len(data) > max_bytes:
        raise ValidationError(
            f"Ảnh quá lớn: tối đa {max_bytes // (1024 * 1024)} MB. Chọn ảnh nhỏ hơn hoặc chụp lại.",
            param="image",
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            "Không đọc được ảnh. Hãy gửi ảnh JPEG, PNG hoặc WebP.", param="image"
        ) from None
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError(
            "Chỉ nhận ảnh JPEG, PNG hoặc WebP. Chụp hoặc chọn ảnh khác.", param="image"
        )
    if width * height > max_pixels:
        raise ValidationError(
            f"Ảnh có quá nhiều điểm ảnh ({width}×{height}); hãy thu nhỏ ảnh.", param="image"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                upright = ImageOps.exif_transpose(img)
        except (OSError, ValueError, Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise ValidationError(
                "Ảnh bị hỏng hoặc không an toàn. Chụp hoặc chọn ảnh khác (JPEG, PNG, WebP).",
                param="image",
            ) from None
    clean = _strip(upright)
    original = _encode(clean, fmt)
    thumbs = {size: _thumbnail(clean, size) for size in thumb_sizes}
    return ProcessedImage(
        original=original,
        extension=ALLOWED_FORMATS[fmt],
        width=clean.width,
        height=clean.height,
        sha256=hashlib.sha256(original).hexdigest(),
        thumbs=thumbs,
    )


def _strip(img: Image.Image) -> Image.Image:
    """A copy with pixels only: no EXIF, XMP, ICC-less text chunks or comments."""
    mode = (
        img.mode
        if img.mode in ("RGB", "RGBA", "L", "LA")
        else ("RGBA" if "transparency" in img.info or img.mode in ("P", "PA") else "RGB")
    )
    pixels = img.convert(mode)
    clean = Image.new(mode, pixels.size)
    clean.paste(pixels)
    return clean


def _encode(img: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "JPEG":
        img.convert("RGB").save(buf, "JPEG", quality=90, optimize=True)
    elif fmt == "PNG":
        img.save(buf, "PNG", optimize=True)
    else:
        img.save(buf, "WEBP", quality=90)
    return buf.getvalue()


def _thumbnail(img: Image.Image, size: int) -> bytes:
    thumb = img.copy()
    thumb.thumbnail((size, size), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    thumb.save(buf, "WEBP", quality=80, method=4)
    return buf.getvalue()


def add_image(
    session: Session,
    storage: MediaStorage,
    product: Product,
    data: bytes,
    *,
    alt: str = "",
    is_placeholder: bool = False,
    max_bytes: int,
    max_pixels: int,
    thumb_sizes: tuple[int, int],
) -> ProductImage:
    """Process, store and attach an image to ``product`` (same content twice is kept once)."""
    processed = process_image(
        data, max_bytes=max_bytes, max_pixels=max_pixels, thumb_sizes=thumb_sizes
    )
    for existing in product.images:
        if existing.sha256 == processed.sha256:
            return existing
    base = f"products/{product.id}/{processed.sha256[:16]}"
    small, large = thumb_sizes
    image = ProductImage(
        product=product,
        position=len(product.images),
        original_path=storage.save(f"{base}.{processed.extension}", processed.original),
        thumb_small_path=storage.save(f"{base}-{small}.webp", processed.thumbs[small]),
        thumb_large_path=storage.save(f"{base}-{large}.webp", processed.thumbs[large]),
        width=processed.width,
        height=processed.height,
        sha256=processed.sha256,
        alt=alt or product.name,
        is_placeholder=is_placeholder,
    )
    session.add(image)
    session.flush()
    return image
