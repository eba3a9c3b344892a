"""What people do with money that needs a look: assign it to an intent, mark a refund due,
or dismiss it with a reason. Every action is audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.services import audit
from marketplace.core.errors import Conflict, NotFound, ValidationError

from . import intents
from .models import IntentStatus, PaymentApplication, PaymentIntent, ReviewItem, ReviewStatus

S = IntentStatus


def visible_items(
    session: Session, producer_id: int | frozenset[int] | None, include_closed: bool = False
) -> list[ReviewItem]:
    """Review items a person may see: all for operators (None), else the producer's accounts."""
    stmt = select(ReviewItem).order_by(ReviewItem.id.desc())
    if not include_closed:
        stmt = stmt.where(ReviewItem.status == ReviewStatus.OPEN)
    items = list(session.scalars(stmt.limit(500)).unique())
    if producer_id is None:
        return items
    accounts = _accounts_of(session, producer_id)
    return [i for i in items if i.transaction.account_number in accounts]


def _accounts_of(session: Session, producer_id: int | frozenset[int]) -> set[str]:
    """Bank accounts of one producer, or of a set of producers (a staff member's area)."""
    from sqlalchemy import select as _select

    from producers.models import Producer

    ids = {producer_id} if isinstance(producer_id, int) else set(producer_id)
    if not ids:
        return set()
    rows = session.scalars(
        _select(Producer.bank_account).where(
            Producer.id.in_(sorted(ids)), Producer.bank_account.is_not(None)
        )
    )
    return {account for account in rows if account}


def _open_item(
    session: Session, item_id: int, producer_id: int | frozenset[int] | None
) -> ReviewItem:
    item = session.get(ReviewItem, item_id, with_for_update=True)
    if item is None or (
        producer_id is not None
        and item.transaction.account_number not in _accounts_of(session, producer_id)
    ):
        raise NotFound("Không tìm thấy mục cần xem xét này. Tải lại trang Đối soát.", param="id")
    if item.status != ReviewStatus.OPEN:
        raise Conflict(
            "Mục này đã được xử lý; không cần làm gì. Bấm “Xem cả các mục đã xử lý” để xem lại.",
            param="id",
            code="review_closed",
        )
    return item


def assign(
    session: Session,
    item_id: int,
    reference_code: str,
    *,
    actor: str,
    actor_user_id: int | None,
    producer_id: int | frozenset[int] | None,
    now: datetime,
) -> PaymentIntent:
    """Apply the item's money to the intent with ``reference_code`` (same account only)."""
    item = _open_item(session, item_id, producer_id)
    code = reference_code.strip().upper()
    intent_id = session.scalar(select(PaymentIntent.id).where(PaymentIntent.reference_code == code))
    if intent_id is None:
        raise ValidationError(
            "Không có yêu cầu thanh toán với mã này. Kiểm tra lại mã thanh toán trong nội dung "
            "chuyển khoản.",
            param="reference_code",
        )
    intent = intents.lock(session, intent_id)
    if intent.payee_account != item.transaction.account_number:
        raise ValidationError(
            "Mã này thuộc tài khoản nhận khác; không thể gán. Nếu tiền chuyển nhầm tài khoản, "
            "chọn “Cần hoàn tiền”.",
            param="reference_code",
        )
    if intent.status not in (S.REQUIRES_PAYMENT, S.PARTIALLY_PAID):
        status = intents.STATUS_WORDS.get(intent.status, intent.status)
        raise ValidationError(
            f"Yêu cầu {code} đang ở trạng thái “{status}”, không nhận thêm tiền. Chọn “Cần hoàn "
            "tiền” để trả lại người mua.",
            param="reference_code",
        )
    already = session.scalar(
        select(PaymentApplication.id).where(
            PaymentApplication.transaction_id == item.transaction_id,
            PaymentApplication.intent_id == intent.id,
        )
    )
    if already is not None:
        raise Conflict(
            "Giao dịch này đã được ghi cho yêu cầu đó. Không cần gán lại; chọn “Bỏ qua”.",
            param="reference_code",
        )
    applied = intents.apply_payment(
        session, intent, item.transaction_id, item.amount_vnd, f"assigned by {actor}", now
    )
    item.status, item.intent_id, item.resolved_at = ReviewStatus.ASSIGNED, intent.id, now
    item.resolution_note = f"Gán cho {code}"
    if item.amount_vnd > applied:
        session.add(
            ReviewItem(
                transaction_id=item.transaction_id,
                intent_id=intent.id,
                reason="overpaid",
                amount_vnd=item.amount_vnd - applied,
                detail=f"Phần thừa sau khi gán cho {code}",
            )
        )
    audit(
        session,
        actor=actor,
        actor_user_id=actor_user_id,
        action="review.assign",
        object_type="review_item",
        object_id=item.id,
        detail={"intent": intent.public_id, "amount": applied},
    )
    session.flush()
    return intent


def close(
    session: Session,
    item_id: int,
    status: str,
    note: str,
    *,
    actor: str,
    actor_user_id: int | None,
    producer_id: int | frozenset[int] | None,
    now: datetime,
) -> ReviewItem:
    """Mark a refund due or dismiss, with a reason."""
    if status not in (ReviewStatus.REFUND_DUE, ReviewStatus.DISMISSED):
        raise ValidationError("Hành động không hợp lệ. Tải lại trang và chọn lại.", param="status")
    reason = note.strip()[:300]
    if not reason:
        raise ValidationError("Vui lòng ghi lý do.", param="note")
    item = _open_item(session, item_id, producer_id)
    item.status, item.resolution_note, item.resolved_at = status, reason, now
    audit(
        session,
        actor=actor,
        actor_user_id=actor_user_id,
        action=f"review.{status}",
        object_type="review_item",
        object_id=item.id,
        detail={"note": reason},
    )
    session.flush()
    return item
