import io

import pytest
from PIL import Image

from marketplace.core.errors import ValidationError
from producers.images import process_image
from producers.placeholders import placeholder_png

LIMITS = {"max_bytes": 2 * 1024 * 1024, "max_pixels": 4_000_000, "thumb_sizes": (320, 800)}


def _jpeg_with_exif(width=400, height=200, orientation=6):
    img = Image.new("RGB", (width, height), (200, 30, 30))
    img.paste((30, 30, 200), (0, 0, width // 2, height))  # left half blue
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation: rotate 90° CW to display
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (21.0, 0.0, 0.0)}  # GPS IFD
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif, comment=b"private note")
    return buf.getvalue()


def test_exif_orientation_applied_and_metadata_stripped():
    out = process_image(_jpeg_with_exif(), **LIMITS)
    assert (out.width, out.height) == (200, 400)  # rotated upright
    with Image.open(io.BytesIO(out.original)) as img:
        assert img.size == (200, 400)
        assert not img.getexif()
        assert "comment" not in img.info and "exif" not in img.info
        top_pixel = img.convert("RGB").getpixel((100, 10))
    assert top_pixel[2] > 150  # the blue half is on top after rotating 90° clockwise


def test_thumbnails_are_webp_within_bounds():
    out = process_image(_jpeg_with_exif(1600, 1200, 1), **LIMITS)
    for size, data in out.thumbs.items():
        with Image.open(io.BytesIO(data)) as img:
            assert img.format == "WEBP"
            assert max(img.size) <= size


def test_rejects_non_images_and_truncated_files():
    with pytest.raises(ValidationError, match="Không đọc được ảnh"):
        process_image(b"%PDF-1.4 not an image", **LIMITS)
    data = _jpeg_with_exif()
    with pytest.raises(ValidationError):
        process_image(data[: len(data) // 3], **LIMITS)
    with pytest.raises(ValidationError, match="trống"):
        process_image(b"", **LIMITS)


def test_rejects_too_many_pixels_before_decoding():
    img = Image.new("L", (3000, 2000))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    with pytest.raises(ValidationError, match="quá nhiều điểm ảnh"):
        process_image(buf.getvalue(), **LIMITS)


def test_rejects_too_large_files():
    with pytest.raises(ValidationError, match="quá lớn"):
        process_image(b"x" * (LIMITS["max_bytes"] + 1), **LIMITS)


def test_rejects_other_formats():
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, "GIF")
    with pytest.raises(ValidationError, match="JPEG, PNG"):
        process_image(buf.getvalue(), **LIMITS)


def test_placeholder_is_a_deterministic_square_png():
    a = placeholder_png("Chè Đinh Tân Cương", "Thực phẩm", "1")
    assert a == placeholder_png("Chè Đinh Tân Cương", "Thực phẩm", "1")
    with Image.open(io.BytesIO(a)) as img:
        assert img.format == "PNG" and img.size == (800, 800)
