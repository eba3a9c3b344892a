"""Per-channel rate limiting shared by every worker process and machine.

Each bucket (a channel's app key) has a row holding the next free call time. A caller reserves
the next slot with one atomic upsert — ``next_at = max(next_at, now) + 1/rate`` — on its own
short transaction, then sleeps until its slot. Calls *start* at least ``1/rate`` apart whichever
process makes them, and a busy bucket runs at the configured rate. Arrival at the marketplace
can still bunch a little (a thread scheduled late sends next to the following one), so
accounts book a margin below the marketplace's real limit (95 % by default, see
``connect.RATE_SHARE``) and a 429 pushes the whole bucket back. Works the same on SQLite and
PostgreSQL (and survives restarts).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

_UPSERT = {
    "postgresql": text(
        "INSERT INTO channel_rate_slots (key, next_at) VALUES (:key, :now + :gap) "
        "ON CONFLICT (key) DO UPDATE SET next_at = GREATEST(channel_rate_slots.next_at, :now) + :gap "
        "RETURNING next_at"
    ),
    "sqlite": text(
        "INSERT INTO channel_rate_slots (key, next_at) VALUES (:key, :now + :gap) "
        "ON CONFLICT (key) DO UPDATE SET next_at = max(channel_rate_slots.next_at, :now) + :gap "
        "RETURNING next_at"
    ),
}


class RateLimiter:
    """Reserves call slots in the database; ``wait(key, rate)`` blocks until ours comes."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        session: Session | None = None,
    ):
        self.engine = engine
        #: set: reserve inside this session's transaction (a caller already holding the write
        #: lock — a token refresh, an OAuth exchange — would otherwise wait on itself on SQLite)
        self.session = session
        self.statement = _UPSERT[engine.dialect.name]
        self.clock = clock
        self.sleep = sleep

    def reserve(self, key: str, rate: float) -> float:
        """Reserve the next slot of ``key``; returns the epoch second it starts."""
        gap = 1.0 / rate
        params = {"key": key, "now": self.clock(), "gap": gap}
        if self.session is not None:
            next_at = self.session.execute(self.statement, params).scalar_one()
        else:
            with self.engine.begin() as conn:
                next_at = conn.execute(self.statement, params).scalar_one()
        return float(next_at) - gap

    def wait(self, key: str, rate: float) -> float:
        """Block until our slot; returns the seconds waited."""
        delay = self.reserve(key, rate) - self.clock()
        if delay > 0:
            self.sleep(delay)
            return delay
        return 0.0

    def push_back(self, key: str, seconds: float) -> None:
        """The channel said "too many requests": nobody calls this bucket for ``seconds``."""
        params = {"key": key, "now": self.clock(), "gap": seconds}
        if self.session is not None:
            self.session.execute(self.statement, params)
            return
        with self.engine.begin() as conn:
            conn.execute(self.statement, params)


class LimitedSession(requests.Session):
    """A requests session whose every call first waits for a slot of one bucket."""

    def __init__(self, limiter: RateLimiter, key: str, rate: float):
        super().__init__()
        self.limiter = limiter
        self.key = key
        self.rate = rate

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any):  # type: ignore[override]
        self.limiter.wait(self.key, self.rate)
        return super().request(method, url, *args, **kwargs)


def bucket_key(channel: str, app_key: str) -> str:
    """One bucket per channel application (its limit is shared by all its shops)."""
    return f"{channel}:{app_key}"[:140]
