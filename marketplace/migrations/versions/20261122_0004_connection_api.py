"""Notification connections: optional API credentials (encrypted) and API base URL, so a
buyer's "I have paid" can pull recent transactions from the provider.

Revision ID: 20261122_0004
Revises: 20261122_0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "20261122_0004"
down_revision = "20261122_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification_connections") as batch:
        batch.add_column(sa.Column("api_credentials_encrypted", sa.Text, nullable=True))
        batch.add_column(sa.Column("api_base_url", sa.String(300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification_connections") as batch:
        batch.drop_column("api_base_url")
        batch.drop_column("api_credentials_encrypted")
