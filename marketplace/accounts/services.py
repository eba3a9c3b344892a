"""Users, passwords (argon2id), API keys (SHA-256 of a high-entropy secret) and the audit log."""

from __future__ import annotations

import functools
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
from producers import validation
from producers.models import Commune, Producer, Province

from .models import ApiKey, AuditLog, Role, User, UserScope

_hasher = PasswordHasher()
API_KEY_PREFIX = "sk_live_"
MIN_PASSWORD = 10
MAX_PASSWORD = 200
PRODUCER_ROLES = ("owner", "member")


class AuthError(AppError):
    """Bad credentials or a revoked key."""

    status = 401
    type = "authentication_error"
    code = "unauthenticated"


PLACEHOLDER_EMAIL_DOMAIN = "dien-thoai.invalid"


def placeholder_email(phone: str) -> str:
    """The stored email of a phone-only login (``.invalid`` never receives mail, RFC 2606)."""
    return f"{phone}@{PLACEHOLDER_EMAIL_DOMAIN}"


def has_real_email(user: User) -> bool:
    """False for phone-only logins, whose email column holds a placeholder."""
    return not user.email.endswith("@" + PLACEHOLDER_EMAIL_DOMAIN)


def normalise_email(value: str) -> str:
    """A lower-cased email address, or ValidationError."""
    email_n = clean_line(value, 200).lower()
    local, _, domain = email_n.partition("@")
    if not local or "." not in domain or " " in email_n or domain.endswith(".invalid"):
        raise ValidationError(
            "Địa chỉ email không hợp lệ. Nhập dạng ten@vidu.vn, hoặc để trống nếu đã có số "
            "điện thoại.",
            param="email",
        )
    return email_n


def check_password(password: str) -> str:
    """The password if long enough (and not absurdly long), else ValidationError."""
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.", param="password")
    if len(password) > MAX_PASSWORD:
        raise ValidationError(f"Mật khẩu dài tối đa {MAX_PASSWORD} ký tự.", param="password")
    return password


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: str,
    producer_id: int | None = None,
    phone: str | None = None,
    producer_role: str | None = None,
) -> User:
    """Validate and add a user (the password is hashed with argon2id); a login needs an email
    or a Vietnamese phone number, or both."""
    phone_n = validation.phone(phone) if phone and phone.strip() else None
    if email.strip() or phone_n is None:
        email_n = normalise_email(email)
    else:
        email_n = placeholder_email(phone_n)
    if session.scalar(select(User.id).where(User.email == email_n)):
        raise ValidationError(
            "Email này đã có tài khoản. Hãy đăng nhập, hoặc dùng “Quên mật khẩu?” nếu không "
            "nhớ mật khẩu.",
            param="email",
        )
    if phone_n and session.scalar(select(User.id).where(User.phone == phone_n)):
        raise ValidationError(
            "Số điện thoại này đã có tài khoản. Hãy đăng nhập, hoặc dùng “Quên mật khẩu?” nếu "
            "không nhớ mật khẩu.",
            param="phone",
        )
    if role not in {r.value for r in Role}:
        raise ValidationError(
            "Vai trò không hợp lệ. Chọn một vai trò trong danh sách.", param="role"
        )
    if role == Role.PRODUCER and (
        producer_id is None or session.get(Producer, producer_id) is None
    ):
        raise ValidationError(
            "Tài khoản chủ thể cần gắn với một chủ thể: chọn chủ thể trong danh sách.",
            param="producer_id",
        )
    if role == Role.PRODUCER and (producer_role or "owner") not in PRODUCER_ROLES:
        raise ValidationError(
            "Vai trò trong chủ thể không hợp lệ. Chọn “Tài khoản chủ” hoặc “Thành viên”.",
            param="producer_role",
        )
    check_password(password)
    is_producer = role == Role.PRODUCER
    user = User(
        email=email_n,
        phone=phone_n,
        name=clean_line(name, 120) or (phone_n if email_n.endswith(".invalid") else email_n),
        password_hash=_hasher.hash(password),
        role=role,
        producer_id=producer_id if is_producer else None,
        producer_role=(producer_role or "owner") if is_producer else None,
        active=True,
    )
    session.add(user)
    session.flush()
    return user


