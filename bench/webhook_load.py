"""Replay signed bank webhooks at a server, as fast as N keep-alive connections allow.

Run as ``python -m bench.webhook_load REQUESTS.json BASE_URL CONNECTIONS``: the file is a list
of ``{"path", "headers", "body"}`` (body base64); prints one JSON line with the status counts.
"""

from __future__ import annotations

import base64
import http.client
import json
import sys
import threading
import time
from collections import Counter
from urllib.parse import urlsplit


def _worker(base: str, jobs: list[dict], statuses: Counter, lock: threading.Lock) -> None:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    local: Counter = Counter()
    for job in jobs:
        body = base64.b64decode(job["body"])
        for _attempt in range(3):
            try:
                conn.request("POST", job["path"], body=body, headers=job["headers"])
                response = conn.getresponse()
                response.read()
                local[response.status] += 1
                break
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        else:
            local["error"] += 1
    conn.close()
    with lock:
        statuses.update(local)


def run(requests: list[dict], base: str, connections: int) -> dict:
    """Send every request once, spread over ``connections`` threads; counts and seconds."""
    statuses: Counter = Counter()
    lock = threading.Lock()
    shares = [requests[i::connections] for i in range(connections)]
    started = time.perf_counter()
    threads = [
        threading.Thread(target=_worker, args=(base, share, statuses, lock)) for share in shares
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "statuses": {str(k): v for k, v in statuses.items()},
        "seconds": time.perf_counter() - started,
    }


def main(argv: list[str]) -> None:
    """Entry point of the load process."""
    path, base, connections = argv[0], argv[1], int(argv[2])
    with open(path, encoding="utf-8") as fh:
        requests = json.load(fh)
    print(json.dumps(run(requests, base, connections)))


if __name__ == "__main__":
    main(sys.argv[1:])
