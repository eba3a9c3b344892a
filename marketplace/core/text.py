"""Vietnamese text: NFC storage, accent folding for search, slugs, and input cleaning.

Folding is done in Python on both sides (stored ``search_text`` and the query) because
SQLite's ``lower()``/``LIKE`` are ASCII-only and neither FTS5 nor PostgreSQL's ``unaccent``
folds ``đ`` the way Vietnamese readers expect.
"""

from __future__ import annotations

import re
import unicodedata

_D_MAP = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})
_NON_WORD = re.compile(r"[^a-z0-9]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_SPACES = re.compile(r"\s+")


def nfc(value: str) -> str:
    """Unicode NFC, the form every stored text uses."""
    return unicodedata.normalize("NFC", value)


def fold(value: str) -> str:
    """Fold for comparison: strip combining marks, ``đ -> d``, lower case.

    Accepts NFC or NFD input alike; other characters are kept.
    """
    decomposed = unicodedata.normalize("NFD", value.translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).translate(_D_MAP).casefold()


def tokens(value: str) -> list[str]:
    """The folded ASCII words of a text, in order."""
    return [t for t in _NON_WORD.split(fold(value)) if t]


def search_text(*parts: str | None) -> str:
    """The folded, space-separated words of several texts, with a leading space.

    The leading space lets ``LIKE '% word%'`` find a word prefix anywhere, including the first.
    """
    words: list[str] = []
    for part in parts:
        if part:
            words.extend(tokens(part))
    return " " + " ".join(words) if words else ""


def slugify(value: str, max_length: int = 80) -> str:
    """A URL slug from Vietnamese text: ``Dầu đậu phộng`` -> ``dau-dau-phong``."""
    slug = "-".join(tokens(value))[:max_length].strip("-")
    return slug or "san-pham"


def clean_line(value: str | None, max_length: int | None = None) -> str:
    """One line of user text: NFC, control characters removed, whitespace collapsed."""
    if value is None:
        return ""
    text = _SPACES.sub(" ", _CONTROL.sub("", nfc(value))).strip()
    return text[:max_length] if max_length else text


def clean_block(value: str | None) -> str:
    """Multi-line user text: NFC, control characters removed, line ends normalised."""
    if value is None:
        return ""
    text = nfc(value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


def has_control_chars(value: str) -> bool:
    """True when the text holds control or invisible formatting characters."""
    return bool(_CONTROL.search(value))
