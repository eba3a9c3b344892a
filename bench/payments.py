"""Payments benchmarks: QR generation, cached QR serving, webhook ingest + match throughput.

``python -m bench.payments`` (also run by ``python -m bench``):

1. VietQR payload + PNG per second, ours (``vietqr.build`` + ``qr_render.render_png``, every
   payload distinct so the cache never helps) as a ratio to a bare ``qrcode`` render of the same
   payloads (same error correction M, border 4, box 8, PNG). Target ≥ 0.9.
2. Cached QR serving: ``GET /qr/<id>.png`` requests/second under the production server.
3. Webhook ingest + match: N intents and N signed SePay webhooks (realistically mangled
   memos) against ``ocop serve`` (gunicorn, SQLite) with one ``ocop worker``; transactions/s
   from the first request until every intent has succeeded. Then a replay storm (a tenth of
   the notifications again, five times each, concurrently) and the ledger is checked for
   double credits. Target ≥ 300 transactions/s, zero double credits.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import qrcode
from sqlalchemy import create_engine, text

from marketplace.payments import qr_render, reference, vietqr

from .throughput import _stop, free_port

CLI = [sys.executable, "-c", "from marketplace.cli import main; main()"]
ACCOUNT = ("970436", "0011001932418")
CONNECTIONS = 8
WORKER_THREADS = os.environ.get("OCOP_BENCH_WORKER_THREADS", "2")  # `ocop worker` default
TARGET_QR_RATIO = 0.9
TARGET_TX_PER_S = 300


def measure_qr(count: int) -> dict[str, Any]:
    """Payload + PNG per second, ours against bare qrcode, over the same distinct payloads."""
    rng = random.Random(7)
    specs = [(rng.randint(1_000, 50_000_000), reference.new_code("order")) for _ in range(count)]
    qr_render.cache_clear()
    started = time.perf_counter()
    payloads = []
    for amount, code in specs:
        payload = vietqr.build(*ACCOUNT, amount, vietqr.purpose_text(code, "Cho OCOP"))
        qr_render.render_png(payload)
        payloads.append(payload)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    for payload in payloads:
        code = qrcode.QRCode(error_correction=qrcode.ERROR_CORRECT_M, border=4, box_size=8)
        code.add_data(payload)
        code.make(fit=True)
        out = io.BytesIO()
        code.make_image().save(out, "PNG")
    bare = time.perf_counter() - started
    return {
        "count": count,
        "ours_per_s": round(count / ours, 1),
        "bare_qrcode_per_s": round(count / bare, 1),
        "ratio": round(bare / ours, 3),
    }


def _env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "OCOP_INSTANCE_PATH": str(workdir),
            "DATABASE_URL": f"sqlite:///{workdir / 'ocop.sqlite3'}",
            "OCOP_RATELIMIT_ENABLED": "0",
            "SECRET_KEY": "bench-secret",
        }
    )
    env.pop("JOBS_URL", None)
    env.pop("OCOP_JOBS_IMMEDIATE", None)
    return env


def _prepare(workdir: Path, count: int) -> tuple[list[dict[str, Any]], list[str]]:
    """Migrate, seed the demo, create ``count`` intents and their signed webhooks (in a child
    process, so this process never imports the app with the bench's environment)."""
    script = workdir / "requests.json"
    subprocess.run(
        [sys.executable, "-m", "bench.payments_setup", str(script), str(count)],
        env=_env(workdir),
        check=True,
    )
    data = json.loads(script.read_text())
    return data["requests"], data["qr_paths"]


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(args, env=env, stdout=out, stderr=out, start_new_session=True)


def _wait_ready(base: str, deadline: float) -> None:
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def _ledger(db_path: Path) -> dict[str, int]:
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT (SELECT count(*) FROM bank_transactions),"
                " (SELECT count(*) FROM payment_applications),"
                " (SELECT count(*) FROM payment_intents WHERE status = 'succeeded' AND purpose = 'order'),"
                " (SELECT count(*) FROM payment_intents WHERE amount_received_vnd > amount_vnd),"
                " (SELECT count(*) FROM review_items),"
                " (SELECT coalesce(sum(amount_vnd), 0) FROM payment_applications),"
                " (SELECT coalesce(sum(amount_vnd), 0) FROM payment_intents WHERE purpose = 'order')"
            )
        ).one()
    engine.dispose()
    keys = (
        "transactions",
        "applications",
        "succeeded",
        "over_credited",
        "review_items",
        "applied_vnd",
        "owed_vnd",
    )
    return dict(zip(keys, (int(v) for v in row), strict=True))


