"""Channel code -> adapter class: the built-ins plus any installed through the entry-point
group ``ocop.sync_adapters``. Two channels claiming one code fail at start, loudly."""

from __future__ import annotations

import functools
import importlib
from importlib.metadata import entry_points

from .base import Adapter, ExportWriter

ENTRY_POINT_GROUP = "ocop.sync_adapters"

#: code -> "module:Class" of the adapters shipped with the platform.
BUILTINS: dict[str, str] = {
    "shopee": "sync_adapters.shopee.client:ShopeeAdapter",
    "lazada": "sync_adapters.lazada.client:LazadaAdapter",
    "tiki": "sync_adapters.tiki.client:TikiAdapter",
    "tiktok": "sync_adapters.tiktok.client:TikTokAdapter",
    "sendo": "sync_adapters.sendo.client:SendoAdapter",
    "postmart": "sync_adapters.exports.postmart:PostmartWriter",
    "voso": "sync_adapters.exports.voso:VosoWriter",
}

Channel = type[Adapter] | type[ExportWriter]


class DuplicateChannelError(RuntimeError):
    """Two adapters claim the same channel code."""


def _load(target: str) -> Channel:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def build(extra: dict[str, str] | None = None) -> dict[str, Channel]:
    """Every channel by code; raises ``DuplicateChannelError`` when a code is taken twice."""
    found: dict[str, Channel] = {}
    sources = list(BUILTINS.items())
    sources += [(ep.name, ep.value) for ep in entry_points(group=ENTRY_POINT_GROUP)]
    sources += list((extra or {}).items())
    for code, target in sources:
        cls = _load(target)
        if code in found or getattr(cls, "code", code) != code:
            raise DuplicateChannelError(
                f"channel code {code!r} is claimed twice (or by a class whose code differs): {target}"
            )
        found[code] = cls
    return found


@functools.cache
def channels() -> dict[str, Channel]:
    """The registry, built once per process."""
    return build()


def get(code: str) -> Channel:
    """The adapter (or export writer) class of a channel code; ``KeyError`` if unknown."""
    return channels()[code]
