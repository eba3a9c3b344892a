"""``python -m bench.lighthouse [--pages home,search] [--no-docs]``: start the demo on a
temporary SQLite instance, audit every page with Lighthouse, write the table of scores to
docs/BENCHMARKS.md; exit 1 when accessibility, best practices or (public pages) SEO < 95."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import sections
from . import report, runner

PROJECT_DIR = Path(__file__).resolve().parents[2]
OUT_DIR = PROJECT_DIR / "bench" / "results" / "lighthouse"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.lighthouse", description=__doc__)
    parser.add_argument(
        "--pages", default="", help="comma-separated page names or prefixes (default: all)"
    )
    parser.add_argument("--no-docs", action="store_true", help="leave docs/BENCHMARKS.md alone")
    return parser.parse_args(argv)


def _wanted(name: str, patterns: list[str]) -> bool:
    return not patterns or any(name == p or name.startswith(p + "-") for p in patterns)


def _terminate(_signum: int, _frame: Any) -> None:
    raise SystemExit(143)  # unwinds the finally blocks, which stop the server


def audit(patterns: list[str]) -> list[dict[str, Any]]:
    """Build the instance, serve it, collect the pages and run Lighthouse on each."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    if not patterns:  # a full run: no report of a page that no longer exists stays behind
        for old in OUT_DIR.glob("*.json"):
            old.unlink()
    with tempfile.TemporaryDirectory(prefix="ocop-lighthouse-") as tmp:
        workdir = Path(tmp)
        from .site import build, prepare_environment, running

        prepare_environment(workdir)
        print("demo data: migrating and seeding a temporary SQLite instance…", flush=True)
        facts = build(workdir)
        from .visits import buyer_pages, private_pages

        with running(workdir, facts["database_url"]) as base:
            pages = buyer_pages(base, facts["commune_code"]) + private_pages(base)
            pages = [p for p in pages if _wanted(p.name, patterns)]
            if not pages:
                raise SystemExit(f"no page matches {','.join(patterns)}")
            results = []
            for n, page in enumerate(pages, 1):
                out = OUT_DIR / f"{page.name}.json"
                found = runner.summary(runner.run(base + page.path, page.cookie, out))
                results.append({**page._asdict(), **found})
                del results[-1]["cookie"]  # a session: not for the results file
                scores = " ".join(f"{k}={v}" for k, v in found["scores"].items())
                print(f"[{n}/{len(pages)}] {page.name:<22} {scores}", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    """Audit, print, write JSON and (full runs) the docs table; 1 when a gated target fails."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    patterns = [p.strip() for p in args.pages.split(",") if p.strip()]
    results = audit(patterns)
    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m bench.lighthouse" + (" " + shlex.join(argv or sys.argv[1:])).rstrip(),
        "cpu": sections.cpu(),
        "cores": os.cpu_count(),
        "chromium": runner.chromium_version(),
        "lighthouse": runner.lighthouse_version(),
    }
    body = report.table(results, meta)
    print("\n" + body)
    summary = OUT_DIR / "summary.json"
    summary.write_text(json.dumps({"meta": meta, "pages": results}, ensure_ascii=False, indent=1))
    print(f"\nReports: {OUT_DIR.relative_to(PROJECT_DIR)}/")
    if not patterns and not args.no_docs:
        report.update_doc(body)
        print(f"Updated {report.DOC.relative_to(PROJECT_DIR)}")
    failed = report.failures(results)
    for line in failed:
        print("BELOW TARGET " + line, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
