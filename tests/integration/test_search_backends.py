"""SQLite (FTS5) and PostgreSQL (tsvector, pg_trgm) give the same ordered results for a query,
typo corrections included."""

from datetime import date

import pytest

from marketplace import config
from marketplace.catalogue.search import parse_query, search
from marketplace.core.db import db
from tests.conftest import _make_app

TODAY = date(2026, 11, 22)
QUERIES = [
    {"q": "tra"},
    {"q": "Trà Tân Cương"},
    {"q": "tan cuong", "sort": "price_asc"},
    {"q": "che"},
    {"q": "sam ngoc linh"},
    {"q": "HTX"},
    {"q": "mat ong"},
    {"q": "nuoc mam", "min_stars": "3"},
    {"q": "da nang"},
    {"q": "500 ml"},
    {"q": "thai nguyen", "kind": "cooperative"},
    {"q": "b"},
    {"province": "48", "sort": "stars"},
    {"group": "1", "sort": "name"},
    {"min_stars": "4"},
    {"price_min": "50000", "price_max": "300000", "sort": "price_desc"},
    {"sort": "name"},
    {},
    # typos: corrected the same way on both
    {"q": "dau phng"},
    {"q": "nuoc mamm"},
    {"q": "tan cuogn", "sort": "stars"},
    {"q": "lantanna"},
    {"q": "quynh nhai"},
    {"q": "mat onng"},
    {"q": "xqzv wkjh"},
]


@pytest.mark.skipif(
    not config.test_database_url(), reason="set TEST_DATABASE_URL to compare with PostgreSQL"
)
def test_same_ordered_results_on_sqlite_and_postgresql(templates, tmp_path):
    results = {}
    for backend in ("sqlite", "postgresql"):
        (tmp_path / backend).mkdir()
        gen = _make_app(backend, "demo", templates, tmp_path / backend)
        app = next(gen)
        with app.app_context():
            found = [
                search(db.session, parse_query(q, max_chars=200, per_page=100), TODAY)
                for q in QUERIES
            ]
            results[backend] = [([p.name for p in r.items], r.corrections) for r in found]
            db.session.remove()
        gen.close()
    for query, lite, pg in zip(QUERIES, results["sqlite"], results["postgresql"], strict=True):
        assert lite == pg, query
    assert sum(len(names) for names, _ in results["sqlite"]) > 100  # the queries find things
    assert sum(bool(fixed) for _, fixed in results["sqlite"]) == 6  # and correct typos
