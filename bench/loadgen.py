"""Load generators: ``wrk`` when installed, else a threaded keep-alive ``http.client`` client.

The Python client runs as its own process: ``python -m bench.loadgen URL SECONDS CONNECTIONS``
prints one JSON line with the request counts.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
import sys
import threading
import time
from typing import Any
from urllib.parse import urlsplit

HEADERS = {"Accept-Encoding": "gzip", "User-Agent": "ocop-bench"}


def _worker(url: str, deadline: float, counts: dict[str, int], lock: threading.Lock) -> None:
    parts = urlsplit(url)
    path = parts.path + ("?" + parts.query if parts.query else "")
    ok = bad = 0
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    while time.perf_counter() < deadline:
        try:
            conn.request("GET", path, headers=HEADERS)
            response = conn.getresponse()
            response.read()
            ok, bad = (ok + 1, bad) if response.status == 200 else (ok, bad + 1)
        except (OSError, http.client.HTTPException):
            bad += 1
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.close()
    with lock:
        counts["ok"] += ok
        counts["errors"] += bad


def python_client(url: str, seconds: float, connections: int) -> dict[str, Any]:
    """Hammer ``url`` from ``connections`` threads for ``seconds``."""
    counts = {"ok": 0, "errors": 0}
    lock = threading.Lock()
    started = time.perf_counter()
    deadline = started + seconds
    threads = [
        threading.Thread(target=_worker, args=(url, deadline, counts, lock))
        for _ in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"requests": counts["ok"], "errors": counts["errors"], "seconds": elapsed}


def wrk_path() -> str | None:
    """The wrk binary, if installed."""
    return shutil.which("wrk")


def run(url: str, seconds: float, connections: int) -> dict[str, Any]:
    """Load ``url`` in a separate process; returns rps, requests and errors."""
    wrk = wrk_path()
    if wrk:
        cmd = [
            wrk,
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "-H",
            "Accept-Encoding: gzip",
            url,
        ]
        out = subprocess.run(
            cmd, capture_output=True, text=True, check=True, timeout=seconds + 60
        ).stdout
        requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        errors = re.search(
            r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
        )
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
        return {
            "rps": rps,
            "requests": requests,
            "errors": (int(bad.group(1)) if bad else 0)
            + (sum(map(int, errors.groups())) if errors else 0),
        }
    cmd = [sys.executable, "-m", "bench.loadgen", url, str(seconds), str(connections)]
    out = subprocess.run(
        cmd, capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    res = json.loads(out)
    return {
        "rps": res["requests"] / res["seconds"],
        "requests": res["requests"],
        "errors": res["errors"],
    }


def generator_name() -> str:
    """Which load generator ``run`` uses."""
    wrk = wrk_path()
    if not wrk:
        return "python http.client (threads, keep-alive)"
    version = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.split("\n")[0]
    return version.split(" [")[0].strip() or "wrk"


if __name__ == "__main__":
    print(json.dumps(python_client(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]))))
