"""Validation of Vietnamese identifiers, with messages in Vietnamese.

Each function returns the normalised value or raises ``ValidationError`` naming the field.
"""

from __future__ import annotations

import re

from marketplace.core.errors import ValidationError

_TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$")
# Mobile prefixes after the 2018 renumbering, plus 02x landlines (area code + 7/8 digits).
_MOBILE = re.compile(r"^0(3[2-9]|5[25689]|7[06-9]|8[1-9]|9\d)\d{7}$")
_LANDLINE = re.compile(r"^02\d{8,9}$")
_ACCOUNT = re.compile(r"^[0-9A-Za-z]{1,19}$")


def tax_code(value: str, param: str = "tax_code") -> str:
    """Mã số thuế: 10 digits, or 10 digits + ``-`` + 3 for a branch."""
    text = value.strip().replace(" ", "")
    if not _TAX_CODE.match(text):
        raise ValidationError(
            "Mã số thuế phải gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số "
            "(chi nhánh), ví dụ 4601234567 hoặc 4601234567-001.",
            param=param,
        )
    return text


def phone(value: str, param: str = "phone") -> str:
    """A Vietnamese phone number, normalised to ``0xxxxxxxxx``.

    Accepts spaces, dots, dashes and the ``+84`` / ``84`` country prefix.
    """
    text = re.sub(r"[\s.\-()]", "", value)
    if text.startswith("+84"):
        text = "0" + text[3:]
    elif text.startswith("84") and len(text) in (11, 12):
        text = "0" + text[2:]
    if not (_MOBILE.match(text) or _LANDLINE.match(text)):
        raise ValidationError(
            "Số điện thoại không hợp lệ. Nhập số di động 10 chữ số (ví dụ 0912 345 678) "
            "hoặc dạng +84 912 345 678.",
            param=param,
        )
    return text


def format_phone(value: str) -> str:
    """``0912345678`` -> ``0912 345 678`` for display."""
    if len(value) == 10:
        return f"{value[:4]} {value[4:7]} {value[7:]}"
    return value


def bank_account(value: str, param: str = "bank_account") -> str:
    """A bank account number: 1-19 letters or digits (spaces are dropped)."""
    text = value.replace(" ", "")
    if not _ACCOUNT.match(text):
        raise ValidationError(
            "Số tài khoản chỉ gồm chữ số (hoặc chữ cái), từ 1 đến 19 ký tự.", param=param
        )
    return text.upper()
