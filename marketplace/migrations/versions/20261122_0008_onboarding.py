"""Onboarding: what a producer needs beyond its identity columns — consent to the terms (when,
which version), a verified bank account (when, by whom), an address note (a pre-2025 address
as typed, or why the address needs a person) and the flag that sends it to one.

Revision ID: 20261122_0008
Revises: 20261122_0007
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "20261122_0008"
down_revision = "20261122_0007"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("producers") as batch:
        batch.add_column(sa.Column("consent_at", TS))
        batch.add_column(sa.Column("terms_version", sa.String(20)))
        batch.add_column(sa.Column("bank_verified_at", TS))
        batch.add_column(sa.Column("bank_verified_by_user_id", sa.Integer))
        batch.add_column(
            sa.Column("address_note", sa.String(400), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("address_review", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.create_foreign_key(
            "fk_producers_bank_verified_by_user_id_users",
            "users",
            ["bank_verified_by_user_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("producers") as batch:
        batch.drop_constraint("fk_producers_bank_verified_by_user_id_users", type_="foreignkey")
        batch.drop_column("address_review")
        batch.drop_column("address_note")
        batch.drop_column("bank_verified_by_user_id")
        batch.drop_column("bank_verified_at")
        batch.drop_column("terms_version")
        batch.drop_column("consent_at")