def _replay(load_file: Path, deliveries: list[dict[str, Any]], base: str, connections: int) -> dict:
    load_file.write_text(json.dumps(deliveries))
    load = subprocess.run(
        [sys.executable, "-m", "bench.webhook_load", str(load_file), base, str(connections)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(load.stdout)


def _wait_matched(db_path: Path, count: int) -> dict[str, int]:
    deadline = time.time() + 300
    ledger = _ledger(db_path)
    while ledger["succeeded"] < count and time.time() < deadline:
        time.sleep(0.05)
        ledger = _ledger(db_path)
    return ledger


def measure_webhooks(
    count: int, connections: int, seconds: float, results_dir: Path
) -> dict[str, Any]:
    """Throughput (each notification once, as providers send them), then a replay storm (a
    tenth of them again, five times each, concurrently) and the double-credit check."""
    with tempfile.TemporaryDirectory(prefix="ocop-bench-pay-") as tmp:
        workdir = Path(tmp)
        requests, qr_paths = _prepare(workdir, count)
        env, port = _env(workdir), free_port()
        base = f"http://127.0.0.1:{port}"
        log = results_dir / "payments-servers.log"
        server = _start([*CLI, "serve", "--port", str(port), "--no-embedded-worker"], env, log)
        worker = _start([*CLI, "worker", "--workers", WORKER_THREADS, "--no-periodic"], env, log)
        db_path = workdir / "ocop.sqlite3"
        try:
            _wait_ready(base, time.time() + 60)
            started = time.perf_counter()
            ingest = _replay(workdir / "load.json", requests, base, connections)
            ingest_done = time.perf_counter() - started
            _wait_matched(db_path, count)
            matched_done = time.perf_counter() - started
            storm = requests[: max(1, count // 10)] * 5
            random.Random(3).shuffle(storm)
            replayed = _replay(workdir / "storm.json", storm, base, connections)
            time.sleep(1.0)  # let any (wrongly) enqueued job run before checking
            after = _ledger(db_path)
            qr = _qr_serving(base, qr_paths, seconds)
        finally:
            _stop(server)
            _stop(worker)
    over = max(0, after["applied_vnd"] - after["owed_vnd"])
    return {
        "intents": count,
        "connections": connections,
        "statuses": ingest["statuses"],
        "ingest_seconds": round(ingest_done, 2),
        "ingest_deliveries_per_s": round(count / ingest_done, 1),
        "all_matched_seconds": round(matched_done, 2),
        "transactions_per_s": round(count / matched_done, 1),
        "replay_storm": {"deliveries": len(storm), "statuses": replayed["statuses"]},
        "ledger": after,
        "double_credits": after["applications"]
        - count
        + after["over_credited"]
        + over
        + (after["transactions"] - count),
        "qr_serving": qr,
    }


def _qr_serving(base: str, paths: list[str], seconds: float) -> dict[str, Any]:
    from . import loadgen

    result = loadgen.run(base + paths[0], seconds, 8)
    return {"path": "/qr/<id>.png", **result}


def measure(quick: bool, seconds: float) -> dict[str, Any]:
    """Everything above, sized for a full or a quick run."""
    results_dir = Path(__file__).resolve().parent / "results"
    results_dir.mkdir(exist_ok=True)
    return {
        "qr_generation": measure_qr(60 if quick else 300),
        "webhooks": measure_webhooks(300 if quick else 3000, CONNECTIONS, seconds, results_dir),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the three measures and print them."""
    parser = argparse.ArgumentParser(prog="python -m bench.payments", description=__doc__)
    parser.add_argument("--intents", type=int, default=3000)
    parser.add_argument("--qr", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    results_dir = Path(__file__).resolve().parent / "results"
    results_dir.mkdir(exist_ok=True)
    out = {
        "qr_generation": measure_qr(args.qr),
        "webhooks": measure_webhooks(args.intents, CONNECTIONS, args.seconds, results_dir),
    }
    print(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()
