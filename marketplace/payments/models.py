"""Payment intents, the bank-transaction ledger, applications of money, review items, and
the notification services payees connect.

The ledger is append-only: a bank transaction's money fields never change after insert, and it
is unique per (provider, provider transaction id). Money reaches an intent only through a
PaymentApplication, unique per (transaction, intent), so a replay can never credit twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import Base, UTCDateTime, utcnow


class IntentStatus(StrEnum):
    REQUIRES_PAYMENT = "requires_payment"
    PARTIALLY_PAID = "partially_paid"
    SUCCEEDED = "succeeded"
    EXPIRED = "expired"
    CANCELED = "canceled"
    REFUNDED = "refunded"


OPEN_STATUSES = (IntentStatus.REQUIRES_PAYMENT, IntentStatus.PARTIALLY_PAID)


class PaymentIntent(Base):
    __tablename__ = "payment_intents"
    __table_args__ = (
        CheckConstraint("amount_vnd > 0", name="amount_positive"),
        CheckConstraint("amount_received_vnd >= 0", name="received_not_negative"),
        CheckConstraint("purpose IN ('order', 'fee')", name="purpose_known"),
        Index("ix_payment_intents_payee_status", "payee_account", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: public id for the API ("pi_…")
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    purpose: Mapped[str] = mapped_column(String(8))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    #: the producer concerned: the seller of an order, the payer of a fee
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id"), index=True)
    #: snapshot of where the money goes (the cooperative's account, or the operator's for fees)
    payee_bin: Mapped[str] = mapped_column(String(6))
    payee_account: Mapped[str] = mapped_column(String(19))
    payee_name: Mapped[str] = mapped_column(String(120))
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    amount_received_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="VND")
    #: goes into the QR purpose and the transfer memo; what matching looks for
    reference_code: Mapped[str] = mapped_column(String(9), unique=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    qr_payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(
        String(20), default=IntentStatus.REQUIRES_PAYMENT, index=True
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    #: set when a buyer says "I have paid" (asks the providers to re-check)
    buyer_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    canceled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancellation_reason: Mapped[str] = mapped_column(String(200), default="")
    metadata_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def amount_due_vnd(self) -> int:
        return max(0, self.amount_vnd - self.amount_received_vnd)


class PaymentEvent(Base):
    """One recorded transition of an intent."""

    __tablename__ = "payment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    intent_id: Mapped[int] = mapped_column(ForeignKey("payment_intents.id"), index=True)
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(200))
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("bank_transactions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MatchStatus(StrEnum):
    PENDING = "pending"
    MATCHED = "matched"
    REVIEW = "review"
    IGNORED = "ignored"


class BankTransaction(Base):
    """A bank transfer as a notification service reported it; stored once per
    (provider, account, provider transaction id)."""

    __tablename__ = "bank_transactions"
    __table_args__ = (
        # scoped by account: a payee's own (signed) reports can never occupy the key of a
        # transfer into somebody else's account
        UniqueConstraint(
            "provider",
            "account_number",
            "provider_transaction_id",
            name="uq_bank_transactions_provider_txn",
        ),
        CheckConstraint("amount_vnd > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    provider_transaction_id: Mapped[str] = mapped_column(String(80))
    connection_id: Mapped[int | None] = mapped_column(ForeignKey("notification_connections.id"))
    account_number: Mapped[str] = mapped_column(String(19), index=True)
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    memo: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    bank_reference: Mapped[str | None] = mapped_column(String(80))
    provider_link: Mapped[str | None] = mapped_column(String(80))
    #: the body exactly as received (or the form a person filled in, for manual records)
    raw_payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: processing state, not money: pending -> matched / review / ignored
    match_status: Mapped[str] = mapped_column(String(10), default=MatchStatus.PENDING, index=True)
    match_note: Mapped[str] = mapped_column(String(300), default="")
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PaymentApplication(Base):
    """Money of one transaction applied to one intent."""

    __tablename__ = "payment_applications"
    __table_args__ = (
        UniqueConstraint("transaction_id", "intent_id", name="uq_payment_applications_txn_intent"),
        CheckConstraint("amount_vnd > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("bank_transactions.id"), index=True)
    intent_id: Mapped[int] = mapped_column(ForeignKey("payment_intents.id"), index=True)
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    transaction: Mapped[BankTransaction] = relationship(lazy="joined", innerjoin=True)


class ReviewStatus(StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    REFUND_DUE = "refund_due"
    DISMISSED = "dismissed"


class ReviewItem(Base):
    """Money a person must look at: matched nothing, several things, too much, or too late."""

    __tablename__ = "review_items"
    __table_args__ = (CheckConstraint("amount_vnd > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("bank_transactions.id"), index=True)
    #: the intent it probably belongs to, when known
    intent_id: Mapped[int | None] = mapped_column(ForeignKey("payment_intents.id"), index=True)
    #: no_match, ambiguous, overpaid, intent_expired, intent_canceled, intent_closed, typo,
    #: duplicate (one transfer reported by two services)
    reason: Mapped[str] = mapped_column(String(20))
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    detail: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(12), default=ReviewStatus.OPEN, index=True)
    resolution_note: Mapped[str] = mapped_column(String(300), default="")
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    transaction: Mapped[BankTransaction] = relationship(lazy="joined", innerjoin=True)


class NotificationConnection(Base):
    """A payee's bank-notification service (SePay, Casso, payOS) and the accounts it covers."""

    __tablename__ = "notification_connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: None = the platform operator (fees); else the producer (its sales)
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id"), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    #: secret part of the webhook URL that identifies this connection
    token: Mapped[str] = mapped_column(String(43), unique=True)
    #: up to two secrets (rotation), encrypted at rest (core.crypto)
    secrets_encrypted: Mapped[str] = mapped_column(Text)
    #: account numbers this service reports on, comma-separated
    accounts: Mapped[str] = mapped_column(String(400))
    #: pull-API credentials (SePay token / Casso key / payOS client id + api key), a JSON
    #: object encrypted at rest; None = this connection cannot be asked to re-check
    api_credentials_encrypted: Mapped[str | None] = mapped_column(Text)
    #: the provider API's base URL (None = the provider's public default)
    api_base_url: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def account_list(self) -> list[str]:
        return [a for a in self.accounts.split(",") if a]
