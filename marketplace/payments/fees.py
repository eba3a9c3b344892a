"""Fees producers owe the platform operator, paid by VietQR to the operator's own account."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.core.errors import NotFound, ValidationError
from marketplace.core.money import parse_vnd
from marketplace.core.text import clean_line
from producers.models import Producer, ProducerStatus

from . import intents
from .models import IntentStatus, PaymentIntent
from .models_extra import Fee, FeeStatus

KINDS = ("onboarding", "yearly", "listing", "other")


def create_fees(
    session: Session,
    *,
    producer_ids: list[int] | None,
    kind: str,
    description: str,
    amount: str | int,
    due_date: date | None,
    created_by: int | None,
) -> list[Fee]:
    """Charge a fee to the given producers, or to every active producer when None."""
    if kind not in KINDS:
        raise ValidationError("Loại phí không hợp lệ. Chọn loại phí trong danh sách.", param="kind")
    try:
        value = parse_vnd(amount)
    except ValueError:
        value = None
    if not value:
        raise ValidationError("Số tiền phí phải là số đồng nguyên lớn hơn 0.", param="amount")
    text = clean_line(description, 200)
    if not text:
        raise ValidationError("Vui lòng mô tả khoản phí.", param="description")
    stmt = select(Producer.id).where(Producer.status == ProducerStatus.ACTIVE)
    if producer_ids is not None:
        stmt = select(Producer.id).where(Producer.id.in_(producer_ids))
    ids = list(session.scalars(stmt))
    if not ids:
        raise ValidationError(
            "Không có chủ thể nào để tính phí. Chọn một chủ thể, hoặc kiểm tra đã có chủ thể "
            "đang hoạt động.",
            param="producer_ids",
        )
    fees = [
        Fee(
            producer_id=pid,
            kind=kind,
            description=text,
            amount_vnd=value,
            due_date=due_date,
            status=FeeStatus.UNPAID,
            created_by_user_id=created_by,
        )
        for pid in ids
    ]
    session.add_all(fees)
    session.flush()
    return fees


def fees_of(session: Session, producer_id: int) -> list[Fee]:
    """A producer's fees, newest first."""
    return list(
        session.scalars(select(Fee).where(Fee.producer_id == producer_id).order_by(Fee.id.desc()))
    )


def intent_for_fee(
    session: Session,
    fee_id: int,
    producer_id: int,
    payee: intents.Payee,
    now: datetime,
    ttl: timedelta,
) -> PaymentIntent:
    """The open intent paying a fee (a new one if the last expired or was cancelled)."""
    fee = session.get(Fee, fee_id, with_for_update=True)
    if fee is None or fee.producer_id != producer_id:
        raise NotFound("Không tìm thấy khoản phí này. Tải lại trang Phí.", param="id")
    if fee.status != FeeStatus.UNPAID:
        raise ValidationError(
            "Khoản phí này không còn phải trả (đã nộp hoặc đã huỷ); không cần làm gì thêm.",
            param="id",
        )
    if fee.intent_id is not None:
        current = session.get(PaymentIntent, fee.intent_id)
        if current is not None and current.status in (
            IntentStatus.REQUIRES_PAYMENT,
            IntentStatus.PARTIALLY_PAID,
        ):
            return current
    intent = intents.create_intent(
        session,
        purpose="fee",
        amount_vnd=fee.amount_vnd,
        payee=payee,
        now=now,
        ttl=ttl,
        producer_id=producer_id,
        description="Phi Cho OCOP",
        metadata={"fee_id": str(fee.id)},
    )
    fee.intent_id = intent.id
    session.flush()
    return intent
