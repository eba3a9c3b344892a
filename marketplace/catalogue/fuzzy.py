"""Typo correction for search: the vocabulary words a few edits away from a query word.

The vocabulary is table ``search_vocabulary`` (migration 0004): every word ever indexed,
kept by triggers on products. PostgreSQL finds candidates with its pg_trgm GIN index, SQLite
scans an in-process copy; both then confirm the Damerau-Levenshtein distance here, so both
return the same words. ``search`` ranks them by how many products have them.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from dataclasses import dataclass

from sqlalchemy import column, exists, func, select, table
from sqlalchemy.orm import Session

MIN_CHARS = 4  # shorter words are never corrected: too many words are one edit away
CACHE_SECONDS = 60.0
# Any shared trigram. A word within the edit distance always shares one: with one edit (4+
# letters) the first or the last trigram survives; two edits (8+ letters) that change both
# ends leave the middle intact. 0.01 < 1 / (41 + 43 - 1), the lowest one-trigram similarity.
TRIGRAM_FLOOR = 0.01

vocabulary = table("search_vocabulary", column("word"))


def max_distance(word: str) -> int:
    """The edits a query word may be off by: 0 under 4 letters, 1 up to 7, 2 from 8."""
    return 0 if len(word) < MIN_CHARS else 1 if len(word) < 8 else 2


def distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (optimal string alignment), capped at ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            best = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, before[j - 2] + 1)
            row.append(best)
        if min(row) > limit:  # a later transposition cannot undercut this row
            return limit + 1
        before, prev = prev, row
    return min(prev[-1], limit + 1)


def prefixes(session: Session, words: list[str]) -> set[str]:
    """The words that begin some vocabulary word (or are one)."""
    if session.get_bind().dialect.name != "postgresql":
        known = _Vocabulary.of(session)
        return {w for w in words if known.begins(w)}
    # C collation: the words beginning with w sort from w up to w + "{" (after "z" and digits)
    found = [exists().where(vocabulary.c.word >= w, vocabulary.c.word < w + "{") for w in words]
    return {w for w, hit in zip(words, session.execute(select(*found)).one(), strict=True) if hit}


def nearby(session: Session, word: str) -> dict[str, int]:
    """Vocabulary words within ``max_distance(word)`` edits of ``word``, with their distance."""
    limit = max_distance(word)
    if not limit:
        return {}
    shortest, longest = len(word) - limit, len(word) + limit
    if session.get_bind().dialect.name == "postgresql":
        threshold = func.set_config("pg_trgm.similarity_threshold", str(TRIGRAM_FLOOR), True)
        session.execute(select(threshold))  # for this transaction
        found = session.scalars(
            select(vocabulary.c.word).where(
                vocabulary.c.word.op("%")(word),
                func.length(vocabulary.c.word).between(shortest, longest),
            )
        )
        sized = [(v, frozenset(v)) for v in found]
    else:
        sized = _Vocabulary.of(session).sized(shortest, longest)
    letters = frozenset(word)  # an edit adds or removes at most 2 distinct letters: cheap filter
    edits = {v: distance(word, v, limit) for v, vl in sized if len(letters ^ vl) <= 2 * limit}
    return {v: d for v, d in edits.items() if 0 < d <= limit}


@dataclass
class _Vocabulary:
    """An in-process copy of ``search_vocabulary``: the words by length, with letter sets."""

    stamp: object
    loaded: float
    ordered: list[str]
    by_length: dict[int, list[tuple[str, frozenset[str]]]]

    @classmethod
    def of(cls, session: Session) -> _Vocabulary:
        """The database's vocabulary, reloaded when a word was added or after a minute."""
        key = str(session.get_bind().url)
        stamp = session.scalar(select(func.max(column("rowid"))).select_from(vocabulary))
        cached = _CACHE.get(key)
        if cached and cached.stamp == stamp and time.monotonic() - cached.loaded < CACHE_SECONDS:
            return cached
        ordered = sorted(session.scalars(select(vocabulary.c.word)))
        by_length: dict[int, list[tuple[str, frozenset[str]]]] = {}
        for word in ordered:
            by_length.setdefault(len(word), []).append((word, frozenset(word)))
        _CACHE[key] = fresh = cls(stamp, time.monotonic(), ordered, by_length)
        return fresh

    def begins(self, prefix: str) -> bool:
        """Whether some word begins with ``prefix``."""
        i = bisect_left(self.ordered, prefix)
        return i < len(self.ordered) and self.ordered[i].startswith(prefix)

    def sized(self, shortest: int, longest: int) -> list[tuple[str, frozenset[str]]]:
        """The words of ``shortest`` to ``longest`` letters, with their letter sets."""
        return [pair for n in range(shortest, longest + 1) for pair in self.by_length.get(n, ())]


_CACHE: dict[str, _Vocabulary] = {}  # by database URL; a dict read or write is atomic
