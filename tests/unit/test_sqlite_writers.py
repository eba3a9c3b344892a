"""SQLite writers queue on a file lock: one writer at a time, readers never wait, and a lock
that is never released ends in SQLite's usual "database is locked" after the timeout."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from marketplace.core.sqlite_writers import WriterQueueConnection


def _connect(path, timeout: float = 5.0) -> WriterQueueConnection:
    conn = sqlite3.connect(
        str(path), timeout=timeout, factory=WriterQueueConnection, check_same_thread=False
    )
    conn.execute("PRAGMA journal_mode=WAL")
    return conn  # type: ignore[return-value]


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "t.sqlite3"
    with _connect(path) as conn:
        conn.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        conn.execute("INSERT INTO counter VALUES (1, 0)")
    return path


def test_a_write_holds_the_lock_until_commit_and_a_read_does_not_take_it(db_path):
    conn = _connect(db_path)
    conn.execute("SELECT n FROM counter").fetchall()
    assert not conn._held
    conn.execute("UPDATE counter SET n = n + 1")
    assert conn._held and conn.in_transaction
    conn.commit()
    assert not conn._held
    conn.execute("UPDATE counter SET n = n + 1")
    conn.rollback()
    assert not conn._held
    assert conn.execute("SELECT n FROM counter").fetchone() == (1,)
    conn.close()


def test_readers_read_while_a_writer_holds_the_lock(db_path):
    writer, reader = _connect(db_path), _connect(db_path, timeout=0.2)
    writer.execute("UPDATE counter SET n = 41")
    assert reader.execute("SELECT n FROM counter").fetchone() == (0,)  # WAL: last commit
    writer.commit()
    assert reader.execute("SELECT n FROM counter").fetchone() == (41,)
    writer.close()
    reader.close()


def test_a_second_writer_waits_and_gives_up_with_sqlites_own_error(db_path):
    holder, other = _connect(db_path), _connect(db_path, timeout=0.2)
    holder.execute("UPDATE counter SET n = 1")
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        other.execute("UPDATE counter SET n = 2")
    assert not other._held
    holder.commit()
    other.execute("UPDATE counter SET n = 2")  # free again
    other.commit()
    assert other.execute("SELECT n FROM counter").fetchone() == (2,)
    holder.close()
    other.close()


def test_closing_a_connection_mid_write_lets_the_next_writer_in(db_path):
    holder, other = _connect(db_path), _connect(db_path, timeout=2)
    holder.execute("UPDATE counter SET n = 5")
    holder.close()  # rolls back and drops the lock
    other.execute("UPDATE counter SET n = n + 1")
    other.commit()
    assert other.execute("SELECT n FROM counter").fetchone() == (1,)
    other.close()


def test_huey_style_begin_exclusive_takes_the_lock(db_path):
    conn = _connect(db_path)
    conn.isolation_level = None
    cur = conn.cursor()
    cur.execute("begin exclusive")
    assert conn._held
    conn.commit()
    assert not conn._held
    conn.close()


def test_concurrent_read_modify_write_increments_are_all_kept(db_path):
    """Eight threads, each with its own connection, 50 increments each: every writer waits
    its turn (no "database is locked", no lost update)."""
    errors: list[BaseException] = []

    def work() -> None:
        conn = _connect(db_path, timeout=30)
        try:
            for _ in range(50):
                conn.execute("UPDATE counter SET n = n + 1")
                (n,) = conn.execute("SELECT n FROM counter").fetchone()
                conn.execute("UPDATE counter SET n = ?", (n,))
                conn.commit()
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with _connect(db_path) as conn:
        assert conn.execute("SELECT n FROM counter").fetchone() == (400,)


def test_in_memory_databases_need_no_lock_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    conn = sqlite3.connect(":memory:", factory=WriterQueueConnection)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    conn.close()
    assert list(tmp_path.iterdir()) == []
