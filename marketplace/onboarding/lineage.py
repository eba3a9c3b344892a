"""Pre-2025 addresses typed as text, mapped to the 2025 communes through the official lineage.

People still write the address on their papers ("Xã Tân Cương, TP Thái Nguyên, Tỉnh Thái
Nguyên"). The words are folded (accents, case, "đ") and each old commune whose bare name occurs
in the text is a candidate; a mentioned district and province narrow it. One old commune that
fed one new commune maps directly; one that was split among several new communes cannot be
decided from the text, so the caller sends it to a person with the candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.core.errors import ValidationError
from marketplace.core.text import tokens
from producers.models import CommuneLineage

#: type words that may open an administrative name, longest first
_PREFIXES = (
    ("thi", "tran"),
    ("thi", "xa"),
    ("thanh", "pho"),
    ("xa",),
    ("phuong",),
    ("huyen",),
    ("quan",),
    ("tinh",),
)
MIN_WORDS = 2


@dataclass(frozen=True)
class LegacyMatch:
    """The old commune found in the text and the new commune(s) it became."""

    old_label: str
    new_codes: tuple[str, ...]
    is_split: bool


def bare(name: str) -> tuple[str, ...]:
    """Folded words of a name without its type word (``Xã Tân Cương`` -> ``tan cuong``);
    numbered units keep it (``Phường 1`` stays ``phuong 1``), a bare number means nothing."""
    words = tokens(name)
    for prefix in _PREFIXES:
        if tuple(words[: len(prefix)]) == prefix and len(words) > len(prefix):
            rest = words[len(prefix) :]
            return tuple(words) if all(w.isdigit() for w in rest) else tuple(rest)
    return tuple(words)


def _contains(haystack: list[str], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return n > 0 and any(tuple(haystack[i : i + n]) == needle for i in range(len(haystack) - n + 1))


def _label(row: CommuneLineage) -> str:
    return f"{row.old_commune_name}, {row.old_district_name}, {row.old_province_name}"


def map_legacy(session: Session, text: str) -> LegacyMatch:
    """The lineage of a typed pre-2025 address, or ValidationError saying what to add."""
    words = tokens(text)
    if len(words) < MIN_WORDS:
        raise ValidationError(
            "Nhập địa chỉ cũ gồm tên xã, huyện và tỉnh, ví dụ: Xã Tân Cương, "
            "Thành phố Thái Nguyên, Tỉnh Thái Nguyên.",
            param="legacy",
        )
    provinces = session.execute(
        select(CommuneLineage.old_province_code, CommuneLineage.old_province_name).distinct()
    ).all()
    named = sorted({code for code, name in provinces if _contains(words, bare(name))})
    query = select(CommuneLineage)
    if named:
        query = query.where(CommuneLineage.old_province_code.in_(named))
    best: list[CommuneLineage] = []
    best_score = 0
    for row in session.scalars(query):
        commune = bare(row.old_commune_name)
        if not _contains(words, commune):
            continue
        # a mentioned district outweighs any name length; longer names are more specific
        score = len(commune) + (100 if _contains(words, bare(row.old_district_name)) else 0)
        if score > best_score:
            best, best_score = [row], score
        elif score == best_score:
            best.append(row)
    olds = {(r.old_province_code, r.old_district_code, r.old_commune_name) for r in best}
    if not olds:
        raise ValidationError(
            "Không tìm thấy xã/phường cũ trong địa chỉ này. Hãy ghi đúng tên xã, huyện, tỉnh "
            "trước 1/7/2025, hoặc chọn xã/phường mới ở trên.",
            param="legacy",
        )
    if len(olds) > 1:
        shown = "; ".join(sorted({_label(r) for r in best})[:4])
        raise ValidationError(
            f"Địa chỉ cũ khớp nhiều xã: {shown}. Hãy ghi thêm tên huyện và tỉnh.",
            param="legacy",
        )
    codes = tuple(sorted({r.new_commune_code for r in best}))
    return LegacyMatch(
        old_label=_label(best[0]),
        new_codes=codes,
        is_split=len(codes) > 1 or any(r.is_split for r in best),
    )
