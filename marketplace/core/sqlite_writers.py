"""SQLite writers wait in line on a file lock instead of in SQLite's busy handler.

SQLite lets one writer at a time into a database. A connection that finds the write lock
taken sleeps in its busy handler on a fixed schedule (1, 2, 5, 10, 15, 20, 25 … 100 ms) and
tries again, so under steady concurrent writes (webhooks arriving while the matcher commits)
most of the time goes into sleeping long after the lock was freed. Here every connection
takes an exclusive ``flock`` on ``<database>.writers`` just before its first writing
statement and drops it right after its commit or rollback, so writers hand the database to
each other within a fraction of a millisecond; SQLite's own lock then never finds a rival.
Readers never touch the file lock (WAL lets them read during a write).

The lock is advisory and per process-and-connection: anything that writes without it (the
``sqlite3`` shell, another program) still meets SQLite's busy handler as before.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from typing import Any

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")
_LOCKING_BEGINS = ("BEGIN IMMEDIATE", "BEGIN EXCLUSIVE")  # how Huey's queue starts writes
_FIRST_PAUSE = 0.00005  # seconds; doubles up to _LONGEST_PAUSE while the lock is held
_LONGEST_PAUSE = 0.001


def _writes(sql: str) -> bool:
    head = sql.lstrip()[:16].upper()
    return head[:6] in _WRITES or head.startswith(_LOCKING_BEGINS)


class WriterQueueConnection(sqlite3.Connection):
    """A ``sqlite3`` connection that queues its write transactions on ``<database>.writers``."""

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        name = os.fspath(database)
        in_memory = name == ":memory:" or name.startswith("file:") or not name
        self._lock_fd = (
            -1 if in_memory else os.open(f"{name}.writers", os.O_RDWR | os.O_CREAT, 0o644)
        )
        self._held = False
        self._wait_limit = float(kwargs.get("timeout", 5.0))

    def cursor(self, factory: Any = None) -> sqlite3.Cursor:  # type: ignore[override]
        """Cursors of this connection take the writers' lock before a writing statement."""
        return super().cursor(factory or WriterQueueCursor)

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:  # type: ignore[override]
        """The shortcut bypasses ``cursor()`` in C, so it queues here too."""
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> sqlite3.Cursor:  # type: ignore[override]
        """As ``execute``."""
        return self.cursor().executemany(sql, seq_of_parameters)

    def take_write_lock(self) -> None:
        """Wait (up to the connection's timeout) for the writers' lock, then hold it."""
        if self._held or self._lock_fd < 0:
            return
        deadline = time.monotonic() + self._wait_limit
        pause = _FIRST_PAUSE
        while True:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise sqlite3.OperationalError("database is locked") from None
                time.sleep(pause)
                pause = min(pause * 2, _LONGEST_PAUSE)
        self._held = True

    def _drop_write_lock(self) -> None:
        if self._held:
            self._held = False
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def commit(self) -> None:
        """Commit, then let the next writer in."""
        try:
            super().commit()
        finally:
            if not self.in_transaction:
                self._drop_write_lock()

    def rollback(self) -> None:
        """Roll back, then let the next writer in."""
        try:
            super().rollback()
        finally:
            self._drop_write_lock()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        """``with conn:`` commits or rolls back in C, past ``commit()``: do it here."""
        if exc_type is None:
            self.commit()
        else:
            self.rollback()
        return False

    def close(self) -> None:
        """Close the database and the lock file (closing also drops the lock)."""
        try:
            super().close()
        finally:
            self._held = False
            if self._lock_fd >= 0:
                os.close(self._lock_fd)
                self._lock_fd = -1


class WriterQueueCursor(sqlite3.Cursor):
    """Takes the connection's writers' lock before the first writing statement."""

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:  # type: ignore[override]
        """Execute, queueing first if this statement writes."""
        if _writes(sql):
            self.connection.take_write_lock()  # type: ignore[attr-defined]
        return super().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> sqlite3.Cursor:  # type: ignore[override]
        """Execute many, queueing first if the statement writes."""
        if _writes(sql):
            self.connection.take_write_lock()  # type: ignore[attr-defined]
        return super().executemany(sql, seq_of_parameters)
