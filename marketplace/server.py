"""Serve the app with gunicorn from inside the ``ocop`` command (no config files needed)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import click
from gunicorn.app.base import BaseApplication

from marketplace import config
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


def _start_worker() -> subprocess.Popen[bytes]:
    """The embedded job consumer: a child process, stopped with the server."""
    return subprocess.Popen(
        [sys.executable, "-c", "from marketplace.cli import main; main()", "worker"]
    )


def _start_sandboxes() -> subprocess.Popen[bytes]:
    """Demo mode: the sandbox marketplaces, a child process stopped with the server."""
    return subprocess.Popen(
        [sys.executable, "-c", "from marketplace.cli import main; main()", "sandboxes"]
    )


def run(host: str, port: int, workers: int, embedded_worker: bool | None) -> None:
    """Start gunicorn on host:port (plus the job consumer) and print the URL once it listens."""
    url = f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}/"
    if embedded_worker is None:
        embedded_worker = not (config.jobs_url() or "").startswith("redis")
    consumer = _start_worker() if embedded_worker else None
    sandboxes = _start_sandboxes() if create_app().config["DEMO_MODE"] else None

    def when_ready(_server: Any) -> None:
        click.echo(f"\nChợ OCOP is running: {url}\n(Ctrl+C to stop)\n")

    server = _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": 4,
            "worker_class": "gthread",
            "timeout": 60,
            "accesslog": "-",
            "when_ready": when_ready,
        }
    )
    try:
        server.run()
    finally:
        if sandboxes is not None:
            sandboxes.terminate()
            sandboxes.wait(timeout=15)
        if consumer is not None:
            consumer.terminate()
            consumer.wait(timeout=15)