def add_scopes(session: Session, user: User, scopes: list[dict[str, str]]) -> list[UserScope]:
    """Give a staff member or onboarder the provinces/communes they work in (codes checked)."""
    if user.role not in (Role.STAFF, Role.ONBOARDER):
        if scopes:
            raise ValidationError(
                "Chỉ cán bộ và tổ công nghệ số có địa bàn. Với vai trò này, để trống ô tỉnh/xã.",
                param="scope",
            )
        return []
    rows = []
    for scope in check_scopes(session, scopes):
        row = UserScope(user_id=user.id, **scope)
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def check_scopes(session: Session, scopes: list[dict[str, str]]) -> list[dict[str, str]]:
    """Validated scopes: each exactly one existing province or commune code."""
    out: list[dict[str, str]] = []
    for scope in scopes:
        province, commune = scope.get("province_code"), scope.get("commune_code")
        if bool(province) == bool(commune):
            raise ValidationError("Chọn một tỉnh hoặc một xã.", param="scope")
        if province and session.get(Province, province) is None:
            raise ValidationError(
                "Không có tỉnh/thành này. Chọn tỉnh/thành trong danh sách.", param="province_code"
            )
        if commune and session.get(Commune, commune) is None:
            raise ValidationError(
                "Không có xã/phường này. Chọn xã/phường trong danh sách.", param="commune_code"
            )
        item = {"province_code": province} if province else {"commune_code": str(commune)}
        if item not in out:
            out.append(item)  # type: ignore[arg-type]
    return out


def find_login(session: Session, login: str) -> User | None:
    """The user whose email or (normalised) phone number is ``login``."""
    text = clean_line(login, 200)
    if "@" in text:
        return session.scalar(select(User).where(User.email == text.lower()))
    try:
        phone_n = validation.phone(text)
    except ValidationError:
        return None
    return session.scalar(select(User).where(User.phone == phone_n))


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def authenticate(session: Session, login: str, password: str, now: datetime) -> User:
    """The active user with these credentials (email or phone), or AuthError (same message
    either way; a missing user still costs one hash so timing does not tell)."""
    user = find_login(session, login)
    try:
        if user is None:
            _hasher.verify(_dummy_hash(), password[:MAX_PASSWORD])
            ok = False
        else:
            ok = user.active and _hasher.verify(user.password_hash, password[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None:
        raise AuthError(
            "Email/số điện thoại hoặc mật khẩu không đúng. Kiểm tra lại, hoặc bấm “Quên mật khẩu?”.",
            param="login",
        )
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = now
    return user


def set_password(user: User, password: str) -> None:
    """Replace a user's password (validated, hashed with argon2id)."""
    user.password_hash = _hasher.hash(check_password(password))


def _hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(session: Session, producer_id: int, name: str = "") -> tuple[ApiKey, str]:
    """A new key for a producer; returns the row and the secret, which is never stored."""
    if session.get(Producer, producer_id) is None:
        raise ValidationError(
            "Không tìm thấy chủ thể. Chọn chủ thể trong danh sách.", param="producer_id"
        )
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
        raise AuthError(
            "Khoá API không hợp lệ. Gửi header “Authorization: Bearer sk_live_…”, hoặc tạo khoá "
            "mới ở Quản lý › Khoá API.",
            param=None,
        )
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == _hash_key(secret)))
    if key is None or key.revoked_at is not None:
        raise AuthError(
            "Khoá API không hợp lệ hoặc đã bị thu hồi. Kiểm tra header “Authorization: Bearer "
            "sk_live_…”, hoặc tạo khoá mới ở Quản lý › Khoá API.",
            param=None,
        )
    return key


def revoke_api_key(session: Session, key_id: int, producer_id: int, now: datetime) -> ApiKey:
    """Revoke one of a producer's keys."""
    key = session.get(ApiKey, key_id)
    if key is None or key.producer_id != producer_id:
        raise ValidationError("Không tìm thấy khoá này. Tải lại trang Khoá API.", param="id")
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
