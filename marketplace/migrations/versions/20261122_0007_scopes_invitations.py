"""Accounts: phone logins, producer owner/member, scopes of staff and onboarders, invitations,
password resets; producers remember the onboarder who helps them.

Revision ID: 20261122_0007
Revises: 20261122_0006
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "20261122_0007"
down_revision = "20261122_0006"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("producer_role", sa.String(8)))
        batch.add_column(sa.Column("phone", sa.String(16)))
        batch.create_unique_constraint("uq_users_phone", ["phone"])
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("on_behalf_of_producer_id", sa.Integer))
        batch.create_foreign_key(
            "fk_audit_log_on_behalf_of_producer_id_producers",
            "producers",
            ["on_behalf_of_producer_id"],
            ["id"],
        )
    with op.batch_alter_table("producers") as batch:
        batch.add_column(sa.Column("onboarder_user_id", sa.Integer))
        batch.create_foreign_key(
            "fk_producers_onboarder_user_id_users", "users", ["onboarder_user_id"], ["id"]
        )
    op.create_table(
        "user_scopes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("province_code", sa.String(2), sa.ForeignKey("provinces.code")),
        sa.Column("commune_code", sa.String(5), sa.ForeignKey("communes.code")),
        sa.CheckConstraint(
            "(province_code IS NULL) <> (commune_code IS NULL)", name="province_or_commune"
        ),
    )
    op.create_index("ix_user_scopes_user_id", "user_scopes", ["user_id"])
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(12), nullable=False),
        sa.Column("producer_id", sa.Integer, sa.ForeignKey("producers.id")),
        sa.Column("producer_role", sa.String(8)),
        sa.Column("scopes", sa.JSON, nullable=False),
        sa.Column("note", sa.String(200), nullable=False),
        sa.Column("created_by_user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS),
        sa.Column("used_by_user_id", sa.Integer, sa.ForeignKey("users.id")),
    )
    op.create_table(
        "password_resets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_by_user_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS),
    )
    op.create_index("ix_password_resets_user_id", "password_resets", ["user_id"])


def downgrade() -> None:
    op.drop_table("password_resets")
    op.drop_table("invitations")
    op.drop_table("user_scopes")
    with op.batch_alter_table("producers") as batch:
        batch.drop_constraint("fk_producers_onboarder_user_id_users", type_="foreignkey")
        batch.drop_column("onboarder_user_id")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_constraint("fk_audit_log_on_behalf_of_producer_id_producers", type_="foreignkey")
        batch.drop_column("on_behalf_of_producer_id")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_phone", type_="unique")
        batch.drop_column("phone")
        batch.drop_column("producer_role")
