"""Connecting a producer's shop: OAuth (the seller approves on the marketplace's page, the
code is exchanged in a job), shop keys (Sendo), explicit credentials (``ocop channel add``),
or an export channel (no credentials at all)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.core.crypto import Vault
from marketplace.core.errors import Conflict, NotFound, ValidationError
from producers.models import Producer
from sync_adapters import registry
from sync_adapters.base import ChannelKind, Tokens

from . import accounts
from .models import AccountStatus, ChannelAccount
from .sandboxes import SANDBOX_APPS, sandbox_url

#: the share of a channel's documented rate limit a new shop allows itself (jitter margin)
RATE_SHARE = 0.95


def _channel(code: str) -> type:
    try:
        return registry.get(code)
    except KeyError:
        raise ValidationError(
            "Kênh bán không tồn tại. Chọn kênh trong danh sách.", param="channel"
        ) from None


def app_credentials(config: dict, channel: str, mode: str) -> tuple[str, str, str]:  # type: ignore[type-arg]
    """(base URL, app key, app secret) the platform uses for a channel in a mode."""
    if mode == "sandbox":
        key, secret = SANDBOX_APPS[channel]
        return sandbox_url(config, channel), key, secret
    apps = config.get("CHANNEL_APPS") or {}
    app = apps.get(channel)
    if not app:
        raise ValidationError(
            f"Chưa cấu hình ứng dụng {accounts.channel_name(channel)} cho chế độ thật "
            "(OCOP_CHANNEL_APPS): quản trị viên cần đặt biến này, hoặc chọn sàn thử nghiệm.",
            param="mode",
        )
    return app["base_url"], app["app_key"], app["app_secret"]


def new_account(
    session: Session,
    vault: Vault,
    producer_id: int,
    channel: str,
    *,
    mode: str,
    base_url: str,
    app_key: str = "",
    app_secret: str = "",
    label: str = "",
) -> ChannelAccount:
    """A pending account (API channels) or a ready one (export channels)."""
    cls = _channel(channel)
    if session.get(Producer, producer_id) is None:
        raise NotFound(
            "Không tìm thấy chủ thể. Chọn lại chủ thể ở trang Kênh bán.", param="producer"
        )
    if cls.kind != ChannelKind.EXPORT:
        # An abandoned attempt (the seller closed the marketplace's page) is reused, not
        # piled up: one pending row per producer and channel.
        pending = session.scalar(
            select(ChannelAccount).where(
                ChannelAccount.producer_id == producer_id,
                ChannelAccount.channel == channel,
                ChannelAccount.shop_id.is_(None),
            )
        )
        if pending is not None:
            pending.base_url, pending.mode, pending.app_key = base_url.rstrip("/"), mode, app_key
            pending.status, pending.last_error = AccountStatus.PENDING, ""
            if app_secret:
                accounts.store_secrets(pending, vault, app_secret=app_secret)
            session.flush()
            return pending
    account = ChannelAccount(
        producer_id=producer_id,
        channel=channel,
        label=label.strip()[:120] or cls.name,
        base_url=base_url.rstrip("/"),
        mode=mode,
        app_key=app_key,
        status=AccountStatus.CONNECTED if cls.kind == ChannelKind.EXPORT else AccountStatus.PENDING,
        rate_limit=float(getattr(cls, "default_rate_limit", 5.0)) * RATE_SHARE,
        last_error="",
    )
    if app_secret:
        accounts.store_secrets(account, vault, app_secret=app_secret)
    session.add(account)
    session.flush()
    return account


def start_oauth(account: ChannelAccount, vault: Vault, redirect_uri: str) -> str:
    """Remember a one-time state on the account; the URL the seller must open."""
    state = f"{account.id}.{secrets.token_urlsafe(12)}"
    accounts.store_secrets(account, vault, oauth_state=state)
    adapter = accounts.adapter_for(account, vault)
    try:
        return adapter.authorize_url(redirect_uri, state)
    finally:
        adapter.close()


STATE_GONE = "Liên kết kết nối không hợp lệ hoặc đã dùng. Bấm “Kết nối” lại từ trang Kênh bán."


def check_state(session: Session, vault: Vault, state: str) -> ChannelAccount:
    """The pending account a callback's ``state`` belongs to (or a clear refusal)."""
    account_id, _, _ = state.partition(".")
    account = session.get(ChannelAccount, int(account_id)) if account_id.isdigit() else None
    if account is None:
        raise ValidationError(STATE_GONE, param="state")
    stored = accounts._secrets(account, vault).get("oauth_state")  # noqa: SLF001
    if not stored or not secrets.compare_digest(str(stored), state):
        raise ValidationError(STATE_GONE, param="state")
    return account


def finish(
    session: Session, vault: Vault, account_id: int, params: dict[str, str], redirect_uri: str
) -> str:
    """Exchange the callback's code (or log in with shop keys) and store the tokens."""
    account = session.get(ChannelAccount, account_id)
    if account is None:
        raise NotFound(
            "Không tìm thấy kênh bán này. Tải lại trang Kênh bán, hoặc kết nối lại.",
            param="account",
        )
    adapter = accounts.adapter_for(account, vault, http=accounts.limited_http(session, account))
    try:
        if adapter.auth_flow == "keys":
            shop_id, tokens = account.app_key, adapter.refresh()
        else:
            shop_id, tokens = adapter.exchange_code(params, redirect_uri)
    except Exception as exc:
        account.status = AccountStatus.RECONNECT
        account.last_error = (
            f"Kết nối thất bại: {getattr(exc, 'message', exc)} Hãy kết nối lại; nếu vẫn lỗi, "
            "kiểm tra tài khoản đang đăng nhập trên sàn."
        )
        session.flush()
        raise
    finally:
        adapter.close()
    taken = session.scalar(
        select(ChannelAccount).where(
            ChannelAccount.channel == account.channel,
            ChannelAccount.shop_id == shop_id,
            ChannelAccount.id != account.id,
        )
    )
    if taken is not None and taken.producer_id == account.producer_id:
        # Reconnecting a shop we already know: its listings stay; the new tokens go there.
        accounts.save_tokens(taken, vault, tokens)
        session.delete(account)
        session.flush()
        return shop_id
    if taken is not None:
        account.status = AccountStatus.RECONNECT
        account.last_error = (
            "Kênh bán này đã được một chủ thể khác kết nối. Đăng nhập đúng tài khoản sàn của chủ "
            "thể này rồi kết nối lại, hoặc nhờ quản trị viên gỡ kết nối cũ."
        )
        session.flush()
        raise Conflict(account.last_error, param="shop_id")
    account.shop_id = shop_id
    accounts.save_tokens(account, vault, tokens)
    accounts.store_secrets(account, vault, oauth_state=None)
    session.flush()
    return shop_id


def add_with_tokens(
    session: Session,
    vault: Vault,
    producer_id: int,
    channel: str,
    *,
    base_url: str,
    shop_id: str,
    app_key: str,
    app_secret: str,
    access_token: str,
    refresh_token: str | None,
    expires_at: datetime | None,
    mode: str = "custom",
) -> ChannelAccount:
    """``ocop channel add``: an account from explicit credentials (any compatible server)."""
    account = new_account(
        session,
        vault,
        producer_id,
        channel,
        mode=mode,
        base_url=base_url,
        app_key=app_key,
        app_secret=app_secret,
    )
    account.shop_id = shop_id
    accounts.save_tokens(
        account,
        vault,
        Tokens(access_token=access_token, refresh_token=refresh_token, expires_at=expires_at),
    )
    session.flush()
    return account
