"""Run the pinned Lighthouse (bench/lighthouse/node_modules) on one URL with Debian's Chromium."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CLI = HERE / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = os.environ.get("OCOP_CHROMIUM", "/usr/bin/chromium")
#: without these, headless Chromium in CI tries Google's services and logs refused connections
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
RUN_TIMEOUT_S = 240


def lighthouse_version() -> str:
    """The installed Lighthouse's version (from its package.json)."""
    return json.loads((CLI.parent.parent / "package.json").read_text())["version"]


def chromium_version() -> str:
    """``Chromium 156.0.8078.79 …`` as the binary reports it."""
    out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30)
    return out.stdout.strip().removesuffix(" built on Debian GNU/Linux 12 (bookworm)")


def run(url: str, cookie: str, out: Path) -> dict[str, Any]:
    """Audit ``url`` (mobile form factor, default simulated throttling) and return the report.

    ``cookie`` is sent as a ``Cookie`` header on every request, so private pages are audited
    as their logged-in user sees them."""
    if not CLI.is_file():
        raise SystemExit(f"{CLI} is missing: run `npm ci --prefix {HERE}`")
    args = ["node", str(CLI), url, "--output=json", f"--output-path={out}", "--quiet"]
    args += [f"--chrome-flags={CHROME_FLAGS}", "--only-categories=" + ",".join(CATEGORIES)]
    if cookie:
        args.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    env = {**os.environ, "CHROME_PATH": CHROMIUM, "PUPPETEER_SKIP_DOWNLOAD": "1"}
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    if done.returncode != 0 or not out.is_file():
        raise RuntimeError(f"lighthouse failed on {url} ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(out.read_text(encoding="utf-8"))


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """Scores (0-100, None when a category could not be scored) and each category's failing
    audits' titles, from one Lighthouse JSON report."""
    scores: dict[str, int | None] = {}
    failing: dict[str, list[str]] = {}
    audits = report["audits"]
    for key in CATEGORIES:
        category = report["categories"][key]
        score = category.get("score")
        scores[key] = None if score is None else round(score * 100)
        failing[key] = [
            audits[ref["id"]]["title"]
            for ref in category["auditRefs"]
            if ref.get("weight", 0) > 0
            and audits[ref["id"]].get("score") is not None
            and audits[ref["id"]]["score"] < 0.9
        ]
    return {"scores": scores, "failing": failing, "error": report.get("runtimeError")}
