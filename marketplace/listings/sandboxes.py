"""The sandbox marketplaces of demo mode: fixed app credentials, one loopback port each, and
state kept in the instance folder so a restart does not forget the demo shops."""

from __future__ import annotations

import time
from pathlib import Path

from sync_adapters.sandbox import SANDBOXES, Running, sandbox_class, start

#: channel -> (app key, app secret) the platform's sandbox apps use (not secrets: loopback only)
SANDBOX_APPS: dict[str, tuple[str, str]] = {
    "shopee": ("2001887", "sandbox-shopee-partner-key-0123456789abcdef"),
    "lazada": ("123456", "sandbox-lazada-app-secret"),
    "tiki": ("ocop-tiki-client", "sandbox-tiki-client-secret"),
    "tiktok": ("29a39d", "sandbox-tiktok-app-secret"),
    "sendo": ("", ""),  # Sendo: each shop has its own keys (see SENDO_DEMO_KEYS)
}
#: the demo Sendo shop's keys (shop_key, secret_key)
SENDO_DEMO_KEYS = ("demo-sendo-shop", "demo-sendo-secret")


def port_of(config: dict, channel: str) -> int:  # type: ignore[type-arg]
    """The loopback port of a channel's sandbox."""
    return int(config["SANDBOX_PORT"]) + list(SANDBOXES).index(channel)


def sandbox_url(config: dict, channel: str) -> str:  # type: ignore[type-arg]
    """Base URL of a channel's sandbox in demo mode."""
    return f"http://127.0.0.1:{port_of(config, channel)}"


def run_all(config: dict, state_dir: Path, *, forever: bool = True) -> dict[str, Running]:  # type: ignore[type-arg]
    """Start every sandbox on its port (state under ``state_dir``); block when ``forever``."""
    running: dict[str, Running] = {}
    for code in SANDBOXES:
        key, secret = SANDBOX_APPS[code]
        apps = {key: secret} if key else {SENDO_DEMO_KEYS[0]: SENDO_DEMO_KEYS[1]}
        sandbox = sandbox_class(code)(apps=apps, state_dir=state_dir / code)
        running[code] = start(sandbox, port=port_of(config, code))
    while forever:
        time.sleep(3600)
    return running
