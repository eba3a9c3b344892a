"""Loopback simulators of the marketplaces' seller APIs (see ``base.py``)."""

from __future__ import annotations

import importlib

from .base import ChannelSandbox, Knobs, Running, serve, start

#: code -> "module:Class" of each API channel's simulator.
SANDBOXES: dict[str, str] = {
    "shopee": "sync_adapters.sandbox.shopee:ShopeeSandbox",
    "lazada": "sync_adapters.sandbox.lazada:LazadaSandbox",
    "tiki": "sync_adapters.sandbox.tiki:TikiSandbox",
    "tiktok": "sync_adapters.sandbox.tiktok:TikTokSandbox",
    "sendo": "sync_adapters.sandbox.sendo:SendoSandbox",
}


def sandbox_class(code: str) -> type[ChannelSandbox]:
    """The simulator class of an API channel."""
    module, _, name = SANDBOXES[code].partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


__all__ = ["SANDBOXES", "ChannelSandbox", "Knobs", "Running", "sandbox_class", "serve", "start"]
