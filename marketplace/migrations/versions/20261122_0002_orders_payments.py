"""Orders, payment intents and their events, the bank-transaction ledger, payment
applications, review items, and payees' notification connections.

Revision ID: 20261122_0002
Revises: 20261122_0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "20261122_0002"
down_revision = "20261122_0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(20), nullable=False, unique=True),
        sa.Column("checkout_token", sa.String(43), nullable=False),
        sa.Column("producer_id", sa.Integer, sa.ForeignKey("producers.id"), nullable=False),
        sa.Column("buyer_name", sa.String(120), nullable=False),
        sa.Column("buyer_phone", sa.String(16), nullable=False),
        sa.Column("commune_code", sa.String(5), sa.ForeignKey("communes.code"), nullable=False),
        sa.Column("address_line", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("total_vnd", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.CheckConstraint("total_vnd > 0", name="total_positive"),
    )
    op.create_index("ix_orders_checkout_token", "orders", ["checkout_token"])
    op.create_index("ix_orders_producer_id", "orders", ["producer_id"])
    op.create_index("ix_orders_status", "orders", ["status"])
    op.create_table(
        "order_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "order_id", sa.Integer, sa.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("product_id", sa.Integer, sa.ForeignKey("products.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("price_vnd", sa.BigInteger, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("price_vnd >= 0", name="price_not_negative"),
    )
    op.create_index("ix_order_items_order_id", "order_items", ["order_id"])
    op.create_table(
        "notification_connections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("producer_id", sa.Integer, sa.ForeignKey("producers.id")),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("token", sa.String(43), nullable=False, unique=True),
        sa.Column("secrets_encrypted", sa.Text, nullable=False),
        sa.Column("accounts", sa.String(400), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index(
        "ix_notification_connections_producer_id", "notification_connections", ["producer_id"]
    )
    op.create_table(
        "payment_intents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("public_id", sa.String(40), nullable=False, unique=True),
        sa.Column("purpose", sa.String(8), nullable=False),
        sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id")),
        sa.Column("producer_id", sa.Integer, sa.ForeignKey("producers.id")),
        sa.Column("payee_bin", sa.String(6), nullable=False),
        sa.Column("payee_account", sa.String(19), nullable=False),
        sa.Column("payee_name", sa.String(120), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger, nullable=False),
        sa.Column("amount_received_vnd", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("reference_code", sa.String(9), nullable=False, unique=True),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("qr_payload", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("buyer_claimed_at", TS),
        sa.Column("succeeded_at", TS),
        sa.Column("canceled_at", TS),
        sa.Column("cancellation_reason", sa.String(200), nullable=False),
        sa.Column("metadata_json", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.CheckConstraint("amount_vnd > 0", name="amount_positive"),
        sa.CheckConstraint("amount_received_vnd >= 0", name="received_not_negative"),
        sa.CheckConstraint("purpose IN ('order', 'fee')", name="purpose_known"),
    )
    op.create_index("ix_payment_intents_order_id", "payment_intents", ["order_id"])
    op.create_index("ix_payment_intents_producer_id", "payment_intents", ["producer_id"])
    op.create_index("ix_payment_intents_status", "payment_intents", ["status"])
    op.create_index("ix_payment_intents_expires_at", "payment_intents", ["expires_at"])
    op.create_index(
        "ix_payment_intents_payee_status", "payment_intents", ["payee_account", "status"]
    )
    op.create_table(
        "bank_transactions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("provider_transaction_id", sa.String(80), nullable=False),
        sa.Column("connection_id", sa.Integer, sa.ForeignKey("notification_connections.id")),
        sa.Column("account_number", sa.String(19), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger, nullable=False),
        sa.Column("memo", sa.Text, nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("bank_reference", sa.String(80)),
        sa.Column("provider_link", sa.String(80)),
        sa.Column("raw_payload", sa.Text, nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("match_status", sa.String(10), nullable=False),
        sa.Column("match_note", sa.String(300), nullable=False),
        sa.Column("processed_at", TS),
        sa.UniqueConstraint(
            "provider",
            "account_number",
            "provider_transaction_id",
            name="uq_bank_transactions_provider_txn",
        ),
        sa.CheckConstraint("amount_vnd > 0", name="amount_positive"),
    )
    op.create_index("ix_bank_transactions_account_number", "bank_transactions", ["account_number"])
    op.create_index("ix_bank_transactions_match_status", "bank_transactions", ["match_status"])
    op.create_table(
        "payment_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("intent_id", sa.Integer, sa.ForeignKey("payment_intents.id"), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=False),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("transaction_id", sa.Integer, sa.ForeignKey("bank_transactions.id")),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_payment_events_intent_id", "payment_events", ["intent_id"])
    op.create_table(
        "payment_applications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "transaction_id", sa.Integer, sa.ForeignKey("bank_transactions.id"), nullable=False
        ),
        sa.Column("intent_id", sa.Integer, sa.ForeignKey("payment_intents.id"), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint(
            "transaction_id", "intent_id", name="uq_payment_applications_txn_intent"
        ),
        sa.CheckConstraint("amount_vnd > 0", name="amount_positive"),
    )
    op.create_index(
        "ix_payment_applications_transaction_id", "payment_applications", ["transaction_id"]
    )
    op.create_index("ix_payment_applications_intent_id", "payment_applications", ["intent_id"])
    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "transaction_id", sa.Integer, sa.ForeignKey("bank_transactions.id"), nullable=False
        ),
        sa.Column("intent_id", sa.Integer, sa.ForeignKey("payment_intents.id")),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger, nullable=False),
        sa.Column("detail", sa.String(300), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("resolution_note", sa.String(300), nullable=False),
        sa.Column("resolved_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint("amount_vnd > 0", name="amount_positive"),
    )
    op.create_index("ix_review_items_transaction_id", "review_items", ["transaction_id"])
    op.create_index("ix_review_items_intent_id", "review_items", ["intent_id"])
    op.create_index("ix_review_items_status", "review_items", ["status"])


def downgrade() -> None:
    for table in (
        "review_items",
        "payment_applications",
        "payment_events",
        "bank_transactions",
        "payment_intents",
        "notification_connections",
        "order_items",
        "orders",
    ):
        op.drop_table(table)
