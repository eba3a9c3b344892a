"""Requests/second of the search page vs a bare Flask route, same gunicorn settings."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import loadgen
from .serve import gunicorn_options

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
PAGE_PATH = "/tim-kiem?q=tra+tan+cuong"
CONNECTIONS = 8  # = workers x threads: every server thread busy


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group (master and workers), SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


@contextmanager
def server(args: list[str], path: str, log: Path) -> Iterator[str]:
    """Start ``python -m bench.serve ARGS`` and yield its URL once ``path`` answers 200."""
    port = free_port()
    with log.open("ab") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.serve", args[0], str(port), *args[1:]],
            cwd=PROJECT_DIR,
            stdout=subprocess.DEVNULL,  # the access log
            stderr=err,
            start_new_session=True,  # its own process group, so _stop reaches the workers
        )
    try:
        url = f"http://127.0.0.1:{port}{path}"
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server {args[0]} exited with {proc.returncode}; see {log}")
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server {args[0]} did not answer; see {log}") from None
                time.sleep(0.2)
        yield url
    finally:
        _stop(proc)


def _load(url: str, seconds: float, warmup: float) -> dict[str, Any]:
    loadgen.run(url, warmup, CONNECTIONS)
    result = loadgen.run(url, seconds, CONNECTIONS)
    if result["errors"]:
        raise RuntimeError(f"{result['errors']} failed requests against {url}")
    return result


def measure(db_url: str, workdir: Path, seconds: float, warmup: float) -> dict[str, Any]:
    """Bare route first, then the search page; one server at a time."""
    log = RESULTS_DIR / "gunicorn.log"  # kept after the run (git-ignored)
    RESULTS_DIR.mkdir(exist_ok=True)
    log.write_bytes(b"")
    with server(["bare"], "/", log) as url:
        bare = _load(url, seconds, warmup)
    with server(["app", db_url, str(workdir)], PAGE_PATH, log) as url:
        with urllib.request.urlopen(url, timeout=10) as response:
            body = response.read().decode()
        if 'data-testid="results"' not in body:
            raise RuntimeError("the search page shows no results")
        page = _load(url, seconds, warmup)
    options = gunicorn_options(0)
    return {
        "generator": loadgen.generator_name(),
        "seconds": seconds,
        "warmup_seconds": warmup,
        "connections": CONNECTIONS,
        "gunicorn": {k: v for k, v in options.items() if k != "bind"},
        "page_path": PAGE_PATH,
        "bare_rps": round(bare["rps"], 1),
        "page_rps": round(page["rps"], 1),
        "bare_requests": bare["requests"],
        "page_requests": page["requests"],
        "ratio": round(page["rps"] / bare["rps"], 3),
    }
