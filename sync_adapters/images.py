"""Photos prepared for a channel: square JPEG on white, within its pixel and byte bounds.

Each channel states its rules as an ``ImageSpec``; the result is cached on disk by the
original's content hash and the spec, so re-syncing a product does not re-encode its photos.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from .base import FieldProblem, ImageFile


@dataclass(frozen=True)
class ImageSpec:
    """A channel's photo rules."""

    min_px: int = 500  # the shorter side of the original must reach this (no upscaling blur)
    max_px: int = 2000  # squares larger than this are scaled down
    max_bytes: int = 2_000_000
    min_count: int = 1
    max_count: int = 9

    def key(self) -> str:
        """A short stable name for cache file names."""
        return f"{self.min_px}-{self.max_px}-{self.max_bytes}"


def check(images: tuple[ImageFile, ...], spec: ImageSpec) -> list[FieldProblem]:
    """Problems with the set of photos (count, size of each original), before any call."""
    problems: list[FieldProblem] = []
    if len(images) < spec.min_count:
        problems.append(
            FieldProblem(
                "images",
                f"Cần ít nhất {spec.min_count} ảnh sản phẩm.",
                "Chụp và tải lên ảnh sản phẩm rõ nét, nền sáng.",
            )
        )
    for index, image in enumerate(images[: spec.max_count], start=1):
        try:
            with Image.open(image.path) as im:
                short = min(im.size)
        except (OSError, ValueError):
            problems.append(
                FieldProblem("images", f"Ảnh {index} không đọc được.", "Tải lại ảnh này.")
            )
            continue
        if short < spec.min_px:
            problems.append(
                FieldProblem(
                    "images",
                    f"Ảnh {index} quá nhỏ ({short} px, cần ít nhất {spec.min_px} px).",
                    f"Tải lên ảnh có cạnh ngắn từ {spec.min_px} px trở lên.",
                )
            )
    return problems


def prepare(image: ImageFile, spec: ImageSpec, cache_dir: Path | None = None) -> bytes:
    """The photo as a square JPEG on white within ``spec`` (cached when ``cache_dir`` is set)."""
    cached = cache_dir / f"{image.sha256}-{spec.key()}.jpg" if cache_dir else None
    if cached is not None and cached.exists():
        return cached.read_bytes()
    data = _encode(image.path, spec)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cached.parent, suffix=".part")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, cached)
    return data


def content_hash(data: bytes) -> str:
    """SHA-256 hex of prepared bytes (the channels' image de-duplication key)."""
    return hashlib.sha256(data).hexdigest()


def _encode(path: Path, spec: ImageSpec) -> bytes:
    with Image.open(path) as original:
        im = ImageOps.exif_transpose(original).convert("RGB")
    side = max(im.size)
    square = Image.new("RGB", (side, side), (255, 255, 255))
    square.paste(im, ((side - im.width) // 2, (side - im.height) // 2))
    if side > spec.max_px:
        square = square.resize((spec.max_px, spec.max_px), Image.Resampling.LANCZOS)
    for quality in (88, 80, 70, 60, 50):
        buffer = io.BytesIO()
        square.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
        if buffer.tell() <= spec.max_bytes:
            return buffer.getvalue()
    scaled = square.resize((square.width // 2, square.height // 2), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    scaled.save(buffer, "JPEG", quality=70, optimize=True)
    return buffer.getvalue()
