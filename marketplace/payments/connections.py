"""Payees' bank-notification connections: which service, which secrets, which accounts."""

from __future__ import annotations

import json
import secrets as random_secrets
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.core.crypto import Vault
from marketplace.core.errors import NotFound, ValidationError

from .models import NotificationConnection
from .providers.registry import PROVIDERS

#: the pull-API credential fields each provider needs (all of them, or none)
API_CREDENTIAL_FIELDS = {
    "sepay": ("token",),
    "casso": ("api_key",),
    "payos": ("client_id", "api_key"),
}


def connect(
    session: Session,
    vault: Vault,
    *,
    provider: str,
    secrets: list[str],
    accounts: list[str],
    producer_id: int | None,
    api_credentials: dict[str, str] | None = None,
    api_base_url: str | None = None,
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
        raise ValidationError(
            "Danh sách số tài khoản không hợp lệ. Nhập số tài khoản chỉ gồm chữ số/chữ cái, tối "
            "đa 19 ký tự.",
            param="accounts",
        )
    connection = NotificationConnection(
        producer_id=producer_id,
        provider=provider,
        token=random_secrets.token_urlsafe(24),
        secrets_encrypted=vault.encrypt(usable),
        accounts=",".join(clean_accounts),
        api_credentials_encrypted=_api_credentials(vault, provider, api_credentials),
        api_base_url=_api_base_url(api_base_url),
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
        raise NotFound(
            "Không tìm thấy kết nối nhận thông báo này. Dán lại địa chỉ webhook ở Quản lý › Kết nối "
            "ngân hàng vào dịch vụ thông báo.",
            param="token",
        )
    return connection


def for_account(session: Session, account: str) -> NotificationConnection | None:
    """The active connection that reports on ``account`` (the sandbox bank uses it)."""
    for connection in session.scalars(
        select(NotificationConnection).where(NotificationConnection.active.is_(True))
    ):
        if account in connection.account_list:
            return connection
    return None


def api_credentials(vault: Vault, connection: NotificationConnection) -> dict[str, str] | None:
    """The decrypted pull-API credentials of ``connection``, None when it has none."""
    if not connection.api_credentials_encrypted:
        return None
    return json.loads(vault.decrypt(connection.api_credentials_encrypted)[0])


def _api_credentials(vault: Vault, provider: str, given: dict[str, str] | None) -> str | None:
    wanted = API_CREDENTIAL_FIELDS[provider]
    clean = {k: (given or {}).get(k, "").strip() for k in wanted}
    if not any(clean.values()):
        return None
    if not all(clean.values()):
        raise ValidationError(
            "Cần đủ thông tin API (client id và API key) để kiểm tra lại giao dịch.",
            param="api_credentials",
        )
    return vault.encrypt([json.dumps(clean)])


def _api_base_url(url: str | None) -> str | None:
    url = (url or "").strip().rstrip("/")
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 300:
        raise ValidationError(
            "Địa chỉ API không hợp lệ. Nhập URL đầy đủ bắt đầu bằng https://, hoặc để trống để "
            "dùng mặc định.",
            param="api_base_url",
        )
    return url
