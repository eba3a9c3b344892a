"""NAPAS VietQR payloads (EMVCo merchant-presented QR): build, parse, validate.

Written in-house because the published packages get lengths, CRCs or the static/dynamic flag
wrong. The parser is strict on purpose: every TLV length must be consumed exactly, duplicate
tags and anything after the CRC are errors, and nothing is ever truncated silently. Unknown
tags (52, 59, 60, 62.07, ...) are tolerated, but must still be well-formed TLV.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

from marketplace.core.errors import ValidationError
from marketplace.core.text import fold

GUID = "A000000727"
SERVICE_ACCOUNT = "QRIBFTTA"
SERVICE_CARD = "QRIBFTTC"
SERVICES = (SERVICE_ACCOUNT, SERVICE_CARD)
PURPOSE_MAX = 25
AMOUNT_MAX_DIGITS = 13
STATIC, DYNAMIC = "static", "dynamic"

_TWO_DIGITS = re.compile(r"[0-9]{2}")
_BIN = re.compile(r"[0-9]{6}")
_ACCOUNT = re.compile(r"[0-9A-Za-z]{1,19}")
_AMOUNT = re.compile(r"[1-9][0-9]{0,12}")
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
_ANS = re.compile(r"[\x20-\x7e]{1,25}")  # EMVCo "ans": printable ASCII
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_INITIATION = {"11": STATIC, "12": DYNAMIC}
_STATUS_RANK = {"transfer+receive": 2, "receive-only": 1}
_DICT_KEYS = ("bin", "bank", "account", "service", "amount", "purpose")
_DICT_KEYS += ("point_of_initiation", "crc")


class VietQRError(ValidationError, ValueError):
    """A VietQR payload or build argument that breaks the NAPAS rules."""

    code = "vietqr_invalid"


@dataclass(frozen=True)
class VietQR:
    """The fields of a valid VietQR payload; ``crc`` is as found (lower-case hex is accepted)."""

    bin: str
    bank: str | None
    account: str
    service: str
    amount: int | None
    purpose: str | None
    bill_number: str | None
    point_of_initiation: str
    crc: str

    def to_dict(self) -> dict[str, str | int | None]:
        """The fields shown to operators (``ocop qr parse``), in a fixed order."""
        return {key: getattr(self, key) for key in _DICT_KEYS}


# --- reference data -------------------------------------------------------------------------


@cache
def banks() -> Mapping[str, str | None]:
    """NAPAS BIN -> bank short name, read once from ``producers/data/banks.csv``.

    Where two rows share a BIN (970406: DongA Bank / Vikki Bank) the row that still transfers
    wins. Read through ``importlib.resources`` rather than ``producers.refdata`` so that this
    module does not import Flask or SQLAlchemy.
    """
    found: dict[str, tuple[int, str | None]] = {}
    path = resources.files("producers").joinpath("data").joinpath("banks.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            bin_ = (row.get("bin") or "").strip()
            if not _BIN.fullmatch(bin_):
                continue
            rank = _STATUS_RANK.get((row.get("vietqr_status") or "").strip(), 0)
            if bin_ not in found or rank > found[bin_][0]:
                found[bin_] = (rank, (row.get("short_name") or "").strip() or None)
    return MappingProxyType({bin_: name for bin_, (_, name) in found.items()})


# --- CRC and TLV ----------------------------------------------------------------------------


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = (crc << 1) ^ 0x1021 if crc & 0x8000 else crc << 1
        table.append(crc & 0xFFFF)
    return tuple(table)


_CRC_TABLE = _crc_table()


def crc16_ccitt_false(data: str) -> str:
    """CRC-16/CCITT-FALSE of the text's UTF-8 bytes, as 4 upper-case hex digits."""
    crc = 0xFFFF
    for byte in data.encode("utf-8"):
        crc = ((crc << 8) & 0xFFFF) ^ _CRC_TABLE[(crc >> 8) ^ byte]
    return f"{crc:04X}"


def _show(value: str, limit: int = 30) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "...")


def _walk(data: str, where: str) -> Iterator[tuple[str, str, int, int]]:
    """Yield ``(tag, value, start, end)`` for each TLV field, consuming every character."""
    pos = 0
    while pos < len(data):
        tag, size = data[pos : pos + 2], data[pos + 2 : pos + 4]
        if len(data) - pos < 4:
            raise VietQRError(f"{where}: truncated TLV header at position {pos}")
        if not _TWO_DIGITS.fullmatch(tag):
            raise VietQRError(f"{where}: malformed TLV, non-digit tag {tag!r} at position {pos}")
        if not _TWO_DIGITS.fullmatch(size):
            raise VietQRError(f"{where}: malformed TLV, non-digit length {size!r} for tag {tag}")
        end = pos + 4 + int(size)
        if end == pos + 4:
            raise VietQRError(f"{where}: tag {tag} has an empty value (length 00)")
        if end > len(data):
            left = len(data) - pos - 4
            raise VietQRError(
                f"{where}: truncated TLV, tag {tag} declares length {size} "
                f"but only {left} characters remain"
            )
        yield tag, data[pos + 4 : end], pos, end
        pos = end


