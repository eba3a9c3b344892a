"""What banks do to a transfer memo between the payer's app and the payee's statement.

They prepend routing text (``MBVCB.1234567.123456.``, ``CT DEN:``, ``ND:``, ``FT24...``),
append trace numbers or the sender's name, strip hyphens and Vietnamese diacritics, change
case and truncate (we draw a limit of 25-70 characters). Unless ``hard_truncate`` is set,
the first 9 characters of the original memo always survive, folded but never cut: that is
the contract our 9-character reference codes rely on.

payOS: for an account not linked through payOS only 9 characters of the description reach
the bank, so ``payos_unlinked=True`` keeps the memo's first 9 characters before the banks
mangle it (see ``payos.description_for_link``).
"""

from __future__ import annotations

import random
import unicodedata

from .payos import description_for_link

PROTECTED = 9
SENDERS = (
    "NGUYEN VAN AN",
    "TRAN THI BICH NGOC",
    "LE HOANG NAM",
    "PHAM THI THU HA",
    "HOANG VAN DUC",
    "VU THI MAI",
    "DANG QUOC BAO",
)
# "#" is a random digit, "@" a sender name
PREFIXES = (
    "MBVCB.#######.######.",
    "CT DEN:############ ",
    "ND:",
    "ND: ",
    "FT24###########.",
    "IBFT ",
    "@ chuyen tien ",
    "TKThe :##########, tai VCB. ",
    "QR - ",
)
SUFFIXES = (
    " -TRACE ######-",
    "-TRACE ######",
    " Trace ######",
    " @",
    " GD ######-####",
    " FT24###########",
    ".CT tu ########## @",
)


def mangle_memo(
    memo: str, rng: random.Random, *, hard_truncate: bool = False, payos_unlinked: bool = False
) -> str:
    """``memo`` as one bank might show it; deterministic for a given ``rng`` state."""
    if payos_unlinked:
        memo = description_for_link(memo, linked_account=False)
    strip_hyphens = rng.random() < 0.35
    strip_marks = rng.random() < 0.85  # NAPAS memos are mostly plain ASCII
    case = rng.choice(("upper", "upper", "lower", "keep", "keep"))
    pieces = [_char(ch, strip_hyphens, strip_marks, case) for ch in memo]
    core = "".join(pieces)
    protected = len("".join(pieces[:PROTECTED]))
    prefix = _fill(rng.choice(PREFIXES), rng, case) if rng.random() < 0.7 else ""
    suffix = _fill(rng.choice(SUFFIXES), rng, case) if rng.random() < 0.6 else ""
    text = prefix + core + suffix
    if hard_truncate:
        return text[: rng.randint(25, 70)]
    if rng.random() < 0.5:
        limit = max(rng.randint(25, 70), len(prefix) + protected)
        text = text[:limit]
    return text


def strip_diacritics(value: str) -> str:
    """Vietnamese without marks, as banks print it: ``Đơn hàng`` -> ``Don hang``."""
    value = value.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", value)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def _char(ch: str, strip_hyphens: bool, strip_marks: bool, case: str) -> str:
    if strip_hyphens and ch == "-":
        return ""
    if strip_marks:
        ch = strip_diacritics(ch)
    return _case(ch, case)


def _case(value: str, case: str) -> str:
    if case == "upper":
        return value.upper()
    if case == "lower":
        return value.lower()
    return value


def _fill(template: str, rng: random.Random, case: str) -> str:
    out = []
    for ch in template:
        if ch == "#":
            out.append(str(rng.randrange(10)))
        elif ch == "@":
            out.append(rng.choice(SENDERS))
        else:
            out.append(ch)
    return _case("".join(out), case)
