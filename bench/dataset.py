"""Fresh benchmark databases: built through the real migrations, then bulk-loaded."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, func, insert, make_url, select, text
from sqlalchemy.engine import Engine

from marketplace import migrate
from marketplace.app import create_app
from marketplace.core.db import db
from producers.models import (
    Certificate,
    Commune,
    OcopSet,
    Producer,
    Product,
    ProductImage,
    Province,
)
from producers.models.geo import short_name
from producers.refdata import sync_reference_data

from .synth import Catalogue

CHUNK = 2000
RESEQUENCE = (
    "SELECT setval(pg_get_serial_sequence('producers', 'id'), (SELECT max(id) FROM producers))",
    "SELECT setval(pg_get_serial_sequence('products', 'id'), (SELECT max(id) FROM products))",
)


def app_config(url: str, workdir: Path) -> dict[str, Any]:
    """Settings for the bench app: default ones, but no rate limiting and a fixed secret."""
    return {
        "DATABASE_URL": url,
        "MEDIA_DIR": str(workdir / "media"),
        "SECRET_KEY": "bench-secret-not-for-production",
        "RATELIMIT_ENABLED": False,
    }


def make_app(url: str, workdir: Path) -> Flask:
    """The real app on ``url``."""
    return create_app(app_config(url, workdir), instance_path=workdir / "instance")


def migrate_fresh(app: Flask) -> dict[str, Any]:
    """Migrate to head and load reference data; returns what synthesis needs from it."""
    with app.app_context():
        migrate.upgrade(db.engine)
        with db.transaction() as session:
            sync_reference_data(session)
            provinces = dict(session.execute(select(Province.code, Province.name)).all())
            communes = {
                c.code: (c.name, c.province_code, short_name(c.name))
                for c in session.scalars(select(Commune))
            }
            sets = dict(session.execute(select(OcopSet.set_no, OcopSet.name_vi)).all())
    return {"provinces": provinces, "communes": communes, "sets": sets}


def load(engine: Engine, cat: Catalogue) -> dict[str, Any]:
    """Bulk-insert the catalogue (SQLAlchemy core), then check the search index is populated."""
    started = time.perf_counter()
    with engine.begin() as conn:
        for model, rows in (
            (Producer, cat.producers),
            (Product, cat.products),
            (Certificate, cat.certificates),
            (ProductImage, cat.images),
        ):
            for i in range(0, len(rows), CHUNK):
                conn.execute(insert(model.__table__), rows[i : i + CHUNK])
        if engine.dialect.name == "postgresql":
            for statement in RESEQUENCE:  # the ids were given explicitly
                conn.execute(text(statement))
        else:
            # raises if the trigger-maintained FTS index disagrees with the products table
            conn.execute(text("INSERT INTO product_fts(product_fts) VALUES ('integrity-check')"))
            indexed = conn.scalar(
                text("SELECT count(*) FROM product_fts WHERE product_fts MATCH '\"ocop\"*'")
            )
            if indexed != len(cat.products):
                raise RuntimeError(f"FTS index holds {indexed} of {len(cat.products)} products")
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))  # what autovacuum does soon after a bulk load
    with engine.connect() as conn:
        counts = {
            "products": conn.scalar(select(func.count()).select_from(Product)),
            "producers": conn.scalar(select(func.count()).select_from(Producer)),
            "certificates": conn.scalar(select(func.count()).select_from(Certificate)),
            "communes_used": conn.scalar(select(func.count(func.distinct(Producer.commune_code)))),
            "provinces_used": conn.scalar(
                select(func.count(func.distinct(Producer.province_code)))
            ),
        }
    return {**counts, "load_s": round(time.perf_counter() - started, 2)}


class PostgresDatabase:
    """A throw-away database on the server of ``admin_url``, dropped by ``drop``."""

    def __init__(self, admin_url: str) -> None:
        self.admin = make_url(admin_url)
        self.name = f"ocop_bench_{uuid.uuid4().hex[:8]}"
        self.engine = create_engine(self.admin, isolation_level="AUTOCOMMIT")
        with self.engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
            self.version = conn.scalar(text("SHOW server_version"))

    @property
    def url(self) -> str:
        """URL of the new database, password included."""
        return self.admin.set(database=self.name).render_as_string(hide_password=False)

    def drop(self) -> None:
        """Drop the database (closing other sessions on it) and release the admin engine."""
        with self.engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.engine.dispose()
