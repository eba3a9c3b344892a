"""Payment intents: creation and the explicit state machine.

requires_payment -> partially_paid -> succeeded; requires_payment/partially_paid -> expired or
canceled; succeeded -> refunded. Every transition is checked against TRANSITIONS, made on a
locked row, mirrored onto the order, and recorded as a PaymentEvent.
"""

from __future__ import annotations

import functools
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from marketplace.core.errors import Conflict, NotFound, ValidationError
from marketplace.core.money import MAX_VND
from marketplace.orders import stock
from marketplace.orders.models import Order, OrderStatus

from . import outbound, reference, vietqr
from .models import IntentStatus, PaymentApplication, PaymentEvent, PaymentIntent, ReviewItem
from .models_extra import Fee, FeeStatus

S = IntentStatus
TRANSITIONS: dict[str, set[str]] = {
    S.REQUIRES_PAYMENT: {S.PARTIALLY_PAID, S.SUCCEEDED, S.EXPIRED, S.CANCELED},
    S.PARTIALLY_PAID: {S.PARTIALLY_PAID, S.SUCCEEDED, S.EXPIRED, S.CANCELED},
    S.SUCCEEDED: {S.REFUNDED},
    S.EXPIRED: set(),
    S.CANCELED: set(),
    S.REFUNDED: set(),
}
ORDER_STATUS = {
    S.REQUIRES_PAYMENT: OrderStatus.AWAITING_PAYMENT,
    S.PARTIALLY_PAID: OrderStatus.PARTIALLY_PAID,
    S.SUCCEEDED: OrderStatus.PAID,
    S.EXPIRED: OrderStatus.EXPIRED,
    S.CANCELED: OrderStatus.CANCELED,
    S.REFUNDED: OrderStatus.REFUNDED,
}


@dataclass(frozen=True)
class Payee:
    """Where the money goes: a NAPAS BIN, an account and its holder's name."""

    bin: str
    account: str
    name: str


# where a producer declares the payee account (said by every "no bank account" error)
BANK_STEP = (
    "Khai báo ở bước “Tài khoản ngân hàng” (Hồ sơ bán hàng hoặc Hỗ trợ chủ thể) rồi thử lại."
)
# statuses as people read them (plain Vietnamese: service messages are not translated)
STATUS_WORDS = {
    S.REQUIRES_PAYMENT: "chờ thanh toán",
    S.PARTIALLY_PAID: "thanh toán một phần",
    S.SUCCEEDED: "đã thanh toán",
    S.EXPIRED: "hết hạn",
    S.CANCELED: "đã huỷ",
    S.REFUNDED: "đã hoàn tiền",
}


def _public_id() -> str:
    return "pi_" + secrets.token_hex(12)


def _unused_reference(session: Session, purpose: str) -> str:
    for _ in range(10):
        code = reference.new_code(purpose)
        if (
            session.scalar(select(PaymentIntent.id).where(PaymentIntent.reference_code == code))
            is None
        ):
            return code
    raise RuntimeError("could not draw an unused reference code")  # 32**6 codes: never in practice


def create_intent(
    session: Session,
    *,
    purpose: str,
    amount_vnd: int,
    payee: Payee,
    now: datetime,
    ttl: timedelta,
    producer_id: int | None = None,
    order_id: int | None = None,
    description: str = "",
    metadata: dict[str, Any] | None = None,
) -> PaymentIntent:
    """A new intent with its reference code and VietQR payload (money to ``payee``)."""
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int):
        raise ValidationError("Số tiền phải là số đồng nguyên.", param="amount")
    if not 0 < amount_vnd <= MAX_VND:
        raise ValidationError("Số tiền phải lớn hơn 0.", param="amount")
    if purpose not in reference.PREFIXES:
        raise ValidationError(
            "Mục đích thanh toán không hợp lệ. Dùng “order” (đơn hàng) hoặc “fee” (phí).",
            param="purpose",
        )
    code = _unused_reference(session, purpose)
    try:
        payload = vietqr.build(
            payee.bin, payee.account, amount_vnd, vietqr.purpose_text(code, description)
        )
    except vietqr.VietQRError as exc:
        raise ValidationError(
            "Tài khoản ngân hàng nhận tiền không hợp lệ. Sửa ngân hàng và số tài khoản ở bước "
            "“Tài khoản ngân hàng” (Hồ sơ bán hàng hoặc Hỗ trợ chủ thể).",
            param="payee",
        ) from exc
    intent = PaymentIntent(
        public_id=_public_id(),
        purpose=purpose,
        order_id=order_id,
        producer_id=producer_id,
        payee_bin=payee.bin,
        payee_account=payee.account,
        payee_name=payee.name,
        amount_vnd=amount_vnd,
        amount_received_vnd=0,
        reference_code=code,
        description=description[:200],
        qr_payload=payload,
        status=S.REQUIRES_PAYMENT,
        expires_at=now + ttl,
        metadata_json=json.dumps(metadata or {}, ensure_ascii=False),
        created_at=now,
        updated_at=now,
    )
    session.add(intent)
    session.flush()
    session.add(
        PaymentEvent(
            intent_id=intent.id,
            from_status="",
            to_status=S.REQUIRES_PAYMENT,
            reason="created",
            created_at=now,
        )
    )
    return intent


