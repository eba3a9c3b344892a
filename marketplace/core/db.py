"""Database: engine per app, one session per app context, the request owns the transaction.

Business code only adds and flushes; the request wrapper commits when the response is a
success and rolls back otherwise (and on any exception), the CLI and jobs use ``transaction()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app
from flask.globals import app_ctx
from sqlalchemy import DateTime, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker

from .sqlite_writers import WriterQueueConnection

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every model."""

    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC; SQLite's naive values come back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use timezone-aware values (core.db.utcnow)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Timezone-aware now, for timestamps."""
    return datetime.now(UTC)


def make_engine(url: str, echo: bool = False) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys, a busy timeout and the writers' queue,
    PostgreSQL plans each statement for its values."""
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {
            "timeout": 30,
            "check_same_thread": False,
            "factory": WriterQueueConnection,  # writers queue on a file lock, not by sleeping
        }
    else:
        kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=10)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgresql_settings)
    return engine


def _postgresql_settings(dbapi_conn: Any, _record: Any) -> None:
    # psycopg prepares a statement run five times; PostgreSQL then switches to a generic plan
    # that ignores the values. A search's cost depends on its words (one word matching half
    # the catalogue or one product), and the generic plan made repeated searches 2-3x slower:
    # plan each execution for its values (parsing is still saved).
    with dbapi_conn.cursor() as cur:
        cur.execute("SET plan_cache_mode = force_custom_plan")
    dbapi_conn.commit()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA cache_size=-32000")  # 32 MB page cache per connection
    cur.execute("PRAGMA mmap_size=268435456")  # read through a 256 MB memory map
    cur.close()


class _AppSession(Session):
    """A session bound to the engine of the current Flask app."""

    def get_bind(self, mapper: Any = None, clause: Any = None, **kw: Any) -> Engine:  # type: ignore[override]
        return current_app.extensions["ocop_db"]


def _scope() -> int:
    return id(app_ctx._get_current_object())  # type: ignore[attr-defined]


class Database:
    """Holds the scoped session; bound to each app by ``init_app``."""

    def __init__(self) -> None:
        self.session: scoped_session[Session] = scoped_session(
            sessionmaker(class_=_AppSession, expire_on_commit=False), scopefunc=_scope
        )

    def init_app(self, app: Flask) -> None:
        """Create the app's engine and tie the session to the app context."""
        engine = make_engine(app.config["DATABASE_URL"], app.config.get("DATABASE_ECHO", False))
        app.extensions["ocop_db"] = engine
        app.after_request(self._finish_request)
        app.teardown_appcontext(self._teardown)

    @property
    def engine(self) -> Engine:
        """The current app's engine."""
        return current_app.extensions["ocop_db"]

    def after_commit(self, callback: Callable[[], Any]) -> None:
        """Run ``callback`` once the current transaction has committed (e.g. enqueue a job
        that must see the rows); dropped if it rolls back."""
        self.session.info.setdefault("after_commit", []).append(callback)

    def commit(self) -> None:
        """Commit, then run the callbacks registered with ``after_commit``."""
        self.session.commit()
        callbacks = self.session.info.pop("after_commit", [])
        for callback in callbacks:
            callback()

    def rollback(self) -> None:
        """Roll back and forget the callbacks registered with ``after_commit``."""
        self.session.rollback()
        self.session.info.pop("after_commit", None)

    def _finish_request(self, response: Response) -> Response:
        if response.status_code < 400:
            self.commit()
        else:
            self.rollback()
        return response

    def _teardown(self, exc: BaseException | None) -> None:
        if exc is not None:
            self.rollback()
        self.session.remove()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Commit on success, roll back on error: for the CLI, jobs and tests."""
        try:
            yield self.session
            self.commit()
        except BaseException:
            self.rollback()
            raise


db = Database()
