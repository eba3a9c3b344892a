"""Test fixtures: a fresh, migrated database per test, on SQLite and (when TEST_DATABASE_URL is
set) on PostgreSQL too.

Each backend gets two templates built once per session through the real migrations: ``empty``
(reference data only) and ``demo`` (``seed demo`` applied). A test gets a copy: a file copy on
SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL.
"""

from __future__ import annotations

import itertools
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, make_url, text

from marketplace import config as cfg
from marketplace.app import create_app
from marketplace.core.db import db
from marketplace.core.jobs import huey

huey.immediate = True  # jobs run inline in tests, against the test's own app context

BACKENDS = ["sqlite"] + (["postgresql"] if cfg.test_database_url() else [])
_counter = itertools.count()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that touches the database runs once per backend."""
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", BACKENDS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "backend" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


def _app_config(url: str, media: Path) -> dict[str, object]:
    return {
        "DATABASE_URL": url,
        "MEDIA_DIR": str(media),
        "SECRET_KEY": "test-secret",
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
    }


def _build_template(url: str, media: Path, seeded: bool, instance: Path) -> None:
    from marketplace.cli import seed_demo_data, upgrade_database

    app = create_app(_app_config(url, media), instance_path=instance)
    with app.app_context():
        upgrade_database()
        if seeded:
            seed_demo_data()
        db.engine.dispose()


class _SqliteTemplates:
    def __init__(self, root: Path):
        self.root = root
        self.files: dict[str, Path] = {}

    def get(self, kind: str) -> Path:
        if kind not in self.files:
            path = self.root / f"template-{kind}.sqlite3"
            _build_template(
                f"sqlite:///{path}", self.root / f"media-{kind}", kind == "demo", self.root
            )
            self.files[kind] = path
        return self.files[kind]

    def clone(self, kind: str, dest: Path) -> str:
        shutil.copyfile(self.get(kind), dest)
        return f"sqlite:///{dest}"


class _PostgresTemplates:
    def __init__(self, admin_url: str, root: Path):
        self.admin = make_url(admin_url)
        self.root = root
        self.names: dict[str, str] = {}
        self.engine = create_engine(self.admin, isolation_level="AUTOCOMMIT")
        self.tag = uuid.uuid4().hex[:8]

    def _url(self, name: str) -> str:
        return self.admin.set(database=name).render_as_string(hide_password=False)

    def get(self, kind: str) -> str:
        if kind not in self.names:
            name = f"ocop_tpl_{kind}_{self.tag}"
            with self.engine.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            _build_template(self._url(name), self.root / f"media-{kind}", kind == "demo", self.root)
            self.names[kind] = name
        return self.names[kind]

    def clone(self, kind: str) -> tuple[str, str]:
        template = self.get(kind)
        name = f"ocop_t_{self.tag}_{next(_counter)}"
        with self.engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        return self._url(name), name

    def drop(self, name: str) -> None:
        with self.engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        for name in self.names.values():
            self.drop(name)
        self.engine.dispose()


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    root = tmp_path_factory.mktemp("templates")
    out: dict[str, object] = {"sqlite": _SqliteTemplates(root)}
    pg_url = cfg.test_database_url()
    if pg_url:
        out["postgresql"] = _PostgresTemplates(pg_url, root / "pg")
    yield out
    if "postgresql" in out:
        out["postgresql"].close()  # type: ignore[attr-defined]


def _make_app(
    backend: str, kind: str, templates: dict[str, object], tmp_path: Path
) -> Iterator[Flask]:
    media = tmp_path / "media"
    if backend == "sqlite":
        tpl: _SqliteTemplates = templates["sqlite"]  # type: ignore[assignment]
        url = tpl.clone(kind, tmp_path / "test.sqlite3")
        src_media = tpl.root / f"media-{kind}"
        drop = None
    else:
        pg: _PostgresTemplates = templates["postgresql"]  # type: ignore[assignment]
        url, name = pg.clone(kind)
        src_media = pg.root / f"media-{kind}"
        drop = name
    if src_media.exists():
        shutil.copytree(src_media, media)
    app = create_app(_app_config(url, media), instance_path=tmp_path / "instance")
    try:
        yield app
    finally:
        app.extensions["ocop_db"].dispose()
        if drop:
            templates["postgresql"].drop(drop)  # type: ignore[attr-defined]


@pytest.fixture
def app(backend: str, templates: dict[str, object], tmp_path: Path) -> Iterator[Flask]:
    """An app on a fresh database holding reference data only."""
    yield from _make_app(backend, "empty", templates, tmp_path)


@pytest.fixture
def demo_app(backend: str, templates: dict[str, object], tmp_path: Path) -> Iterator[Flask]:
    """An app on a fresh database holding the demo catalogue."""
    yield from _make_app(backend, "demo", templates, tmp_path)


@pytest.fixture
def session(app: Flask) -> Iterator[object]:
    """The scoped session inside an app context (reference data loaded)."""
    with app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture
def demo_session(demo_app: Flask) -> Iterator[object]:
    with demo_app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture
def client(demo_app: Flask):  # type: ignore[no-untyped-def]
    return demo_app.test_client()


def pytest_report_header(config: pytest.Config) -> str:
    pg = cfg.test_database_url()
    return (
        "database backends: "
        + ", ".join(BACKENDS)
        + (
            f" (PostgreSQL: {make_url(pg).render_as_string()})"
            if pg
            else " (set TEST_DATABASE_URL to add PostgreSQL)"
        )
    )
