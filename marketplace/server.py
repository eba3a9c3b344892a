"""Serve the app with gunicorn from inside the ``ocop`` command (no config files needed)."""

from __future__ import annotations

from typing import Any

import click
from gunicorn.app.base import BaseApplication

from marketplace.app import create_app


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return create_app()


def run(host: str, port: int, workers: int) -> None:
    """Start gunicorn on host:port and print the URL once it listens."""
    url = f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}/"

    def when_ready(_server: Any) -> None:
        click.echo(f"\nChợ OCOP is running: {url}\n(Ctrl+C to stop)\n")

    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": 4,
            "worker_class": "gthread",
            "timeout": 60,
            "accesslog": "-",
            "when_ready": when_ready,
        }
    ).run()
