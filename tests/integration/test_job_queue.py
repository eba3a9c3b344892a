"""The job queue the environment selects: SQLite by default, Redis when JOBS_URL says so."""

import os

import pytest

from marketplace.core import jobs


def _roundtrip(huey) -> int:
    done: list[int] = []

    @huey.task()
    def add(a: int, b: int) -> None:
        done.append(a + b)

    assert add(2, 3) is None  # results are not stored: nothing reads them back
    task = huey.dequeue()
    assert task is not None
    huey.execute(task)
    assert huey.result_count() == 0
    return done[0]


def test_sqlite_queue_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("JOBS_URL", raising=False)
    monkeypatch.delenv("OCOP_JOBS_IMMEDIATE", raising=False)
    monkeypatch.setenv("OCOP_INSTANCE_PATH", str(tmp_path))
    huey = jobs.make_huey()
    assert type(huey.storage).__name__ == "_SqliteStorage"
    assert _roundtrip(huey) == 5
    assert (tmp_path / "jobs.sqlite3").exists()


def test_redis_queue_when_scaled_out(monkeypatch):
    url = os.environ.get("OCOP_TEST_REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must provide OCOP_TEST_REDIS_URL")
        pytest.skip("set OCOP_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15) to test Redis")
    monkeypatch.setenv("JOBS_URL", url)
    monkeypatch.delenv("OCOP_JOBS_IMMEDIATE", raising=False)
    huey = jobs.make_huey()
    assert type(huey).__name__ == "RedisHuey"
    huey.flush()
    assert _roundtrip(huey) == 5
    huey.flush()
