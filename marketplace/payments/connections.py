"""Payees' bank-notification connections: which service, which secrets, which accounts."""

from __future__ import annotations

import secrets as random_secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.core.crypto import Vault
from marketplace.core.errors import NotFound, ValidationError

from .models import NotificationConnection
from .providers.registry import PROVIDERS


def connect(
    session: Session,
    vault: Vault,
    *,
    provider: str,
    secrets: list[str],
    accounts: list[str],
    producer_id: int | None,
) -> NotificationConnection:
    """Register a payee's notification service; secrets are encrypted before they are stored."""
    if provider not in PROVIDERS:
        raise ValidationError(
            "Dịch vụ thông báo phải là SePay, Casso hoặc payOS.", param="provider"
        )
    usable = [s.strip() for s in secrets if s and s.strip()]
    if not 1 <= len(usable) <= 2:
        raise ValidationError("Cần một khoá bí mật (hoặc hai khi đang đổi khoá).", param="secrets")
    clean_accounts = sorted({a.replace(" ", "") for a in accounts if a.strip()})
    if not clean_accounts or any(not a.isalnum() or len(a) > 19 for a in clean_accounts):
        raise ValidationError("Danh sách số tài khoản không hợp lệ.", param="accounts")
    connection = NotificationConnection(
        producer_id=producer_id,
        provider=provider,
        token=random_secrets.token_urlsafe(24),
        secrets_encrypted=vault.encrypt(usable),
        accounts=",".join(clean_accounts),
        active=True,
    )
    session.add(connection)
    session.flush()
    return connection


def by_token(session: Session, provider: str, token: str) -> NotificationConnection:
    """The active connection a webhook URL names, or NotFound."""
    connection = session.scalar(
        select(NotificationConnection).where(
            NotificationConnection.token == token, NotificationConnection.active.is_(True)
        )
    )
    if connection is None or connection.provider != provider:
        raise NotFound("Không có kết nối nhận thông báo này.", param="token")
    return connection


def for_account(session: Session, account: str) -> NotificationConnection | None:
    """The active connection that reports on ``account`` (the sandbox bank uses it)."""
    for connection in session.scalars(
        select(NotificationConnection).where(NotificationConnection.active.is_(True))
    ):
        if account in connection.account_list:
            return connection
    return None
