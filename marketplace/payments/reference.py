"""Payment reference codes: prefix + random characters + a check character.

At most 9 characters so they fit every provider (payOS keeps only 9 for unlinked accounts),
from an alphabet without look-alikes (no 0/O, 1/I). The check character (Luhn mod 32)
catches every single-character typo and most swaps of neighbours.
"""

from __future__ import annotations

import re
import secrets

from marketplace.core.text import fold

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 (Luhn mod N needs an even N): no I, O, 0, 1
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
RANDOM_LENGTH = 6
PREFIXES = {"order": "DH", "fee": "PF"}  # đơn hàng, phí
CODE_LENGTH = 2 + RANDOM_LENGTH + 1
_CANDIDATE = re.compile(
    rf"(?=((?:{'|'.join(PREFIXES.values())})[{ALPHABET}]{{{RANDOM_LENGTH + 1}}}))"
)


def check_character(body: str) -> str:
    """Luhn mod N check character over ``body`` (characters of ALPHABET)."""
    n = len(ALPHABET)
    total, factor = 0, 2
    for ch in reversed(body):
        addend = factor * _INDEX[ch]
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return ALPHABET[(n - total % n) % n]


def is_valid(code: str) -> bool:
    """True when ``code`` has the right shape and check character."""
    if len(code) != CODE_LENGTH or code[:2] not in PREFIXES.values():
        return False
    if any(ch not in _INDEX for ch in code):
        return False
    return check_character(code[:-1]) == code[-1]


def new_code(purpose: str) -> str:
    """A fresh random reference code for an intent of ``purpose`` ("order" or "fee")."""
    body = PREFIXES[purpose] + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + check_character(body)


def normalise_memo(memo: str) -> str:
    """Upper-case letters and digits only: banks add spaces, dots and strip hyphens."""
    return re.sub(r"[^A-Z0-9]", "", fold(memo).upper())


def codes_in_memo(memo: str) -> tuple[list[str], list[str]]:
    """Valid codes found in a memo, and code-shaped strings whose check character fails.

    Separators are ignored so a code a bank split with a space is still found, if it starts a
    word; a code lying inside one word wins over codes read across words ("…OCOP FT24…" reads
    as "PFT24…", a valid code one time in 32), which are kept only when nothing else is found.
    """
    words = re.findall(r"[A-Z0-9]+", fold(memo).upper())
    text = "".join(words)
    starts, position = set(), 0
    for word in words:  # a match inside one word never crosses one of these boundaries
        starts.add(position)
        position += len(word)
    boundaries = sorted(starts | {position})
    inside, across, broken = [], [], []
    for match in _CANDIDATE.finditer(text):
        code, begin = match.group(1), match.start(1)
        if not is_valid(code):
            broken.append(code)
            continue
        crosses = any(begin < b < begin + len(code) for b in boundaries)
        if not crosses:
            inside.append(code)
        elif begin in starts:
            # A code split by the bank still starts a word ("DH-2K8 XY9A"); one that starts
            # mid-word and runs on into the next is letters of two unrelated words.
            across.append(code)
    valid = inside or across
    return list(dict.fromkeys(valid)), list(dict.fromkeys(broken))