@functools.cache
def _lock_statement() -> Any:
    """Built once (bound id): rebuilding it per payment cost more than running it."""
    return (
        select(PaymentIntent)
        .where(PaymentIntent.id == bindparam("intent_id"))
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def lock(session: Session, intent_id: int) -> PaymentIntent:
    """Load an intent with its row locked for this transaction (FOR UPDATE on PostgreSQL;
    SQLite serialises writers)."""
    intent = session.scalar(_lock_statement(), {"intent_id": intent_id})
    if intent is None:
        raise NotFound(
            "Không tìm thấy yêu cầu thanh toán. Kiểm tra mã (pi_…) và dùng khoá API của đúng chủ thể.",
            param="id",
        )
    return intent


def transition(
    session: Session,
    intent: PaymentIntent,
    to_status: str,
    reason: str,
    now: datetime,
    transaction_id: int | None = None,
) -> None:
    """Move a locked intent to ``to_status`` if TRANSITIONS allows it, and record it."""
    from_status = intent.status
    if to_status not in TRANSITIONS[from_status]:
        raise Conflict(
            f"Yêu cầu thanh toán đang ở trạng thái “{STATUS_WORDS.get(from_status, from_status)}” "
            f"nên không thể chuyển sang “{STATUS_WORDS.get(to_status, to_status)}”. Tạo yêu cầu "
            "thanh toán mới nếu cần.",
            param="status",
            code="invalid_state_transition",
        )
    intent.status = to_status
    intent.updated_at = now
    if to_status == S.SUCCEEDED:
        intent.succeeded_at = now
    elif to_status == S.CANCELED:
        intent.canceled_at = now
    if intent.order_id is not None:
        order = session.get(Order, intent.order_id)
        if order is not None:
            previous, order.status = order.status, ORDER_STATUS[S(to_status)]
            stock.settle(session, order.id, previous, order.status)
    if intent.purpose == "fee" and to_status in (S.SUCCEEDED, S.REFUNDED):
        fee = session.scalar(select(Fee).where(Fee.intent_id == intent.id))
        if fee is not None:
            fee.status = FeeStatus.PAID if to_status == S.SUCCEEDED else FeeStatus.UNPAID
            fee.paid_at = now if to_status == S.SUCCEEDED else None
    session.add(
        PaymentEvent(
            intent_id=intent.id,
            from_status=from_status,
            to_status=to_status,
            reason=reason[:200],
            transaction_id=transaction_id,
            created_at=now,
        )
    )
    if to_status in outbound.EVENTS_BY_STATUS:
        outbound.emit(session, intent, outbound.EVENTS_BY_STATUS[to_status], now)


def apply_payment(
    session: Session,
    intent: PaymentIntent,
    transaction_id: int,
    amount_vnd: int,
    reason: str,
    now: datetime,
) -> int:
    """Apply up to ``amount_vnd`` of a transaction to a locked, open intent; returns what was
    applied (the rest is the caller's excess). The only way money reaches an intent."""
    applied = min(amount_vnd, intent.amount_vnd - intent.amount_received_vnd)
    session.add(
        PaymentApplication(
            transaction_id=transaction_id, intent_id=intent.id, amount_vnd=applied, created_at=now
        )
    )
    intent.amount_received_vnd += applied
    paid_in_full = intent.amount_received_vnd >= intent.amount_vnd
    transition(
        session,
        intent,
        S.SUCCEEDED if paid_in_full else S.PARTIALLY_PAID,
        f"{reason}: {applied} VND",
        now,
        transaction_id=transaction_id,
    )
    return applied


def cancel(session: Session, intent_id: int, reason: str, now: datetime) -> PaymentIntent:
    """Cancel an open intent; money already received goes to review with it."""
    intent = lock(session, intent_id)
    transition(session, intent, S.CANCELED, reason or "canceled", now)
    intent.cancellation_reason = reason[:200]
    return intent


def expire_due(session: Session, now: datetime) -> int:
    """Expire every open intent whose time ran out; returns how many."""
    due = session.scalars(
        select(PaymentIntent.id).where(
            PaymentIntent.status.in_([S.REQUIRES_PAYMENT, S.PARTIALLY_PAID]),
            PaymentIntent.expires_at <= now,
        )
    ).all()
    count = 0
    for intent_id in due:
        intent = lock(session, intent_id)
        if intent.status in (S.REQUIRES_PAYMENT, S.PARTIALLY_PAID) and intent.expires_at <= now:
            transition(session, intent, S.EXPIRED, "expired", now)
            if intent.amount_received_vnd > 0:
                _review_partial(session, intent)
            count += 1
    return count


def _review_partial(session: Session, intent: PaymentIntent) -> None:
    """Money already received for an intent that expired unpaid: a person decides (refund or
    complete by hand); it is never silently kept or dropped."""
    last = session.scalar(
        select(PaymentApplication.transaction_id)
        .where(PaymentApplication.intent_id == intent.id)
        .order_by(PaymentApplication.id.desc())
        .limit(1)
    )
    if last is not None:
        session.add(
            ReviewItem(
                transaction_id=last,
                intent_id=intent.id,
                reason="partial_expired",
                amount_vnd=intent.amount_received_vnd,
                detail=f"{intent.reference_code} hết hạn khi mới nhận {intent.amount_received_vnd} đồng",
            )
        )


def by_public_id(session: Session, public_id: str) -> PaymentIntent:
    """An intent by its public id, or NotFound."""
    intent = session.scalar(select(PaymentIntent).where(PaymentIntent.public_id == public_id))
    if intent is None:
        raise NotFound(
            "Không tìm thấy yêu cầu thanh toán. Kiểm tra mã (pi_…) và dùng khoá API của đúng chủ thể.",
            param="id",
        )
    return intent


def record_claim(session: Session, intent: PaymentIntent, now: datetime) -> None:
    """The buyer says they have paid: remember when (the re-check is a job)."""
    intent.buyer_claimed_at = now
    session.flush()
