"""Channel accounts: credentials in and out of the vault, adapters built for an account, token
refresh serialised per account (Shopee's refresh token is single-use: two workers refreshing at
once would burn it)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from marketplace.core.crypto import Vault
from marketplace.core.errors import NotFound, ValidationError
from sync_adapters import registry
from sync_adapters.base import (
    AccountConfig,
    Adapter,
    AdapterError,
    AuthExpiredError,
    ChannelKind,
    PermanentError,
    Tokens,
)

from .models import AccountStatus, ChannelAccount

#: Refresh this long before the access token expires (the sweep and every sync check it).
REFRESH_AHEAD = timedelta(minutes=10)
SANDBOX_ITEM_URL = "{base_url}/_sandbox/items/{item_id}"


def channel_name(code: str) -> str:
    """The channel's display name ("Shopee", "Vỏ Sò")."""
    try:
        return registry.get(code).name
    except KeyError:
        return code


def is_export(code: str) -> bool:
    """True for channels listed through an export pack (no API)."""
    return registry.get(code).kind == ChannelKind.EXPORT


def _secrets(account: ChannelAccount, vault: Vault) -> dict[str, object]:
    if not account.secrets_encrypted:
        return {}
    return json.loads(vault.decrypt(account.secrets_encrypted)[0])


def store_secrets(account: ChannelAccount, vault: Vault, **values: object) -> None:
    """Merge ``values`` into the account's encrypted secrets."""
    current = _secrets(account, vault)
    current.update(values)
    account.secrets_encrypted = vault.encrypt([json.dumps(current)])


def config_for(account: ChannelAccount, vault: Vault) -> AccountConfig:
    """The adapter's view of an account (secrets decrypted in memory only)."""
    secrets = _secrets(account, vault)
    tokens = None
    if secrets.get("access_token"):
        tokens = Tokens(
            access_token=str(secrets["access_token"]),
            expires_at=account.token_expires_at,
            refresh_token=str(secrets["refresh_token"]) if secrets.get("refresh_token") else None,
            refresh_expires_at=account.refresh_expires_at,
            extra=dict(secrets.get("token_extra") or {}),  # type: ignore[call-overload]
        )
    extra: dict[str, str] = {}
    if account.mode == "sandbox":
        extra["item_url"] = SANDBOX_ITEM_URL
    return AccountConfig(
        base_url=account.base_url,
        shop_id=account.shop_id or "",
        app_key=account.app_key,
        app_secret=str(secrets.get("app_secret", "")),
        tokens=tokens,
        extra=extra,
    )


def adapter_for(
    account: ChannelAccount,
    vault: Vault,
    *,
    http: requests.Session | None = None,
    image_cache: Path | None = None,
    timeout: float = 10.0,
) -> Adapter:
    """A ready adapter for an API account."""
    cls = registry.get(account.channel)
    if cls.kind != ChannelKind.API:
        raise ValidationError(f"{cls.name} không có API; dùng gói xuất dữ liệu.", param="channel")
    return cls(config_for(account, vault), http=http, timeout=timeout, image_cache=image_cache)  # type: ignore[call-arg]


def limited_http(session: Session, account: ChannelAccount) -> requests.Session:
    """An HTTP session drawing from the account's shared rate bucket (every call we make)."""
    from .ratelimit import LimitedSession, RateLimiter, bucket_key

    limiter = RateLimiter(session.get_bind(), session=session)  # type: ignore[arg-type]
    return LimitedSession(
        limiter, bucket_key(account.channel, account.app_key), max(account.rate_limit, 0.01)
    )


def save_tokens(account: ChannelAccount, vault: Vault, tokens: Tokens) -> None:
    """Store new tokens on the account (encrypted) and mark it connected."""
    store_secrets(
        account,
        vault,
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        token_extra=dict(tokens.extra),
    )
    account.token_expires_at = tokens.expires_at
    account.refresh_expires_at = tokens.refresh_expires_at
    account.status = AccountStatus.CONNECTED
    account.last_error = ""


def needs_refresh(account: ChannelAccount, now: datetime) -> bool:
    """True when the access token is missing or expires within REFRESH_AHEAD."""
    if account.channel and is_export(account.channel):
        return False
    if not account.secrets_encrypted:
        return False
    expires = account.token_expires_at
    return expires is None or expires - REFRESH_AHEAD <= now


def refresh_locked(
    session: Session,
    account_id: int,
    vault: Vault,
    seen_expiry: datetime | None,
    *,
    http: requests.Session | None = None,
) -> ChannelAccount:
    """Refresh an account's tokens unless another worker already did since we looked
    (``seen_expiry`` differs); the account row stays locked until the caller commits."""
    # A no-op write takes the row lock on PostgreSQL and the write lock on SQLite, so two
    # workers cannot both spend the same single-use refresh token.
    session.execute(
        update(ChannelAccount)
        .where(ChannelAccount.id == account_id)
        .values(refresh_expires_at=ChannelAccount.refresh_expires_at)
    )
    account = session.scalar(
        select(ChannelAccount)
        .where(ChannelAccount.id == account_id)
        .execution_options(populate_existing=True)
    )
    if account is None:
        raise NotFound(
            "Không tìm thấy kênh bán này. Tải lại trang Kênh bán, hoặc kết nối lại.",
            param="account",
        )
    if account.token_expires_at != seen_expiry and not needs_refresh(account, _now()):
        return account  # someone else refreshed meanwhile
    adapter = adapter_for(account, vault, http=http or limited_http(session, account))
    try:
        tokens = adapter.refresh()
    except (AuthExpiredError, PermanentError) as exc:
        account.status = AccountStatus.RECONNECT
        account.last_error = (
            f"Không gia hạn được quyền truy cập: {exc.message} Vào Kênh bán, bấm “Kết nối lại”."
        )
        session.flush()
        raise
    except AdapterError:
        raise
    finally:
        adapter.close()
    save_tokens(account, vault, tokens)
    session.flush()
    return account


def _now() -> datetime:
    return datetime.now(UTC)
