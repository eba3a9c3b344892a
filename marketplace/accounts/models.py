"""People and machines that act on the platform, and the record of what they did."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.db import Base, UTCDateTime, utcnow


class Role(StrEnum):
    ADMIN = "admin"  # platform operator: fees, all reviews, all producers
    STAFF = "staff"  # commune/province staff: reviews and reports in their scope
    ONBOARDER = "onboarder"  # community digital-technology team member
    PRODUCER = "producer"  # a cooperative's own login


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'staff', 'onboarder', 'producer')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: lower-cased; the login name
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: argon2id
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(12))
    #: for producer logins: the producer they act for
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id"), index=True)
    #: for producer logins: "owner" (manages members) or "member"
    producer_role: Mapped[str | None] = mapped_column(String(8))
    #: a second login name: Vietnamese mobile number, normalised to 0xxxxxxxxx
    phone: Mapped[str | None] = mapped_column(String(16), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def is_operator(self) -> bool:
        return self.role in (Role.ADMIN, Role.STAFF)

    @property
    def is_producer_owner(self) -> bool:
        """A producer's owner login (logins made before owner/member existed count as owners)."""
        return self.role == Role.PRODUCER and (self.producer_role or "owner") == "owner"


class ApiKey(Base):
    """A producer's secret API key; only its SHA-256 is stored (the secret is shown once)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    #: the first characters of the key, shown in lists ("sk_live_Ab3d…")
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class IdempotencyKey(Base):
    """A POST remembered by its Idempotency-Key: same key + body -> the stored response."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key", name="uq_idempotency_keys_scope_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: who sent it ("producer:12")
    scope: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(255))
    #: method + path + SHA-256 of the body
    request_hash: Mapped[str] = mapped_column(String(64))
    #: in_flight while the first request runs, then done
    state: Mapped[str] = mapped_column(String(10))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class AuditLog(Base):
    """Who did what to which object, and when; written in the same transaction as the act."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: readable actor: a user's email, "api:sk_live_Ab3d", "system"
    actor: Mapped[str] = mapped_column(String(200))
    #: the producer the actor acted for (an onboarder working for a cooperative)
    on_behalf_of_producer_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id"))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class UserScope(Base):
    """Where a staff member or onboarder works: a whole province, or one commune."""

    __tablename__ = "user_scopes"
    __table_args__ = (
        CheckConstraint(
            "(province_code IS NULL) <> (commune_code IS NULL)", name="province_or_commune"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"))
    commune_code: Mapped[str | None] = mapped_column(ForeignKey("communes.code"))


class Invitation(Base):
    """A one-time link (and its QR) that lets a person create their login with a given role."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the secret in the link (the secret itself is never stored)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(12))
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id"))
    producer_role: Mapped[str | None] = mapped_column(String(8))
    #: scopes the new user gets: [{"province_code": "01"} | {"commune_code": "00004"}]
    scopes: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PasswordReset(Base):
    """A one-time password reset link (mailed when SMTP is configured, else shown to an admin)."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
