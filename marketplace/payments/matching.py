"""Reconciliation: apply a bank transaction to the intent it pays, or send it to review.

Order of evidence: the provider's own link (payOS order code, SePay's extracted code), then
reference codes found in the folded memo. Only intents payable to the transaction's account are
candidates. Never match on amount alone. Exact amount pays; less is partial; more pays and the
excess goes to review; money for an expired, cancelled or finished intent goes to review (the
order is not revived); nothing or several candidates -> review.

Each transaction is processed once: the job claims it (``processed_at IS NULL`` -> now)
before writing anything, and an application is unique per (transaction, intent). What only
reads fixed data (the row itself, the intents its memo names) happens before the claim, so on
SQLite the database is held for writing as briefly as possible. The statements are built once
with bound parameters: building and keying them again for each transaction cost more than
running them.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

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


@functools.cache
def _statements() -> dict[str, Any]:
    table = BankTransaction.__table__
    return {
        "claim": update(table)
        .where(table.c.id == bindparam("tx_id"), table.c.processed_at.is_(None))
        .values(processed_at=bindparam("now")),
        "by_code": select(PaymentIntent.id).where(
            PaymentIntent.reference_code.in_(bindparam("codes", expanding=True)),
            PaymentIntent.payee_account == bindparam("account"),
        ),
        "reported": select(PaymentApplication.id)
        .join(BankTransaction, BankTransaction.id == PaymentApplication.transaction_id)
        .where(
            BankTransaction.id != bindparam("tx_id"),
            BankTransaction.account_number == bindparam("account"),
            BankTransaction.bank_reference == bindparam("reference"),
            BankTransaction.amount_vnd == bindparam("amount"),
        )
        .limit(1),
    }


def _claim(session: Session, tx: BankTransaction, now: datetime) -> bool:
    result = session.execute(_statements()["claim"], {"tx_id": tx.id, "now": now})
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    set_committed_value(tx, "processed_at", now)
    return True


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
                _statements()["by_code"], {"codes": codes, "account": tx.account_number}
            )
        )
    return sorted(set(ids)), broken


def _reported_twice(session: Session, tx: BankTransaction) -> bool:
    """The same bank transfer (account + bank reference + amount) already applied through
    another provider or connection: one transfer, two notification services."""
    if not tx.bank_reference:
        return False
    earlier = session.scalar(
        _statements()["reported"],
        {
            "tx_id": tx.id,
            "account": tx.account_number,
            "reference": tx.bank_reference,
            "amount": tx.amount_vnd,
        },
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
    tx = session.get(BankTransaction, transaction_id)
    if tx is None or tx.processed_at is not None:
        return "skipped"
    ids, broken = _candidates(session, tx)  # reads fixed data: before the claim
    if not _claim(session, tx, now):
        return "skipped"
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
    tx.match_status = MatchStatus.MATCHED  # set first: one flush writes it with the payment
    tx.match_note = intent.reference_code
    applied = intents.apply_payment(session, intent, tx.id, tx.amount_vnd, "matched", now)
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
