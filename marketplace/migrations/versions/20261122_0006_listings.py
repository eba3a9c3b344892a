"""Listings: channel accounts, listing bindings and their events, the category mapping table,
shared rate slots; package dimensions on products.

Revision ID: 20261122_0006
Revises: 20261122_0005
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "20261122_0006"
down_revision = "20261122_0005"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("revision", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("length_cm", sa.Integer))
        batch.add_column(sa.Column("width_cm", sa.Integer))
        batch.add_column(sa.Column("height_cm", sa.Integer))
    op.create_table(
        "channel_accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("producer_id", sa.Integer, sa.ForeignKey("producers.id"), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("shop_id", sa.String(80)),
        sa.Column("base_url", sa.String(300), nullable=False),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("app_key", sa.String(120), nullable=False),
        sa.Column("secrets_encrypted", sa.Text),
        sa.Column("token_expires_at", TS),
        sa.Column("refresh_expires_at", TS),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("rate_limit", sa.Float, nullable=False),
        sa.Column("last_error", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("channel", "shop_id", name="uq_channel_shop"),
    )
    op.create_index("ix_channel_accounts_producer_id", "channel_accounts", ["producer_id"])
    op.create_index("ix_channel_accounts_channel", "channel_accounts", ["channel"])
    op.create_table(
        "channel_listings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("product_id", sa.Integer, sa.ForeignKey("products.id"), nullable=False),
        sa.Column(
            "account_id",
            sa.Integer,
            sa.ForeignKey("channel_accounts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("wanted", sa.Boolean, nullable=False),
        sa.Column("desired_version", sa.Integer, nullable=False),
        sa.Column("synced_version", sa.Integer, nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("external_id", sa.String(80)),
        sa.Column("external_sku_id", sa.String(80)),
        sa.Column("review_ref", sa.String(80)),
        sa.Column("url", sa.String(500)),
        sa.Column("create_sent", sa.Boolean, nullable=False),
        sa.Column("synced_revision", sa.Integer, nullable=False),
        sa.Column("stuck_version", sa.Integer),
        sa.Column("stuck_revision", sa.Integer),
        sa.Column("synced_hash", sa.String(64)),
        sa.Column("synced_price", sa.Integer),
        sa.Column("synced_stock", sa.Integer),
        sa.Column("synced_active", sa.Boolean),
        sa.Column("last_error", sa.Text, nullable=False),
        sa.Column("problems", sa.JSON, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TS),
        sa.Column("lease_until", TS),
        sa.Column("lease_token", sa.String(32)),
        sa.Column("live_at", TS),
        sa.Column("synced_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("product_id", "account_id", name="uq_listing_product_account"),
        sa.CheckConstraint("attempts >= 0", name="attempts_non_negative"),
    )
    op.create_index("ix_channel_listings_product_id", "channel_listings", ["product_id"])
    op.create_index("ix_channel_listings_account_id", "channel_listings", ["account_id"])
    op.create_index("ix_channel_listings_state", "channel_listings", ["state"])
    op.create_index("ix_channel_listings_next_attempt_at", "channel_listings", ["next_attempt_at"])
    op.create_table(
        "channel_listing_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "listing_id",
            sa.Integer,
            sa.ForeignKey("channel_listings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index(
        "ix_channel_listing_events_listing_id", "channel_listing_events", ["listing_id"]
    )
    op.create_table(
        "channel_category_mappings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("set_code", sa.String(10), nullable=False),
        sa.Column("category_id", sa.String(40), nullable=False),
        sa.Column("attributes", sa.JSON, nullable=False),
        sa.Column("updated_by_user_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("channel", "set_code", name="uq_mapping_channel_set"),
    )
    op.create_table(
        "channel_rate_slots",
        sa.Column("key", sa.String(140), primary_key=True),
        sa.Column("next_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("channel_rate_slots")
    op.drop_table("channel_category_mappings")
    op.drop_table("channel_listing_events")
    op.drop_table("channel_listings")
    op.drop_table("channel_accounts")
    with op.batch_alter_table("products") as batch:
        batch.drop_column("height_cm")
        batch.drop_column("width_cm")
        batch.drop_column("length_cm")
        batch.drop_column("revision")
