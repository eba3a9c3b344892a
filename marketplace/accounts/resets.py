"""Password resets by a one-time link valid for one hour.

A request never tells whether the login exists. With SMTP configured a job makes the link and
mails it (the secret never passes through the queue); otherwise the request waits on the
admins' page, where an admin makes a link and passes it on (phone, Zalo, in person). Only the
SHA-256 of a link's secret is stored, so a link can be shown once only.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from marketplace.core.errors import Conflict, NotFound

from .invitations import TOKEN_BYTES, hash_token
from .models import AuditLog, PasswordReset, User
from .services import audit, check_password, find_login, has_real_email, set_password

TTL = timedelta(hours=1)
#: how long a request stays on the admins' page
REQUEST_WINDOW = timedelta(days=2)
REQUEST_ACTION = "password_reset.request"


def request_reset(session: Session, login: str, now: datetime, mail: bool) -> User | None:
    """Note a reset request for the active user with this email/phone; returns the user to
    mail (when ``mail`` and the user has a real address), else None (unknown login, or the
    request waits for an admin)."""
    user = find_login(session, login)
    if user is None or not user.active:
        return None
    mailed = mail and has_real_email(user)
    audit(
        session,
        actor="public",
        action=REQUEST_ACTION,
        object_type="user",
        object_id=user.id,
        detail={"mailed": mailed},
        on_behalf_of_producer_id=user.producer_id,
    )
    return user if mailed else None


def create_reset(
    session: Session, user: User, now: datetime, created_by: User | None = None
) -> tuple[PasswordReset, str]:
    """A new link for ``user`` (earlier unused links stop working); returns the row and the
    secret."""
    session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.user_id == user.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    reset = PasswordReset(
        user_id=user.id,
        token_hash=hash_token(secret),
        created_by_user_id=created_by.id if created_by else None,
        created_at=now,
        expires_at=now + TTL,
    )
    session.add(reset)
    session.flush()
    audit(
        session,
        actor=created_by.email if created_by else "system",
        actor_user_id=created_by.id if created_by else None,
        action="password_reset.create",
        object_type="user",
        object_id=user.id,
        detail={"reset_id": reset.id},
        on_behalf_of_producer_id=user.producer_id,
    )
    return reset, secret


def find_reset(session: Session, secret: str, now: datetime) -> PasswordReset:
    """The usable reset for a link's secret; a clear Vietnamese error otherwise."""
    reset = session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == hash_token(secret[:100]))
    )
    if reset is None:
        raise NotFound(
            "Liên kết đặt lại mật khẩu không đúng. Hãy kiểm tra lại liên kết, hoặc yêu cầu một "
            "liên kết mới."
        )
    if reset.used_at is not None:
        raise Conflict("Liên kết này đã được dùng. Hãy yêu cầu một liên kết mới.", code="used")
    if reset.expires_at <= now:
        raise Conflict(
            "Liên kết đã hết hạn (hiệu lực 1 giờ). Hãy yêu cầu một liên kết mới.", code="expired"
        )
    return reset


def complete_reset(session: Session, secret: str, password: str, now: datetime) -> User:
    """Set the new password and spend the link, exactly once."""
    reset = find_reset(session, secret, now)
    check_password(password)
    spent = session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("Liên kết này đã được dùng. Hãy yêu cầu một liên kết mới.", code="used")
    user = session.get(User, reset.user_id)
    assert user is not None  # the foreign key cascades
    set_password(user, password)
    audit(
        session,
        actor=user.email,
        actor_user_id=user.id,
        action="password_reset.complete",
        object_type="user",
        object_id=user.id,
        on_behalf_of_producer_id=user.producer_id,
    )
    return user


@dataclass(frozen=True)
class PendingRequest:
    """A reset request waiting for an admin."""

    user: User
    requested_at: datetime


def pending_requests(session: Session, now: datetime) -> list[PendingRequest]:
    """Unmailed requests of the last two days whose user has had no new link since."""
    rows = session.execute(
        select(AuditLog.object_id, AuditLog.created_at, AuditLog.detail)
        .where(AuditLog.action == REQUEST_ACTION, AuditLog.created_at > now - REQUEST_WINDOW)
        .order_by(AuditLog.id.desc())
    ).all()
    out: list[PendingRequest] = []
    seen: set[int] = set()
    for object_id, requested_at, detail in rows:
        user_id = int(object_id)
        if user_id in seen or json.loads(detail or "{}").get("mailed"):
            continue
        seen.add(user_id)
        newer = session.scalar(
            select(PasswordReset.id).where(
                PasswordReset.user_id == user_id, PasswordReset.created_at >= requested_at
            )
        )
        user = session.get(User, user_id)
        if newer is None and user is not None and user.active:
            out.append(PendingRequest(user, requested_at))
    return out
