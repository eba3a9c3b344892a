"""Transfers a payee records by hand (no notification service): same ledger, same matching."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.orm import Session

from marketplace.core.errors import ValidationError
from marketplace.core.money import parse_vnd
from marketplace.core.text import clean_line

from . import ledger
from .providers.base import VIETNAM_TZ, BankTransfer


def record(
    session: Session,
    *,
    account: str,
    bank_reference: str,
    amount: str | int,
    occurred_at: str,
    memo: str,
    now: datetime,
) -> int | None:
    """Store one hand-recorded transfer; returns its ledger id (None if already recorded)."""
    reference = clean_line(bank_reference, 60).upper()
    if not reference:
        raise ValidationError("Vui lòng nhập mã giao dịch của ngân hàng.", param="bank_reference")
    try:
        value = parse_vnd(amount)
    except ValueError:
        value = None
    if not value:
        raise ValidationError("Số tiền phải là số đồng nguyên lớn hơn 0.", param="amount")
    try:
        when = datetime.fromisoformat(occurred_at.strip())
    except ValueError:
        raise ValidationError(
            "Thời điểm chuyển khoản không hợp lệ. Chọn ngày và giờ như trong tin nhắn ngân hàng, "
            "ví dụ 15/03/2025 14:30.",
            param="occurred_at",
        ) from None
    when = when if when.tzinfo else when.replace(tzinfo=VIETNAM_TZ)
    if when > now:
        raise ValidationError(
            "Thời điểm chuyển khoản không được ở tương lai. Kiểm tra lại ngày giờ trong tin nhắn "
            "ngân hàng.",
            param="occurred_at",
        )
    transfer = BankTransfer(
        provider="manual",
        provider_transaction_id=reference,
        account_number=account,
        amount=value,
        memo=clean_line(memo, 300),
        occurred_at=when,
        bank_reference=reference,
        provider_link=None,
        direction="in",
        raw={"entered_by_hand": True},
    )
    raw = json.dumps(
        {
            "bank_reference": reference,
            "amount": value,
            "occurred_at": when.isoformat(),
            "memo": transfer.memo,
        },
        ensure_ascii=False,
    )
    created = ledger.record(session, [transfer], now, None, raw)
    return created[0] if created else None
