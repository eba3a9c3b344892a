"""Background jobs on Huey: SQLite in the instance folder by default, Redis when scaled out.

Tasks are plain functions decorated with ``huey.task()``/``huey.periodic_task()``; each runs
inside an app context made once per worker process (``with_app``), commits through
``db.transaction()`` and is retried by Huey when it raises a retryable error.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from huey import Huey, MemoryHuey, RedisHuey
from huey.storage import SqliteStorage

from marketplace import config
from marketplace.core.sqlite_writers import WriterQueueConnection

F = TypeVar("F", bound=Callable[..., Any])


class _SqliteStorage(SqliteStorage):
    """Huey's SQLite storage with ``synchronous=NORMAL``: in WAL mode that is safe from
    corruption and skips an fsync per enqueue. A message lost to a power cut is harmless:
    the periodic sweeps re-derive pending work from the main database."""

    def _create_connection(self):  # type: ignore[no-untyped-def]
        conn = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        return conn


def make_huey() -> Huey:
    """The queue named by the environment (JOBS_URL), or SQLite in the instance folder."""
    url = config.jobs_url()
    immediate = config.jobs_immediate()
    # Nothing reads a task's return value back, and Huey keeps each one until it is read:
    # storing them grew the queue forever and cost a write per job.
    if url and url.startswith("redis"):
        return RedisHuey("ocop", url=url, immediate=immediate, utc=True, results=False)
    if url == "memory://":
        return MemoryHuey("ocop", immediate=immediate, utc=True, results=False)
    path = config.instance_path()
    path.mkdir(parents=True, exist_ok=True)
    return Huey(
        "ocop",
        storage_class=_SqliteStorage,
        filename=str(path / "jobs.sqlite3"),
        factory=WriterQueueConnection,  # enqueues and dequeues queue on a file lock too
        immediate=immediate,
        utc=True,
        results=False,
    )


huey = make_huey()
_app_factory: Callable[[], Any] | None = None


def set_app_factory(factory: Callable[[], Any]) -> None:
    """Tell workers how to build the Flask app their tasks run in."""
    global _app_factory
    _app_factory = factory


@functools.cache
def _worker_app() -> Any:
    if _app_factory is None:
        raise RuntimeError("jobs need an app factory: call set_app_factory() first")
    return _app_factory()


def with_app(fn: F) -> F:
    """Run the task inside an app context (reusing the current one when there is one)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from flask import has_app_context

        if has_app_context():
            return fn(*args, **kwargs)
        with _worker_app().app_context():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
