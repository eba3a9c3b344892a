"""Machine facts, the results table, the JSON file and the docs/BENCHMARKS.md section."""

from __future__ import annotations

import json
import os
import platform
import re
import sqlite3
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
DOC = PROJECT_DIR / "docs" / "BENCHMARKS.md"
TARGET_P95_MS = 20.0
TARGET_RATIO = 0.40
RUNS_MARK = (
    "<!-- bench:runs (each full run of python -m bench adds its section here, newest first) -->"
)


def machine(pg_version: str | None) -> dict[str, Any]:
    """CPU model, cores, RAM and the Python / SQLite / PostgreSQL versions."""
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as fh:
        kib = int(re.search(r"MemTotal:\s+(\d+)", fh.read()).group(1))  # type: ignore[union-attr]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(kib / 1024**2, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg_version,
    }


def targets(results: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """(what, target, measured, passed) rows."""
    rows = []
    for backend, lat in results["latency"].items():
        ok = lat["p95_ms"] <= TARGET_P95_MS
        rows.append(
            (f"search p95, {backend}", f"<= {TARGET_P95_MS:g} ms", f"{lat['p95_ms']} ms", ok)
        )
    if results.get("throughput"):
        ratio = results["throughput"]["ratio"]
        rows.append(
            (
                "search page / bare route",
                f">= {TARGET_RATIO:.0%}",
                f"{ratio:.1%}",
                ratio >= TARGET_RATIO,
            )
        )
    pay = results.get("payments")
    if pay:
        qr, hooks = pay["qr_generation"], pay["webhooks"]
        rows.append(
            ("QR payload+PNG / bare qrcode", ">= 0.9", f"{qr['ratio']}", qr["ratio"] >= 0.9)
        )
        tps = hooks["transactions_per_s"]
        rows.append(("webhook ingest + match, SQLite", ">= 300 tx/s", f"{tps} tx/s", tps >= 300))
        rows.append(
            ("double credits", "0", str(hooks["double_credits"]), hooks["double_credits"] == 0)
        )
    sync = results.get("sync")
    if sync:
        for code, channel in sync["channels"].items():
            rows.append(
                (
                    f"listing sync {code}: rate / limit, refused",
                    ">= 0.9, 0",
                    f"{channel['ratio_to_limit']}, {channel['rate_limited']}",
                    channel["ratio_to_limit"] >= 0.9 and channel["rate_limited"] == 0,
                )
            )
    return rows


def payments_table(pay: dict[str, Any]) -> list[str]:
    """Markdown rows of the payments figures."""
    qr, hooks = pay["qr_generation"], pay["webhooks"]
    return [
        "",
        "| payments | figure |",
        "| --- | ---: |",
        f"| QR payload + PNG, ours (per s, {qr['count']} distinct payloads) | {qr['ours_per_s']} |",
        f"| bare `qrcode` render of the same payloads (per s) | {qr['bare_qrcode_per_s']} |",
        f"| ratio ours / bare | {qr['ratio']} |",
        f"| cached QR `/qr/<id>.png` under gunicorn (requests/s) | {hooks['qr_serving']['rps']:,} |",
        f"| webhooks: intents (one notification each) | {hooks['intents']:,} |",
        f"| notifications/s accepted (statuses {hooks['statuses']}) | {hooks['ingest_deliveries_per_s']} |",
        f"| replay storm: deliveries (statuses) | {hooks['replay_storm']['deliveries']:,} "
        f"({hooks['replay_storm']['statuses']}) |",
        f"| bank transactions ingested **and matched** per s | {hooks['transactions_per_s']} |",
        f"| ledger rows / applications / over-credited intents / review items | "
        f"{hooks['ledger']['transactions']} / {hooks['ledger']['applications']} / "
        f"{hooks['ledger']['over_credited']} / {hooks['ledger']['review_items']} |",
    ]


def table(results: dict[str, Any]) -> str:
    """Markdown tables of the figures and targets."""
    lines = [
        "| backend | products | load (s) | calls | p50 (ms) | p95 (ms) | max (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for backend, lat in results["latency"].items():
        data = results["datasets"][backend]
        lines.append(
            f"| {backend} | {data['products']:,} | {data['load_s']} | {lat['calls']} "
            f"| {lat['p50_ms']} | {lat['p95_ms']} | {lat['max_ms']} |"
        )
    tp = results.get("throughput")
    if tp:
        lines += [
            "",
            "| gunicorn target (SQLite) | requests/s | requests |",
            "| --- | ---: | ---: |",
            f"| bare Flask route `/` | {tp['bare_rps']:,} | {tp['bare_requests']:,} |",
            f"| search page `{tp['page_path']}` | {tp['page_rps']:,} | {tp['page_requests']:,} |",
            f"| ratio page / bare | {tp['ratio']:.1%} | |",
        ]
    if results.get("payments"):
        lines += payments_table(results["payments"])
    lines += ["", "| target | goal | measured | result |", "| --- | --- | --- | --- |"]
    for what, goal, measured, ok in targets(results):
        lines.append(f"| {what} | {goal} | {measured} | {'PASS' if ok else 'FAIL'} |")
    return "\n".join(lines)


def write_json(results: dict[str, Any]) -> Path:
    """Write ``bench/results/<timestamp>.json`` (git-ignored)."""
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{results['started'].replace(':', '').replace('-', '')[:15]}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def section(results: dict[str, Any]) -> tuple[str, str]:
    """(key, markdown) of this run's section in docs/BENCHMARKS.md."""
    m = results["machine"]
    when = results["started"][:16].replace("T", " ") + " UTC"
    key = f"{when} {m['cpu']} x{m['cores']}"
    tp = results.get("throughput") or {}
    per_query = "\n".join(
        f"| {q['query']} | `{json.dumps(q['args'], ensure_ascii=False)}` | {q['total']} | "
        + " | ".join(
            f"{results['latency'][b]['per_query'][i]['p95_ms']}" for b in results["latency"]
        )
        + " |"
        for i, q in enumerate(next(iter(results["latency"].values()))["per_query"])
    )
    backends = " | ".join(f"p95 {b} (ms)" for b in results["latency"])
    consistency = results.get("consistency")
    text = f"""<!-- bench:run {key} -->
### {when} — {m["cpu"]}, {m["cores"]} cores

- Machine: {m["cpu"]}, {m["cores"]} cores, {m["ram_gib"]} GiB RAM; Python {m["python"]}, SQLite {m["sqlite"]}, PostgreSQL {m["postgresql"] or "not run"}.
- Load average (1/5/15 min) at start {results["load_average"]["start"]}, before the load test {results["load_average"].get("before_throughput", "n/a")}, at end {results["load_average"].get("end")}: the 2 cores are shared with whatever else runs.
- Command: `{results["command"]}`
- Data: {results["products"]:,} products synthesised from the 30 samples (seed {results["seed"]}); see the counts in the JSON.
- Load generator: {tp.get("generator", "-")}, {tp.get("connections", "-")} connections, {tp.get("seconds", "-")} s per target after {tp.get("warmup_seconds", "-")} s warm-up; gunicorn: {_gunicorn(tp.get("gunicorn"))}.
{f"- SQLite and PostgreSQL gave the same total and ordered page for {consistency['queries_compared']} exact queries: {'yes' if consistency['identical'] else 'NO: ' + ', '.join(consistency['differ'])}." if consistency else ""}

{table(results)}

Per-query p95 (the mix timed above; "total" is the SQLite match count):

| query | arguments | total | {backends} |
| --- | --- | ---: | {" | ".join("---:" for _ in results["latency"])} |
{per_query}
<!-- /bench:run -->"""
    return key, text


def _gunicorn(options: dict[str, Any] | None) -> str:
    if not options:
        return "-"
    return (
        f"{options['workers']} {options['worker_class']} workers x {options['threads']} threads, "
        f"timeout {options['timeout']} s, access log {'on' if options.get('accesslog') else 'off'}"
    )


def update_doc(results: dict[str, Any]) -> None:
    """Add this run's section to docs/BENCHMARKS.md, newest first (a re-run replaces it)."""
    key, text = section(results)
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Benchmarks\n\n{RUNS_MARK}\n"
    if RUNS_MARK not in doc:
        doc = doc.rstrip("\n") + f"\n\n## Runs\n\n{RUNS_MARK}\n"
    pattern = re.compile(rf"<!-- bench:run {re.escape(key)} -->.*?<!-- /bench:run -->", re.S)
    if pattern.search(doc):
        doc = pattern.sub(lambda _m: text, doc)
    else:
        head, tail = doc.split(RUNS_MARK, 1)
        doc = f"{head}{RUNS_MARK}\n\n{text}\n{tail}"
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(doc.rstrip("\n") + "\n", encoding="utf-8")
