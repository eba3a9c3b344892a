"""In-process search latency: ``parse_query`` + ``search`` as the search page calls them."""

from __future__ import annotations

import statistics
import time
from typing import Any

from flask import Flask
from werkzeug.datastructures import ImmutableMultiDict

from marketplace.catalogue.search import parse_query, search
from marketplace.core.clock import today
from marketplace.core.db import db

# (label, request arguments, exact): accented and folded, 1-3 words, common and rare words,
# filters, sorts, page 1 and later pages. "exact" queries must give the same ordered ids on
# SQLite and PostgreSQL (a typo is corrected the same way on both: see catalogue/fuzzy.py).
QUERIES: list[tuple[str, dict[str, str], bool]] = [
    ("3 words, accented", {"q": "trà tân cương"}, True),
    ("3 words, folded", {"q": "tra tan cuong"}, True),
    ("2 words common", {"q": "mật ong"}, True),
    ("2 words, page 3", {"q": "mat ong", "page": "3"}, True),
    ("2 words, price asc", {"q": "nuoc mam", "sort": "price_asc"}, True),
    ("3 words, min stars", {"q": "nước mắm nhĩ", "min_stars": "4"}, True),
    ("3 words, province", {"q": "sâm ngọc linh", "province": "48"}, True),
    ("1 word very common, stars", {"q": "tra", "sort": "stars"}, True),
    ("1 word, late page", {"q": "Trà", "page": "60"}, True),
    ("1 word, brand", {"q": "lantana"}, True),
    ("2 words, brand", {"q": "daichi foods"}, True),
    ("2 words rare (a commune)", {"q": "Quỳnh Nhai"}, True),
    ("1 word, group, page 5", {"q": "che", "group": "1", "page": "5"}, True),
    ("2 words, kind", {"q": "bánh tráng", "kind": "household"}, True),
    ("2 words, price range", {"q": "mien dong", "price_min": "50000", "price_max": "200000"}, True),
    ("2-letter prefix", {"q": "tr"}, True),
    ("producer words", {"q": "hop tac xa"}, True),
    ("3 words, newest", {"q": "du lịch bản", "sort": "newest"}, True),
    ("2 words, price desc, p2", {"q": "dau phong", "sort": "price_desc", "page": "2"}, True),
    ("typo", {"q": "nuoc mamm"}, True),
    ("no words, browse newest", {"sort": "newest"}, True),
    ("no words, province, price desc", {"province": "19", "sort": "price_desc"}, True),
    ("no words, min stars 5, page 4", {"min_stars": "5", "page": "4"}, True),
]


def _once(app: Flask, args: ImmutableMultiDict[str, str]) -> tuple[float, int, list[int]]:
    started = time.perf_counter()
    with app.app_context():
        query = parse_query(
            args,
            max_chars=app.config["SEARCH_MAX_QUERY_CHARS"],
            per_page=app.config["PAGE_SIZE"],
        )
        result = search(db.session, query, today())
        ids = [p.id for p in result.items]
    return (time.perf_counter() - started) * 1000, result.total, ids


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))]


def measure(app: Flask, calls: int, warmup_rounds: int = 3) -> dict[str, Any]:
    """Time at least ``calls`` searches over the query mix, after warm-up rounds."""
    mix = [(label, ImmutableMultiDict(args), exact) for label, args, exact in QUERIES]
    for _ in range(warmup_rounds):
        for _label, args, _exact in mix:
            _once(app, args)
    rounds = -(-calls // len(mix))
    per_query: dict[str, list[float]] = {label: [] for label, _, _ in mix}
    results: dict[str, Any] = {}
    for _ in range(rounds):
        for label, args, exact in mix:
            ms, total, ids = _once(app, args)
            per_query[label].append(ms)
            results[label] = {"total": total, "ids": ids, "exact": exact}
    every = [ms for values in per_query.values() for ms in values]
    return {
        "calls": len(every),
        "p50_ms": round(statistics.median(every), 2),
        "p95_ms": round(percentile(every, 95), 2),
        "max_ms": round(max(every), 2),
        "per_query": [
            {
                "query": label,
                "args": dict(args),
                "total": results[label]["total"],
                "p50_ms": round(statistics.median(per_query[label]), 2),
                "p95_ms": round(percentile(per_query[label], 95), 2),
            }
            for label, args, _ in mix
        ],
        "_results": results,
    }


def compare(sqlite: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """Exact queries whose total or ordered page differ between SQLite and another backend.

    Queries that find nothing on SQLite are skipped (nothing to compare).
    """
    compared, differ = 0, []
    for label, res in sqlite["_results"].items():
        if not res["exact"] or not res["total"]:
            continue
        compared += 1
        theirs = other["_results"][label]
        if (res["total"], res["ids"]) != (theirs["total"], theirs["ids"]):
            differ.append(label)
    return {"queries_compared": compared, "identical": not differ, "differ": differ}
