"""Typo correction's building blocks: the edit distance and the vocabulary lookup."""

import random

import pytest
from sqlalchemy import select

from marketplace.catalogue.fuzzy import distance, max_distance, nearby, prefixes, vocabulary


@pytest.mark.parametrize(
    ("a", "b", "edits"),
    [
        ("phong", "phong", 0),
        ("phng", "phong", 1),  # insertion
        ("mamm", "mam", 1),  # deletion
        ("cuogn", "cuong", 1),  # transposition
        ("tam", "tan", 1),  # substitution
        ("lantanna", "lanatna", 2),
        ("ca", "abc", 3),  # optimal string alignment: no edit inside a transposed pair
        ("", "abc", 3),
    ],
)
def test_distance(a, b, edits):
    assert distance(a, b, 5) == distance(b, a, 5) == edits
    assert distance(a, b, 1) == min(edits, 2)  # capped just above the limit


def test_max_distance_by_length():
    assert [max_distance("x" * n) for n in (1, 3, 4, 7, 8, 40)] == [0, 0, 1, 1, 2, 2]


def _edits(word, rng):
    i = rng.randrange(len(word))
    letter = rng.choice("aghnotu")
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + letter + word[i:]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + letter + word[i + 1 :]
    return word[:i] + word[i + 1 : i + 2] + word[i] + word[i + 2 :]


def test_lookup_finds_every_word_within_reach(demo_session):
    # on PostgreSQL the pg_trgm prefilter must not lose a word the edit distance accepts
    words = list(demo_session.scalars(select(vocabulary.c.word)))
    rng = random.Random(7)
    long = [w for w in words if len(w) >= 4]
    typos = {_edits(w, rng) for w in long} | {_edits(_edits(w, rng), rng) for w in long[::3]}
    for typo in sorted(t for t in typos if len(t) >= 4):
        limit = max_distance(typo)
        expected = {w: d for w in words if 0 < (d := distance(typo, w, limit)) <= limit}
        assert nearby(demo_session, typo) == expected, typo


def test_prefixes_of_vocabulary_words(demo_session):
    assert prefixes(demo_session, ["phon", "phong", "phng", "xq", "5"]) == {"phon", "phong", "5"}