def _fields(data: str, where: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for tag, value, _, _ in _walk(data, where):
        if tag in fields:
            raise VietQRError(f"{where}: duplicate tag {tag}")
        fields[tag] = value
    return fields


def _tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


# --- field rules (shared by build and parse) ------------------------------------------------


def _check_bin(value: object, where: str = "BIN") -> str:
    if not isinstance(value, str) or not _BIN.fullmatch(value):
        shown = _show(value) if isinstance(value, str) else type(value).__name__
        raise VietQRError(f"{where} must be 6 digits, found {shown}", param="bin")
    if value not in banks():
        raise VietQRError(f"{where} {value} is not a known bank (banks.csv)", param="bin")
    return value


def _check_account(value: object, where: str = "account") -> str:
    if not isinstance(value, str) or not _ACCOUNT.fullmatch(value):
        shown = _show(value) if isinstance(value, str) else type(value).__name__
        raise VietQRError(
            f"{where} must be 1-19 characters of 0-9, A-Z, a-z, found {shown}", param="account"
        )
    return value


def _check_service(value: object, where: str = "service") -> str:
    if not isinstance(value, str) or value not in SERVICES:
        shown = _show(value) if isinstance(value, str) else type(value).__name__
        raise VietQRError(
            f"{where} must be {SERVICE_ACCOUNT} (to account) or {SERVICE_CARD} (to card), "
            f"found {shown}",
            param="service",
        )
    return value


def _check_amount(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise VietQRError(
            f"amount must be a whole number of dong, found {type(value).__name__}",
            param="amount",
        )
    if value <= 0:
        raise VietQRError(f"amount must be positive, found {value}", param="amount")
    if len(str(value)) > AMOUNT_MAX_DIGITS:
        raise VietQRError(f"amount must be at most {AMOUNT_MAX_DIGITS} digits", param="amount")
    return value


def _check_ans(value: object, where: str, param: str) -> str:
    if not isinstance(value, str) or not _ANS.fullmatch(value):
        size = len(value) if isinstance(value, str) else type(value).__name__
        raise VietQRError(
            f"{where} must be 1-{PURPOSE_MAX} printable ASCII characters, found {size}",
            param=param,
        )
    return value


# --- purpose text ---------------------------------------------------------------------------


def fold_purpose(text: str) -> str:
    """Fold free text to the purpose alphabet ``[A-Z0-9 ]``: ``Đơn #12`` -> ``DON 12``."""
    if not isinstance(text, str):
        raise VietQRError(f"purpose must be text, found {type(text).__name__}", param="purpose")
    decomposed = unicodedata.normalize("NFKD", fold(text))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_ALNUM.sub(" ", bare).split()).upper()


def purpose_text(reference: str, extra: str = "") -> str:
    """A transfer purpose of at most 25 characters that starts with the whole reference code.

    ``extra`` (say the shop name) fills the room left and is the only part ever cut.
    """
    ref = fold_purpose(reference)
    if not ref:
        raise VietQRError("reference has no letters or digits", param="purpose")
    if len(ref) > PURPOSE_MAX:
        raise VietQRError(
            f"reference {ref!r} is {len(ref)} characters, the purpose limit is {PURPOSE_MAX}",
            param="purpose",
        )
    return f"{ref} {fold_purpose(extra)}".strip()[:PURPOSE_MAX].rstrip()


def _build_purpose(purpose: str) -> str:
    folded = fold_purpose(purpose)
    if not folded:
        raise VietQRError("purpose has no letters or digits", param="purpose")
    if len(folded) > PURPOSE_MAX:
        raise VietQRError(
            f"purpose is {len(folded)} characters after folding, the limit is {PURPOSE_MAX} "
            "(use purpose_text() to shorten it)",
            param="purpose",
        )
    return folded


# --- build ----------------------------------------------------------------------------------


def build(
    bin: str,
    account: str,
    amount: int | None = None,
    purpose: str | None = None,
    *,
    service: str = SERVICE_ACCOUNT,
    bill_number: str | None = None,
) -> str:
    """A VietQR payload: static (01=11) without an amount, dynamic (01=12) with one.

    ``purpose`` is folded like :func:`purpose_text` and rejected, never cut, past 25 characters.
    """
    _check_bin(bin)
    _check_account(account)
    _check_service(service)
    if amount is not None:
        _check_amount(amount)
    if bill_number is not None:
        _check_ans(bill_number, "bill number (62.01)", "bill_number")
    folded = None if purpose is None else _build_purpose(purpose)
    merchant = _tlv("00", GUID) + _tlv("01", _tlv("00", bin) + _tlv("01", account))
    additional = "".join(
        _tlv(tag, value) for tag, value in (("01", bill_number), ("08", folded)) if value
    )
    parts = [
        _tlv("00", "01"),
        _tlv("01", "11" if amount is None else "12"),
        _tlv("38", merchant + _tlv("02", service)),
        _tlv("53", "704"),
        "" if amount is None else _tlv("54", str(amount)),
        _tlv("58", "VN"),
        _tlv("62", additional) if additional else "",
        "6304",
    ]
    body = "".join(parts)
    return body + crc16_ccitt_false(body)


# --- parse ----------------------------------------------------------------------------------


def _root(payload: str) -> tuple[dict[str, str], int]:
    """The root fields and the position of tag 63, which must end the payload."""
    fields: dict[str, str] = {}
    crc_at = -1
    for tag, value, start, end in _walk(payload, "payload"):
        if not fields and tag != "00":
            raise VietQRError(f"payload must start with tag 00 (payload format), found {tag}")
        if tag in fields:
            raise VietQRError(f"payload: duplicate tag {tag}")
        fields[tag] = value
        if tag == "63":
            if end != len(payload):
                raise VietQRError(f"trailing data after the CRC (tag 63) at position {end}")
            crc_at = start
    if crc_at < 0:
        raise VietQRError("missing CRC (tag 63)")
    return fields, crc_at


def _require(fields: dict[str, str], tag: str, what: str) -> str:
    if tag not in fields:
        raise VietQRError(f"missing {what} (tag {tag})")
    return fields[tag]


def _expect(fields: dict[str, str], tag: str, what: str, wanted: str) -> None:
    found = _require(fields, tag, what)
    if found != wanted:
        raise VietQRError(f"wrong {what} (tag {tag}): expected {wanted}, found {_show(found)}")


def _merchant(value: str) -> tuple[str, str, str]:
    """BIN, account and service from the merchant account template (tag 38)."""
    fields = _fields(value, "tag 38")
    _expect(fields, "00", "GUID in 38", GUID)
    beneficiary = _fields(_require(fields, "01", "beneficiary in 38"), "tag 38.01")
    bin_ = _check_bin(_require(beneficiary, "00", "BIN in 38.01"), "BIN (38.01.00)")
    account = _check_account(_require(beneficiary, "01", "account in 38.01"), "account (38.01.01)")
    service = _check_service(_require(fields, "02", "service in 38"), "service (38.02)")
    return bin_, account, service


def _additional(fields: dict[str, str]) -> tuple[str | None, str | None]:
    """Purpose (62.08) and bill number (62.01); other 62 subfields are checked as TLV only."""
    if "62" not in fields:
        return None, None
    extra = _fields(fields["62"], "tag 62")
    purpose, bill = extra.get("08"), extra.get("01")
    if purpose is not None:
        _check_ans(purpose, "purpose (62.08)", "purpose")
    if bill is not None:
        _check_ans(bill, "bill number (62.01)", "bill_number")
    return purpose, bill


def parse(payload: str) -> VietQR:
    """Validate a VietQR payload and return its fields; raises :class:`VietQRError`."""
    if not isinstance(payload, str):
        raise VietQRError(f"payload must be text, found {type(payload).__name__}")
    if not payload:
        raise VietQRError("payload is empty")
    try:
        payload.encode("utf-8")
    except UnicodeEncodeError as err:
        raise VietQRError(f"payload is not valid Unicode text at position {err.start}") from None
    fields, crc_at = _root(payload)
    crc = fields["63"]
    if not _HEX4.fullmatch(crc):
        raise VietQRError(f"CRC (tag 63) must be 4 hex digits, found {_show(crc)}")
    expected = crc16_ccitt_false(payload[: crc_at + 4])
    if crc.upper() != expected:
        raise VietQRError(f"CRC mismatch: expected {expected}, found {crc}")
    _expect(fields, "00", "payload format", "01")
    initiation = _require(fields, "01", "point of initiation")
    if initiation not in _INITIATION:
        raise VietQRError(
            f"point of initiation (tag 01) must be 11 or 12, found {_show(initiation)}"
        )
    bin_, account, service = _merchant(_require(fields, "38", "merchant account (NAPAS)"))
    _expect(fields, "53", "currency", "704")
    _expect(fields, "58", "country", "VN")
    amount = None
    if "54" in fields:
        if not _AMOUNT.fullmatch(fields["54"]):
            raise VietQRError(
                f"amount (tag 54) must be 1-{AMOUNT_MAX_DIGITS} digits without a leading zero, "
                f"found {_show(fields['54'])}"
            )
        amount = int(fields["54"])
    if initiation == "11" and amount is not None:
        raise VietQRError("point of initiation 11 (static) but the payload carries an amount (54)")
    if initiation == "12" and amount is None:
        raise VietQRError("point of initiation 12 (dynamic) but the payload has no amount (54)")
    purpose, bill_number = _additional(fields)
    return VietQR(
        bin=bin_,
        bank=banks()[bin_],
        account=account,
        service=service,
        amount=amount,
        purpose=purpose,
        bill_number=bill_number,
        point_of_initiation=_INITIATION[initiation],
        crc=crc,
    )
