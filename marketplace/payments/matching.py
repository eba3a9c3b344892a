"""Reconciliation: apply a bank transaction to the intent it pays, or send it to review.

Order of evidence: the provider's own link (payOS order code, SePay's extracted code), then
reference codes found in the folded memo. Only intents payable to the transaction's account are
candidates. Never match on amount alone. Exact amount pays; less is partial; more pays and the
excess goes to review; money for an expired, cancelled or finished intent goes to review (the
order is not revived); nothing or several candidates -> review.

Each transaction is processed once: the job first claims it (``processed_at IS NULL`` ->
now), and an application is unique per (transaction, intent).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import intents, reference
from .models import (
    BankTransaction,
    IntentStatus,
    MatchStatus,
    PaymentApplication,
    PaymentIntent,
    ReviewItem,
)

S = IntentStatus
CLOSED_REASONS = {
    S.EXPIRED: "intent_expired",
    S.CANCELED: "intent_canceled",
    S.SUCCEEDED: "intent_closed",
    S.REFUNDED: "intent_closed",
}


def _claim(session: Session, transaction_id: int, now: datetime) -> bool:
    result = session.execute(
        update(BankTransaction)
        .where(BankTransaction.id == transaction_id, BankTransaction.processed_at.is_(None))
        .values(processed_at=now)
    )
    return result.rowcount == 1


def _candidates(session: Session, tx: BankTransaction) -> tuple[list[int], list[str]]:
    """Ids of intents the transaction names, and code-shaped strings that failed the check."""
    codes, broken = reference.codes_in_memo(tx.memo)
    ids: list[int] = []
    link = (tx.provider_link or "").strip().upper()
    if link:
        by_link = select(PaymentIntent.id).where(PaymentIntent.payee_account == tx.account_number)
        if tx.provider == "payos" and link.isdigit():
            by_link = by_link.where(PaymentIntent.id == int(link))
        else:
            by_link = by_link.where(PaymentIntent.reference_code == link)
        ids = list(session.scalars(by_link))
    if not ids and codes:
        ids = list(
            session.scalars(
                select(PaymentIntent.id).where(
                    PaymentIntent.reference_code.in_(codes),
                    PaymentIntent.payee_account == tx.account_number,
                )
            )
        )
    return sorted(set(ids)), broken


def _reported_twice(session: Session, tx: BankTransaction) -> bool:
    """The same bank transfer (account + bank reference + amount) already applied through
    another provider or connection: one transfer, two notification services."""
    if not tx.bank_reference:
        return False
    earlier = session.scalar(
        select(PaymentApplication.id)
        .join(BankTransaction, BankTransaction.id == PaymentApplication.transaction_id)
        .where(
            BankTransaction.id != tx.id,
            BankTransaction.account_number == tx.account_number,
            BankTransaction.bank_reference == tx.bank_reference,
            BankTransaction.amount_vnd == tx.amount_vnd,
        )
        .limit(1)
    )
    return earlier is not None


def _review(
    session: Session,
    tx: BankTransaction,
    reason: str,
    amount: int,
    detail: str,
    intent_id: int | None = None,
) -> None:
    session.add(
        ReviewItem(
            transaction_id=tx.id,
            intent_id=intent_id,
            reason=reason,
            amount_vnd=amount,
            detail=detail[:300],
        )
    )
    tx.match_status = MatchStatus.REVIEW
    tx.match_note = detail[:300]


def match_transaction(session: Session, transaction_id: int, now: datetime) -> str:
    """Process one ledger row; returns the outcome ("matched", "review", "skipped")."""
    if not _claim(session, transaction_id, now):
        return "skipped"
    tx = session.get(BankTransaction, transaction_id)
    assert tx is not None
    ids, broken = _candidates(session, tx)
    if not ids:
        if broken:
            _review(
                session,
                tx,
                "typo",
                tx.amount_vnd,
                f"Mã trong nội dung sai ký tự kiểm tra: {', '.join(broken)}",
            )
        else:
            _review(
                session,
                tx,
                "no_match",
                tx.amount_vnd,
                "Không tìm thấy mã thanh toán trong nội dung chuyển khoản",
            )
        return "review"
    if len(ids) > 1:
        _review(
            session,
            tx,
            "ambiguous",
            tx.amount_vnd,
            f"Nội dung khớp nhiều yêu cầu thanh toán: {ids}",
        )
        return "review"
    if _reported_twice(session, tx):
        _review(
            session,
            tx,
            "duplicate",
            tx.amount_vnd,
            f"Giao dịch {tx.bank_reference} đã được một dịch vụ khác báo",
        )
        return "review"
    intent = intents.lock(session, ids[0])
    if intent.status not in (S.REQUIRES_PAYMENT, S.PARTIALLY_PAID):
        reason = CLOSED_REASONS[S(intent.status)]
        _review(
            session,
            tx,
            reason,
            tx.amount_vnd,
            f"Tiền đến cho {intent.reference_code} đang ở trạng thái {intent.status}",
            intent.id,
        )
        return "review"
    applied = intents.apply_payment(session, intent, tx.id, tx.amount_vnd, "matched", now)
    tx.match_status = MatchStatus.MATCHED
    tx.match_note = intent.reference_code
    excess = tx.amount_vnd - applied
    if excess > 0:
        _review(
            session,
            tx,
            "overpaid",
            excess,
            f"Chuyển thừa {excess} đồng cho {intent.reference_code}",
            intent.id,
        )
        tx.match_status = MatchStatus.MATCHED
    session.flush()
    return "matched"


def pending_ids(session: Session, limit: int = 500) -> list[int]:
    """Ledger rows not yet processed (the sweep re-enqueues them if a job was lost)."""
    return list(
        session.scalars(
            select(BankTransaction.id)
            .where(BankTransaction.processed_at.is_(None))
            .order_by(BankTransaction.id)
            .limit(limit)
        )
    )
