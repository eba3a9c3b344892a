"""Strict reading of provider JSON: every failure is a PayloadError that names the field."""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

from marketplace.core.money import MAX_VND

from .base import VIETNAM_TZ, PayloadError

_EXACT_FLOAT = 2**53  # beyond this a JSON float no longer holds every whole number


def load_json(body: bytes) -> Any:
    """Decode a UTF-8 JSON body; PayloadError for anything else (NaN and Infinity included)."""
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise PayloadError(f"body is not valid UTF-8 JSON: {exc}") from None


def load_object(body: bytes) -> dict[str, Any]:
    """A JSON body that must be an object."""
    value = load_json(body)
    if not isinstance(value, dict):
        raise PayloadError("body must be a JSON object")
    return value


def obj(parent: dict[str, Any], name: str) -> dict[str, Any]:
    """A required nested object."""
    value = _present(parent, name)
    if not isinstance(value, dict):
        raise PayloadError(f"{name}: must be an object")
    return value


def text(parent: dict[str, Any], name: str, *, allow_empty: bool = True) -> str:
    """A required string field."""
    value = _present(parent, name)
    if not isinstance(value, str):
        raise PayloadError(f"{name}: must be a string")
    if not allow_empty and not value.strip():
        raise PayloadError(f"{name}: must not be empty")
    return value


def optional_text(parent: dict[str, Any], name: str) -> str | None:
    """A string field that may be missing, null or empty (all read as None)."""
    value = parent.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise PayloadError(f"{name}: must be a string or null")
    return value


def whole_number(parent: dict[str, Any], name: str) -> int:
    """A required whole number; an integral float (``2000.0``) is accepted, ``2000.5`` is not."""
    value = _present(parent, name)
    if isinstance(value, bool):
        raise PayloadError(f"{name}: must be a whole number, not a boolean")
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer() or abs(value) > _EXACT_FLOAT:
            raise PayloadError(f"{name}: must be a whole number, got {value!r}")
        value = int(value)
    if not isinstance(value, int):
        raise PayloadError(f"{name}: must be a whole number, got {type(value).__name__}")
    return value


def amount(parent: dict[str, Any], name: str, *, signed: bool = False) -> int:
    """A whole number of đồng; positive unless ``signed`` (then only non-zero)."""
    value = whole_number(parent, name)
    if value == 0 or (value < 0 and not signed):
        raise PayloadError(f"{name}: must be a positive amount, got {value}")
    if abs(value) > MAX_VND:
        raise PayloadError(f"{name}: {value} is beyond any plausible transfer")
    return value


def identifier(parent: dict[str, Any], name: str) -> str:
    """A required id sent as a non-negative integer or a non-empty string; returned as text."""
    value = _present(parent, name)
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    raise PayloadError(f"{name}: must be a non-negative integer or a non-empty string")


def local_datetime(parent: dict[str, Any], name: str) -> datetime:
    """A timestamp; ``2024-10-03 15:06:37`` without an offset is Vietnam time (+07:00)."""
    raw = text(parent, name, allow_empty=False)
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise PayloadError(f"{name}: not a date and time: {raw!r}") from None
    return value.replace(tzinfo=VIETNAM_TZ) if value.utcoffset() is None else value


def _present(parent: dict[str, Any], name: str) -> Any:
    if name not in parent or parent[name] is None:
        raise PayloadError(f"{name}: missing")
    return parent[name]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")
