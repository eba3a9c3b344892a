"""Users, passwords (argon2id), API keys (SHA-256 of a high-entropy secret) and the audit log."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.core.errors import AppError, ValidationError
from marketplace.core.text import clean_line
from producers.models import Producer

from .models import ApiKey, AuditLog, Role, User

_hasher = PasswordHasher()
API_KEY_PREFIX = "sk_live_"
MIN_PASSWORD = 10


class AuthError(AppError):
    """Bad credentials or a revoked key."""

    status = 401
    type = "authentication_error"
    code = "unauthenticated"


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: str,
    producer_id: int | None = None,
) -> User:
    """Validate and add a user (the password is hashed with argon2id)."""
    email_n = clean_line(email, 200).lower()
    if "@" not in email_n or "." not in email_n.split("@")[-1]:
        raise ValidationError("Địa chỉ email không hợp lệ.", param="email")
    if session.scalar(select(User.id).where(User.email == email_n)):
        raise ValidationError("Email này đã có tài khoản.", param="email")
    if role not in {r.value for r in Role}:
        raise ValidationError("Vai trò không hợp lệ.", param="role")
    if role == Role.PRODUCER and (
        producer_id is None or session.get(Producer, producer_id) is None
    ):
        raise ValidationError(
            "Tài khoản chủ thể phải gắn với một chủ thể có thật.", param="producer_id"
        )
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.", param="password")
    user = User(
        email=email_n,
        name=clean_line(name, 120) or email_n,
        password_hash=_hasher.hash(password),
        role=role,
        producer_id=producer_id if role == Role.PRODUCER else None,
        active=True,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str, now: datetime) -> User:
    """The active user with these credentials, or AuthError (same message either way)."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    try:
        ok = user is not None and user.active and _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None:
        raise AuthError("Email hoặc mật khẩu không đúng.", param="email")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = now
    return user


def _hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(session: Session, producer_id: int, name: str = "") -> tuple[ApiKey, str]:
    """A new key for a producer; returns the row and the secret, which is never stored."""
    if session.get(Producer, producer_id) is None:
        raise ValidationError("Không có chủ thể này.", param="producer_id")
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        producer_id=producer_id,
        name=clean_line(name, 80),
        prefix=secret[:12],
        key_hash=_hash_key(secret),
    )
    session.add(key)
    session.flush()
    return key, secret


def key_for_secret(session: Session, secret: str) -> ApiKey:
    """The live API key for a presented secret, or AuthError (reads only)."""
    if not secret.startswith(API_KEY_PREFIX):
        raise AuthError("Khoá API không hợp lệ.", param=None)
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == _hash_key(secret)))
    if key is None or key.revoked_at is not None:
        raise AuthError("Khoá API không hợp lệ hoặc đã bị thu hồi.", param=None)
    return key


def revoke_api_key(session: Session, key_id: int, producer_id: int, now: datetime) -> ApiKey:
    """Revoke one of a producer's keys."""
    key = session.get(ApiKey, key_id)
    if key is None or key.producer_id != producer_id:
        raise ValidationError("Không có khoá này.", param="id")
    key.revoked_at = now
    return key


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: object,
    detail: dict[str, Any] | None = None,
    actor_user_id: int | None = None,
    on_behalf_of_producer_id: int | None = None,
) -> None:
    """Record an act in the audit log, in the caller's transaction (and, when someone acted
    for a producer, which one)."""
    session.add(
        AuditLog(
            actor_user_id=actor_user_id,
            on_behalf_of_producer_id=on_behalf_of_producer_id,
            actor=actor[:200],
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            detail=json.dumps(detail or {}, ensure_ascii=False, default=str),
        )
    )
