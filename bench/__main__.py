"""``python -m bench``: build the databases, time the search, load the page, report."""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import make_url

from marketplace.core.clock import today

from . import dataset, latency, payments, report, sync, synth, throughput


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--products", type=int, default=None, help="catalogue size (default 20000)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_DATABASE_URL") or None,
        help="admin URL of a PostgreSQL server (default: $TEST_DATABASE_URL, else skipped)",
    )
    parser.add_argument("--quick", action="store_true", help="small smoke run; docs untouched")
    parser.add_argument("--seconds", type=float, default=None, help="load duration per target")
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/BENCHMARKS.md")
    return parser.parse_args(argv)


def _terminate(_signum: int, _frame: Any) -> None:
    raise SystemExit(143)  # unwinds the finally blocks, which stop the servers


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every step; returns the results."""
    products = args.products or (1000 if args.quick else 20000)
    calls = 110 if args.quick else 660
    seconds = args.seconds or (2.0 if args.quick else 10.0)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    pg = dataset.PostgresDatabase(args.postgres) if args.postgres else None
    if pg is None:
        print("PostgreSQL: skipped (give --postgres URL or set TEST_DATABASE_URL).")
    if os.getloadavg()[0] > 0.5:
        print(
            f"Note: load average {os.getloadavg()[0]:.2f}: other work on this machine skews timings."
        )
    results: dict[str, Any] = {
        "started": started,
        "command": "python -m bench " + shlex.join(_public_argv()),
        "machine": report.machine(pg.version if pg else None),
        "products": products,
        "seed": synth.SEED,
        "quick": args.quick,
        "load_average": {"start": _load_average()},
        "datasets": {},
        "latency": {},
    }
    try:
        with tempfile.TemporaryDirectory(prefix="ocop-bench-") as tmp:
            workdir = Path(tmp)
            sqlite_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
            urls = {"sqlite": sqlite_url, **({"postgresql": pg.url} if pg else {})}
            catalogue = None
            for backend, url in urls.items():
                print(f"{backend}: migrating and loading {products:,} products…", flush=True)
                app = dataset.make_app(url, workdir)
                refs = dataset.migrate_fresh(app)
                catalogue = catalogue or synth.synthesise(products, refs, today())
                results["datasets"][backend] = dataset.load(app.extensions["ocop_db"], catalogue)
                print(f"{backend}: timing {calls} searches…", flush=True)
                results["latency"][backend] = latency.measure(app, calls)
                app.extensions["ocop_db"].dispose()
            if pg:
                results["consistency"] = latency.compare(
                    results["latency"]["sqlite"], results["latency"]["postgresql"]
                )
            print(f"gunicorn: bare route vs search page, {seconds:g} s each…", flush=True)
            results["load_average"]["before_throughput"] = _load_average()
            results["throughput"] = throughput.measure(
                sqlite_url, workdir, seconds, min(2.0, seconds)
            )
    finally:
        if pg:
            pg.drop()
    print("payments: QR generation, webhook ingest + match…", flush=True)
    results["load_average"]["before_payments"] = _load_average()
    results["payments"] = payments.measure(args.quick, seconds)
    listings = 300 if args.quick else 5000
    print(f"listing sync: {listings} listings x 3 channels against rate-limited sandboxes…")
    results["load_average"]["before_sync"] = _load_average()
    results["sync"] = sync.run(listings, limit=40.0, workers=24, postgres=None)
    results["load_average"]["end"] = _load_average()
    for lat in results["latency"].values():
        lat.pop("_results", None)
    return results


def _load_average() -> list[float]:
    """1, 5 and 15 minute load averages: how busy the machine was besides the bench."""
    return [round(x, 2) for x in os.getloadavg()]


def _public_argv() -> list[str]:
    """The arguments, with any password in a database URL masked."""
    return [
        make_url(a).render_as_string(hide_password=True) if "://" in a else a for a in sys.argv[1:]
    ]


def main(argv: list[str] | None = None) -> int:
    """Run, print the table, write JSON and (full runs) the docs section; 1 if a target missed."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    results = run(args)
    print()
    print(report.table(results))
    path = report.write_json(results)
    print(f"\nResults: {path.relative_to(report.PROJECT_DIR)}")
    if not args.quick and not args.no_docs:
        report.update_doc(results)
        print(f"Updated {report.DOC.relative_to(report.PROJECT_DIR)}")
    return 0 if all(ok for *_, ok in report.targets(results)) else 1


if __name__ == "__main__":
    sys.exit(main())
