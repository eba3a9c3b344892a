"""Money is an integer number of đồng (VND has no minor unit); never a float."""

from __future__ import annotations

import re

MAX_VND = 10**12  # a trillion đồng: far above any OCOP order, well inside 64-bit integers

_AMOUNT = re.compile(r"^(\d+|\d{1,3}([.,]\d{3})+)$")


def format_vnd(amount: int | None, symbol: bool = True) -> str:
    """Format like ``150.000 ₫`` (dot thousands separator, symbol after)."""
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    digits = f"{abs(int(amount)):,}".replace(",", ".")
    return f"{sign}{digits} ₫" if symbol else f"{sign}{digits}"


def parse_vnd(value: str | int | None) -> int | None:
    """Parse a user-typed amount (``150.000``, ``150000``, ``150.000 ₫``); None if empty.

    Raises ValueError for anything that is not a whole, non-negative number of đồng.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("not an amount")
    if isinstance(value, int):
        amount = value
    else:
        text = value.strip().replace("₫", "").replace("đ", "").replace(" ", "")
        if text == "":
            return None
        # thousands separators only in groups of three: "1,5" is a decimal, not 15 đồng
        if not _AMOUNT.match(text):
            raise ValueError("not a whole number of đồng")
        amount = int(text.replace(".", "").replace(",", ""))
    if amount < 0 or amount > MAX_VND:
        raise ValueError("amount out of range")
    return amount
