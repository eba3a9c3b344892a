"""Serve the real app or a bare Flask route under gunicorn with the production settings.

Run as ``python -m bench.serve {app,bare} PORT [DATABASE_URL WORKDIR]``; the bench starts and
stops it. The options mirror ``marketplace.server.run`` (gthread workers, 4 threads each).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

WORKERS = 2  # the default of ``ocop serve``


def gunicorn_options(port: int) -> dict[str, Any]:
    """The options of ``marketplace.server.run``, bound to loopback."""
    return {
        "bind": f"127.0.0.1:{port}",
        "workers": WORKERS,
        "threads": 4,
        "worker_class": "gthread",
        "timeout": 60,
        "accesslog": "-",
    }


def bare_app() -> Flask:
    """The smallest Flask app: one route returning a short string."""
    app = Flask("bare")

    @app.get("/")
    def index() -> str:
        return "ok"

    return app


class _Server(BaseApplication):
    def __init__(self, factory: Any, options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.factory()


def main(argv: list[str]) -> None:
    """Start gunicorn in the foreground."""
    target, port = argv[0], int(argv[1])
    if target == "bare":
        factory = bare_app
    else:
        from .dataset import make_app

        url, workdir = argv[2], Path(argv[3])

        def factory() -> Flask:
            return make_app(url, workdir)

    sys.argv = sys.argv[:1]  # gunicorn must not read the bench's arguments
    _Server(factory, gunicorn_options(port)).run()


if __name__ == "__main__":
    main(sys.argv[1:])
